/**
 * Signal intake: durable signals from outside a workflow (a process's `process.send`, the CLI's
 * `wippy workflow signal|cancel|terminate`) into the histories of the workflows they name, and
 * start requests (`wippy workflow start`) into new workflows.
 *
 * Owns: accepting a signal (stored in the signals table before `signal()` returns), turning a
 * pending row into a `signal` record (or, for a reserved topic, a control request: addressing.ts),
 * consuming the row in the same commit as that record, picking up rows written at start-up and by
 * other processes (a poll), and which rows the poll has seen. Invariants:
 * - A signal accepted by `signal()` is in the store before it returns, and reaches its history
 *   exactly once: its row is consumed in the commit that records it.
 * - The poll never skips a row: `lastSignalId` only moves past ids it has read, never past a row
 *   this engine wrote itself (another process may hold a smaller id not yet read).
 * - A row for a workflow that is finished (or finishing in this batch) is consumed and dropped.
 * - A start request is consumed in the commit that creates its workflow (exactly one start).
 * - A row is accepted at most once per engine: `taken` holds the ids accepted whose consuming
 *   commit has not ended (a poll, a claim's adoption and a reattached child may all read one row).
 *
 * On a store many nodes share (HistoryStore.membership) the poll reads only start requests this
 * node now holds and its own workflows' rows; a workflow it claims or creates later may have rows
 * below the poll's mark, so `adopt` reads all of that workflow's. Signals, cancels and a child's
 * end (`@child_done`) for a workflow another node owns go through the store (`toOtherNode`).
 */
import { applyControlSignal, childDoneOf, isReservedTopic, startRequestOf, CHILD_DONE_TOPIC, START_TOPIC, type ControlTarget, type StartRequest } from './addressing';
import type { HistoryStore } from '../store/store';
import type { HistoryRecord, PendingSignal, WorkflowStatus } from '../store/events';
import type { Clock } from '../../base/clock';
import type { Payload } from '../../base/payload';
import { ErrorKind, type ErrorInfo } from '../../base/errors';

/** What the intake needs from its engine. */
export interface SignalDeps extends ControlTarget {
  store: HistoryStore;
  clock: Clock;
  /** The status of a workflow this engine knows; undefined: not here. */
  statusOf(id: string): WorkflowStatus | undefined;
  /** True when the workflow's row is not committed yet (its first commit is still open). */
  uncommitted(id: string): boolean;
  /** Commit the open batch now. */
  flush(): void;
  /** Mark a signal row consumed in the open batch. */
  consume(signalId: number): void;
  appendRecord(id: string, rec: HistoryRecord): void;
  /** Start the workflow a `@start` row asks for (its row already consumed in the open batch); an error when it cannot. */
  startRequested(req: StartRequest, from: string): ErrorInfo | null;
  /** Run `fn` once everything appended so far is committed. */
  afterCommit(fn: () => void): void;
}

export class SignalIntake {
  private poll: NodeJS.Timeout | null = null;
  /** The poll has seen every signal row up to this id. */
  private lastSignalId = 0;
  /**
   * Rows this engine wrote and accepted itself (`signal()`) that the poll has not passed yet. They
   * must not move `lastSignalId`: another process (`wippy workflow signal`) may have inserted a
   * smaller id the poll has not read, which would then be skipped until the next start.
   */
  private readonly acceptedHere = new Set<number>();
  /** Rows accepted whose consuming commit has not ended (see the header). */
  private readonly taken = new Set<number>();
  /** Ask the poll to run at once (a notification came), set while it runs. */
  private pollNowFn: (() => void) | null = null;

  constructor(private readonly deps: SignalDeps) {}

  /** A durable signal from outside (a process, the CLI): stored before this returns. */
  signal(id: string, topic: string, from: string, payloads: Payload[]): ErrorInfo | null {
    const status = this.deps.statusOf(id);
    if (status === undefined) {
      const r = this.toOtherNode(id, topic, from, payloads);
      if (r !== undefined) return r;
    }
    if (status !== 'running' && status !== 'parked') {
      return { kind: ErrorKind.NotFound, message: `no running workflow ${id}${status ? ` (it is ${status})` : ''}`, retryable: false };
    }
    if (this.deps.uncommitted(id)) this.deps.flush(); // its row must exist before a signal can point at it
    const s = { workflowId: id, topic, from, payloads, at: this.deps.clock.now() };
    const sid = this.deps.store.addSignal(s);
    this.acceptedHere.add(sid);
    this.accept({ ...s, id: sid });
    return null;
  }

  /** At start-up, after the workflows are known: every row still pending. */
  resume(): void {
    for (const s of this.deps.store.pendingSignals()) {
      this.lastSignalId = Math.max(this.lastSignalId, s.id);
      if (!this.taken.has(s.id)) this.accept(s);
    }
  }

  /** Workflow `id` is live on another node of a shared store (never with a store of one node). */
  onOtherNode(id: string): boolean {
    if (!this.deps.store.membership || this.deps.statusOf(id) !== undefined) return false;
    const row = this.deps.store.getWorkflow(id);
    return row !== null && (row.status === 'running' || row.status === 'parked');
  }

