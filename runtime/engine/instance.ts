/**
 * One workflow run in memory: its Lua state, its replay cursor, and the rules that keep a re-run
 * identical to the recorded one. Its driver sees it as `activate(records) -> Activation`
 * (hooks.ts): records in, commands and an outcome out.
 *
 * The history is a log of commands (emitted by the script) and events (delivered to it). An
 * ACTIVATION delivers every consecutive undelivered event, then runs the workflow's ready tasks
 * until all wait (quiescence). Commands emitted during an activation follow its events in the
 * log. Replay applies the same rule to the recorded log, so the script sees the same events at
 * the same points and must emit the same commands; the first difference parks the workflow.
 *
 * Invariants: a workflow's Lua tasks are resumed only from its own ready queue (never by the
 * global scheduler), so an activation is one synchronous run and commands are emitted only
 * inside one; the driver activates only with committed records, and appends the commands an
 * activation returns, in order, before anything else reaches this workflow's history; a
 * recorded command's stored result (uuid value, child id, send outcome) is what the script gets
 * on replay; bookkeeping records (a failed attempt of an activity) are stepped over, never
 * delivered or matched, and only remembered for the driver (`OpenCommand.retry`); once finished,
 * parked or terminated, nothing more happens. Only this class writes its fields.
 */
import { lua, RaiseInLua } from '../../lua/vm';
import { decode } from '../../lua/decode';
import { disposition } from '../../base/disposition';
import { resultOf } from '../functions/runner';
import { Mailbox } from '../process/mailbox';
import { rfc3339 } from '../process/process';
import { matchCommand, formatDivergence, Divergence } from './matcher';
import { isCommand, isEvent, isEnd, isBookkeeping, type CommandRecord, type EventRecord, type HistoryRecord, type RecordOf } from '../store/events';
import type { LuaHost } from '../../lua/host';
import type { Task, TaskOutcome } from '../../lua/task';
import type { LuaEntry } from '../../registry/types';
import type { CallResult } from '../../base/payload';
import type { Activation, CommandType, EffectOf, EngineHooks, InstanceOutcome, LiveCommand, OpenCommand } from './hooks';

type Waiter = (ev: EventRecord) => void;

/** A complete command record of type T, built from its number and Lua line. */
export type CommandBuilder<T extends CommandType> = (cmd: number, line: string) => RecordOf<T>;

export interface InstanceOptions {
  /**
   * Golden-file replay: never go live. A command past the end of the history is an extra step
   * (a divergence) instead of a new record.
   */
  replayOnly?: boolean;
}

export class WorkflowInstance {
  /** Every record delivered to this instance, and the live commands it emitted. */
  private readonly history: HistoryRecord[];
  /** Next record to consume. */
  private cursor = 1;
  private nextCmd = 0;
  private clock: number;
  readonly startMs: number;
  readonly mailbox: Mailbox;
  readonly replayOnly: boolean;
  private host!: LuaHost;
  private main!: Task;
  private readonly ready: Array<() => void> = [];
  private readonly waiters = new Map<number, Waiter>();
  private readonly openCmds = new Map<number, OpenCommand>();
  private readonly versions = new Map<string, number>();
  /** Per call command: its last recorded failed attempt and when the next one is due. */
  private readonly retries = new Map<number, { attempt: number; due: number }>();
  private outcome: InstanceOutcome | null = null;
  private terminated = false;
  private caughtUp = false;
  private started = false;
  /** The activation running now: where live commands go. */
  private current: Activation | null = null;

  constructor(hooks: EngineHooks, readonly id: string, readonly entry: LuaEntry, started: RecordOf<'started'>, opts: InstanceOptions = {}) {
    this.history = [started];
    this.clock = started.at;
    this.startMs = started.at;
    this.replayOnly = opts.replayOnly === true;
    this.mailbox = new Mailbox(hooks.codec);
  }

  get started0(): RecordOf<'started'> {
    return this.history[0] as RecordOf<'started'>;
  }

  /** The workflow clock: the time of the last delivered event. */
  get clockMs(): number {
    return this.clock;
  }

  /** History records consumed so far (the started record, commands, events). */
  get pos(): number {
    return this.cursor;
  }

  /** History records this instance holds (what it was given and what it emitted). */
  get records(): number {
    return this.history.length;
  }

  /** Records it was built from: the history its first activation replayed (1 for a new workflow). */
  get replayed(): number {
    return this.loaded;
  }
  private loaded = 1;

  /** Bytes of the records consumed so far (their JSON text): `workflow.history_size()`. */
  get historySize(): number {
    // The cursor only moves forward over an append-only history: extend the last sum.
    const end = Math.min(this.cursor, this.history.length);
    for (; this.sized < end; this.sized++) this.sizeSum += JSON.stringify(this.history[this.sized]).length;
    return this.sizeSum;
  }
  private sized = 0;
  private sizeSum = 0;

