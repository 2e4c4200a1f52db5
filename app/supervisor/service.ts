/**
 * Supervision of one `process.service` entry: run its process, watch its exit, restart it by its
 * restart policy, stop it on request.
 *
 * Owns: the service's state machine and its log lines. States (Wippy's names):
 *
 *   Starting -> Running -> Exited                 (normal return: final, never restarted)
 *                       -> Failed                 (error exit; a restart may be pending)
 *   Failed (restart pending) -> Starting          (after the backoff delay)
 *   Running -> Stopping -> Stopped                (stop: CANCEL, wait stop_timeout, terminate)
 *   Failed (restart pending) -> Stopped           (stop cancels the pending restart)
 *
 * Invariants:
 * - At most one run is live at a time; an exit is handled once, and an exit of an older run is
 *   ignored (the run token).
 * - Every state change is one log line through `log`; a restart line names the delay.
 * - Every wait (backoff delay, stop timeout) goes through the injected `Clock`, and the jitter
 *   through the injected `random`, so tests drive time and get exact delays.
 * - An exit while Stopping is a stop, whatever its result: never restarted.
 * - `start_timeout` is not enforced: spawning is synchronous here, so a service is Running as soon
 *   as its main has been entered; there is no "not started in time" to observe.
 * - A spawn that fails (its chunk raises while loading) is a failed run like any other; since such
 *   errors are not retryable it is final. On the first run, `start()` rejects with it.
 */
import { judgeFailure } from './backoff';
import { formatDuration } from '../../base/duration';
import { WippyError, ErrorCode, formatErrorInfo, ErrorKind, type ErrorInfo } from '../../base/errors';
import type { Clock } from '../../base/clock';
import type { SpawnOptions } from '../../lua/services';
import type { CallResult, Cancel, Payload } from '../../base/payload';
import type { ServiceEntry } from '../../registry/types';
import type { LogFn } from './lifecycle';

export type ServiceState = 'Starting' | 'Running' | 'Stopping' | 'Stopped' | 'Exited' | 'Failed';

/** What a supervisor needs from the process node (runtime/process/node.ts implements it). */
export interface ProcessControl {
  spawn(id: string, hostId: string | null, args: Payload[], parent: string | null, opts: SpawnOptions, onExit?: (r: CallResult) => void): { pid: string } | { error: ErrorInfo };
  cancel(from: string, to: string, reason?: string): ErrorInfo | null;
  terminate(from: string, to: string): ErrorInfo | null;
}

export interface SupervisorDeps {
  node: ProcessControl;
  clock: Clock;
  /** Uniform in [0, 1): the jitter source. */
  random: () => number;
  log: LogFn;
}

export interface ServiceStatus {
  id: string;
  state: ServiceState;
  /** PID of the live run, if any. */
  pid: string | null;
  /** Runs started in all (spawn attempts). */
  runs: number;
  /** Failures counted toward max_attempts since the last reset. */
  counted: number;
  /** Set while Failed with a restart pending. */
  restartInMs: number | null;
  lastError: ErrorInfo | null;
  /** The payload a normal return gave (state Exited). */
  value: Payload | null;
}

export type StateListener = (status: ServiceStatus) => void;

/** The from-PID of the supervisor's own CANCEL and terminate (it is not a process). */
const SUPERVISOR = '';

export class ServiceSupervisor {
  private st: ServiceState = 'Stopped';
  private pid: string | null = null;
  private runs = 0;
  private counted = 0;
  private runToken = 0;
  private runStartedAt = 0;
  private restartTimer: Cancel | null = null;
  private restartInMs: number | null = null;
  private stopWait: { done: Promise<void>; resolve: () => void; timer: Cancel | null; forced: boolean } | null = null;
  private lastError: ErrorInfo | null = null;
  private value: Payload | null = null;
  private readonly listeners: StateListener[] = [];

  constructor(readonly entry: ServiceEntry, private readonly deps: SupervisorDeps) {}

  get state(): ServiceState {
    return this.st;
  }

  status(): ServiceStatus {
    return {
      id: this.entry.id, state: this.st, pid: this.pid, runs: this.runs, counted: this.counted,
      restartInMs: this.restartInMs, lastError: this.lastError, value: this.value,
    };
  }

  /** Called after every state change (tests, the CLI). */
  onChange(fn: StateListener): void {
    this.listeners.push(fn);
  }

  /** Start a first run; resolves once it is Running, rejects if it could not be spawned. */
  start(): Promise<void> {
    if (this.st === 'Running' || this.st === 'Starting' || this.restartTimer) return Promise.resolve();
    if (this.stopWait) return Promise.reject(new WippyError(ErrorCode.INTERNAL, `service ${this.entry.id} is still stopping`));
    this.counted = 0;
    const err = this.launch();
    if (err) return Promise.reject(new WippyError(ErrorCode.LUA_ERROR, oneLine(err), { info: err }));
    return Promise.resolve();
  }

