/**
 * A `store.sql` store: keys in a table of a `db.sql.*` database, as Wippy's SQL store (the table
 * is the application's: this never creates or alters it).
 *
 * Owns: the statements over the configured table and columns. Invariants: the key column holds
 * the key, the payload column the value's JSON text (bytes, as Wippy's []byte: a BLOB in SQLite,
 * and in PostgreSQL bytes for a bytea column, text otherwise), the expiry column NULL or the UTC
 * time after which the key is absent (SQLite: text `YYYY-MM-DD HH:MM:SS.mmm+00:00`, which orders
 * as time; PostgreSQL: a timestamp); a set updates the key's row, or inserts one when there is
 * none (no unique constraint needed, as in Wippy); every `cleanup_interval` expired rows are
 * deleted (a timer that does not keep the process alive); table and column names were checked
 * to be plain identifiers when the registry loaded; a database failure is the operation's error
 * value, never a throw.
 */
import type { ErrorInfo } from '../../base/errors';
import type { SqlStoreEntry } from '../../registry/types';
import type { Done, KvStore, Outcome, SqlChange, SqlDatabase, SqlRows, SqlValue } from '../../lua/resources';
import { KEY_NOT_FOUND } from './memory-kv';

class Failed extends Error {
  constructor(readonly info: ErrorInfo) { super(info.message); }
}

function call<T>(start: (done: Done<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => start((r) => ('ok' in r ? resolve(r.ok) : reject(new Failed(r.error)))));
}

function settle<T>(p: Promise<T>, done: Done<T>): void {
  p.then((ok) => done({ ok }), (e: unknown) => done({ error: e instanceof Failed ? e.info : { kind: 'Internal', message: String((e as Error)?.message ?? e), retryable: false } }));
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

export class SqlStore implements KvStore {
  private readonly timer: NodeJS.Timeout | null;
  private bytea: Promise<boolean> | null = null;

  constructor(
    private readonly entry: SqlStoreEntry,
    /** The database entry, opened when first needed. */
    private readonly database: () => Outcome<SqlDatabase>,
    private readonly now: () => number,
    log: (message: string) => void,
  ) {
    this.timer = entry.cleanupIntervalMs > 0 ? setInterval(() => {
      settle(this.cleanup(), (r) => { if ('error' in r) log(`store ${entry.id}: cleanup failed: ${r.error.message}`); });
    }, entry.cleanupIntervalMs) : null;
    this.timer?.unref();
  }

  private db(): SqlDatabase {
    const r = this.database();
    if ('error' in r) throw new Failed(r.error);
    return r.ok;
  }

  /** The statement for `db`: its `?` placeholders become `$1, $2...` for PostgreSQL (names hold no `?`). */
  private sql(db: SqlDatabase, statement: string): string {
    let n = 0;
    return db.type === 'postgres' ? statement.replace(/\?/g, () => `$${++n}`) : statement;
  }

  private time(db: SqlDatabase, ms: number): string {
    const iso = new Date(ms).toISOString();
    return db.type === 'postgres' ? iso : `${iso.slice(0, 10)} ${iso.slice(11, 23)}+00:00`;
  }

  private query(db: SqlDatabase, sql: string, params: SqlValue[]): Promise<SqlRows> {
    return call((done) => db.query(sql, params, done));
  }

  private exec(db: SqlDatabase, sql: string, params: SqlValue[]): Promise<SqlChange> {
    return call((done) => db.execute(sql, params, done));
  }

  /** How the payload column takes a value: bytes (SQLite; a PostgreSQL bytea), else text. */
  private async payload(db: SqlDatabase, json: string): Promise<SqlValue> {
    if (db.type === 'sqlite') return utf8.encode(json);
    this.bytea ??= this.query(db, 'SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = $2',
      [this.entry.table.toLowerCase(), this.entry.payloadColumn.toLowerCase()]).then(
      (r) => r.rows[0]?.[0] === 'bytea',
      (e: unknown) => { this.bytea = null; throw e; });
    return (await this.bytea) ? utf8.encode(json) : json;
  }

  /** The condition "not expired" (its one parameter: now). */
  private live(): string {
    const x = this.entry.expireColumn;
    return `(${x} IS NULL OR ${x} > ?)`;
  }

  get(key: string, done: Done<string>): void {
    settle((async () => {
      const db = this.db();
      const e = this.entry;
      const r = await this.query(db, this.sql(db, `SELECT ${e.payloadColumn} FROM ${e.table} WHERE ${e.idColumn} = ? AND ${this.live()}`),
        [key, this.time(db, this.now())]);
      if (r.rows.length === 0) throw new Failed(KEY_NOT_FOUND);
      const v = r.rows[0][0];
      return v instanceof Uint8Array ? text.decode(v) : String(v);
    })(), done);
  }

  set(key: string, value: string, ttlMs: number, done: Done<true>): void {
    settle((async (): Promise<true> => {
      const db = this.db();
      const e = this.entry;
      const v = await this.payload(db, value);
      const expires = ttlMs > 0 ? this.time(db, this.now() + ttlMs) : null;
      const updated = await this.exec(db, this.sql(db, `UPDATE ${e.table} SET ${e.payloadColumn} = ?, ${e.expireColumn} = ? WHERE ${e.idColumn} = ?`),
        [v, expires, key]);
      if (updated.rowsAffected === 0) {
        await this.exec(db, this.sql(db, `INSERT INTO ${e.table} (${e.idColumn}, ${e.payloadColumn}, ${e.expireColumn}) VALUES (?, ?, ?)`),
          [key, v, expires]);
      }
      return true;
    })(), done);
  }

  has(key: string, done: Done<boolean>): void {
    settle((async () => {
      const db = this.db();
      const e = this.entry;
      const r = await this.query(db, this.sql(db, `SELECT 1 FROM ${e.table} WHERE ${e.idColumn} = ? AND ${this.live()}`),
        [key, this.time(db, this.now())]);
      return r.rows.length > 0;
    })(), done);
  }

  delete(key: string, done: Done<boolean>): void {
    settle((async () => {
      const db = this.db();
      const e = this.entry;
      const r = await this.exec(db, this.sql(db, `DELETE FROM ${e.table} WHERE ${e.idColumn} = ?`), [key]);
      return r.rowsAffected > 0;
    })(), done);
  }

  private async cleanup(): Promise<void> {
    const db = this.db();
    const e = this.entry;
    await this.exec(db, this.sql(db, `DELETE FROM ${e.table} WHERE ${e.expireColumn} IS NOT NULL AND ${e.expireColumn} < ?`),
      [this.time(db, this.now())]);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
