/**
 * The workflow engine: durable workflows over a HistoryStore.
 *
 * Owns: starting workflows, appending records, cancel/terminate, resuming every unfinished
 * workflow at start-up (or, on a store nodes share, what this node claims: membership.ts), and
 * answering the instances' hooks. Running their code and acting on what each activation hands
 * back is activation.ts; the workflow table and its ends lifecycle.ts, the group commit
 * commit.ts, signal intake signals.ts, effects effects.ts, PIDs addressing.ts, which instances
 * stay in memory cache.ts.
 *
 * Invariants:
 * - A record's index is assigned when it is appended and never changes; only this file appends.
 * - A workflow is activated only when ALL of its records are committed, and then receives every
 *   record appended since its last activation at once (instance.ts explains why replay then
 *   matches); an activation's commands are appended before anything else reaches its history.
 * - An effect is started at most once per process for a command (in-flight sets), and again after
 *   a restart if its completion was not recorded (activities are at-least-once; their
 *   `activity_id` context value is stable across retries and restarts).
 * - Once `quiesce()` has been called (the node is stopping) no workflow code runs again, and
 *   records still commit.
 */
import { randomBytes } from 'node:crypto';
import { uuidV1, uuidV4, uuidV7, type UuidVersion } from '../../base/uuid';
import type { EngineHooks, EngineOutput, KeptOutcome, SendTarget } from './hooks';
import { workflowPid, workflowIdOfPid, workerNamed, defaultWorker, CANCEL_TOPIC, TERMINATE_TOPIC } from './addressing';
import { startIdentity } from './start-options';
import { Effects } from './effects';
import { InstanceCache, type CacheStats } from './cache';
import { GroupCommit } from './commit';
import { SignalIntake } from './signals';
import { CommandEffects } from './commands';
import { Lifecycle, type Outcome, type WfState } from './lifecycle';
import { NodeHeartbeat } from './membership';
import { Activations } from './activation';
import { isEvent, type CommandRecord, type HistoryRecord, type RecordOf, type WorkflowRow, type WorkflowStatus } from '../store/events';
import type { Registry } from '../../registry/types';
import type { SpawnOptions } from '../../lua/services';
import type { Payload } from '../../base/payload';
import type { MailboxCodec } from '../process/mailbox';
import { ErrorKind, type ErrorInfo } from '../../base/errors';

export type { EngineOutput } from './hooks';
export type { Outcome } from './lifecycle';

export type { EngineDeps, StartOptions } from './deps';
import type { EngineDeps, StartOptions } from './deps';

export class WorkflowEngine implements EngineHooks {
  readonly registry: Registry;
  readonly output: EngineOutput;
  readonly codec: MailboxCodec;
  private readonly states: Map<string, WfState>;
  private readonly lifecycle: Lifecycle;
  private readonly commit: GroupCommit;
  private readonly cache: InstanceCache;
  private readonly effects: Effects;
  private readonly signals: SignalIntake;
  private readonly commands: CommandEffects;
  /** The lease and claims of a node of a shared store; null: this engine owns its store alone. */
  private readonly heartbeat: NodeHeartbeat | null;
  private readonly activations: Activations;