  /**
   * Stop: CANCEL the live run and wait up to `timeoutMs` for it to exit, then terminate it; or
   * drop a pending restart. Resolves when the service is no longer running.
   */
  stop(timeoutMs: number): Promise<void> {
    if (this.stopWait) return this.stopWait.done;
    if (this.restartTimer) {
      this.restartTimer();
      this.restartTimer = null;
      this.restartInMs = null;
      this.setState('Stopped', 'info', `service ${this.entry.id} stopped (pending restart canceled)`);
      return Promise.resolve();
    }
    const pid = this.pid;
    if (pid === null) return Promise.resolve();
    let resolve!: () => void;
    const done = new Promise<void>((r) => { resolve = r; });
    const wait = { done, resolve, timer: null as Cancel | null, forced: false };
    this.stopWait = wait;
    this.setState('Stopping', 'info', `service ${this.entry.id} stopping (pid ${pid}, timeout ${formatDuration(timeoutMs)})`);
    this.deps.node.cancel(SUPERVISOR, pid, 'service stopping');
    if (this.stopWait === wait) {
      wait.timer = this.deps.clock.setTimer(timeoutMs, () => {
        wait.timer = null;
        if (this.stopWait !== wait || this.pid === null) return;
        wait.forced = true;
        this.deps.log('warn', `service ${this.entry.id} did not stop within ${formatDuration(timeoutMs)}; terminating ${this.pid}`);
        this.deps.node.terminate(SUPERVISOR, this.pid);
        // The node reports the exit synchronously; if the process was already gone, finish here.
        if (this.stopWait === wait) this.exited({ error: { kind: ErrorKind.Canceled, message: 'terminated' } }, this.runToken);
      });
    }
    return done;
  }

  /** Spawn one run. Returns the spawn error, if any (already handled as a failed run). */
  private launch(): ErrorInfo | null {
    const token = ++this.runToken;
    this.runs++;
    this.restartInMs = null;
    const attempt = this.counted + 1;
    this.setState('Starting', 'info', `service ${this.entry.id} starting${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    this.runStartedAt = this.deps.clock.now();
    // A main that returns without waiting exits inside spawn: hold that exit until Running is set.
    let spawning = true;
    const early: { result?: CallResult } = {};
    const e = this.entry;
    const args = e.input.map((v) => JSON.stringify(v ?? null));
    const r = this.deps.node.spawn(e.process, e.host, args, null, {}, (result) => {
      if (spawning) early.result = result;
      else this.exited(result, token);
    });
    spawning = false;
    if ('error' in r) {
      // Spawn errors (a chunk that raises while loading, a missing entry) repeat on every try.
      const err = { ...r.error, retryable: false };
      this.failed(err, 0);
      return err;
    }
    this.pid = r.pid;
    this.setState('Running', 'info', `service ${e.id} running (pid ${r.pid}, attempt ${attempt})`);
    if (early.result) this.exited(early.result, token);
    return null;
  }

  private exited(result: CallResult, token: number): void {
    if (token !== this.runToken || this.pid === null) return;
    const pid = this.pid;
    this.pid = null;
    const ranMs = this.deps.clock.now() - this.runStartedAt;
    const id = this.entry.id;
    const wait = this.stopWait;
    if (wait) {
      this.stopWait = null;
      if (wait.timer) wait.timer();
      const how = wait.forced ? ' (terminated)' : result.error ? ` (${oneLine(result.error)})` : '';
      this.setState('Stopped', 'info', `service ${id} stopped${how}`);
      wait.resolve();
      return;
    }
    if (!result.error) {
      this.value = result.value ?? 'null';
      this.setState('Exited', 'info', `service ${id} exited normally (pid ${pid}, returned ${clip(this.value)}); not restarting`);
      return;
    }
    this.failed(result.error, ranMs);
  }

  private failed(error: ErrorInfo, ranMs: number): void {
    const id = this.entry.id;
    const lc = this.entry.lifecycle;
    this.lastError = error;
    const v = judgeFailure({ policy: lc.restart, stableThresholdMs: lc.stableThresholdMs, counted: this.counted, ranMs, error, random: this.deps.random });
    this.counted = v.attempt;
    const max = lc.restart.maxAttempts;
    const of = max > 0 ? ` of ${max}` : '';
    if (v.action === 'give-up') {
      const why = v.reason === 'not-retryable' ? 'not retryable' : `attempt ${v.attempt}${of}, giving up`;
      this.setState('Failed', 'error', `service ${id} failed: ${oneLine(error)} (${why}); not restarting`);
      return;
    }
    this.restartInMs = v.delayMs;
    this.restartTimer = this.deps.clock.setTimer(v.delayMs, () => {
      this.restartTimer = null;
      this.launch();
    });
    this.setState('Failed', 'warn', `service ${id} failed: ${oneLine(error)} (attempt ${v.attempt}${of}); restarting in ${formatDuration(v.delayMs)}`);
  }

  private setState(state: ServiceState, level: 'info' | 'warn' | 'error', message: string): void {
    this.st = state;
    this.deps.log(level, message);
    const s = this.status();
    for (const fn of this.listeners) fn(s);
  }
}

/** `Kind: message`, first line only (a raised error's message may carry a traceback). */
function oneLine(e: ErrorInfo): string {
  return formatErrorInfo(e).split('\n')[0];
}

function clip(payload: string): string {
  return payload.length > 80 ? `${payload.slice(0, 77)}...` : payload;
}
