/**
 * The durable history store on PostgreSQL: what SqliteStore is, on a server several machines can
 * share. Beside it: postgres-schema.ts (tables, migrations, the commit function),
 * postgres-queries.ts (the reads' SQL), postgres-bridge.ts (the connection's worker thread, and
 * PostgreSQL failures as WippyErrors).
 *
 * Owns: opening a store at a URL (connect, migrate or refuse, join as a node), the commit (one
 * call of the server's `wippy_commit_as`, one round trip, one transaction), and the reads.
 * Invariants:
 * - `commit` applies the whole Batch or nothing; `commitAsync` does the same without blocking
 *   and calls back once it is durable (the engine's group commit goes on meanwhile).
 * - The history format is the SQLite store's (sqlite-rows.ts historyRuns, the same JSON text), so
 *   every reader of histories (export, goldens, the UI) reads both alike.
 * - Many nodes per database (postgres-nodes.ts says how): a writing store joins as a node with a
 *   lease, renews it with `heartbeat` (which also claims workflows nobody alive owns), and
 *   commits fenced (`wippy_commit_as`): a node that lost its lease writes nothing more
 *   (NODE_LEASE_LOST). `close` leaves cleanly, so others claim its workflows at once.
 *   `lock: false` is for inspection tools: no node, no commits.
 * - A database written by a newer wippy (a migration name we do not know) is refused; one with
 *   wippy's table names but no migrations record is some other application's and is refused.
 * - A user's mistake (unreachable server, wrong password, no such database) is one line naming
 *   the URL without its password; never a stack.
 */
import * as os from 'node:os';
import { ErrorCode, WippyError } from '../../base/errors';
import type { HistoryRecord, PendingSignal, WorkflowRow, WorkflowStatus } from './events';
import { WORKFLOW_STATUSES, type Batch, type HistoryStore, type Membership, type StatusCounts, type WorkflowQuery } from './store';
import { toSignal, toWorkflow, type SignalDbRow, type WorkflowDbRow } from './sqlite-rows';
import { MIGRATION_LOCK, PG_MIGRATIONS, STORE_TABLES, type PgMigration } from './postgres-schema';
import { SIGNAL_CHANNEL, DEFAULT_LEASE_MS, DEFAULT_RENEW_MS, newNodeId, type NodeInfo, type NodeOptions } from './postgres-nodes';

export { DEFAULT_LEASE_MS, DEFAULT_RENEW_MS, newNodeId, type NodeInfo, type NodeOptions } from './postgres-nodes';
import { batchJson, cappedCountQueries, pageQuery, SQL } from './postgres-queries';
import { PgBridge, pgError } from './postgres-bridge';
import type { PgFailure } from './postgres-worker';

export interface PgOpenOptions {
  /** Join the database as a node that writes (default true). False for read-only inspection tools. */
  lock?: boolean;
  /** How messages name the store (default: the URL without its password). */
  label?: string;
  /** The writer runs on a virtual clock (--virtual-time): rows it writes are marked so. */
  virtualTime?: boolean;
  /** For tests: a longer list plays the part of a newer wippy. */
  migrations?: readonly PgMigration[];
  /** A writing store's node: its id (default: random, see newNodeId), lease and renewal (ms). */
  node?: Partial<NodeOptions>;
}

/** True for a store address that names a PostgreSQL database. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/** The URL as messages show it: without a password. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

/** Start requests one poll takes at most (the rest are left to other nodes' polls: starts spread). */
const STARTS_PER_POLL = 32;

