/**
 * The Services of a workflow: every non-deterministic operation becomes a recorded command.
 *
 * Owns: mapping each Lua-facing operation (funcs.call, time.sleep/after/timer, uuid, process.*,
 * workflow.*) onto WorkflowInstance.emit, and telling the engine which effect to start once the
 * command is committed (activities: before, see EngineHooks.startActivity). Invariants: on replay
 * nothing is started (effects exist only for live commands; after a restart the engine
 * re-dispatches open ones); the clock is the workflow's
 * (time of the last delivered event); output is silent while replaying; processes are reached
 * only through recorded sends; a live send, spawn or child cancel takes the recorded outcome the
 * driver keeps for it (golden re-recording), if any, instead of deciding it now.
 */
import type { WorkflowInstance } from './instance';
import type { EngineHooks, KeptOutcome } from './hooks';
import type { CommandRecord, RecordOf } from '../store/events';
import type { CallRequest, CallResult, Cancel, Payload, ProcessApi, Services, SpawnOptions, UuidVersion, WorkflowApi, WorkflowInfo } from '../services';
import type { ErrorInfo } from '../errors';

const invalid = (what: string): ErrorInfo => ({ kind: 'Invalid', message: `${what} is not available inside a workflow (it is not deterministic)`, retryable: false });

export class WorkflowServices implements Services {
  private readonly processApi: ProcessApi;
  private readonly workflowApi: WorkflowApi;

  constructor(private readonly engine: EngineHooks, private readonly wf: WorkflowInstance) {
    this.processApi = this.buildProcessApi();
    this.workflowApi = {
      info: () => this.info(),
      version: (change, min, max) => wf.version(change, min, max),
      exec: (id, args, done) => this.spawnChild(id, null, args, true, done).cancel,
    };
  }

  call(req: CallRequest, done: (r: CallResult) => void): Cancel {
    const { rec, live } = this.wf.emit({ type: 'call', cmd: 0, fn: req.id, args: req.args, ...(req.options ? { options: req.options } : {}), line: '' });
    this.wf.awaitCompletion(rec, live, (ev) => {
      if (ev.type === 'call_done') done(ev.error ? { error: ev.error } : { value: ev.value ?? 'null' });
    });
    if (live) this.engine.startActivity(this.wf.id, rec);
    return () => this.wf.forget(rec.cmd);
  }

  sleep(ms: number, done: () => void): Cancel {
    const { rec, live } = this.wf.emit({ type: 'timer', cmd: 0, ms, line: '' });
    const fireAt = this.wf.clockMs + ms;
    let fired = false;
    this.wf.awaitCompletion(rec, live, () => { fired = true; done(); }, fireAt);
    if (live) this.engine.onCommit(() => this.engine.armTimer(this.wf.id, rec.cmd, fireAt));
    return () => {
      if (fired || this.wf.done || this.wf.parkedReport !== null) return;
      this.wf.forget(rec.cmd);
      this.wf.open.delete(rec.cmd);
      const c = this.wf.emit({ type: 'timer_cancel', cmd: 0, of: rec.cmd, line: '' });
      if (c.live) this.engine.onCommit(() => this.engine.disarmTimer(this.wf.id, rec.cmd));
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
    return this.wf.emit({ type: 'uuid', cmd: 0, version, value, line: '' }).rec.value;
  }

  random(n: number, fn: string): Uint8Array {
    // Recorded as base64 (the bytes need not be text); on replay the recorded bytes come back.
    const value = this.wf.replaying ? '' : Buffer.from(this.engine.newRandom(n, this.wf.id)).toString('base64');
    return new Uint8Array(Buffer.from(this.wf.emit({ type: 'random', cmd: 0, fn, bytes: n, value, line: '' }).rec.value, 'base64'));
  }

  context(): Record<string, unknown> {
    return { workflow_id: this.wf.id };
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
      workflow_id: this.wf.id, run_id: this.wf.id, workflow_type: this.wf.entry.id, task_queue: this.engine.taskQueueOf(s.worker),
      namespace: 'default', attempt: 1, history_length: this.wf.pos,
    };
  }

