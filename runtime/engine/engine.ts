/**
 * The workflow engine: durable workflows over a HistoryStore.
 *
 * Owns: starting workflows, group commit (every record of one scheduler turn goes into one
 * transaction), running effects (activities with retries — started before their command's
 * commit, hooks.ts says why — timers, children and sends after it), delivering events to
 * workflows once committed, parking, signals, cancel/terminate, and resuming every unfinished
 * workflow at start-up. Which workflows keep a live Lua state is cache.ts.
 *
 * Invariants:
 * - A record's index is assigned when it is appended and never changes.
 * - A workflow is activated only when ALL of its records are committed, and then receives every
 *   undelivered event at once (instance.ts explains why replay then matches).
 * - An effect is started at most once per process for a command (in-flight sets), and again after
 *   a restart if its completion was not recorded (activities are at-least-once; their
 *   `activity_id` context value is stable across retries and restarts).
 * - A signal accepted by `signal()` is in the store before it returns.
 * - A turn that has run more than TURN_WORK budget units of workflow code leaves the other
 *   activations to the next turn (Node hears a SIGTERM only between turns); once `quiesce()` has
 *   been called (the node is stopping) no workflow code runs again, and records still commit.
 */
import { randomBytes } from 'node:crypto';
import { uuidV1, uuidV4, uuidV7 } from '../uuid';
import type { EngineHooks, EngineOutput, KeptOutcome, SendTarget } from './hooks';
import { emptyBatch, batchSize, Batch, HistoryStore } from '../store/store';
import { WorkflowInstance } from './instance';
import { applyControlSignal, isReservedTopic } from '../control/requests';
import { WorkflowServices } from './wf-services';
import { Effects } from './effects';
import type { CallAnswer } from './effects';
import { InstanceCache } from './cache';
import type { CommandRecord, HistoryRecord, RecordOf, WorkflowStatus, PendingSignal } from '../store/events';
import type { Registry, LuaEntry } from '../../registry/types';
import type { Clock } from '../live-services';
import type { CallRequest, CallResult, Cancel, Payload, Services, UuidVersion } from '../services';
import type { MailboxCodec } from '../process/mailbox';
import type { ProcessNode } from '../process/node';
import type { LuaHost } from '../lua/host';
import type { ErrorInfo } from '../errors';
import { workDone } from '../lua/budget';
import { TURN_WORK } from '../lua/scheduler';

export type { EngineOutput } from './hooks';

export interface EngineDeps {
  registry: Registry;
  store: HistoryStore;
  clock: Clock;
  call(req: CallRequest, done: (r: CallResult) => void): Cancel;
  node: ProcessNode;
  output: EngineOutput;
  codec: MailboxCodec;
  makeHost(entry: LuaEntry, services: Services, seed: number): { host: LuaHost; fnRef: number };
  /** Live instances kept in memory (idle ones beyond this are evicted). */
  cacheSize?: number;
  /**
   * Golden recording (runtime/golden/record.ts): answer a workflow's function call without running
   * it (a recorded result or a stub). The answer is the activity's final result: no retry policy
   * applies. It completes at `at` (never before now; default now). Null: run the function.
   */
  answerCall?(workflowId: string, rec: RecordOf<'call'>): CallAnswer | null;
  /** Golden recording: the recorded outcome of a send, spawn or child cancel (hooks.ts KeptOutcome). */
  keptOutcome?(workflowId: string, rec: CommandRecord): KeptOutcome | null;
  /** Golden recording: the value for a live uuid command (a recorded one); undefined: a fresh one. */
  newUuid?(version: UuidVersion, clockMs: number, workflowId: string | undefined): string | undefined;
  /** Golden recording: the bytes for a live random command (recorded ones); undefined: fresh ones. */
  newRandom?(n: number, workflowId: string | undefined): Uint8Array | undefined;
}

export type Outcome = { result: CallResult } | { parked: string };

interface WfState {
  id: string;
  entry: string;
  worker: string;
  parent: string | null;
  parentCmd?: number;
  status: WorkflowStatus;
  length: number;
  committed: number;
  instance: WorkflowInstance | null;
  watchers: Array<(o: Outcome) => void>;
  parkedReport?: string;
}

export interface StartOptions { id?: string; worker?: string | null; parent?: string | null; parentCmd?: number }