  constructor(private readonly deps: EngineDeps) {
    this.registry = deps.registry;
    this.output = deps.output;
    this.codec = deps.codec;
    this.cache = new InstanceCache({ size: deps.cacheSize === undefined ? undefined : Math.max(1, deps.cacheSize) }, {
      drop: (id) => { const o = this.states.get(id); if (o) this.lifecycle.dropInstance(o); },
      retry: (ids) => { for (const id of ids) this.commit.wake(id); },
      schedule: () => this.commit.schedule(),
    });
    const statusOf = (id: string): WorkflowStatus | undefined => this.states.get(id)?.status;
    this.commit = new GroupCommit({
      store: deps.store,
      newTurn: () => this.cache.newTurn(),
      resident: (id) => this.cache.has(id),
      committed: (id, count) => {
        const st = this.states.get(id);
        if (st && count > st.committed) st.committed = count;
      },
      activate: (id) => this.activations.activateWhenCommitted(id),
      failed: deps.store.membership ? (err) => this.heartbeat?.lost(err) : undefined,
    });
    this.lifecycle = new Lifecycle({
      store: deps.store, clock: deps.clock, output: deps.output, commit: this.commit, cache: this.cache,
      appendRecord: (id, rec) => this.appendRecord(id, rec),
    });
    this.states = this.lifecycle.states;
    this.effects = new Effects({
      clock: deps.clock,
      call: deps.call,
      answerCall: deps.answerCall,
      closed: () => this.commit.closed,
      complete: (id, ev) => { if (statusOf(id) === 'running') this.appendRecord(id, ev); },
      afterCommit: (fn) => this.commit.onCommit(fn),
      hasEntry: (id) => deps.registry.entries.has(id),
      contextOf: (id) => this.states.get(id)?.instance?.started0.context,
    });
    this.signals = new SignalIntake({
      store: deps.store,
      clock: deps.clock,
      output: deps.output,
      statusOf,
      uncommitted: (id) => this.states.get(id)?.committed === 0,
      flush: () => this.flush(),
      consume: (sid) => { this.commit.open.consumed.push(sid); },
      appendRecord: (id, rec) => this.appendRecord(id, rec),
      cancelOrTerminate: (id, from, terminate, reason) => this.cancelOrTerminate(id, from, terminate, reason),
      startRequested: (req, from) => { const r = this.start(req.entry, req.input, { id: req.id, from }); return 'error' in r ? r.error : null; },
      afterCommit: (fn) => this.commit.onCommit(fn),
    });
    const m = deps.store.membership;
    this.heartbeat = m ? new NodeHeartbeat(m, {
      adopt: (rows) => this.adopt(rows),
      adoptSignals: (ids) => this.signals.adopt(ids),
      lost: (err) => {
        this.abandonWork();
        if (deps.onStoreLost) deps.onStoreLost(err);
        else deps.output.log('error', `${err.message}; this engine stopped`);
      },
    }, deps.claimLimit) : null;
    this.commands = new CommandEffects({
      clock: deps.clock,
      effects: this.effects,
      commit: this.commit,
      appendRecord: (id, rec) => this.appendRecord(id, rec),
      statusOf,
      getWorkflow: (id) => deps.store.getWorkflow(id),
      start: (entry, input, opts) => this.start(entry, input, opts),
      cancelOrTerminate: (id, from, terminate) => this.cancelOrTerminate(id, from, terminate),
      sendToProcess: (from, pid, topic, payloads) => deps.node.send(from, pid, topic, payloads),
      pidOf: (id) => this.pidOf(id),
      closed: () => this.commit.closed,
      childDoneFromRow: (parent, child) => this.signals.childDoneFromRow(parent, child),
    });
    this.activations = new Activations({
      registry: deps.registry, hooks: this, states: this.states, lifecycle: this.lifecycle, commit: this.commit,
      cache: this.cache, commands: this.commands, makeHost: deps.makeHost,
      history: (id) => deps.store.history(id), append: (st, rec) => this.append(st, rec), now: () => deps.clock.now(),
    });
  }

  get closed(): boolean {
    return this.commit.closed;
  }

  // ---------------------------------------------------------------- public API

  /** Start a workflow entry. The start is durable once the current batch commits. */
  start(entryId: string, input: Payload[], opts: StartOptions = {}): { id: string; pid: string } | { error: ErrorInfo } {
    const entry = this.registry.entries.get(entryId);
    if (!entry || entry.kind !== 'workflow.lua') return { error: { kind: ErrorKind.NotFound, message: `no workflow.lua entry ${entryId}`, retryable: false } };
    const worker = opts.worker ? (workerNamed(this.registry, opts.worker) ?? opts.worker) : entry.worker ?? defaultWorker(this.registry);
    const w = worker ? this.registry.entries.get(worker) : undefined;
    if (!worker || !w || w.kind !== 'temporal.worker') {
      return { error: { kind: ErrorKind.Invalid, message: `workflow ${entryId} has no temporal.worker: set meta.temporal.workflow.worker or pass one to process.spawn`, retryable: false } };
    }
    const id = opts.id ?? uuidV7(this.deps.clock.now());
    // A fresh UUIDv7 cannot collide; only a given id is looked up in the store.
    const ended = this.states.has(id) ? null : opts.id !== undefined ? this.deps.store.getWorkflow(id) : null;
    if (this.states.has(id) || ended) {
      // Temporal would start a new run under a closed workflow's id; this store keeps one run per id.
      const why = ended ? ` (it ${ended.status === 'parked' ? 'is parked' : `has ${ended.status}`}; a store keeps one run per workflow id: choose another id)` : '';
      return { error: { kind: ErrorKind.AlreadyExists, message: `workflow ${id} already exists${why}`, retryable: false } };
    }
    const st = this.lifecycle.create({ id, entry: entryId, worker, input, parent: opts.parent ?? null, parentCmd: opts.parentCmd });
    const at = this.deps.clock.now();
    const started: RecordOf<'started'> = { type: 'started', at, entry: entryId, input, worker, ...(opts.parent ? { parent: opts.parent } : {}), ...(opts.context && Object.keys(opts.context).length ? { context: opts.context } : {}) };
    this.appendRecord(id, started);
    for (const m of opts.messages ?? []) this.appendRecord(id, { type: 'signal', at, topic: m.topic, from: opts.from ?? '', payloads: m.payloads, signal: 0 });
    this.commit.onCommit(() => this.activations.activateNew(st));
    return { id, pid: this.pidOf(id) };
  }

