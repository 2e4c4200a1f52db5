/**
 * A `db.sql.postgres` database: a pg connection pool, as Wippy's database/sql pool over lib/pq.
 *
 * Owns: running queries on the pool, transactions on a connection of their own, and prepared
 * statements. Invariants: every operation completes through `done`, once (later, when it
 * reaches the server), with a value or an error value (its kind from sql-errors.ts), never a
 * rejection; a transaction holds one connection from BEGIN until COMMIT/ROLLBACK and gives it back either way
 * (a connection whose COMMIT or ROLLBACK failed is destroyed, not reused); placeholders are
 * PostgreSQL's `$1, $2`, as in Wippy (no rewriting of `?`); `last_insert_id` is 0 (as lib/pq's:
 * use `RETURNING`); a prepared statement is checked by the server when it is made and runs as a
 * named statement, prepared once per connection.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { ErrorKind, type ErrorInfo } from '../../base/errors';
import { formatDuration } from '../../base/duration';
import type { PostgresEntry } from '../../registry/types';
import type {
  Done, Isolation, SqlChange, SqlDatabase, SqlRows, SqlStatement, SqlStats, SqlTransaction, SqlValue, TxOptions,
} from '../../lua/resources';
import { ClosedError, STMT_ALREADY_CLOSED, STMT_CLOSED, TX_INACTIVE, TX_STMT_ENDED, closedInfo, postgresError } from './sql-errors';
import { pgParam, poolConfig, sqlValue } from './postgres-types';

type Queryable = Pick<pg.PoolClient, 'query'>;
interface Query { text: string; params: SqlValue[]; name?: string }

async function runQuery(on: Queryable, q: Query): Promise<pg.QueryArrayResult | pg.QueryArrayResult[]> {
  const config: pg.QueryArrayConfig = { text: q.text, values: q.params.map(pgParam), rowMode: 'array' };
  if (q.name) config.name = q.name;
  return on.query(config) as Promise<pg.QueryArrayResult | pg.QueryArrayResult[]>;
}

function rowsOf(r: pg.QueryArrayResult | pg.QueryArrayResult[]): SqlRows {
  // Several statements in one text (no parameters) give one result each: the last one's rows.
  const last = Array.isArray(r) ? r[r.length - 1] : r;
  return { columns: (last?.fields ?? []).map((f) => f.name), rows: (last?.rows ?? []).map((row) => row.map(sqlValue)) };
}

function changeOf(r: pg.QueryArrayResult | pg.QueryArrayResult[]): SqlChange {
  const all = Array.isArray(r) ? r : [r];
  return { lastInsertId: 0, rowsAffected: all.reduce((n, x) => n + (x.rowCount ?? 0), 0) };
}

let inFlight = 0;

/** Whether a PostgreSQL operation is waiting for the server (a virtual clock must not jump then). */
export const postgresBusy = (): boolean => inFlight > 0;

function settle<T>(p: Promise<T>, done: Done<T>): void {
  inFlight++;
  p.then((ok) => { inFlight--; done({ ok }); }, (e: unknown) => { inFlight--; done({ error: postgresError(e) }); });
}

let checks = 0;

/** Ask the server to parse `text` as a statement (PREPARE, then DEALLOCATE). */
async function checkStatement(on: Queryable, text: string): Promise<void> {
  const name = `wippy_check_${++checks}`;
  await on.query(`PREPARE ${name} AS ${text}; DEALLOCATE ${name}`);
}