export class WorkflowEngine implements EngineHooks {
  readonly registry: Registry;
  readonly output: EngineOutput;
  readonly codec: MailboxCodec;
  private readonly states = new Map<string, WfState>();
  private batch: Batch = emptyBatch();
  private postCommit: Array<() => void> = [];
  /** Activities to start at the end of this turn, before its commit (see EngineHooks.startActivity). */
  private preCommit: Array<() => void> = [];
  private flushScheduled = false;
  private readonly toPump = new Set<string>();
  private readonly cache: InstanceCache;
  private signalPoll: NodeJS.Timeout | null = null;
  /** The poll has seen every signal row up to this id. */
  private lastSignalId = 0;
  /**
   * Rows this engine wrote and accepted itself (`signal()`) that the poll has not passed yet. They
   * must not move `lastSignalId`: another process (`wippy workflow signal`) may have inserted a
   * smaller id the poll has not read, which would then be skipped until the next start.
   */
  private readonly acceptedHere = new Set<number>();
  closed = false;
  private closing = false;

  constructor(private readonly deps: EngineDeps) {
    this.registry = deps.registry;
    this.output = deps.output;
    this.codec = deps.codec;
    this.cache = new InstanceCache(Math.max(1, deps.cacheSize ?? 256), (id) => {
      const o = this.states.get(id);
      if (o) o.instance = null;
    });
    this.effects = new Effects({
      clock: deps.clock,
      call: deps.call,
      answerCall: deps.answerCall,
      closed: () => this.closed,
      complete: (id, ev) => { if (this.states.get(id)?.status === 'running') this.appendRecord(id, ev); },
      afterCommit: (fn) => this.onCommit(fn),
    });
  }

  private readonly effects: Effects;

  // ---------------------------------------------------------------- public API

  /** Start a workflow entry. The start is durable once the current batch commits. */
  start(entryId: string, input: Payload[], opts: StartOptions = {}): { id: string; pid: string } | { error: ErrorInfo } {
    const entry = this.registry.entries.get(entryId);
    if (!entry || entry.kind !== 'workflow.lua') return { error: { kind: 'NotFound', message: `no workflow.lua entry ${entryId}`, retryable: false } };
    const worker = opts.worker ?? entry.worker ?? this.defaultWorker();
    const w = worker ? this.registry.entries.get(worker) : undefined;
    if (!worker || !w || w.kind !== 'temporal.worker') {
      return { error: { kind: 'Invalid', message: `workflow ${entryId} has no temporal.worker: set meta.temporal.workflow.worker or pass one to process.spawn`, retryable: false } };
    }
    const id = opts.id ?? uuidV7(this.deps.clock.now());
    // A fresh UUIDv7 cannot collide; only a given id is looked up in the store.
    if (this.states.has(id) || (opts.id !== undefined && this.deps.store.getWorkflow(id))) {
      return { error: { kind: 'AlreadyExists', message: `workflow ${id} already exists`, retryable: false } };
    }
    const at = this.deps.clock.now();
    this.batch.creates.push({ id, entry: entryId, worker, status: 'running', input, parent: opts.parent ?? null, result: null, error: null, parked: null, createdAt: at, updatedAt: at });
    const st: WfState = { id, entry: entryId, worker, parent: opts.parent ?? null, parentCmd: opts.parentCmd, status: 'running', length: 0, committed: 0, instance: null, watchers: [] };
    this.states.set(id, st);
    const started: RecordOf<'started'> = { type: 'started', at, entry: entryId, input, worker, ...(opts.parent ? { parent: opts.parent } : {}) };
    this.appendRecord(id, started);
    this.onCommit(() => this.activateNew(st, started));
    return { id, pid: this.pidOf(id) };
  }

  /** Be told once when the workflow finishes or is parked. */
  watch(id: string, fn: (o: Outcome) => void): boolean {
    const st = this.states.get(id);
    if (st?.status === 'parked') { fn({ parked: st.parkedReport ?? 'parked' }); return true; }
    if (st) { st.watchers.push(fn); return true; }
    const row = this.deps.store.getWorkflow(id);
    if (!row || row.status === 'running') return false;
    if (row.status === 'parked') fn({ parked: row.parked ?? 'parked' });
    else fn({ result: row.error ? { error: row.error } : { value: row.result ?? 'null' } });
    return true;
  }