  /** False once the workflow finished, was parked or terminated. */
  get active(): boolean {
    return this.outcome === null && !this.terminated;
  }

  /** Commands waiting for their completion. */
  get open(): ReadonlyMap<number, OpenCommand> {
    return this.openCmds;
  }

  /** True while the script is re-emitting recorded commands. */
  get replaying(): boolean {
    this.skipBookkeeping();
    return this.cursor < this.history.length;
  }

  /** Step over bookkeeping records at the cursor, remembering what they say for the driver. */
  private skipBookkeeping(): void {
    while (this.cursor < this.history.length) {
      const r = this.history[this.cursor];
      if (!isBookkeeping(r)) return;
      this.retries.set(r.of, { attempt: r.attempt, due: r.due });
      this.cursor++;
    }
  }

  attach(host: LuaHost, fnRef: number): void {
    this.host = host;
    host.defer = (fn) => { this.ready.push(fn); };
    host.resetBudgetOnResume = false;
    host.onSpawnedError = (e) => {
      if (disposition(e.info, { code: e.code }) === 'park') this.parkForBudget(e.message);
      else this.finishWith({ error: { ...e.info, message: `a coroutine failed: ${e.info.message}` } });
    };
    const task = host.newTask((o) => this.onMainExit(o));
    this.main = task;
    lua.lua_rawgeti(task.thread, lua.LUA_REGISTRYINDEX, fnRef);
    const input = this.started0.input;
    for (const a of input) decode(task.thread, a);
    this.ready.push(() => task.start(input.length));
  }

  /**
   * Deliver committed records (after a restart: the whole recorded history past `started`) and
   * run to quiescence, as many times as the log allows. Returns what the driver must act on.
   */
  activate(records: readonly HistoryRecord[]): Activation {
    if (this.current) throw new Error(`workflow ${this.id}: activate() inside an activation`);
    const act: Activation = { commands: [], reopened: null, outcome: null };
    if (!this.active) return act;
    for (const r of records) this.history.push(r);
    if (!this.started) this.loaded = this.history.length;
    this.current = act;
    try {
      this.run();
    } finally {
      this.current = null;
    }
    act.outcome = this.outcome;
    return act;
  }

  private run(): void {
    let first = !this.started;
    this.started = true;
    while (this.active) {
      let delivered = false;
      while (this.replaying && isEvent(this.history[this.cursor])) {
        this.deliver(this.history[this.cursor++] as EventRecord);
        delivered = true;
      }
      if (!delivered && !first) break;
      first = false;
      this.drain();
      if (!this.active) return;
      if (this.replaying) {
        const next = this.history[this.cursor];
        if (isCommand(next) || isEnd(next)) {
          this.diverge({ tier: 'missing', cmd: isCommand(next) ? next.cmd : this.nextCmd, index: this.cursor, recorded: next, attempted: null, detail: 'the code no longer reaches this step' });
          return;
        }
      }
    }
    if (this.active && !this.caughtUp && !this.replaying) {
      this.caughtUp = true;
      const reopened: OpenCommand[] = [];
      for (const [cmd, o] of this.openCmds) if (!o.live) reopened.push({ ...o, retry: this.retries.get(cmd) });
      this.current!.reopened = reopened;
    }
  }

  private drain(): void {
    this.host.resetBudget();
    while (this.ready.length && this.active) this.ready.shift()!();
  }

  private deliver(ev: EventRecord): void {
    this.clock = Math.max(this.clock, ev.at);
    switch (ev.type) {
      case 'signal':
        this.mailbox.deliver({ topic: ev.topic, from: ev.from, payloads: ev.payloads });
        return;
      case 'cancel_requested':
        this.mailbox.deliverEvent({ kind: 'pid.cancel', from: ev.from, at: rfc3339(ev.at), reason: ev.reason });
        return;
      case 'call_done':
      case 'timer_fired':
      case 'child_done': {
        this.openCmds.delete(ev.of);
        this.retries.delete(ev.of);
        const w = this.waiters.get(ev.of);
        this.waiters.delete(ev.of);
        if (w) w(ev);
        return;
      }
      default: {
        const unhandled: never = ev;
        throw new Error(`workflow ${this.id}: no delivery for ${(unhandled as HistoryRecord).type}`);
      }
    }
  }

