/**
 * The Services of a workflow: every non-deterministic operation becomes a recorded command.
 *
 * Owns: mapping each Lua-facing operation (funcs.call, time.sleep/after/timer, uuid, process.*,
 * workflow.*) onto WorkflowInstance.emit: the complete command record, and the arguments of the
 * effect its driver carries out once the activation returns (hooks.ts EffectOf). Invariants:
 * nothing here starts an effect (a live command's effect travels in the Activation; after a
 * restart the driver re-dispatches the open ones); the clock is the workflow's (time of the last
 * delivered event); output is silent while replaying; processes are reached only through
 * recorded sends; a live send, spawn or child cancel takes the recorded outcome the driver keeps
 * for it (golden re-recording), if any, instead of deciding it now.
 */
import { taskQueueOf, workflowPid, workerNamed } from './addressing';
import { startIdentity } from './start-options';
import type { WorkflowInstance } from './instance';
import type { EngineHooks, KeptOutcome } from './hooks';
import type { CommandRecord, RecordOf } from '../store/events';
import type { ProcessApi, Services, SpawnOptions, WorkflowApi, WorkflowInfo } from '../../lua/services';
import type { CallRequest, CallResult, Cancel, Payload } from '../../base/payload';
import type { UuidVersion } from '../../base/uuid';
import { ErrorKind, type ErrorInfo } from '../../base/errors';

const invalid = (what: string): ErrorInfo => ({ kind: ErrorKind.Invalid, message: `${what} is not available inside a workflow (it is not deterministic)`, retryable: false });

const unsupported = (message: string): ErrorInfo => ({ kind: ErrorKind.Invalid, message, retryable: false });

export class WorkflowServices implements Services {
  private readonly processApi: ProcessApi;
  private readonly workflowApi: WorkflowApi;

  constructor(private readonly engine: EngineHooks, private readonly wf: WorkflowInstance) {
    // No closure over `this` in here (lua/host.ts openState says why): built by methods.
    this.processApi = this.buildProcessApi();
    this.workflowApi = this.buildWorkflowApi();
  }

  private buildWorkflowApi(): WorkflowApi {
    return {
      info: () => this.info(),
      version: (change, min, max) => this.wf.version(change, min, max),
      exec: (id, args, done) => this.spawnChild(id, null, args, true, done).cancel,
    };
  }

  call(req: CallRequest, done: (r: CallResult) => void): Cancel {
    const { rec, live } = this.wf.emit<'call'>((cmd, line) => ({ type: 'call', cmd, fn: req.id, args: req.args, ...(req.options ? { options: req.options } : {}), line }), () => ({}));
    this.wf.awaitCompletion(rec, live, (ev) => {
      if (ev.type === 'call_done') done(ev.error ? { error: ev.error } : { value: ev.value ?? 'null' });
    });
    return () => this.wf.forget(rec.cmd);
  }

  sleep(ms: number, done: () => void): Cancel {
    const fireAt = this.wf.clockMs + ms;
    const { rec, live } = this.wf.emit<'timer'>((cmd, line) => ({ type: 'timer', cmd, ms, line }), () => ({ fireAt }));
    let fired = false;
    this.wf.awaitCompletion(rec, live, () => { fired = true; done(); }, fireAt);
    return () => {
      if (fired || !this.wf.active) return;
      this.wf.close(rec.cmd);
      this.wf.emit<'timer_cancel'>((cmd, line) => ({ type: 'timer_cancel', cmd, of: rec.cmd, line }), () => ({}));
    };
  }

  now(): number {
    return this.wf.clockMs;
  }

  clock(): number {
    return (this.wf.clockMs - this.wf.startMs) / 1000;
  }

  uuid(version: UuidVersion): string {
    // On replay the recorded value is used: do not draw one (a recording driver hands them out in order).
    const value = this.wf.replaying ? '' : this.engine.newUuid(version, this.wf.clockMs, this.wf.id);
    return this.wf.emit<'uuid'>((cmd, line) => ({ type: 'uuid', cmd, version, value, line }), () => ({})).rec.value;
  }

  random(n: number, fn: string): Uint8Array {
    // Recorded as base64 (the bytes need not be text); on replay the recorded bytes come back.
    const value = this.wf.replaying ? '' : Buffer.from(this.engine.newRandom(n, this.wf.id)).toString('base64');
    return new Uint8Array(Buffer.from(this.wf.emit<'random'>((cmd, line) => ({ type: 'random', cmd, fn, bytes: n, value, line }), () => ({})).rec.value, 'base64'));
  }

  context(): Record<string, unknown> {
    return { ...this.wf.started0.context, workflow_id: this.wf.id };
  }

  print(text: string): void {
    if (!this.wf.replaying) this.engine.output.print(text);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    if (!this.wf.replaying) this.engine.output.log(level, message, fields);
  }

  process(): ProcessApi {
    return this.processApi;
  }

  workflow(): WorkflowApi {
    return this.workflowApi;
  }

  private info(): WorkflowInfo {
    const s = this.wf.started0;
    return {
      workflow_id: this.wf.id, run_id: this.wf.id, workflow_type: this.wf.entry.id, task_queue: taskQueueOf(this.engine.registry, s.worker),
      namespace: 'default', attempt: 1, history_length: this.wf.pos, history_size: this.wf.historySize,
    };
  }