  /** A durable signal from outside (a process, the CLI): stored before this returns. */
  signal(id: string, topic: string, from: string, payloads: Payload[]): ErrorInfo | null {
    const st = this.states.get(id);
    if (!st || (st.status !== 'running' && st.status !== 'parked')) {
      return { kind: 'NotFound', message: `no running workflow ${id}${st ? ` (it is ${st.status})` : ''}`, retryable: false };
    }
    if (st.committed === 0) this.flush(); // its row must exist before a signal can point at it
    const s = { workflowId: id, topic, from, payloads, at: this.deps.clock.now() };
    const sid = this.deps.store.addSignal(s);
    this.acceptedHere.add(sid);
    this.acceptSignal({ ...s, id: sid });
    return null;
  }

  /** Cancel (cooperative: a pid.cancel event) or terminate (immediate) a workflow. */
  cancelOrTerminate(id: string, from: string, terminate: boolean, reason = terminate ? 'terminated' : 'canceled'): ErrorInfo | null {
    const st = this.states.get(id);
    // A parked workflow may be terminated (how a stuck one is ended) or get a cancel request
    // (recorded now, seen by its code once it resumes).
    if (!st || (st.status !== 'running' && st.status !== 'parked')) return { kind: 'NotFound', message: `no running workflow ${id}`, retryable: false };
    if (!terminate) {
      this.appendRecord(id, { type: 'cancel_requested', at: this.deps.clock.now(), from, reason });
      return null;
    }
    const inst = st.instance;
    if (inst) { inst.done = true; inst.mailbox.close(); inst.host.killSpawned(); }
    this.end(st, { type: 'terminated', at: this.deps.clock.now(), reason: `${reason}${from ? ` by ${from}` : ''}` }, 'terminated', { error: { kind: 'Canceled', message: `workflow terminated${from ? ` by ${from}` : ''}` } });
    return null;
  }

  /**
   * Resume every running (and parked) workflow in the store, then deliver pending signals. Only
   * their bookkeeping is loaded here; each replays from its history when its turn comes (a
   * cache's worth per turn, see deferInstantiation), which re-arms its timers and re-dispatches
   * its open activities: start-up with 100,000 sleeping workflows neither blocks nor holds
   * 100,000 states at once.
   */
  resumeAll(): number {
    const rows = this.deps.store.listWorkflows(['running', 'parked']);
    let n = 0;
    for (const row of rows) {
      if (this.states.has(row.id)) continue;
      const length = this.deps.store.historyLength(row.id);
      if (length === 0) continue;
      const parentCmd = this.parentCmdOf(row.id, row.parent);
      const st: WfState = { id: row.id, entry: row.entry, worker: row.worker, parent: row.parent, parentCmd, status: 'running', length, committed: length, instance: null, watchers: [] };
      this.states.set(row.id, st);
      if (row.status === 'parked') this.batch.updates.push({ id: row.id, status: 'running', parked: null, at: this.deps.clock.now() });
      this.toPump.add(row.id);
      n++;
    }
    for (const s of this.deps.store.pendingSignals()) { this.lastSignalId = Math.max(this.lastSignalId, s.id); this.acceptSignal(s); }
    this.scheduleFlush();
    return n;
  }

  /** Pick up signals written by other processes (`wippy workflow signal`). */
  pollSignals(everyMs = 200): void {
    if (this.signalPoll) return;
    this.signalPoll = setInterval(() => {
      for (const s of this.deps.store.pendingSignals(this.lastSignalId)) {
        this.lastSignalId = Math.max(this.lastSignalId, s.id);
        if (this.acceptedHere.delete(s.id)) continue; // ours, already in a history
        if (this.states.has(s.workflowId)) this.acceptSignal(s);
      }
      for (const id of this.acceptedHere) if (id <= this.lastSignalId) this.acceptedHere.delete(id);
    }, everyMs);
    this.signalPoll.unref();
  }

  /** Workflows in memory (state known to this process). */
  get active(): number {
    let n = 0;
    for (const st of this.states.values()) if (st.status === 'running') n++;
    return n;
  }

  get cached(): number {
    return this.cache.count;
  }

  /** Work is pending (a commit, or activations waiting for one): the virtual clock must wait. */
  get busy(): boolean {
    return this.flushScheduled || this.toPump.size > 0 || this.preCommit.length > 0;
  }

  /**
   * The node is stopping: run no more workflow code (an activation started now could only delay
   * the stop), but keep committing what is appended (signals, activity results). Whatever did not
   * run is in the store and resumes at the next start.
   */
  quiesce(): void {
    this.closing = true;
    this.scheduleFlush();
  }

