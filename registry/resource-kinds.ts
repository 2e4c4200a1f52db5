/**
 * The resource entry kinds (Wippy's): databases and key-value stores.
 *
 * ```yaml
 * - name: db
 *   kind: db.sql.sqlite
 *   file: data/app.db          # relative to this YAML file's folder, or ":memory:"
 * - name: pg
 *   kind: db.sql.postgres
 *   host: 127.0.0.1            # or host_env: PGHOST (also port_env, database_env, username_env, password_env)
 *   port: 5432
 *   database: app
 *   username: app
 *   password: secret
 *   options: {sslmode: disable}
 *   pool: {max_open: 10, max_idle: 2, max_lifetime: 1h}
 * - name: cache
 *   kind: store.memory
 *   max_size: 1000             # default 10000
 * - name: kv
 *   kind: store.sql
 *   database: app:db           # a db.sql.* entry; the table must exist
 *   table_name: kv             # columns: key, value, expires_at unless named
 * ```
 * Owns: reading and checking these entries, with Wippy's required fields and defaults.
 * Invariants: every kind here has a lifecycle; a store.sql's table and column names are plain
 * identifiers (letters, digits, `_`, at most 63, no SQL keyword), as Wippy checks, since they are
 * written into SQL text; required fields missing are reported with an example.
 */
import type { EntryContext } from './fields';
import type { MemoryStoreEntry, PostgresEntry, SqliteEntry, SqlStoreEntry } from './types';
import { readLifecycle } from './lifecycle';
import { clientStorePath } from './project';
import { describeValue } from './errors';

export function readSqlite(ctx: EntryContext): SqliteEntry | undefined {
  const written = ctx.raw.data.file;
  const file = written === undefined || written === null ? undefined : ctx.str(['file'], written);
  if (written === undefined || written === null) ctx.missing(['file'], 'file: data/app.db, or file: ":memory:"');
  readPool(ctx);
  const lifecycle = readLifecycle(ctx);
  if (file === undefined) return undefined;
  // Anchored like a temporal.client's store (registry/project.ts): the declaring file's folder.
  return { ...ctx.base(), kind: 'db.sql.sqlite', file: clientStorePath(ctx.raw.file, file), lifecycle };
}

const PG_FIELDS = [
  ['host', 'host: 127.0.0.1'], ['database', 'database: app'], ['username', 'username: app'], ['password', 'password: secret'],
] as const;

export function readPostgres(ctx: EntryContext): PostgresEntry | undefined {
  const d = ctx.raw.data;
  const env: PostgresEntry['env'] = {};
  const text: Record<string, string> = {};
  let ok = true;
  for (const [key, example] of PG_FIELDS) {
    const e = ctx.str([`${key}_env`], d[`${key}_env`]);
    if (e !== undefined) env[key] = e;
    const v = ctx.str([key], d[key]);
    if (v !== undefined) text[key] = v;
    else if (e === undefined) { ctx.missing([key], `${example} (or ${key}_env: NAME)`); ok = false; }
  }
  const portEnv = ctx.str(['port_env'], d.port_env);
  if (portEnv !== undefined) env.port = portEnv;
  const port = ctx.num(['port'], d.port, 0, { integer: true, min: 1, max: 65535, expected: 'a port number from 1 to 65535' });
  if ((d.port === undefined || d.port === null) && portEnv === undefined) { ctx.missing(['port'], 'port: 5432 (or port_env: NAME)'); ok = false; }
  const options: Record<string, string> = {};
  const opts = ctx.map(['options'], d.options, '{sslmode: disable}') ?? {};
  for (const [k, v] of Object.entries(opts)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') options[k] = String(v);
    else ctx.problem(['options', k], `expected a string, got ${describeValue(v)}`);
  }
  const pool = readPool(ctx);
  const lifecycle = readLifecycle(ctx);
  if (!ok) return undefined;
  return {
    ...ctx.base(), kind: 'db.sql.postgres',
    host: text.host ?? '', port, database: text.database ?? '', username: text.username ?? '', password: text.password ?? '',
    env, options, ...pool, lifecycle,
  };
}

/** `pool: {max_open, max_idle, max_lifetime}` (SQLite: checked, unused: it has one connection). */
function readPool(ctx: EntryContext): { maxOpen: number; maxIdle: number; maxLifetimeMs: number } {
  const p = ctx.map(['pool'], ctx.raw.data.pool, '{max_open: 10, max_idle: 2, max_lifetime: 1h}') ?? {};
  const count = { integer: true, min: 0, expected: 'a whole number >= 0 (0 = the default)' };
  return {
    maxOpen: ctx.num(['pool', 'max_open'], p.max_open, 0, count),
    maxIdle: ctx.num(['pool', 'max_idle'], p.max_idle, 0, count),
    maxLifetimeMs: ctx.duration(['pool', 'max_lifetime'], p.max_lifetime, 3_600_000),
  };
}

export function readMemoryStore(ctx: EntryContext): MemoryStoreEntry {
  const d = ctx.raw.data;
  const maxSize = ctx.num(['max_size'], d.max_size, 0, { integer: true, min: 0, expected: 'a whole number >= 0 (0 = the default, 10000)' });
  return {
    ...ctx.base(), kind: 'store.memory',
    maxSize: maxSize === 0 ? 10_000 : maxSize,
    cleanupIntervalMs: ctx.duration(['cleanup_interval'], d.cleanup_interval, 300_000),
    lifecycle: readLifecycle(ctx),
  };
}

const SQL_WORDS = new Set([
  'select', 'from', 'where', 'insert', 'update', 'delete', 'table', 'drop', 'group', 'order', 'by', 'into', 'values',
  'limit', 'offset', 'join', 'union', 'having', 'create', 'alter', 'index', 'distinct', 'exists', 'and', 'or', 'not', 'as',
]);

/** A table or column name written into SQL text: a plain identifier that is not a keyword. */
function identifier(ctx: EntryContext, key: string, def?: string): string | undefined {
  const v = ctx.raw.data[key];
  if ((v === undefined || v === null) && def !== undefined) return def;
  if (v === undefined || v === null) { ctx.missing([key], `${key}: kv_store`); return undefined; }
  const s = ctx.str([key], v);
  if (s === undefined) return undefined;
  if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(s) || SQL_WORDS.has(s.toLowerCase())) {
    ctx.problem([key], `${JSON.stringify(s)} is not a usable name: letters, digits and _ (starting with a letter, at most 63), not an SQL keyword`);
    return undefined;
  }
  return s;
}

export function readSqlStore(ctx: EntryContext): SqlStoreEntry | undefined {
  const d = ctx.raw.data;
  let database: string | undefined;
  if (d.database === undefined || d.database === null) ctx.missing(['database'], 'database: app:db (a db.sql.sqlite or db.sql.postgres entry)');
  else database = ctx.ref(['database'], d.database, ['db.sql.sqlite', 'db.sql.postgres']);
  const table = identifier(ctx, 'table_name');
  const idColumn = identifier(ctx, 'id_column_name', 'key');
  const payloadColumn = identifier(ctx, 'payload_column_name', 'value');
  const expireColumn = identifier(ctx, 'expire_column_name', 'expires_at');
  const cleanupIntervalMs = ctx.duration(['cleanup_interval'], d.cleanup_interval, 0);
  const lifecycle = readLifecycle(ctx);
  if (database === undefined || table === undefined || idColumn === undefined || payloadColumn === undefined || expireColumn === undefined) return undefined;
  return { ...ctx.base(), kind: 'store.sql', database, table, idColumn, payloadColumn, expireColumn, cleanupIntervalMs, lifecycle };
}
