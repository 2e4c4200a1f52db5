/**
 * The history store interface: what the engine needs from persistence, nothing more.
 *
 * Implementations: sqlite.ts (the real one, WAL + synchronous=FULL), memory.ts (fast unit tests).
 * Only sqlite*.ts, migrations.ts and integrity.ts import SQLite. Invariants: `commit` applies a
 * whole Batch atomically (one transaction), in the order the batch lists its parts; after `commit`
 * returns, everything in it survives a crash; histories are append-only (a record's index never changes).
 */
import type { HistoryRecord, PendingSignal, WorkflowRow, WorkflowStatus } from './events';
import type { ErrorInfo } from '../../base/errors';
import type { Payload } from '../../base/payload';

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

export interface HistoryStore {
  commit(batch: Batch): void;
  /** Persist one signal now and return its id (process.send must not return before this). */
  addSignal(s: Omit<PendingSignal, 'id'>): number;
  /** Signals not yet delivered, oldest first; `afterId` for polling. */
  pendingSignals(afterId?: number): PendingSignal[];
  getWorkflow(id: string): WorkflowRow | null;
  /** Workflows by status (all when omitted), oldest first. */
  listWorkflows(status?: WorkflowStatus[]): WorkflowRow[];
  history(id: string): HistoryRecord[];
  /** How many records the workflow's history has (0 when none), without reading them. */
  historyLength(id: string): number;
  close(): void;
}