  /** Commit what is pending and stop timers. */
  close(): void {
    if (this.closed) return;
    // Commit what is pending, but start nothing new: activities not yet started and workflows
    // waiting for their turn are picked up by the next start (their commands are on disk).
    this.closing = true;
    this.flush();
    this.closed = true;
    this.effects.stop();
    if (this.signalPoll) clearInterval(this.signalPoll);
  }

  // ------------------------------------------------- used by instances/services

  appendRecord(id: string, rec: HistoryRecord): void {
    const st = this.states.get(id);
    if (!st) throw new Error(`appendRecord: unknown workflow ${id}`);
    const index = st.length++;
    this.batch.appends.push({ workflowId: id, index, record: rec });
    st.instance?.history.push(rec);
    if (rec.type === 'call_done' || rec.type === 'timer_fired' || rec.type === 'child_done' || rec.type === 'signal' || rec.type === 'cancel_requested') this.toPump.add(id);
    this.scheduleFlush();
  }

  /** Run `fn` once everything appended so far is committed. */
  onCommit(fn: () => void): void {
    this.postCommit.push(fn);
    this.scheduleFlush();
  }

  startActivity(id: string, rec: RecordOf<'call'>, retry?: { attempt: number; due: number }): void {
    this.preCommit.push(() => this.effects.startActivity(id, rec, retry));
    this.scheduleFlush();
  }

  armTimer(id: string, cmd: number, fireAt: number): void {
    this.effects.armTimer(id, cmd, fireAt);
  }

  disarmTimer(id: string, cmd: number): void {
    this.effects.disarmTimer(id, cmd);
  }

  /** The parent's spawn command was just appended: create the child in the same batch. */
  createChild(parent: WorkflowInstance, rec: RecordOf<'spawn'>, worker: string | null, kept?: KeptOutcome | null): void {
    if (kept) {
      // Golden re-recording: the child is not run; its recorded result arrives at its recorded time.
      const done = kept.child;
      if (done) {
        this.deps.clock.setTimer(Math.max(0, done.at - this.deps.clock.now()), () => {
          if (!this.closed && this.states.get(parent.id)?.status === 'running') this.appendRecord(parent.id, { ...done, of: rec.cmd, child: rec.child });
        });
      }
      return;
    }
    const r = this.start(rec.entry, rec.args, { id: rec.child, parent: parent.id, parentCmd: rec.cmd, worker: worker ?? parent.started0.worker });
    if ('error' in r) this.appendRecord(parent.id, { type: 'child_done', of: rec.cmd, at: this.deps.clock.now(), child: rec.child, error: r.error });
  }

  keptOutcome(workflowId: string, rec: CommandRecord): KeptOutcome | null {
    return this.deps.keptOutcome?.(workflowId, rec) ?? null;
  }

  newUuid(version: UuidVersion, clockMs: number, workflowId?: string): string {
    const given = this.deps.newUuid?.(version, clockMs, workflowId);
    if (given !== undefined) return given;
    return version === 7 ? uuidV7(clockMs) : version === 1 ? uuidV1(clockMs) : uuidV4();
  }

  newRandom(n: number, workflowId?: string): Uint8Array {
    return this.deps.newRandom?.(n, workflowId) ?? new Uint8Array(randomBytes(n));
  }

  /** A workflow id (running here) or a process PID/name for a send target. */
  resolveTarget(to: string): SendTarget | null {
    const wid = this.states.has(to) ? to : workflowIdOfPid(to);
    if (wid && this.states.get(wid)?.status === 'running') return { kind: 'workflow', id: wid };
    const pid = this.deps.node.resolve(to);
    return pid ? { kind: 'process', pid } : null;
  }

  /** A workflow's recorded send: to a workflow in the same batch, to a process after commit. */
  deliverSend(from: WorkflowInstance, target: SendTarget, rec: RecordOf<'send'>): void {
    const fromPid = this.pidOf(from.id);
    if (target.kind === 'workflow') {
      this.appendRecord(target.id, { type: 'signal', at: this.deps.clock.now(), topic: rec.topic, from: fromPid, payloads: rec.payloads, signal: 0 });
    } else {
      this.onCommit(() => this.deps.node.send(fromPid, target.pid, rec.topic, rec.payloads));
    }
  }

  pidOf(id: string): string {
    const worker = this.states.get(id)?.worker ?? this.deps.store.getWorkflow(id)?.worker ?? 'workflow';
    const client = (this.registry.entries.get(worker) as { client?: string } | undefined)?.client ?? 'temporal';
    return `{${client}@${worker}|${id}}`;
  }

