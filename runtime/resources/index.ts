/**
 * The registry's databases and key-value stores, one set per Runtime: what `sql.get(id)` and
 * `store.get(id)` reach (through `Services.resources()`, lua/resources.ts).
 *
 * Owns: opening each `db.sql.*` / `store.*` entry once and sharing it between every execution
 * (a SQLite `:memory:` database is one database for the whole run, as in Wippy), the errors of
 * `get` for an unknown id or an entry of another kind, and closing. Invariants: an entry is
 * opened when it starts (its lifecycle, `start`) or when first asked for, whichever comes first;
 * `stop` and `close` close it (a PostgreSQL pool's connections are ended; an open SQLite
 * transaction is rolled back), and a later `get` opens it again; nothing here throws for an
 * unusable entry: `get` returns the error value, `start` rejects with the reason.
 */
import { ErrorKind, type ErrorInfo } from '../../base/errors';
import { inertEntryNote, type Entry, type Registry } from '../../registry';
import { didYouMean } from '../../registry/suggest';
import type { KvStore, Outcome, ResourceApi, SqlDatabase } from '../../lua/resources';
import { SqliteDatabase } from './sqlite-db';
import { PostgresDatabase, postgresBusy } from './postgres-db';
import { MemoryStore } from './memory-kv';
import { SqlStore } from './sql-kv';

export interface ResourceDeps {
  /** The runtime's clock (expiry of store keys). */
  now(): number;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** An env variable as the entry `callerId` sees it (Wippy's env registry), or undefined. */
  env?(name: string, callerId: string): string | undefined;
}

type Db = SqliteDatabase | PostgresDatabase;
type Store = MemoryStore | SqlStore;

const DB_KINDS = ['db.sql.sqlite', 'db.sql.postgres'];
const STORE_KINDS = ['store.memory', 'store.sql'];

export class Resources implements ResourceApi {
  private readonly dbs = new Map<string, Db>();
  private readonly stores = new Map<string, Store>();

  constructor(private readonly registry: Registry, private readonly deps: ResourceDeps) {}

  /** Why `id` is not a usable entry of `kinds` (`what`: "database", "store"), or the entry. */
  private lookup(id: string, kinds: string[], what: string, missingKind: string): Outcome<Entry> {
    if (id === '') return { error: { kind: ErrorKind.Invalid, message: 'resource id is required', retryable: false } };
    const entry = this.registry.entries.get(id);
    if (entry === undefined) {
      const known = [...this.registry.entries.values()].filter((e) => kinds.includes(e.kind)).map((e) => e.id);
      const message = inertEntryNote(this.registry, id) ?? `no ${what} ${id} in the registry${didYouMean(id, known)}`;
      return { error: { kind: missingKind, message, retryable: false } };
    }
    if (!kinds.includes(entry.kind)) return { error: { kind: ErrorKind.Invalid, message: `resource is not a ${what}: ${id} is a ${entry.kind} entry`, retryable: false } };
    return { ok: entry };
  }

  sql(id: string): Outcome<SqlDatabase> {
    const r = this.lookup(id, DB_KINDS, 'database', ErrorKind.NotFound);
    return 'error' in r ? r : this.openDb(r.ok);
  }

  /** Wippy's store.get reports an unknown store as Internal (its spec's table); so does this. */
  store(id: string): Outcome<KvStore> {
    const r = this.lookup(id, STORE_KINDS, 'store', ErrorKind.Internal);
    return 'error' in r ? r : this.openStore(r.ok);
  }

  private openDb(e: Entry): Outcome<SqlDatabase> {
    const open = this.dbs.get(e.id);
    if (open) return { ok: open };
    let db: Db;
    try {
      if (e.kind === 'db.sql.sqlite') db = new SqliteDatabase(e.id, e.file);
      else if (e.kind === 'db.sql.postgres') db = new PostgresDatabase(e.id, e, (name) => this.deps.env?.(name, e.id) ?? process.env[name], (m) => this.deps.log('warn', m));
      else throw new Error(`${e.kind} is not a database kind`);
    } catch (err) {
      const where = e.kind === 'db.sql.sqlite' ? ` (${e.file})` : '';
      return { error: { kind: ErrorKind.Internal, message: `cannot open database ${e.id}${where}: ${(err as Error).message}`, retryable: false } };
    }
    this.dbs.set(e.id, db);
    return { ok: db };
  }

  private openStore(e: Entry): Outcome<KvStore> {
    const open = this.stores.get(e.id);
    if (open) return { ok: open };
    let store: Store;
    if (e.kind === 'store.memory') store = new MemoryStore(e, this.deps.now);
    else if (e.kind === 'store.sql') store = new SqlStore(e, () => this.sql(e.database), this.deps.now, (m) => this.deps.log('error', m));
    else return { error: { kind: ErrorKind.Internal, message: `${e.kind} is not a store kind`, retryable: false } };
    this.stores.set(e.id, store);
    return { ok: store };
  }

  /**
   * Start entry `id` (its lifecycle): open it now, so that a database that cannot be reached is
   * reported at start-up. A PostgreSQL database is asked `SELECT 1`.
   */
  async start(id: string): Promise<void> {
    const entry = this.registry.entries.get(id);
    const isDb = entry !== undefined && DB_KINDS.includes(entry.kind);
    const r = isDb ? this.sql(id) : this.store(id);
    if ('error' in r) throw new Error(r.error.message);
    if (!isDb || (r.ok as SqlDatabase).type !== 'postgres') return;
    const db = r.ok as SqlDatabase;
    const failed = await new Promise<ErrorInfo | null>((resolve) => db.query('SELECT 1', [], (x) => resolve('error' in x ? x.error : null)));
    if (failed) {
      await this.stop(id);
      throw new Error(`cannot reach database ${id}: ${failed.message}`);
    }
  }

  /** Stop entry `id`: close it (it opens again if asked for later). */
  async stop(id: string): Promise<void> {
    const db = this.dbs.get(id);
    this.dbs.delete(id);
    if (db instanceof SqliteDatabase) db.close();
    else if (db) await db.close();
    const store = this.stores.get(id);
    this.stores.delete(id);
    store?.close();
  }

  /** True while a database operation waits for its server (the virtual clock's busy probe). */
  get busy(): boolean {
    return postgresBusy();
  }

  /** Close everything (the runtime is closing; a pool's end is not waited for). */
  close(): void {
    for (const id of [...this.dbs.keys(), ...this.stores.keys()]) void this.stop(id);
  }
}
