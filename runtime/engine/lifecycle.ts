/**
 * The workflows one engine knows, and their lifecycle: running, then finished (completed, failed,
 * canceled, terminated) or parked, each recorded in the history and in the workflow's row.
 *
 * Owns: the table of WfState (one per workflow this process runs or has just ended), creating a
 * state for a start or a resumed row, ending and parking (the end record, the row update, the
 * parent's `child_done`, the watchers), and watching for an outcome. Invariants: a state leaves
 * the table only once its end is committed (until then a signal or a send to it is refused as
 * finished, not unknown); watchers hear an outcome only after it is committed, exactly once; a
 * parked or ended workflow keeps no live instance (dropInstance); only this file and engine.ts
 * write a WfState.
 */
import { ErrorKind } from '../../base/errors';
import type { GroupCommit } from './commit';
import type { InstanceCache } from './cache';
import type { WorkflowInstance } from './instance';
import type { EngineOutput } from './hooks';
import type { HistoryStore } from '../store/store';
import type { HistoryRecord, RecordOf, WorkflowRow, WorkflowStatus } from '../store/events';
import type { Clock } from '../../base/clock';
import type { CallResult, Payload } from '../../base/payload';
import { CHILD_DONE_TOPIC } from './addressing';

export type Outcome = { result: CallResult } | { parked: string };

export interface WfState {
  id: string;
  entry: string;
  worker: string;
  parent: string | null;
  parentCmd?: number;
  status: WorkflowStatus;
  /** Records appended (committed or not), and committed. */
  length: number;
  committed: number;
  instance: WorkflowInstance | null;
  /** Records appended since the instance's last activation (delivered at the next one). */
  inbox: HistoryRecord[];
  /** A Lua state was built for it in this process (another one is a replay). */
  built?: boolean;
  /**
   * Started here and no state built yet: every record appended so far (its first state is built
   * from these, not from a read of the store). Null once built, and for a resumed workflow.
   */
  fresh: HistoryRecord[] | null;
  watchers: Array<(o: Outcome) => void>;
  parkedReport?: string;
}

export interface LifecycleDeps {
  store: HistoryStore;
  clock: Clock;
  output: EngineOutput;
  commit: GroupCommit;
  cache: InstanceCache;
  appendRecord(id: string, rec: HistoryRecord): void;
}

/** How often a watch of a workflow another node runs reads its row. */
const WATCH_POLL_MS = 500;

export class Lifecycle {
  readonly states = new Map<string, WfState>();
  private readonly remoteWatches = new Set<NodeJS.Timeout>();
  /** Parent id -> child id -> its spawn command, kept until the next commit (parentCmdOf). */
  private readonly spawnsOf = new Map<string, Map<string, number>>();
  private stopped = false;

  constructor(private readonly deps: LifecycleDeps) {}

  /** A new workflow: its row goes into the open batch (its `started` record is the caller's). */
  create(s: { id: string; entry: string; worker: string; input: Payload[]; parent: string | null; parentCmd?: number }): WfState {
    const at = this.deps.clock.now();
    this.deps.commit.open.creates.push({ id: s.id, entry: s.entry, worker: s.worker, status: 'running', input: s.input, parent: s.parent, result: null, error: null, parked: null, createdAt: at, updatedAt: at });
    const st = newState({ id: s.id, entry: s.entry, worker: s.worker, parent: s.parent, parentCmd: s.parentCmd, length: 0 });
    st.fresh = [];
    this.states.set(s.id, st);
    return st;
  }

  /** A running or parked workflow of the store, resumed (a parked one runs again); null: no history. */
  resume(row: WorkflowRow): WfState | null {
    if (this.states.has(row.id)) return null;
    const length = this.deps.store.historyLength(row.id);
    if (length === 0) return null;
    // Its parent's spawn command is looked up when it ends (end), not now: resuming thousands of
    // children must not read their parents' histories first.
    const st = newState({ id: row.id, entry: row.entry, worker: row.worker, parent: row.parent, length });
    this.states.set(row.id, st);
    if (row.status === 'parked') this.deps.commit.open.updates.push({ id: row.id, status: 'running', parked: null, at: this.deps.clock.now() });
    return st;
  }

  /** Be told once when the workflow finishes or is parked. */
  watch(id: string, fn: (o: Outcome) => void): boolean {
    const st = this.states.get(id);
    if (st?.status === 'parked') { fn({ parked: st.parkedReport ?? 'parked' }); return true; }
    if (st) { st.watchers.push(fn); return true; }
    const row = this.deps.store.getWorkflow(id);
    if (row?.status === 'running' && this.deps.store.membership) { this.watchElsewhere(id, fn); return true; }
    if (!row || row.status === 'running') return false;
    if (row.status === 'parked') fn({ parked: row.parked ?? 'parked' });
    else fn({ result: row.error ? { error: row.error } : { value: row.result ?? 'null' } });
    return true;
  }