  taskQueueOf(worker: string): string {
    return (this.registry.entries.get(worker) as { taskQueue?: string } | undefined)?.taskQueue ?? '';
  }

  /** The replay caught up: start what the history left open (after a restart or an eviction). */
  caughtUp(inst: WorkflowInstance): void {
    for (const [cmd, o] of inst.open) {
      if (o.live) continue; // its effect starts when it commits
      const r = o.rec;
      if (r.type === 'call') this.startActivity(inst.id, r, inst.retries.get(cmd));
      else if (r.type === 'timer') this.armTimer(inst.id, cmd, o.fireAt ?? this.deps.clock.now());
      else if (r.type === 'spawn') this.reattachChild(inst, r);
    }
  }

  finished(inst: WorkflowInstance, result: CallResult): void {
    const st = this.states.get(inst.id)!;
    const at = this.deps.clock.now();
    const status: WorkflowStatus = result.error ? (result.error.kind === 'Canceled' ? 'canceled' : 'failed') : 'completed';
    this.end(st, result.error ? { type: 'failed', at, error: result.error } : { type: 'completed', at, value: result.value ?? 'null' }, status, result);
  }

  parked(inst: WorkflowInstance, report: string): void {
    const st = this.states.get(inst.id);
    if (!st) return;
    st.status = 'parked';
    st.parkedReport = report;
    st.instance = null;
    this.cache.forget(inst.id);
    this.batch.updates.push({ id: inst.id, status: 'parked', parked: report, at: this.deps.clock.now() });
    this.output.log('error', report);
    const watchers = st.watchers.splice(0);
    this.onCommit(() => { for (const w of watchers) w({ parked: report }); });
  }

  // ------------------------------------------------------------------ internals

  private end(st: WfState, rec: HistoryRecord, status: WorkflowStatus, result: CallResult): void {
    this.appendRecord(st.id, rec);
    st.status = status;
    st.instance = null;
    this.cache.forget(st.id);
    this.batch.updates.push({ id: st.id, status, result: result.value ?? null, error: result.error ?? null, parked: null, at: this.deps.clock.now() });
    const parent = st.parent ? this.states.get(st.parent) : undefined;
    if (parent && parent.status === 'running' && st.parentCmd !== undefined) {
      this.appendRecord(parent.id, { type: 'child_done', of: st.parentCmd, at: this.deps.clock.now(), child: st.id, ...(result.error ? { error: result.error } : { value: result.value ?? 'null' }) });
    }
    const watchers = st.watchers.splice(0);
    this.onCommit(() => {
      this.states.delete(st.id);
      for (const w of watchers) w({ result });
    });
  }

  private reattachChild(parent: WorkflowInstance, rec: RecordOf<'spawn'>): void {
    if (this.states.get(rec.child)?.status === 'running') return;
    const row = this.deps.store.getWorkflow(rec.child);
    if (!row || row.status === 'running' || row.status === 'parked') return;
    const st = this.states.get(parent.id)!;
    if (st.instance?.open.has(rec.cmd) === false) return;
    this.appendRecord(parent.id, { type: 'child_done', of: rec.cmd, at: row.updatedAt, child: rec.child, ...(row.error ? { error: row.error } : { value: row.result ?? 'null' }) });
  }

  private acceptSignal(s: PendingSignal): void {
    this.batch.consumed.push(s.id);
    const st = this.states.get(s.workflowId);
    // Finished (or finishing in this batch): the signal has no reader.
    if (!st || (st.status !== 'running' && st.status !== 'parked')) return;
    // `@cancel` / `@terminate` from `wippy workflow cancel|terminate` (runtime/control).
    if (isReservedTopic(s.topic)) { applyControlSignal(this, s); return; }
    this.appendRecord(s.workflowId, { type: 'signal', at: s.at, topic: s.topic, from: s.from, payloads: s.payloads, signal: s.id });
  }

  private parentCmdOf(id: string, parent: string | null): number | undefined {
    if (!parent) return undefined;
    for (const r of this.deps.store.history(parent)) if (r.type === 'spawn' && r.child === id) return r.cmd;
    return undefined;
  }

