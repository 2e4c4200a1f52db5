/**
 * A `db.sql.sqlite` database: one better-sqlite3 connection, as Wippy opens SQLite (one
 * connection, WAL for files).
 *
 * Owns: running queries, statements and transactions on that connection, and who may use it now.
 * Invariants: better-sqlite3 is synchronous, so every operation completes (its `done` is called)
 * before it returns, unless the connection is held by an open transaction: then a database-level
 * operation waits, in arrival order, until that transaction ends (Go's database/sql with one
 * connection does the same), and a transaction's own operations run at once; integers are read as
 * `bigint` (safe integers) and bound as `bigint`, so an INTEGER never turns into a REAL on the
 * way; a read-only transaction runs with `PRAGMA query_only` on; closing rolls back an open
 * transaction and fails what waits.
 */
import Database from 'better-sqlite3';
import type { ErrorInfo } from '../../base/errors';
import { formatDuration } from '../../base/duration';
import type {
  Done, Outcome, SqlChange, SqlDatabase, SqlRows, SqlStatement, SqlStats, SqlTransaction, SqlValue, TxOptions,
} from '../../lua/resources';
import { STMT_ALREADY_CLOSED, STMT_CLOSED, TX_INACTIVE, TX_STMT_ENDED, closedInfo, sqliteError } from './sql-errors';

type Bindable = null | number | bigint | string | Buffer;

function bind(params: SqlValue[]): Bindable[] {
  return params.map((v) => {
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return v;
  });
}

function attempt<T>(fn: () => T): Outcome<T> {
  try { return { ok: fn() }; } catch (e) { return { error: sqliteError(e) }; }
}

function rowsOf(stmt: Database.Statement, params: SqlValue[]): SqlRows {
  if (!stmt.reader) {
    stmt.run(...bind(params));
    return { columns: [], rows: [] };
  }
  const columns = stmt.columns().map((c) => c.name);
  return { columns, rows: stmt.raw(true).all(...bind(params)) as SqlValue[][] };
}

function changeOf(stmt: Database.Statement, params: SqlValue[]): SqlChange {
  const r = stmt.run(...bind(params));
  return { lastInsertId: Number(r.lastInsertRowid), rowsAffected: r.changes };
}

export class SqliteDatabase implements SqlDatabase {
  readonly type = 'sqlite';
  private readonly db: Database.Database;
  /** The transaction holding the connection, if any. */
  private owner: SqliteTransaction | null = null;
  private readonly waiting: Array<() => void> = [];
  private waits = 0;
  private waitedMs = 0;
  private closed = false;

  /** Throws (a SqliteError) when the file cannot be opened. */
  constructor(readonly label: string, file: string) {
    this.db = new Database(file);
    this.db.defaultSafeIntegers(true);
    if (file !== ':memory:') this.db.pragma('journal_mode = WAL');
  }

  /** Run `fn` now if no transaction holds the connection, else when it is released. */
  use(fn: () => void): void {
    if (this.closed) { fn(); return; }
    if (this.owner === null) { fn(); return; }
    this.waits++;
    const since = performance.now();
    this.waiting.push(() => { this.waitedMs += performance.now() - since; fn(); });
  }

  /** Run a database-level operation (waits for a transaction holding the connection). */
  private run<T>(done: Done<T>, fn: (db: Database.Database) => T): void {
    this.use(() => done(this.closed ? this.closedError() : attempt(() => fn(this.db))));
  }

  private closedError(): { error: ErrorInfo } {
    return { error: closedInfo(this.label) };
  }

  query(sql: string, params: SqlValue[], done: Done<SqlRows>): void {
    this.run(done, (db) => rowsOf(db.prepare(sql), params));
  }

  execute(sql: string, params: SqlValue[], done: Done<SqlChange>): void {
    this.run(done, (db) => executeOn(db, sql, params));
  }

  prepare(sql: string, done: Done<SqlStatement>): void {
    this.run(done, (db) => new SqliteStatement(db.prepare(sql), (fn) => this.use(fn), () => (this.closed ? this.closedError() : null)));
  }

  begin(opts: TxOptions, done: Done<SqlTransaction>): void {
    // Every isolation level is accepted: SQLite's transactions are serializable.
    this.run(done, (db) => {
      db.exec('BEGIN');
      if (opts.readOnly) db.pragma('query_only = 1');
      const tx = new SqliteTransaction(db, opts.readOnly, (t) => this.release(t));
      this.owner = tx;
      return tx;
    });
  }