  /** Start a child workflow (recorded); `wait` = workflow.exec / process.exec. */
  private spawnChild(id: string, worker: string | null, args: Payload[], wait: boolean, done?: (r: CallResult) => void): { rec: RecordOf<'spawn'>; cancel: Cancel } {
    const entry = this.engine.registry.entries.get(id);
    const error: ErrorInfo | undefined = !entry ? { kind: 'NotFound', message: `no entry ${id} in the registry`, retryable: false }
      : entry.kind !== 'workflow.lua' ? invalid(`spawning ${entry.kind} entries (${id})`) : undefined;
    const childId = `${this.wf.id}.${this.wfNextChild()}`;
    const kept = this.kept({ type: 'spawn', cmd: 0, entry: id, child: childId, args, wait, line: '' });
    const err = kept ? kept.error : error;
    const { rec, live } = this.wf.emit({ type: 'spawn', cmd: 0, entry: id, child: childId, args, wait, line: '', ...(err ? { error: err } : {}) });
    const cancel = () => this.wf.forget(rec.cmd);
    if (rec.error) {
      if (done) done({ error: rec.error });
      return { rec, cancel };
    }
    this.wf.awaitCompletion(rec, live, (ev) => {
      if (ev.type !== 'child_done') return;
      const result: CallResult = ev.error ? { error: ev.error } : { value: ev.value ?? 'null' };
      if (done) done(result);
      else this.wf.mailbox.deliverEvent({ kind: 'pid.exit', from: this.engine.pidOf(rec.child), at: new Date(ev.at).toISOString(), result });
    });
    if (live) this.engine.createChild(this.wf, rec, worker, kept);
    return { rec, cancel };
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
      spawn: (id: string, host: string | null, args: Payload[], _opts: SpawnOptions) => {
        const { rec } = this.spawnChild(id, host, args, false);
        return rec.error ? { error: rec.error } : { pid: engine.pidOf(rec.child) };
      },
      exec: (id, host, args, done) => this.spawnChild(id, host, args, true, done).cancel,
      send: (to, topic, payloads) => {
        const target = engine.resolveTarget(to);
        const kept = this.kept({ type: 'send', cmd: 0, to, topic, payloads, line: '' });
        const error: ErrorInfo | undefined = kept ? kept.error : target ? undefined : { kind: 'NotFound', message: `no process or workflow ${to}`, retryable: false };
        const { rec, live } = wf.emit({ type: 'send', cmd: 0, to, topic, payloads, line: '', ...(error ? { error } : {}) });
        if (live && !rec.error && target) engine.deliverSend(wf, target, rec);
        return rec.error ?? null;
      },
      cancel: (pid) => this.cancelChild(pid, false),
      terminate: (pid) => this.cancelChild(pid, true),
      monitor: () => invalid('process.monitor'),
      link: () => invalid('process.link'),
      register: () => invalid('process.registry.register'),
      lookup: () => null,
      unregister: () => false,
      options: () => ({ trap_links: false }),
      setOptions: () => {},
    };
  }

  private cancelChild(pid: string, terminate: boolean): ErrorInfo | null {
    const target = this.engine.resolveTarget(pid);
    const kept = this.kept({ type: 'cancel_child', cmd: 0, to: pid, terminate, line: '' });
    const error: ErrorInfo | undefined = kept ? kept.error : target?.kind === 'workflow' ? undefined : { kind: 'NotFound', message: `no workflow ${pid}`, retryable: false };
    const { rec, live } = this.wf.emit({ type: 'cancel_child', cmd: 0, to: pid, terminate, line: '', ...(error ? { error } : {}) });
    if (live && !rec.error && target?.kind === 'workflow') this.engine.onCommit(() => this.engine.cancelOrTerminate(target.id, this.engine.pidOf(this.wf.id), terminate));
    return rec.error ?? null;
  }
}