  /** Start a child workflow (recorded); `wait` = workflow.exec / process.exec. */
  private spawnChild(id: string, worker: string | null, args: Payload[], wait: boolean, done?: (r: CallResult) => void, opts: SpawnOptions = {}): { rec: RecordOf<'spawn'>; cancel: Cancel } {
    const entry = this.engine.registry.entries.get(id);
    const ident = startIdentity(opts.options, opts.name);
    const n = this.wfNextChild();
    const childId = 'error' in ident ? `${this.wf.id}.${n}` : ident.id ?? `${this.wf.id}.${n}`;
    const error: ErrorInfo | undefined = !entry ? { kind: ErrorKind.NotFound, message: `no entry ${id} in the registry`, retryable: false }
      : entry.kind !== 'workflow.lua' ? invalid(`spawning ${entry.kind} entries (${id})`)
      : 'error' in ident ? ident.error
      // Decided once, when the spawn is emitted live, and recorded in its record (replay reads it).
      : ident.id !== undefined && !this.wf.replaying && this.engine.resolveTarget(ident.id)?.kind === 'workflow'
        ? { kind: ErrorKind.AlreadyExists, message: `workflow ${ident.id} is already running (inside a workflow a child id must be new: joining a running workflow is not supported by wippy-ts)`, retryable: false }
        : undefined;
    const messages = opts.messages?.length ? { messages: opts.messages } : {};
    let kept: KeptOutcome | null = null;
    const { rec, live } = this.wf.emit<'spawn'>((cmd, line) => {
      const r: RecordOf<'spawn'> = { type: 'spawn', cmd, entry: id, child: childId, args, wait, line, ...messages };
      kept = this.kept(r);
      const err = kept ? kept.error : error;
      return err ? { ...r, error: err } : r;
    }, () => ({ worker, kept }));
    const cancel = () => this.wf.forget(rec.cmd);
    if (rec.error) {
      if (done) done({ error: rec.error });
      return { rec, cancel };
    }
    this.wf.awaitCompletion(rec, live, (ev) => {
      if (ev.type !== 'child_done') return;
      const result: CallResult = ev.error ? { error: ev.error } : { value: ev.value ?? 'null' };
      if (done) done(result);
      else this.wf.mailbox.deliverEvent({ kind: 'pid.exit', from: this.childPid(rec.child, worker), at: new Date(ev.at).toISOString(), result });
    });
    return { rec, cancel };
  }

  /**
   * A child's PID: on its spawn's worker, else its parent's (as the engine starts it). Known at
   * the spawn, before the child exists (it is started once the activation returns).
   */
  private childPid(child: string, worker: string | null): string {
    return workflowPid(this.engine.registry, worker ?? this.wf.started0.worker, child);
  }

  /** The recorded outcome a re-recording keeps for this step (only live steps ask). */
  private kept(rec: CommandRecord): KeptOutcome | null {
    return this.wf.replaying ? null : this.engine.keptOutcome?.(this.wf.id, rec) ?? null;
  }

  private childCounter = 0;
  private wfNextChild(): number {
    return this.childCounter++;
  }

  private buildProcessApi(): ProcessApi {
    const wf = this.wf;
    const engine = this.engine;
    return {
      pid: () => engine.pidOf(wf.id),
      mailbox: () => wf.mailbox,
      // Children of a workflow are always monitored: their EXIT reaches process.events().
      spawn: (id: string, host: string | null, args: Payload[], opts: SpawnOptions) => {
        const worker = host ? workerNamed(engine.registry, host) ?? host : null;
        const { rec } = this.spawnChild(id, worker, args, false, undefined, opts);
        return rec.error ? { error: rec.error } : { pid: this.childPid(rec.child, worker) };
      },
      exec: (id, host, args, done) => this.spawnChild(id, host, args, true, done).cancel,
      send: (to, topic, payloads) => {
        const target = engine.resolveTarget(to);
        const { rec } = wf.emit<'send'>((cmd, line) => {
          const r: RecordOf<'send'> = { type: 'send', cmd, to, topic, payloads, line };
          const kept = this.kept(r);
          const error: ErrorInfo | undefined = kept ? kept.error : target ? undefined : { kind: ErrorKind.NotFound, message: `no process or workflow ${to}`, retryable: false };
          return error ? { ...r, error } : r;
        }, () => ({ target }));
        return rec.error ?? null;
      },
      cancel: (pid) => this.cancelChild(pid, false),
      terminate: (pid) => this.cancelChild(pid, true),
      // Wippy's texts (its Temporal host): a workflow's children are monitored, links do not exist.
      monitor: (_pid, on) => unsupported(on ? 'process.monitor not supported in workflow context: child workflows are automatically monitored' : 'process.unmonitor not supported in workflow context'),
      link: (_pid, on) => unsupported(on ? "process.link not supported in workflow context: Temporal doesn't support bidirectional linking" : 'process.unlink not supported in workflow context'),
      register: () => invalid('process.registry.register'),
      lookup: () => null,
      unregister: () => false,
      options: () => ({ trap_links: false }),
      setOptions: () => {},
    };
  }

  private cancelChild(pid: string, terminate: boolean): ErrorInfo | null {
    const target = this.engine.resolveTarget(pid);
    const { rec } = this.wf.emit<'cancel_child'>((cmd, line) => {
      const r: RecordOf<'cancel_child'> = { type: 'cancel_child', cmd, to: pid, terminate, line };
      const kept = this.kept(r);
      const error: ErrorInfo | undefined = kept ? kept.error : target?.kind === 'workflow' ? undefined : { kind: ErrorKind.NotFound, message: `no workflow ${pid}`, retryable: false };
      return error ? { ...r, error } : r;
    }, () => ({ target }));
    return rec.error ?? null;
  }
}
