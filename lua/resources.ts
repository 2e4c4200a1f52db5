/**
 * The resources contract (`sql` and `store` modules): what a module asks of the registry's
 * databases (`db.sql.sqlite`, `db.sql.postgres`) and key-value stores (`store.memory`,
 * `store.sql`).
 *
 * Owns: the shapes only. The implementations live in runtime/resources/ (one `Resources` per
 * Runtime); a module reaches them through `Services.resources()`, which is null in workflows
 * (the registry refuses `sql` and `store` there). Invariants: every operation completes through
 * its `done` callback exactly once, with a value or an `ErrorInfo` (a driver's failure is never
 * thrown); `done` may be called before the operation returns (SQLite is synchronous) or later
 * (PostgreSQL); values cross as plain JS values (`SqlValue`) for SQL and as JSON payload text for
 * stores, so nothing of one Lua state reaches another.
 */
import type { ErrorInfo } from '../base/errors';

/**
 * A SQL value both ways. Parameters: `bigint` binds an integer, `number` a float, `Uint8Array` a
 * blob (bytea), `boolean` a boolean (SQLite: 1/0). Results: integers come back as `bigint`, floats
 * as `number`, blobs as `Uint8Array`; what has no JS form of its own (PostgreSQL numeric, dates,
 * json) comes back as text.
 */
export type SqlValue = null | boolean | number | bigint | string | Uint8Array;

export type Outcome<T> = { ok: T } | { error: ErrorInfo };
export type Done<T> = (r: Outcome<T>) => void;

export interface SqlRows {
  columns: string[];
  rows: SqlValue[][];
}

export interface SqlChange {
  lastInsertId: number;
  rowsAffected: number;
}

/** What a database and a transaction both run. */
export interface SqlRunner {
  query(sql: string, params: SqlValue[], done: Done<SqlRows>): void;
  execute(sql: string, params: SqlValue[], done: Done<SqlChange>): void;
  prepare(sql: string, done: Done<SqlStatement>): void;
}

/** Wippy's isolation names (`sql.isolation.*`). */
export type Isolation = 'default' | 'read_uncommitted' | 'read_committed' | 'write_committed' | 'repeatable_read' | 'serializable';

export interface TxOptions {
  isolation: Isolation;
  readOnly: boolean;
}

/** Wippy's `db:stats()` fields. */
export interface SqlStats {
  max_open_connections: number;
  open_connections: number;
  in_use: number;
  idle: number;
  wait_count: number;
  wait_duration: string;
  max_idle_closed: number;
  max_idle_time_closed: number;
  max_lifetime_closed: number;
}

export interface SqlDatabase extends SqlRunner {
  /** `sql.type.*`. */
  readonly type: 'sqlite' | 'postgres';
  begin(opts: TxOptions, done: Done<SqlTransaction>): void;
  stats(): SqlStats;
}

export interface SqlTransaction extends SqlRunner {
  /** False once committed or rolled back (every call then fails with kind Invalid). */
  readonly active: boolean;
  commit(done: Done<true>): void;
  rollback(done: Done<true>): void;
}

export interface SqlStatement {
  readonly closed: boolean;
  query(params: SqlValue[], done: Done<SqlRows>): void;
  execute(params: SqlValue[], done: Done<SqlChange>): void;
  close(done: Done<true>): void;
}

/** A key-value store; values are JSON payload text (lua/codec.ts 'payload' mode). */
export interface KvStore {
  /** The value, or an error of kind NotFound (`key not found`) when absent or expired. */
  get(key: string, done: Done<string>): void;
  /** `ttlMs` 0: no expiry. */
  set(key: string, value: string, ttlMs: number, done: Done<true>): void;
  has(key: string, done: Done<boolean>): void;
  /** True when a key was deleted, false when there was none. */
  delete(key: string, done: Done<boolean>): void;
}

export interface ResourceApi {
  /** The database entry `id`, or why not (unknown id, another kind, cannot open). */
  sql(id: string): Outcome<SqlDatabase>;
  /** The store entry `id`, or why not. */
  store(id: string): Outcome<KvStore>;
}