  private defaultWorker(): string | null {
    for (const e of this.registry.entries.values()) if (e.kind === 'temporal.worker') return e.id;
    return null;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Group commit: one transaction for the turn, then effects, then activations. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    this.cache.newTurn();
    // Activities first: a result that is ready at once joins this commit with its command.
    while (this.preCommit.length > 0 && !this.closing) {
      const pre = this.preCommit;
      this.preCommit = [];
      for (const fn of pre) fn();
    }
    const batch = this.batch;
    const post = this.postCommit;
    this.batch = emptyBatch();
    this.postCommit = [];
    if (batchSize(batch) > 0) this.deps.store.commit(batch);
    for (const a of batch.appends) {
      const st = this.states.get(a.workflowId);
      if (st && a.index + 1 > st.committed) st.committed = a.index + 1;
    }
    for (const fn of post) fn();
    if (this.closing) return;
    const ids = [...this.toPump];
    this.toPump.clear();
    const start = workDone();
    for (let i = 0; i < ids.length; i++) {
      this.pumpWhenCommitted(ids[i]);
      if (workDone() - start > TURN_WORK && i + 1 < ids.length) {
        for (const id of ids.slice(i + 1)) this.toPump.add(id);
        this.scheduleFlush();
        return;
      }
    }
  }

  private pumpWhenCommitted(id: string): void {
    const st = this.states.get(id);
    if (!st || st.status !== 'running') return;
    if (st.committed < st.length) { this.toPump.add(id); this.scheduleFlush(); return; }
    if (st.instance) { st.instance.pump(); this.touch(st); return; }
    if (this.deferInstantiation(st)) return;
    this.instantiate(st, this.deps.store.history(id));
  }

  /** True when this turn may create no more states (cache.ts): the workflow waits for the next. */
  private deferInstantiation(st: WfState): boolean {
    if (this.cache.takeInstantiation()) return false;
    this.toPump.add(st.id);
    this.scheduleFlush();
    return true;
  }

  /**
   * A new workflow starts once its `started` record is committed: it must exist before anything
   * it does (an activity may run before its own command is committed, see startActivity) can
   * happen, or a crash could leave a side effect with no workflow to resume or compensate it.
   */
  private activateNew(st: WfState, started: RecordOf<'started'>): void {
    if (st.status !== 'running' || st.instance || this.closing) return;
    // Records may have been appended after `started` (a cancel or signal in the same turn as the
    // start): wait until they are committed too, then start from the whole history.
    if (st.committed < st.length) { this.toPump.add(st.id); this.scheduleFlush(); return; }
    if (this.deferInstantiation(st)) return;
    this.instantiate(st, st.length > 1 ? this.deps.store.history(st.id) : [started]);
  }

  /** Build a live instance from a history and replay it (a new workflow is a 1-record history). */
  private instantiate(st: WfState, history: HistoryRecord[]): void {
    const entry = this.registry.entries.get(st.entry) as LuaEntry | undefined;
    if (!entry || entry.kind !== 'workflow.lua') {
      this.parkState(st, `workflow ${st.id}: its entry ${st.entry} is no longer a workflow.lua in the registry; restore it and restart`);
      return;
    }
    const inst = new WorkflowInstance(this, st.id, entry, history.slice());
    st.instance = inst;
    try {
      const { host, fnRef } = this.deps.makeHost(entry, new WorkflowServices(this, inst), workflowSeed(st.id));
      inst.attach(host, fnRef);
    } catch (e) {
      st.instance = null;
      this.parkState(st, `workflow ${st.id} (${st.entry}) cannot load its code: ${(e as Error).message}`);
      return;
    }
    inst.pump();
    this.touch(st);
  }

  private parkState(st: WfState, report: string): void {
    st.status = 'parked';
    st.parkedReport = report;
    this.batch.updates.push({ id: st.id, status: 'parked', parked: report, at: this.deps.clock.now() });
    this.output.log('error', report);
    const watchers = st.watchers.splice(0);
    this.onCommit(() => { for (const w of watchers) w({ parked: report }); });
  }

  /** Cache bookkeeping after the workflow ran (cache.ts): keep its state, or give it back. */
  private touch(st: WfState): void {
    if (!st.instance || st.status !== 'running') return;
    if (!this.cache.touch(st.id, st.instance, this.deps.clock.now())) st.instance = null;
  }
}

/** `{client@worker|id}` -> id */
export function workflowIdOfPid(pid: string): string | null {
  const m = /^\{[^|]*@[^|]*\|(.+)\}$/.exec(pid);
  return m ? m[1] : null;
}

/** A per-workflow seed for math.random (FNV-1a of the id). */
export function workflowSeed(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) { h ^= id.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}
