/**
 * The in-memory history store: the same contract as SqliteStore, for fast unit tests.
 *
 * Owns: nothing durable. Invariants (kept identical to sqlite.ts, and checked by the shared test
 * suite in test/store/): `commit` is all-or-nothing — a failing batch is undone completely,
 * including the signal id counter; an index already taken, an append or signal to an unknown
 * workflow, a duplicate create and an update of an unknown workflow throw INTERNAL; consuming an
 * unknown signal id is a no-op; records, rows and signals are copied on the way in and out (records
 * go through JSON text exactly as in SQLite), so no caller can mutate what is stored.
 */
import { ErrorCode, WippyError } from '../../base/errors';
import { START_TOPIC, type HistoryRecord, type PendingSignal, type WorkflowRow, type WorkflowStatus } from './events';
import type { Batch, HistoryStore } from './store';

interface Stored {
  row: WorkflowRow;
  /** Record JSON by index; a sparse array, read in index order. */
  history: string[];
  /** Creation order, the tie-break after createdAt (like SQLite's rowid). */
  seq: number;
}

function copyRow(r: WorkflowRow): WorkflowRow {
  const out = { ...r, input: [...r.input], error: r.error === null ? null : (JSON.parse(JSON.stringify(r.error)) as WorkflowRow['error']) };
  if (r.wall) out.wall = { ...r.wall };
  return out;
}

function copySignal(s: PendingSignal): PendingSignal {
  return { ...s, payloads: [...s.payloads] };
}

export class MemoryStore implements HistoryStore {
  readonly label: string;
  private readonly workflows = new Map<string, Stored>();
  private readonly signals = new Map<number, PendingSignal>();
  private nextSignalId = 1;
  private nextSeq = 0;
  private closed = false;

  /** `virtualTime`: the writer runs on a virtual clock (rows it writes are marked so, as in SQLite). */
  constructor(label = 'memory store', private readonly opts: { virtualTime?: boolean } = {}) {
    this.label = label;
  }

  private bug(what: string): WippyError {
    return new WippyError(ErrorCode.INTERNAL, `${this.label}: ${what}`);
  }

  private open(): void {
    if (this.closed) throw this.bug('used after close()');
  }

  commit(b: Batch): void {
    this.open();
    // Every change pushes its inverse; a throw unwinds them newest first.
    const undo: Array<() => void> = [];
    const savedSignalId = this.nextSignalId;
    const wall = Date.now();
    const virtual = this.opts.virtualTime === true;
    try {
      for (const w of b.creates) {
        if (this.workflows.has(w.id)) throw this.bug(`create workflow ${w.id}: already exists (two writers on one store?)`);
        this.workflows.set(w.id, { row: { ...copyRow(w), wall: { createdAt: wall, updatedAt: wall, virtual } }, history: [], seq: this.nextSeq++ });
        undo.push(() => this.workflows.delete(w.id));
      }
      for (const a of b.appends) {
        const what = `append record ${a.index} (${a.record.type}) to workflow ${a.workflowId}`;
        const wf = this.workflows.get(a.workflowId);
        if (wf === undefined) throw this.bug(`${what}: no such workflow`);
        if (!Number.isInteger(a.index) || a.index < 0) throw this.bug(`${what}: bad index`);
        if (wf.history[a.index] !== undefined) throw this.bug(`${what}: already exists (two writers on one store?)`);
        wf.history[a.index] = JSON.stringify(a.record);
        undo.push(() => { delete wf.history[a.index]; });
      }
      for (const u of b.updates) {
        const wf = this.workflows.get(u.id);
        if (wf === undefined) throw this.bug(`update workflow ${u.id}: no such workflow`);
        const before = wf.row;
        wf.row = {
          ...before,
          status: u.status,
          result: u.result === undefined ? before.result : u.result,
          error: u.error === undefined ? before.error : u.error === null ? null : (JSON.parse(JSON.stringify(u.error)) as WorkflowRow['error']),
          parked: u.parked === undefined ? before.parked : u.parked,
          updatedAt: u.at,
          wall: { createdAt: before.wall?.createdAt ?? wall, updatedAt: wall, virtual: virtual || before.wall?.virtual === true },
        };
        undo.push(() => { wf.row = before; });
      }
      for (const s of b.signals) {
        const id = this.insertSignal(s);
        undo.push(() => this.signals.delete(id));
      }
      for (const id of b.consumed) {
        const s = this.signals.get(id);
        if (s === undefined) continue;
        this.signals.delete(id);
        undo.push(() => this.signals.set(id, s));
      }
    } catch (e) {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      this.nextSignalId = savedSignalId;
      throw e;
    }
  }

  private insertSignal(s: Omit<PendingSignal, 'id'>): number {
    if (!this.workflows.has(s.workflowId) && s.topic !== START_TOPIC) throw this.bug(`signal '${s.topic}' to workflow ${s.workflowId}: no such workflow`);
    const id = this.nextSignalId++;
    this.signals.set(id, { id, workflowId: s.workflowId, topic: s.topic, from: s.from, payloads: [...s.payloads], at: s.at });
    return id;
  }

  addSignal(s: Omit<PendingSignal, 'id'>): number {
    this.open();
    return this.insertSignal(s);
  }

  pendingSignals(afterId = 0): PendingSignal[] {
    this.open();
    // Map iteration is insertion order, but a rolled-back delete re-inserts: sort by id.
    return [...this.signals.values()].filter((s) => s.id > afterId).sort((a, b) => a.id - b.id).map(copySignal);
  }

  getWorkflow(id: string): WorkflowRow | null {
    this.open();
    const wf = this.workflows.get(id);
    return wf === undefined ? null : copyRow(wf.row);
  }

  listWorkflows(status?: WorkflowStatus[]): WorkflowRow[] {
    this.open();
    const wanted = status === undefined ? null : new Set(status);
    return [...this.workflows.values()]
      .filter((w) => wanted === null || wanted.has(w.row.status))
      .sort((a, b) => a.row.createdAt - b.row.createdAt || a.seq - b.seq)
      .map((w) => copyRow(w.row));
  }

  historyLength(id: string): number {
    this.open();
    return this.workflows.get(id)?.history.length ?? 0;
  }

  history(id: string): HistoryRecord[] {
    this.open();
    const wf = this.workflows.get(id);
    if (wf === undefined) return [];
    const out: HistoryRecord[] = [];
    // forEach skips the holes of a sparse array, like rows that were never written.
    wf.history.forEach((text) => out.push(JSON.parse(text) as HistoryRecord));
    return out;
  }

  close(): void {
    this.closed = true;
  }
}