const statementName = (text: string): string => `wippy_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;

const ISOLATION: Record<Isolation, string | null> = {
  default: '', read_uncommitted: ' ISOLATION LEVEL READ UNCOMMITTED', read_committed: ' ISOLATION LEVEL READ COMMITTED',
  write_committed: null, repeatable_read: ' ISOLATION LEVEL REPEATABLE READ', serializable: ' ISOLATION LEVEL SERIALIZABLE',
};

export class PostgresDatabase implements SqlDatabase {
  readonly type = 'postgres';
  private readonly pool: pg.Pool;
  private waits = 0;
  private waitedMs = 0;
  private closed = false;

  /** Throws an Error when the entry's settings are unusable (an unset *_env variable...). */
  constructor(readonly label: string, entry: PostgresEntry, env: (name: string) => string | undefined, log: (message: string) => void) {
    this.pool = new pg.Pool(poolConfig(entry, env));
    // An idle connection that breaks (server restart) is dropped by the pool; without a listener
    // the 'error' event would end the process.
    this.pool.on('error', (e) => log(`database ${label}: an idle connection failed: ${e.message}`));
  }

  /** One connection, counting the times a request had to wait for one. */
  private async connect(): Promise<pg.PoolClient> {
    const full = this.pool.idleCount === 0 && this.pool.totalCount >= (this.pool.options.max ?? 10);
    const since = performance.now();
    const client = await this.pool.connect();
    if (full) { this.waits++; this.waitedMs += performance.now() - since; }
    return client;
  }

  /** Run `fn` on a pooled connection, given back afterwards. */
  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new ClosedError(closedInfo(this.label).message);
    const client = await this.connect();
    try { return await fn(client); } finally { client.release(); }
  }

  query(sql: string, params: SqlValue[], done: Done<SqlRows>): void {
    settle(this.withClient((c) => runQuery(c, { text: sql, params })).then(rowsOf), done);
  }

  execute(sql: string, params: SqlValue[], done: Done<SqlChange>): void {
    settle(this.withClient((c) => runQuery(c, { text: sql, params })).then(changeOf), done);
  }

  prepare(sql: string, done: Done<SqlStatement>): void {
    const run = (q: Query) => this.withClient((c) => runQuery(c, q));
    settle(this.withClient((c) => checkStatement(c, sql)).then(() => new PostgresStatement(sql, run, () => null)), done);
  }

  begin(opts: TxOptions, done: Done<SqlTransaction>): void {
    const level = ISOLATION[opts.isolation];
    if (level === null) {
      done({ error: { kind: ErrorKind.Invalid, message: `isolation level ${opts.isolation} is not supported by PostgreSQL`, retryable: false } });
      return;
    }
    const begin = async (): Promise<SqlTransaction> => {
      if (this.closed) throw new ClosedError(closedInfo(this.label).message);
      const client = await this.connect();
      try {
        await client.query(`BEGIN${level}${opts.readOnly ? ' READ ONLY' : ''}`);
      } catch (e) {
        client.release(e as Error);
        throw e;
      }
      return new PostgresTransaction(client);
    };
    settle(begin(), done);
  }

  stats(): SqlStats {
    const p = this.pool;
    return {
      max_open_connections: p.options.max ?? 10, open_connections: p.totalCount, in_use: p.totalCount - p.idleCount, idle: p.idleCount,
      wait_count: this.waits, wait_duration: formatDuration(this.waitedMs),
      max_idle_closed: 0, max_idle_time_closed: 0, max_lifetime_closed: 0,
    };
  }

  /** Close the pool (connections held by transactions close when they end). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => { /* already ended */ });
  }
}

export class PostgresTransaction implements SqlTransaction {
  active = true;
  constructor(private readonly client: pg.PoolClient) {}

  private run<T>(done: Done<T>, p: () => Promise<T>): void {
    if (!this.active) { done({ error: TX_INACTIVE }); return; }
    settle(p(), done);
  }

  query(sql: string, params: SqlValue[], done: Done<SqlRows>): void {
    this.run(done, () => runQuery(this.client, { text: sql, params }).then(rowsOf));
  }

  execute(sql: string, params: SqlValue[], done: Done<SqlChange>): void {
    this.run(done, () => runQuery(this.client, { text: sql, params }).then(changeOf));
  }

  prepare(sql: string, done: Done<SqlStatement>): void {
    const run = (q: Query) => runQuery(this.client, q);
    this.run(done, () => checkStatement(this.client, sql).then(() => new PostgresStatement(sql, run, () => (this.active ? null : TX_STMT_ENDED))));
  }

  commit(done: Done<true>): void {
    if (!this.active) { done({ error: TX_INACTIVE }); return; }
    settle(this.end('COMMIT'), done);
  }

  rollback(done: Done<true>): void {
    if (!this.active) { done({ error: TX_INACTIVE }); return; }
    settle(this.end('ROLLBACK'), done);
  }

  /** COMMIT or ROLLBACK, then give the connection back (destroyed if that failed). */
  async end(how: 'COMMIT' | 'ROLLBACK'): Promise<true> {
    if (!this.active) return true;
    this.active = false;
    try {
      await this.client.query(how);
    } catch (e) {
      this.client.release(e as Error);
      throw e;
    }
    this.client.release();
    return true;
  }
}

export class PostgresStatement implements SqlStatement {
  closed = false;
  private readonly name: string;
  constructor(
    private readonly text: string,
    private readonly runOn: (q: Query) => Promise<pg.QueryArrayResult | pg.QueryArrayResult[]>,
    /** Why it cannot run any more besides being closed (its transaction ended). */
    private readonly gone: () => ErrorInfo | null,
  ) {
    this.name = statementName(text);
  }

  private run<T>(done: Done<T>, params: SqlValue[], then: (r: pg.QueryArrayResult | pg.QueryArrayResult[]) => T): void {
    if (this.closed) { done({ error: STMT_CLOSED }); return; }
    const why = this.gone();
    if (why) { done({ error: why }); return; }
    settle(this.runOn({ text: this.text, params, name: this.name }).then(then), done);
  }

  query(params: SqlValue[], done: Done<SqlRows>): void {
    this.run(done, params, rowsOf);
  }

  execute(params: SqlValue[], done: Done<SqlChange>): void {
    this.run(done, params, changeOf);
  }

  close(done: Done<true>): void {
    if (this.closed) { done({ error: STMT_ALREADY_CLOSED }); return; }
    this.closed = true;
    done({ ok: true });
  }
}