  /** A signal (or a reserved request) for a workflow another node owns: stored for it; undefined: it is no such workflow. */
  toOtherNode(id: string, topic: string, from: string, payloads: Payload[]): ErrorInfo | null | undefined {
    if (!this.onOtherNode(id)) return undefined;
    this.deps.store.addSignal({ workflowId: id, topic, from, payloads, at: this.deps.clock.now() });
    return null;
  }

  /** Workflows this node now owns (claimed, or created from a start request): their pending rows. */
  adopt(ids: string[]): void {
    const m = this.deps.store.membership;
    if (!m || ids.length === 0) return;
    for (const s of m.signalsOf(ids)) if (!this.taken.has(s.id) && !this.acceptedHere.has(s.id)) this.accept(s);
  }

  /**
   * A parent replayed with its child `child` finished (commands.ts reattachChild): true when it
   * should get the `child_done` from the child's row; a `@child_done` row the child's node wrote
   * is then consumed (or, already taken, the parent gets that one and this says false).
   */
  childDoneFromRow(parent: string, child: string): boolean {
    const m = this.deps.store.membership;
    if (!m) return true;
    for (const s of m.signalsOf([parent])) {
      if (s.topic !== CHILD_DONE_TOPIC || childDoneOf(s)?.child !== child) continue;
      if (this.taken.has(s.id)) return false;
      this.taken.add(s.id);
      this.deps.consume(s.id);
      this.deps.afterCommit(() => this.taken.delete(s.id));
    }
    return true;
  }

  /** Poll now (a notification said a row was written), unless a poll is on its way. */
  pollNow(): void {
    this.pollNowFn?.();
  }

  /** Pick up signals written by other processes (`wippy workflow signal`). */
  pollEvery(everyMs: number): void {
    if (this.poll) return;
    const store = this.deps.store;
    let asking = false;
    const pollOnce = (): void => {
      if (this.poll === null) return;
      if (store.pendingSignalsAsync === undefined) { this.take(store.pendingSignals(this.lastSignalId)); return; }
      // A server store answers later; one question at a time, and nothing taken once stopped.
      if (asking) return;
      asking = true;
      store.pendingSignalsAsync(this.lastSignalId, (err, rows) => {
        asking = false;
        if (err) { this.deps.output.log('warn', `polling for signals: ${err.message}`); return; }
        if (this.poll !== null) this.take(rows);
      });
    };
    this.poll = setInterval(pollOnce, everyMs);
    this.poll.unref();
    this.pollNowFn = pollOnce;
  }

  /** Rows a poll read (ids above lastSignalId, oldest first). */
  private take(rows: PendingSignal[]): void {
    // A shared store's poll hands each start request it claims once, whatever its id.
    const claimed = this.deps.store.membership !== undefined;
    for (const s of rows) {
      const claimedStart = claimed && s.topic === START_TOPIC;
      if (s.id <= this.lastSignalId && !claimedStart) continue; // read by an earlier poll meanwhile
      this.lastSignalId = Math.max(this.lastSignalId, s.id);
      if (this.acceptedHere.delete(s.id) || this.taken.has(s.id)) continue; // ours, already in a history
      if (s.topic === START_TOPIC || this.deps.statusOf(s.workflowId) !== undefined) this.accept(s);
    }
    for (const id of this.acceptedHere) if (id <= this.lastSignalId) this.acceptedHere.delete(id);
  }

  stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    this.pollNowFn = null;
  }

  private accept(s: PendingSignal): void {
    this.deps.consume(s.id);
    this.taken.add(s.id);
    this.deps.afterCommit(() => this.taken.delete(s.id));
    if (s.topic === START_TOPIC) { this.start(s); return; }
    const status = this.deps.statusOf(s.workflowId);
    // Finished (or finishing in this batch): the signal has no reader.
    if (status !== 'running' && status !== 'parked') return;
    if (s.topic === CHILD_DONE_TOPIC) {
      // A child on another node ended (lifecycle.ts): its parent's `child_done`.
      const rec = childDoneOf(s);
      if (rec && status === 'running') this.deps.appendRecord(s.workflowId, rec);
      return;
    }
    // `@cancel` / `@terminate` from `wippy workflow cancel|terminate` (app/control).
    if (isReservedTopic(s.topic)) { applyControlSignal(this.deps, s); return; }
    this.deps.appendRecord(s.workflowId, { type: 'signal', at: s.at, topic: s.topic, from: s.from, payloads: s.payloads, signal: s.id });
  }

  /**
   * A `@start` row: the workflow is created in the same commit that consumes the row, so a crash
   * leaves either the request or the workflow, never both or neither. One that cannot start (an
   * id already taken, an entry this registry lacks) is dropped with one warning line.
   */
  private start(s: PendingSignal): void {
    const req = startRequestOf(s);
    const err = req ? this.deps.startRequested(req, s.from) : { kind: ErrorKind.Invalid, message: 'the request is malformed' };
    // On a shared store, rows sent to it before it existed may sit below the poll's mark.
    if (!err && this.deps.store.membership) this.deps.afterCommit(() => this.adopt([s.workflowId]));
    if (err) this.deps.output.log('warn', `dropped the start of workflow ${s.workflowId} requested by ${s.from || 'another process'}: ${err.message}`);
  }
}