export class PgStore implements HistoryStore {
  readonly url: string;
  readonly label: string;
  /** For messages that say where the store is (the SQLite store's `path`). */
  readonly path: string;
  private readonly pg: PgBridge;
  private readonly virtual: number;
  private closed = false;
  /**
   * History lengths read with the last listing of open workflows, until the next commit: the
   * engine's start-up lists the running ones, then asks each one's length (one round trip in
   * all instead of one per workflow). Only this node writes, so nothing else can change them.
   */
  private lengths = new Map<string, number>();
  /** Stamped by this thread (tenths of a second since `t0`) for the lease renewal to see it runs. */
  private readonly stamp = new Int32Array(new SharedArrayBuffer(4));
  private stampTimer: NodeJS.Timeout | null = null;
  /** The lease renewal's failure, and who is told of it (Membership.onLost). */
  private leaseFailure: Error | null = null;
  private onLeaseLost: ((err: Error) => void) | null = null;
  /** This store writes (a node); false: an inspection tool's. */
  private readonly writer: boolean;
  /** This store's node (null: an inspection tool's). */
  readonly node: NodeOptions | null;
  /** The node's lease is known lost: nothing more is sent to be committed, and `close` does not leave. */
  private lost = false;

  constructor(url: string, opts: PgOpenOptions = {}) {
    this.url = url;
    this.path = redactUrl(url);
    this.label = opts.label ?? `store ${this.path}`;
    this.virtual = opts.virtualTime ? 1 : 0;
    this.writer = opts.lock !== false;
    this.node = this.writer ? { id: opts.node?.id ?? newNodeId(), leaseMs: opts.node?.leaseMs ?? DEFAULT_LEASE_MS, renewMs: opts.node?.renewMs ?? DEFAULT_RENEW_MS, stallMs: opts.node?.stallMs } : null;
    this.pg = new PgBridge(this.label);
    try {
      try {
        this.pg.call({ op: 'connect', url, app: `wippy-${process.pid}` });
      } catch (e) {
        // Unreachable, refused login, no such database: the URL is wrong (usage, exit status 2).
        if (e instanceof WippyError && e.code === ErrorCode.STORE_INVALID) throw new WippyError(ErrorCode.BAD_ARGUMENT, e.message);
        throw e;
      }
      this.migrate(opts.migrations ?? PG_MIGRATIONS);
      if (this.node) {
        this.pg.rows(SQL.join, [this.node.id, process.pid, os.hostname(), this.node.leaseMs]);
        this.pg.call({ op: 'listen', channel: SIGNAL_CHANNEL });
        this.keepLease(this.node);
      }
    } catch (e) {
      this.pg.end();
      throw e;
    }
  }

  /**
   * The lease is renewed by the connection's thread on a connection of its own (postgres-worker.ts
   * renewLease) while this thread stamps that it still runs.
   */
  private keepLease(node: NodeOptions): void {
    const t0 = Date.now();
    const stampNow = (): void => { Atomics.store(this.stamp, 0, Math.floor((Date.now() - t0) / 100)); };
    stampNow();
    this.stampTimer = setInterval(stampNow, Math.min(node.renewMs, 1000));
    this.stampTimer.unref();
    this.pg.onLeaseLost = (f) => {
      const err = pgError(this.label, f, 'renewing the lease');
      this.lost = true;
      this.leaseFailure = err;
      this.onLeaseLost?.(err);
    };
    this.pg.call({ op: 'lease', url: this.url, app: `wippy-${process.pid}`, lease: {
      nodeId: node.id, renewMs: node.renewMs, leaseMs: node.leaseMs, stallMs: node.stallMs ?? 6 * node.leaseMs, stamp: this.stamp.buffer as SharedArrayBuffer, t0,
    } });
  }

  /** Membership.onLost: told once if the lease renewal fails or stops (at once if it already has). */
  onLost(fn: (err: Error) => void): void {
    this.onLeaseLost = fn;
    if (this.leaseFailure) fn(this.leaseFailure);
  }