  /**
   * Start with a Spawner's options (start-options.ts): the id is the `workflow.id` option, else the
   * Spawner's name, else generated; a running workflow with that id is joined (its PID returned,
   * the startup messages signalled to it, durably) or refused, as the conflict rule says.
   */
  spawn(entryId: string, input: Payload[], worker: string | null, from: string, spawn: SpawnOptions): { id: string; pid: string } | { error: ErrorInfo } {
    const ident = startIdentity(spawn.options, spawn.name);
    if ('error' in ident) return ident;
    const st = ident.id !== undefined ? this.states.get(ident.id) : undefined;
    if (st && (st.status === 'running' || st.status === 'parked')) {
      if (!ident.useExisting) return { error: { kind: ErrorKind.AlreadyExists, message: `workflow ${ident.id} is already running (workflow.id_conflict_policy is fail)`, retryable: false } };
      for (const m of spawn.messages ?? []) {
        const err = this.signal(st.id, m.topic, from, m.payloads);
        if (err) return { error: err };
      }
      return { id: st.id, pid: this.pidOf(st.id) };
    }
    return this.start(entryId, input, { id: ident.id, worker, messages: spawn.messages, from, context: spawn.context });
  }

  /** Be told once when the workflow finishes or is parked. */
  watch(id: string, fn: (o: Outcome) => void): boolean {
    return this.lifecycle.watch(id, fn);
  }

  /** A durable signal from outside (a process, the CLI): stored before this returns (signals.ts). */
  signal(id: string, topic: string, from: string, payloads: Payload[]): ErrorInfo | null {
    return this.signals.signal(id, topic, from, payloads);
  }

  /** Cancel (cooperative: a pid.cancel event) or terminate (immediate) a workflow. */
  cancelOrTerminate(id: string, from: string, terminate: boolean, reason = terminate ? 'terminated' : 'canceled'): ErrorInfo | null {
    const st = this.states.get(id);
    // Owned by another node of a shared store: a request through the store, as the CLI's.
    const remote = st ? undefined : this.signals.toOtherNode(id, terminate ? TERMINATE_TOPIC : CANCEL_TOPIC, from, [JSON.stringify(reason)]);
    if (remote !== undefined) return remote;
    // A parked workflow may be terminated (how a stuck one is ended) or get a cancel request
    // (recorded now, seen by its code once it resumes).
    if (!st || (st.status !== 'running' && st.status !== 'parked')) return { kind: ErrorKind.NotFound, message: `no running workflow ${id}`, retryable: false };
    if (!terminate) {
      this.appendRecord(id, { type: 'cancel_requested', at: this.deps.clock.now(), from, reason });
      return null;
    }
    st.instance?.terminate();
    this.lifecycle.end(st, { type: 'terminated', at: this.deps.clock.now(), reason: `${reason}${from ? ` by ${from}` : ''}` }, 'terminated', { error: { kind: ErrorKind.Canceled, message: `workflow terminated${from ? ` by ${from}` : ''}` } });
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
    const hb = this.heartbeat;
    // A node of a shared store resumes what nobody alive owns (claimed: now its own), then keeps
    // its lease and claims what other nodes leave or lose (membership.ts).
    const n = hb ? hb.claimAll() : this.adopt(this.deps.store.listWorkflows(['running', 'parked'])).length;
    this.signals.resume();
    this.commit.schedule();
    if (hb) {
      this.deps.store.membership!.onSignal(() => this.signals.pollNow());
      hb.start();
    }
    return n;
  }

