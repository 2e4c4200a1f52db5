/**
 * The SQLite store's rows: how a WorkflowRow, a PendingSignal and the history records of a
 * commit are laid out in the tables migrations.ts creates.
 *
 * Owns: the row shapes SQLite returns, their mapping to WorkflowRow / PendingSignal, the
 * workflow column list, and grouping a batch's appends into history runs. Invariants: payloads
 * and records stay the JSON text they were given (never re-parsed on the way in); the records
 * one commit appends to one workflow with consecutive indexes are one run (one row); an index
 * repeated inside one batch is two writers and fails with INTERNAL.
 */
import { ErrorCode, WippyError } from '../../base/errors';
import type { ErrorInfo } from '../../base/errors';
import type { HistoryRecord, PendingSignal, WorkflowRow, WorkflowStatus } from './events';
import type { Batch } from './store';

interface HistoryRun { workflowId: string; index: number; records: HistoryRecord[] }

/**
 * The batch's appends grouped into one run per workflow and stretch of consecutive indexes, in
 * the order of each run's first record. (The engine appends a workflow's records with
 * consecutive indexes; a gap would start a new run, never merge across it.)
 */
export function historyRuns(appends: Batch['appends']): HistoryRun[] {
  const runs: HistoryRun[] = [];
  const open = new Map<string, HistoryRun>();
  for (const a of appends) {
    const r = open.get(a.workflowId);
    if (r && r.index + r.records.length === a.index) { r.records.push(a.record); continue; }
    // An index this batch already has (e.g. [0, 1, 1]) is caught by the overlap check in apply
    // only across rows; catch it here.
    if (r && a.index >= r.index && a.index < r.index + r.records.length) {
      throw new WippyError(ErrorCode.INTERNAL, `append record ${a.index} (${a.record.type}) to workflow ${a.workflowId}: already in this batch (two writers?)`);
    }
    const run = { workflowId: a.workflowId, index: a.index, records: [a.record] };
    open.set(a.workflowId, run);
    runs.push(run);
  }
  return runs;
}

export interface WorkflowDbRow {
  id: string; entry: string; worker: string; status: string; input: string; parent: string | null;
  result: string | null; error: string | null; parked: string | null; created_at: number; updated_at: number;
  wall_created_at: number | null; wall_updated_at: number | null; virtual_time: number;
}

export interface SignalDbRow { id: number; workflow_id: string; topic: string; from_pid: string; payloads: string; at: number }

export function toWorkflow(r: WorkflowDbRow): WorkflowRow {
  const row: WorkflowRow = {
    id: r.id, entry: r.entry, worker: r.worker, status: r.status as WorkflowStatus,
    input: JSON.parse(r.input) as string[], parent: r.parent, result: r.result,
    error: r.error === null ? null : (JSON.parse(r.error) as ErrorInfo), parked: r.parked,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
  if (r.wall_created_at !== null) {
    row.wall = { createdAt: r.wall_created_at, updatedAt: r.wall_updated_at ?? r.wall_created_at, virtual: r.virtual_time !== 0 };
  }
  return row;
}

export function toSignal(r: SignalDbRow): PendingSignal {
  return { id: r.id, workflowId: r.workflow_id, topic: r.topic, from: r.from_pid, payloads: JSON.parse(r.payloads) as string[], at: r.at };
}

export const WORKFLOW_COLUMNS = 'id, entry, worker, status, input, parent, result, error, parked, created_at, updated_at, wall_created_at, wall_updated_at, virtual_time';