  /**
   * Record (live) or match (replay) a command built by `build` from its number and Lua line.
   * Returns the record the script must act on: the recorded one on replay (with its stored
   * results). A live one goes into this activation's commands with `effect`, the arguments of its
   * effect (hooks.ts EffectOf). Throws RaiseInLua once the workflow is parked or finished.
   */
  emit<T extends CommandType>(build: CommandBuilder<T>, effect: (rec: RecordOf<T>) => EffectOf[T]): { rec: RecordOf<T>; live: boolean } {
    if (this.outcome && 'parked' in this.outcome) throw new RaiseInLua('workflow is parked (non-determinism); see wippy workflow show');
    if (!this.active) throw new RaiseInLua('workflow has already finished');
    if (!this.current) throw new Error(`workflow ${this.id}: a command emitted outside an activation`);
    const built = build(this.nextCmd, this.host.callerLine());
    const rec = built as unknown as CommandRecord;
    if (this.replaying || this.replayOnly) {
      const recorded: HistoryRecord | null = this.replaying ? this.history[this.cursor] : null;
      const d: Divergence | null = recorded && isCommand(recorded)
        ? matchCommand(recorded, rec, this.cursor)
        : { tier: 'extra', cmd: rec.cmd, index: this.cursor, recorded, attempted: rec, detail: 'the code now does a step that the history does not have' };
      if (d) { this.diverge(d); throw new RaiseInLua('workflow parked: non-determinism (the code no longer matches its history)'); }
      this.cursor++;
      this.nextCmd = (recorded as CommandRecord).cmd + 1;
      return { rec: recorded as RecordOf<T>, live: false };
    }
    this.nextCmd++;
    this.history.push(rec);
    this.cursor = this.history.length;
    this.current.commands.push({ type: rec.type, rec, ...effect(built) } as LiveCommand);
    return { rec: built, live: true };
  }

  /** Wait for the event completing command `rec.cmd` (and remember it as open until then). */
  awaitCompletion(rec: CommandRecord, live: boolean, fn: Waiter, fireAt?: number): void {
    this.openCmds.set(rec.cmd, { rec, live, ...(fireAt !== undefined ? { fireAt } : {}) });
    this.waiters.set(rec.cmd, fn);
  }

  /** Stop waiting for a command's completion (e.g. a future nobody reads). */
  forget(cmd: number): void {
    this.waiters.delete(cmd);
  }

  /** A stopped timer: no longer waited for, no longer open. */
  close(cmd: number): void {
    this.waiters.delete(cmd);
    this.openCmds.delete(cmd);
  }

  /** workflow.version: see lua/services.ts WorkflowApi. */
  version(change: string, min: number, max: number): number {
    const known = this.versions.get(change);
    if (known !== undefined) return known;
    let v: number;
    if (this.replaying) {
      const r = this.history[this.cursor];
      if (r.type === 'version' && r.change === change) {
        this.cursor++;
        this.nextCmd = r.cmd + 1;
        v = r.version;
      } else {
        v = min; // started before this change: keep the old path, record nothing
      }
    } else {
      // Diverges when replayOnly.
      v = this.emit<'version'>((cmd, line) => ({ type: 'version', cmd, change, version: max, line }), () => ({})).rec.version;
    }
    this.versions.set(change, v);
    return v;
  }

  /** Terminated by its driver: stop its code for good (the driver records the end). */
  terminate(): void {
    if (!this.active) return;
    this.terminated = true;
    this.mailbox.close();
    this.host?.killSpawned();
  }

  private onMainExit(o: TaskOutcome): void {
    if (!o.ok && disposition(o.error.info, { code: o.error.code }) === 'park') { this.parkForBudget(o.error.message); return; }
    if (!this.active) return;
    if (this.replaying) {
      const next = this.history[this.cursor];
      if (isCommand(next)) {
        this.diverge({ tier: 'missing', cmd: next.cmd, index: this.cursor, recorded: next, attempted: null, detail: 'the code now ends before this step' });
        return;
      }
    }
    this.finishWith(resultOf(o));
  }

  private finishWith(result: CallResult): void {
    if (!this.active) return;
    this.outcome = { result };
    this.mailbox.close();
    this.host.killSpawned();
  }

  private parkForBudget(message: string): void {
    this.park(`workflow ${this.id} (${this.entry.id}) was stopped in one activation:\n  ${message}\nThe workflow is parked, not failed: fix the code and restart \`wippy run\`.`, null);
  }

  private diverge(d: Divergence): void {
    this.park(formatDivergence({ id: `workflow ${this.id}`, entry: this.entry.id }, d), d);
  }

  private park(report: string, divergence: Divergence | null): void {
    if (!this.active) return;
    this.outcome = { parked: report, divergence };
    this.mailbox.close();
  }
}

/** A per-workflow seed for math.random (FNV-1a of the id). */
export function workflowSeed(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) { h ^= id.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}