  /** Resume these rows (unless known here already); the ids resumed. */
  private adopt(rows: WorkflowRow[]): string[] {
    const ids: string[] = [];
    for (const row of rows) {
      const st = this.lifecycle.resume(row);
      if (!st) continue;
      this.commit.wake(st.id);
      ids.push(st.id);
    }
    return ids;
  }

  /** Pick up signals written by other processes (`wippy workflow signal`). */
  pollSignals(everyMs = 200): void {
    this.signals.pollEvery(everyMs);
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

  /** Lua states built (replays: built again after their state was dropped), and workflows waiting for room. */
  get stats(): CacheStats & { queued: number } {
    return { ...this.cache.stats, queued: this.cache.queued };
  }

  /** Work is pending (a commit, or activations waiting for one): the virtual clock must wait. */
  get busy(): boolean {
    return this.commit.busy;
  }

  /**
   * The node is stopping: run no more workflow code (an activation started now could only delay
   * the stop), but keep committing what is appended (signals, activity results). Whatever did not
   * run is in the store and resumes at the next start.
   */
  quiesce(): void {
    this.commit.closing = true;
    this.commit.schedule();
  }

  /**
   * Commit what is pending and stop timers. Activities not yet started and workflows waiting for
   * their turn are picked up by the next start (their commands are on disk).
   */
  close(): void {
    if (this.commit.closed) return;
    this.heartbeat?.stop();
    this.lifecycle.stop();
    this.commit.close();
    this.cache.stop();
    this.effects.stop();
    this.signals.stop();
  }

  /**
   * The store is lost to this node: stop at once, committing nothing more (what is not committed
   * is redone by whichever node claims the workflow, as after a crash). Who waited for a
   * workflow's end is handed back (`watchersLeft`) to wait on another engine.
   */
  private abandonWork(): void {
    this.lifecycle.stop();
    this.commit.abandon();
    this.cache.stop();
    this.effects.stop();
    this.signals.stop();
  }

  /** Stop at once without committing anything more or saying so (a rejoin that failed half-way). */
  abandon(): void {
    this.heartbeat?.stop();
    this.abandonWork();
  }

  /** After a loss: the watchers of every workflow this engine knew, to be given to the next engine. */
  watchersLeft(): Array<[string, (o: Outcome) => void]> {
    const out: Array<[string, (o: Outcome) => void]> = [];
    for (const st of this.states.values()) for (const fn of st.watchers.splice(0)) out.push([st.id, fn]);
    return out;
  }

  /** Run `fn` once everything appended so far is committed (an HTTP reply waits for it). */
  afterCommit(fn: () => void): void {
    this.commit.onCommit(fn);
  }

  /** Commit the open batch now (group commit: commit.ts). */
  flush(): void {
    this.commit.flush();
  }

  /** Append a record to a workflow's history; an event wakes the workflow after the commit. */
  appendRecord(id: string, rec: HistoryRecord): void {
    const st = this.states.get(id);
    if (!st) throw new Error(`appendRecord: unknown workflow ${id}`);
    this.append(st, rec);
    if (st.instance) st.inbox.push(rec);
    else if (st.fresh) st.fresh.push(rec);
    if (isEvent(rec)) this.commit.wake(id);
    else this.commit.schedule();
  }

  // ------------------------------------------------ EngineHooks (asked by instances)

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
    if (wid && !this.states.has(wid) && this.signals.onOtherNode(wid)) return { kind: 'workflow', id: wid };
    const pid = this.deps.node.resolve(to);
    return pid ? { kind: 'process', pid } : null;
  }

  pidOf(id: string): string {
    const worker = this.states.get(id)?.worker ?? this.deps.store.getWorkflow(id)?.worker ?? 'workflow';
    return workflowPid(this.registry, worker, id);
  }

  // ------------------------------------------------------------------ internals

  private append(st: WfState, rec: HistoryRecord): void {
    this.commit.open.appends.push({ workflowId: st.id, index: st.length++, record: rec });
  }
}
