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
import { pageKeyOf, WORKFLOW_STATUSES, type Batch, type HistoryStore, type PageKey, type StatusCounts, type WorkflowQuery } from './store';

/** Newest first: started, then id, both descending (sqlite-queries.ts's order). */
function newerFirst(a: PageKey, b: PageKey): number {
  return b.started - a.started || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function matches(r: WorkflowRow, q: Omit<WorkflowQuery, 'limit' | 'after' | 'before'>): boolean {
  const started = pageKeyOf(r).started;
  return (q.status === undefined || q.status.includes(r.status)) && (q.entry === undefined || r.entry === q.entry)
    && (q.idPrefix === undefined || r.id.startsWith(q.idPrefix))
    && (q.from === undefined || started >= q.from) && (q.to === undefined || started < q.to);
}

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
    if (!this.workflows.has(s.workflowId) && s.topic !== START_TOPIC && ![...this.signals.values()].some((p) => p.workflowId === s.workflowId && p.topic === START_TOPIC)) {
      throw this.bug(`signal '${s.topic}' to workflow ${s.workflowId}: no such workflow (and no start requested for it)`);
    }
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

  queryWorkflows(q: WorkflowQuery): WorkflowRow[] {
    this.open();
    const all = [...this.workflows.values()].map((w) => w.row).filter((r) => matches(r, q)).sort((a, b) => newerFirst(pageKeyOf(a), pageKeyOf(b)));
    const limit = Math.max(0, Math.floor(q.limit));
    if (q.after !== undefined) {
      const k = q.after;
      return all.filter((r) => newerFirst(pageKeyOf(r), k) > 0).slice(0, limit).map(copyRow);
    }
    if (q.before !== undefined) {
      const k = q.before;
      const newer = all.filter((r) => newerFirst(pageKeyOf(r), k) < 0);
      return newer.slice(Math.max(0, newer.length - limit)).map(copyRow);
    }
    return all.slice(0, limit).map(copyRow);
  }

  countWorkflows(q: Omit<WorkflowQuery, 'limit' | 'after' | 'before' | 'status'>, cap: number): StatusCounts {
    this.open();
    const counts = Object.fromEntries(WORKFLOW_STATUSES.map((s) => [s, 0])) as Record<WorkflowStatus, number>;
    for (const w of this.workflows.values()) if (matches(w.row, q)) counts[w.row.status]++;
    const filtered = (q.idPrefix ?? '') !== '' || q.from !== undefined || q.to !== undefined;
    let capped = false;
    if (filtered) {
      for (const s of WORKFLOW_STATUSES) if (counts[s] > cap) { counts[s] = Math.floor(cap) + 1; capped = true; }
    }
    return { counts, capped };
  }

  childrenOf(id: string): WorkflowRow[] {
    return this.listWorkflows().filter((r) => r.parent === id);
  }

  workflowEntries(): string[] {
    this.open();
    return [...new Set([...this.workflows.values()].map((w) => w.row.entry))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