  /**
   * A workflow another node runs (a shared store): its row is read every WATCH_POLL_MS until it
   * ends or is parked, or this node takes it over (then its state is watched).
   */
  private watchElsewhere(id: string, fn: (o: Outcome) => void): void {
    const t = setInterval(() => {
      if (this.stopped) { clearInterval(t); return; }
      const st = this.states.get(id);
      if (st) { clearInterval(t); this.watch(id, fn); return; }
      let row: WorkflowRow | null;
      try { row = this.deps.store.getWorkflow(id); } catch { return; } // the store is out of reach: the next tick asks again
      if (row?.status === 'running') return;
      clearInterval(t);
      if (row) this.watch(id, fn);
    }, WATCH_POLL_MS);
    this.remoteWatches.add(t);
  }

  /** This engine stops: watches of other nodes' workflows end with it (their watchers are handed on: engine.ts watchersLeft). */
  stop(): void {
    this.stopped = true;
    for (const t of this.remoteWatches) clearInterval(t);
    this.remoteWatches.clear();
  }

  /** The workflow's code returned (or failed): record its end. */
  finish(st: WfState, result: CallResult): void {
    const at = this.deps.clock.now();
    const status: WorkflowStatus = result.error ? (result.error.kind === ErrorKind.Canceled ? 'canceled' : 'failed') : 'completed';
    this.end(st, result.error ? { type: 'failed', at, error: result.error } : { type: 'completed', at, value: result.value ?? 'null' }, status, result);
  }

  end(st: WfState, rec: HistoryRecord, status: WorkflowStatus, result: CallResult): void {
    const { commit, clock } = this.deps;
    this.deps.appendRecord(st.id, rec);
    st.status = status;
    this.dropInstance(st);
    commit.open.updates.push({ id: st.id, status, result: result.value ?? null, error: result.error ?? null, parked: null, at: clock.now() });
    const parent = st.parent ? this.states.get(st.parent) : undefined;
    const parentCmd = st.parentCmd ?? this.parentCmdOf(st.id, st.parent);
    if (st.parent && parentCmd !== undefined) {
      const done: RecordOf<'child_done'> = { type: 'child_done', of: parentCmd, at: clock.now(), child: st.id, ...(result.error ? { error: result.error } : { value: result.value ?? 'null' }) };
      if (parent) {
        if (parent.status === 'running') this.deps.appendRecord(parent.id, done);
      } else if (this.deps.store.membership) {
        // The parent is another node's (a shared store): its owner appends it (signals.ts).
        commit.open.signals.push({ workflowId: st.parent, topic: CHILD_DONE_TOPIC, from: '', payloads: [JSON.stringify(done)], at: done.at });
      }
    }
    const watchers = st.watchers.splice(0);
    commit.onCommit(() => {
      this.states.delete(st.id);
      for (const w of watchers) w({ result });
    });
  }

  park(st: WfState, report: string): void {
    st.status = 'parked';
    st.parkedReport = report;
    this.dropInstance(st);
    this.deps.commit.open.updates.push({ id: st.id, status: 'parked', parked: report, at: this.deps.clock.now() });
    this.deps.output.log('error', report);
    const watchers = st.watchers.splice(0);
    this.deps.commit.onCommit(() => { for (const w of watchers) w({ parked: report }); });
  }

  /** The workflow keeps no live state: it replays from its history when it is needed again. */
  dropInstance(st: WfState): void {
    st.instance = null;
    st.inbox = [];
    this.deps.cache.forget(st.id);
  }

  /**
   * The `spawn` command of `parent` that started `id` (a resumed child's, when it ends). Children
   * of one parent often end in one turn: its spawns are read once and kept for the turn, not once
   * per child. A child missing from the kept map (spawned since) reads the history again.
   */
  private parentCmdOf(id: string, parent: string | null): number | undefined {
    if (!parent) return undefined;
    let spawns = this.spawnsOf.get(parent);
    if (!spawns?.has(id)) {
      spawns = new Map();
      for (const r of this.deps.store.history(parent)) if (r.type === 'spawn') spawns.set(r.child, r.cmd);
      if (this.spawnsOf.size === 0) this.deps.commit.onCommit(() => this.spawnsOf.clear());
      this.spawnsOf.set(parent, spawns);
    }
    return spawns.get(id);
  }

}

function newState(s: Pick<WfState, 'id' | 'entry' | 'worker' | 'parent' | 'parentCmd' | 'length'>): WfState {
  return { ...s, status: 'running', committed: s.length, instance: null, inbox: [], watchers: [], fresh: null };
}