  /** A transaction ended: let the waiting operations run, in order, until one holds it again. */
  private release(tx: SqliteTransaction): void {
    if (this.owner !== tx) return;
    this.owner = null;
    while (this.owner === null && this.waiting.length > 0) this.waiting.shift()!();
  }

  stats(): SqlStats {
    const open = this.closed ? 0 : 1;
    const inUse = this.owner !== null ? 1 : 0;
    return {
      max_open_connections: 1, open_connections: open, in_use: inUse, idle: open - inUse,
      wait_count: this.waits, wait_duration: formatDuration(this.waitedMs),
      max_idle_closed: 0, max_idle_time_closed: 0, max_lifetime_closed: 0,
    };
  }

  /** Roll back an open transaction, fail what waits, close the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner?.end(false);
    for (const fn of this.waiting.splice(0)) fn();
    this.db.close();
  }
}

/** `execute`: one statement; several (a schema script) only without parameters, as db.exec. */
function executeOn(db: Database.Database, sql: string, params: SqlValue[]): SqlChange {
  let stmt: Database.Statement;
  try {
    stmt = db.prepare(sql);
  } catch (e) {
    if (!(e instanceof RangeError) || params.length > 0 || !/more than one statement/.test(e.message)) throw e;
    const before = db.prepare('SELECT total_changes() AS n').pluck().get() as bigint;
    db.exec(sql);
    const after = db.prepare('SELECT total_changes() AS n, last_insert_rowid() AS id').raw().get() as bigint[];
    return { lastInsertId: Number(after[1]), rowsAffected: Number(after[0] - before) };
  }
  return changeOf(stmt, params);
}

export class SqliteTransaction implements SqlTransaction {
  active = true;
  constructor(private readonly db: Database.Database, private readonly readOnly: boolean, private readonly onEnd: (t: SqliteTransaction) => void) {}

  private run<T>(done: Done<T>, fn: () => T): void {
    done(this.active ? attempt(fn) : { error: TX_INACTIVE });
  }

  query(sql: string, params: SqlValue[], done: Done<SqlRows>): void {
    this.run(done, () => rowsOf(this.db.prepare(sql), params));
  }

  execute(sql: string, params: SqlValue[], done: Done<SqlChange>): void {
    this.run(done, () => executeOn(this.db, sql, params));
  }

  prepare(sql: string, done: Done<SqlStatement>): void {
    this.run(done, () => new SqliteStatement(this.db.prepare(sql), (fn) => fn(), () => (this.active ? null : { error: TX_STMT_ENDED })));
  }

  commit(done: Done<true>): void {
    if (!this.active) { done({ error: TX_INACTIVE }); return; }
    done(this.end(true));
  }

  rollback(done: Done<true>): void {
    if (!this.active) { done({ error: TX_INACTIVE }); return; }
    done(this.end(false));
  }

  /** Commit or roll back; either way the transaction is over and the connection released. */
  end(commit: boolean): Outcome<true> {
    if (!this.active) return { ok: true };
    this.active = false;
    let r: Outcome<true> = { ok: true };
    try {
      if (this.readOnly) this.db.pragma('query_only = 0');
      if (commit) this.db.exec('COMMIT');
      else if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch (e) {
      r = { error: sqliteError(e) };
      try { if (this.db.inTransaction) this.db.exec('ROLLBACK'); } catch { /* the connection reports it at its next use */ }
    }
    this.onEnd(this);
    return r;
  }
}

export class SqliteStatement implements SqlStatement {
  closed = false;
  constructor(
    private readonly stmt: Database.Statement,
    /** When it may run: at once (a transaction's), or when the connection is free (the database's). */
    private readonly use: (fn: () => void) => void,
    /** Why it cannot run any more besides being closed (its transaction ended, its database closed). */
    private readonly gone: () => { error: ErrorInfo } | null,
  ) {}

  private run<T>(done: Done<T>, fn: () => T): void {
    if (this.closed) { done({ error: STMT_CLOSED }); return; }
    this.use(() => done(this.gone() ?? attempt(fn)));
  }

  query(params: SqlValue[], done: Done<SqlRows>): void {
    this.run(done, () => rowsOf(this.stmt, params));
  }

  execute(params: SqlValue[], done: Done<SqlChange>): void {
    this.run(done, () => changeOf(this.stmt, params));
  }

  close(done: Done<true>): void {
    if (this.closed) { done({ error: STMT_ALREADY_CLOSED }); return; }
    // better-sqlite3 finalizes a statement when it is collected; there is nothing to free now.
    this.closed = true;
    done({ ok: true });
  }
}
