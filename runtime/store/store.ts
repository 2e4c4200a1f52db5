/**
 * The history store interface: what the engine needs from persistence, nothing more.
 *
 * Implementations: sqlite.ts (the real one, WAL + synchronous=FULL), postgres.ts (a PostgreSQL
 * database many nodes share), memory.ts (fast unit tests). Only sqlite*.ts, migrations.ts and integrity.ts import
 * SQLite; only postgres*.ts import pg. Invariants: `commit` applies a
 * whole Batch atomically (one transaction), in the order the batch lists its parts; after `commit`
 * returns, everything in it survives a crash; histories are append-only (a record's index never changes).
 */
import type { HistoryRecord, PendingSignal, WorkflowRow, WorkflowStatus } from './events';
import type { ErrorInfo } from '../../base/errors';
import type { Payload } from '../../base/payload';

/** A position in the newest-first listing: when a workflow started (machine clock, ms), then its id. */
export interface PageKey { started: number; id: string }

/**
 * What a listing asks for (the web UI's workflow list): filters, newest first, one page at a time.
 * `started` is the machine-clock time the store created the row (the workflow clock's for rows
 * written before the store kept one). Paging is by key, not offset: `after` gives the page of
 * older workflows than the key, `before` the page of newer ones, so any page costs the same.
 */
export interface WorkflowQuery {
  status?: WorkflowStatus[];
  entry?: string;
  /** The id, or the start of one. */
  idPrefix?: string;
  /** Started at or after `from`, and before `to` (ms). */
  from?: number;
  to?: number;
  after?: PageKey;
  before?: PageKey;
  limit: number;
}

/** Workflows per status; `capped`: some status has more than the cap asked for (its count is the cap + 1). */
export interface StatusCounts { counts: Record<WorkflowStatus, number>; capped: boolean }

export const WORKFLOW_STATUSES: readonly WorkflowStatus[] = ['running', 'completed', 'failed', 'canceled', 'terminated', 'parked'];

/** The listing key of a row: where it sits in the newest-first order. */
export function pageKeyOf(row: WorkflowRow): PageKey {
  return { started: row.wall?.createdAt ?? row.createdAt, id: row.id };
}

export interface AppendOp { workflowId: string; index: number; record: HistoryRecord }

/** Everything one scheduler turn wants written, applied in one transaction. */
export interface Batch {
  /** New workflows (their `started` record goes in `appends`). */
  creates: WorkflowRow[];
  appends: AppendOp[];
  /** Status changes (terminal outcomes, parking, un-parking). */
  updates: Array<{ id: string; status: WorkflowStatus; result?: Payload | null; error?: ErrorInfo | null; parked?: string | null; at: number }>;
  /** Signals to persist (from workflows sending to workflows). */
  signals: Array<Omit<PendingSignal, 'id'>>;
  /** Signals now recorded in a history (delivered): removed from the pending table. */
  consumed: number[];
}

export function emptyBatch(): Batch {
  return { creates: [], appends: [], updates: [], signals: [], consumed: [] };
}

export function batchSize(b: Batch): number {
  return b.creates.length + b.appends.length + b.updates.length + b.signals.length + b.consumed.length;
}

/**
 * A store many nodes share (postgres.ts, postgres-nodes.ts): this node's part in it. Without one
 * (SQLite, memory) the node owns every workflow of the store, and another node is refused.
 */
export interface Membership {
  readonly nodeId: string;
  /** How often `heartbeat` must run to keep the lease (ms). */
  readonly renewMs: number;
  /** How long the lease lasts unrenewed (ms): a renewal unanswered this long means the store is out of reach. */
  readonly leaseMs: number;
  /** Renew the lease and claim up to `limit` workflows nobody alive owns, blocking (start-up). */
  claim(limit: number): WorkflowRow[];
  /** `claim` without blocking; an error (NODE_LEASE_LOST, a lost connection): this node holds nothing any more. */
  heartbeat(limit: number, done: (err: Error | null, claimed: WorkflowRow[]) => void): void;
  /** The pending signals (start requests aside) of these workflows, oldest first. */
  signalsOf(ids: string[]): PendingSignal[];
  /** Be told once if the lease is lost outside a heartbeat (its renewal beside the main thread failed or stopped). */
  onLost(fn: (err: Error) => void): void;
  /** Be told (at any time) that a signal may have been written: poll now rather than at the next tick. */
  onSignal(fn: () => void): void;
}

export interface HistoryStore {
  /**
   * Present when nodes share the store: then `pendingSignals` gives only start requests this
   * node now holds and its own workflows' signals, and `commit` fails for a workflow it lost.
   */
  readonly membership?: Membership;
  /** Apply the batch; durable when this returns (a store that waits on a server blocks here: see commitAsync). */
  commit(batch: Batch): void;
  /**
   * Only stores that wait on a server (postgres.ts): apply the batch without blocking; `done` runs
   * once it is durable (err: nothing of it is). Batches handed over apply in the order given and
   * their `done`s run in that order. The engine's group commit uses it when present.
   */
  commitAsync?(batch: Batch, done: (err: Error | null) => void): void;
  /** Persist one signal now and return its id (process.send must not return before this). */
  addSignal(s: Omit<PendingSignal, 'id'>): number;
  /** Signals not yet delivered, oldest first; `afterId` for polling. */
  pendingSignals(afterId?: number): PendingSignal[];
  /** Only stores that wait on a server: `pendingSignals` without blocking (the engine's poll uses it when present). */
  pendingSignalsAsync?(afterId: number, done: (err: Error | null, signals: PendingSignal[]) => void): void;
  getWorkflow(id: string): WorkflowRow | null;
  /** Workflows by status (all when omitted), oldest first. */
  listWorkflows(status?: WorkflowStatus[]): WorkflowRow[];
  /**
   * One page of the workflows matching `q`, newest first (started, then id, both descending);
   * served from indexes: a page costs the same at 100,000 workflows as at 1,000.
   */
  queryWorkflows(q: WorkflowQuery): WorkflowRow[];
  /**
   * How many workflows match `q` (paging and `status` ignored), per status. For all workflows or
   * one entry the counts are exact whatever the store's size; with a prefix or time filter at most
   * `cap + 1` are counted per status (`capped` then says a count is a lower bound).
   */
  countWorkflows(q: Omit<WorkflowQuery, 'limit' | 'after' | 'before' | 'status'>, cap: number): StatusCounts;
  /** The workflows whose parent is `id`, oldest first. */
  childrenOf(id: string): WorkflowRow[];
  /** The distinct entries workflows were started from, sorted. */
  workflowEntries(): string[];
  history(id: string): HistoryRecord[];
  /** How many records the workflow's history has (0 when none), without reading them. */
  historyLength(id: string): number;
  close(): void;
}