  /** Bring the schema up to date in one transaction, or refuse a database we do not understand. */
  private migrate(list: readonly PgMigration[]): void {
    const fail = (what: string): never => { throw new WippyError(ErrorCode.STORE_INVALID, `${this.label}: ${what}`); };
    this.pg.rows('BEGIN');
    try {
      this.pg.rows('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const [{ has }] = this.pg.rows<{ has: boolean }>("SELECT to_regclass('wippy_migrations') IS NOT NULL AS has");
      if (!has) {
        const other = this.pg.rows<{ t: string }>(
          'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1::text[]) LIMIT 1', [STORE_TABLES]);
        if (other.length > 0) fail(`not a wippy store (it has a table '${other[0].t}' but no wippy_migrations record); use another database`);
        this.pg.rows('CREATE TABLE wippy_migrations (seq SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at DOUBLE PRECISION NOT NULL)');
      }
      const names = this.pg.rows<{ name: string }>('SELECT name FROM wippy_migrations ORDER BY seq').map((r) => r.name);
      names.forEach((name, i) => {
        if (list[i]?.name !== name) fail(`this database was written by a newer wippy (unknown migration '${name}'); upgrade wippy or use another --db`);
      });
      for (const m of list.slice(names.length)) {
        this.pg.rows(m.sql);
        this.pg.rows('INSERT INTO wippy_migrations (name, applied_at) VALUES ($1, $2)', [m.name, Date.now()]);
      }
      this.pg.rows('COMMIT');
    } catch (e) {
      try { this.pg.rows('ROLLBACK'); } catch { /* the first failure is the one to report */ }
      throw e;
    }
  }

  commit(batch: Batch): void {
    this.lengths.clear();
    try {
      this.pg.rows(SQL.commit, [batchJson(batch), Date.now(), this.virtual, this.writingNode()]);
    } catch (e) {
      this.noteLost(e);
      throw e;
    }
  }

  commitAsync(batch: Batch, done: (err: Error | null) => void): void {
    this.lengths.clear();
    this.pg.send({ op: 'query', text: SQL.commit, values: [batchJson(batch), Date.now(), this.virtual, this.writingNode()] }, (a) => {
      const err = a.error ? pgError(this.label, a.error) : null;
      this.noteLost(err);
      done(err);
    });
  }

  /** The node a commit is made as; an inspection store has none and never commits. */
  private writingNode(): string {
    if (!this.node) throw new WippyError(ErrorCode.INTERNAL, `${this.label}: opened for inspection (lock: false); it cannot commit`);
    return this.node.id;
  }

  private noteLost(e: unknown): void {
    if (e instanceof WippyError && e.code === ErrorCode.NODE_LEASE_LOST) this.lost = true;
  }

  /** This store is shared by nodes (postgres-nodes.ts); null for an inspection store. */
  get membership(): Membership | undefined {
    return this.node ? this : undefined;
  }

  get nodeId(): string {
    return this.writingNode();
  }

  get renewMs(): number {
    return this.node?.renewMs ?? DEFAULT_RENEW_MS;
  }

  get leaseMs(): number {
    return this.node?.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Membership.claim: renew the lease, claim up to `limit` workflows (blocking; at start-up). */
  claim(limit: number): WorkflowRow[] {
    try {
      const ids = this.pg.rows<{ id: string }>(SQL.heartbeat, [this.writingNode(), limit]).map((r) => r.id);
      return ids.length === 0 ? [] : this.claimedRows(this.pg.rows<WorkflowDbRow & { len: number | null }>(SQL.claimed, [ids]));
    } catch (e) {
      this.noteLost(e);
      throw e;
    }
  }

  /** Membership.heartbeat: `claim` without blocking. */
  heartbeat(limit: number, done: (err: Error | null, claimed: WorkflowRow[]) => void): void {
    const fail = (f: PgFailure): void => { const err = pgError(this.label, f, 'renewing the lease'); this.noteLost(err); done(err, []); };
    this.pg.send({ op: 'query', text: SQL.heartbeat, values: [this.writingNode(), limit] }, (a) => {
      if (a.error) { fail(a.error); return; }
      const ids = (a.rows as Array<{ id: string }>).map((r) => r.id);
      if (ids.length === 0) { done(null, []); return; }
      this.pg.send({ op: 'query', text: SQL.claimed, values: [ids] }, (b) => {
        if (b.error) fail(b.error);
        else done(null, this.claimedRows(b.rows as Array<WorkflowDbRow & { len: number | null }>));
      });
    });
  }

  /** Claimed rows, their history lengths kept for the `historyLength` calls that follow (as listWorkflows does). */
  private claimedRows(rows: Array<WorkflowDbRow & { len: number | null }>): WorkflowRow[] {
    for (const r of rows) this.lengths.set(r.id, r.len ?? 0);
    return rows.map(toWorkflow);
  }

  /** Membership.signalsOf: the pending signals (not start requests) of these workflows, oldest first. */
  signalsOf(ids: string[]): PendingSignal[] {
    return ids.length === 0 ? [] : this.pg.rows<SignalDbRow>(SQL.signalsOf, [ids]).map(toSignal);
  }

  /** Membership.onSignal: told when a signal was written (PostgreSQL's NOTIFY), to poll at once. */
  onSignal(fn: () => void): void {
    this.pg.onNotify = fn;
  }

  /** The nodes of this database, oldest first, with what each owns. */
  nodes(): NodeInfo[] {
    return this.pg.rows<{ id: string; pid: number; host: string; lease_left_ms: number; workflows: number }>(SQL.nodes)
      .map((r) => ({ id: r.id, pid: r.pid, host: r.host, leaseLeftMs: r.lease_left_ms, workflows: r.workflows }));
  }

  addSignal(s: Omit<PendingSignal, 'id'>): number {
    const [r] = this.pg.rows<{ id: number }>(SQL.addSignal, [s.workflowId, s.topic, s.from, JSON.stringify(s.payloads), s.at], `signal '${s.topic}' to workflow ${s.workflowId}`);
    return r.id;
  }

  /** A node's: start requests it now holds, then its workflows' signals above afterId; an inspection store's: all. */
  pendingSignals(afterId = 0): PendingSignal[] {
    const q = this.pollQuery(afterId);
    return this.pg.rows<SignalDbRow>(q.text, q.values).map(toSignal);
  }

  pendingSignalsAsync(afterId: number, done: (err: Error | null, signals: PendingSignal[]) => void): void {
    this.pg.send({ op: 'query', ...this.pollQuery(afterId) }, (a) => {
      if (a.error) done(pgError(this.label, a.error, 'pending signals'), []);
      else done(null, (a.rows as SignalDbRow[]).map(toSignal));
    });
  }

  private pollQuery(afterId: number): { text: string; values: unknown[] } {
    return this.node ? { text: SQL.poll, values: [this.node.id, afterId, this.lost ? 0 : STARTS_PER_POLL] } : { text: SQL.pending, values: [afterId] };
  }

  getWorkflow(id: string): WorkflowRow | null {
    const [r] = this.pg.rows<WorkflowDbRow>(SQL.getWorkflow, [id]);
    return r === undefined ? null : toWorkflow(r);
  }

  listWorkflows(status?: WorkflowStatus[]): WorkflowRow[] {
    if (status === undefined) return this.pg.rows<WorkflowDbRow>(SQL.listAll).map(toWorkflow);
    const rows = this.pg.rows<WorkflowDbRow & { len: number | null }>(SQL.listByWithLength, [status]);
    // Only the writer may trust them until its next commit; a reader's would go stale unseen.
    if (this.writer) this.lengths = new Map(rows.map((r) => [r.id, r.len ?? 0]));
    return rows.map(toWorkflow);
  }

  queryWorkflows(q: WorkflowQuery): WorkflowRow[] {
    const { text, values, reversed } = pageQuery(q);
    const rows = this.pg.rows<WorkflowDbRow>(text, values).map(toWorkflow);
    return reversed ? rows.reverse() : rows;
  }

  countWorkflows(q: Omit<WorkflowQuery, 'limit' | 'after' | 'before' | 'status'>, cap: number): StatusCounts {
    const counts = Object.fromEntries(WORKFLOW_STATUSES.map((s) => [s, 0])) as Record<WorkflowStatus, number>;
    const prefix = q.idPrefix !== undefined && q.idPrefix !== '';
    if (!prefix && q.from === undefined && q.to === undefined) {
      const rows = q.entry === undefined ? this.pg.rows<{ status: string; n: number }>(SQL.countsAll) : this.pg.rows<{ status: string; n: number }>(SQL.countsOf, [q.entry]);
      for (const r of rows) if (r.status in counts) counts[r.status as WorkflowStatus] = r.n;
      return { counts, capped: false };
    }
    let capped = false;
    const limit = Math.max(0, Math.floor(cap)) + 1;
    for (const c of cappedCountQueries(q, cap)) {
      const [{ n }] = this.pg.rows<{ n: number }>(c.text, c.values);
      counts[c.status as WorkflowStatus] = n;
      if (n === limit) capped = true;
    }
    return { counts, capped };
  }

  childrenOf(id: string): WorkflowRow[] {
    return this.pg.rows<WorkflowDbRow>(SQL.childrenOf, [id]).map(toWorkflow);
  }

  workflowEntries(): string[] {
    return this.pg.rows<{ entry: string }>(SQL.entries).map((r) => r.entry);
  }

  history(id: string): HistoryRecord[] {
    const out: HistoryRecord[] = [];
    for (const r of this.pg.rows<{ n: number; data: string }>(SQL.history, [id])) {
      if (r.n === 1) out.push(JSON.parse(r.data) as HistoryRecord);
      else for (const rec of JSON.parse(r.data) as HistoryRecord[]) out.push(rec);
    }
    return out;
  }

  historyLength(id: string): number {
    const known = this.lengths.get(id);
    if (known !== undefined) { this.lengths.delete(id); return known; }
    const [r] = this.pg.rows<{ len: number }>(SQL.historyLength, [id]);
    return r?.len ?? 0;
  }

  /** Names of the schema migrations this database records, in the order they were applied. */
  appliedMigrations(): string[] {
    return this.pg.rows<{ name: string }>('SELECT name FROM wippy_migrations ORDER BY seq').map((r) => r.name);
  }

  /** The node that owns workflow `id` (and its pid, while its row is there), or null when none does. */
  ownerOf(id: string): { node: string; pid: number | null } | null {
    const [r] = this.pg.rows<{ owner: string | null; pid: number | null }>('SELECT w.owner, n.pid FROM workflows w LEFT JOIN wippy_nodes n ON n.id = w.owner WHERE w.id = $1', [id]);
    return r?.owner ? { node: r.owner, pid: r.pid } : null;
  }

  /** The pid of a live node of this database (the one that joined first), or null when none runs. */
  writerPid(): number | null {
    return this.nodes().find((n) => n.leaseLeftMs > 0)?.pid ?? null;
  }

  /** The server keeps its own pages sound; there is no file of ours to check. */
  assertSound(): void {}

  /**
   * Drop the connection without a word to the server (it may not answer: a hung network): the
   * node's row stays until its lease runs out or its connection is seen gone. For a node that
   * lost the store (app/runtime.ts rejoin); `close` is the clean way.
   */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.stampTimer) clearInterval(this.stampTimer);
    this.pg.kill();
  }

  /** Leave (a node: what it owns is anyone's at once) and end the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.stampTimer) clearInterval(this.stampTimer);
    if (this.node && !this.lost) {
      try { this.pg.rows(SQL.leave, [this.node.id]); } catch { /* gone already: its lease runs out instead */ }
    }
    this.pg.end();
  }
}
