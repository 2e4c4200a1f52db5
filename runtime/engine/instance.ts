/**
 * One workflow run in memory: its Lua state, its replay cursor, and the rules that keep a re-run
 * identical to the recorded one.
 *
 * The history is a log of commands (emitted by the script) and events (delivered to it). An
 * ACTIVATION delivers every consecutive undelivered event, then runs the workflow's ready tasks
 * until all wait (quiescence). Commands emitted during an activation follow its events in the
 * log. Replay applies the same rule to the recorded log, so the script sees the same events at
 * the same points and must emit the same commands; the first difference parks the workflow.
 *
 * Invariants: a workflow's Lua tasks are resumed only from its own ready queue (never by the
 * global scheduler), so an activation is one synchronous run; the engine calls `pump` only when
 * every record of this workflow is committed; a recorded command's stored result (uuid value,
 * child id, send outcome) is what the script gets on replay; bookkeeping records (a failed
 * attempt of an activity) are stepped over, never delivered or matched, and only remembered for
 * the engine (`retries`); once parked, nothing more happens.
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
import type { EngineHooks } from './hooks';

type Waiter = (ev: EventRecord) => void;

/**
 * A command still waiting for its completion. `live` ones were emitted by this process and their
 * effects start when they commit; replayed ones may need re-dispatching after a restart.
 */
export interface OpenCommand { rec: CommandRecord; live: boolean; fireAt?: number }

export class WorkflowInstance {
  /** Every record of this workflow known to this process, committed or not (engine appends). */
  readonly history: HistoryRecord[];
  /** Next record to consume. */
  pos = 1;
  private nextCmd = 0;
  clockMs: number;
  readonly startMs: number;
  readonly mailbox: Mailbox;
  host!: LuaHost;
  private main!: Task;
  private readonly ready: Array<() => void> = [];
  private readonly waiters = new Map<number, Waiter>();
  readonly open = new Map<number, OpenCommand>();
  readonly versions = new Map<string, number>();
  /** Per call command: its last recorded failed attempt and when the next one is due. */
  readonly retries = new Map<number, { attempt: number; due: number }>();
  parkedReport: string | null = null;
  /** The divergence that parked this run, if that is why (golden replay reads its tier). */
  divergence: Divergence | null = null;
  done = false;
  /** True once the replay has caught up with the history (the engine dispatched open effects). */
  caughtUp = false;
  /**
   * Golden-file replay: never go live. A command past the end of the history is an extra step
   * (a divergence) instead of a new record.
   */
  replayOnly = false;
  private started = false;

  constructor(readonly engine: EngineHooks<WorkflowInstance>, readonly id: string, readonly entry: LuaEntry, history: HistoryRecord[]) {
    this.history = history;
    const s = history[0] as RecordOf<'started'>;
    this.clockMs = s.at;
    this.startMs = s.at;
    this.mailbox = new Mailbox(engine.codec);
  }

  get started0(): RecordOf<'started'> {
    return this.history[0] as RecordOf<'started'>;
  }

  /** True while the script is re-emitting recorded commands. */
  get replaying(): boolean {
    this.skipBookkeeping();
    return this.pos < this.history.length;
  }

  /** Step over bookkeeping records at the cursor, remembering what they say for the engine. */
  private skipBookkeeping(): void {
    while (this.pos < this.history.length) {
      const r = this.history[this.pos];
      if (!isBookkeeping(r)) return;
      this.retries.set(r.of, { attempt: r.attempt, due: r.due });
      this.pos++;
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

  /** Deliver committed events and run to quiescence, as many times as the log allows. */
  pump(): void {
    let first = !this.started;
    this.started = true;
    while (!this.done && this.parkedReport === null) {
      let delivered = false;
      while (this.replaying && isEvent(this.history[this.pos])) {
        this.deliver(this.history[this.pos++] as EventRecord);
        delivered = true;
      }
      if (!delivered && !first) break;
      first = false;
      this.drain();
      if (this.done || this.parkedReport !== null) return;
      if (this.replaying) {
        const next = this.history[this.pos];
        if (isCommand(next) || isEnd(next)) {
          this.diverge({ tier: 'missing', cmd: isCommand(next) ? next.cmd : this.nextCmd, index: this.pos, recorded: next, attempted: null, detail: 'the code no longer reaches this step' });
          return;
        }
      }
    }
    if (!this.done && this.parkedReport === null && !this.caughtUp && !this.replaying) {
      this.caughtUp = true;
      this.engine.caughtUp(this);
    }
  }

  private drain(): void {
    this.host.resetBudget();
    while (this.ready.length && this.parkedReport === null && !this.done) this.ready.shift()!();
  }

  private deliver(ev: EventRecord): void {
    this.clockMs = Math.max(this.clockMs, ev.at);
    switch (ev.type) {
      case 'signal':
        this.mailbox.deliver({ topic: ev.topic, from: ev.from, payloads: ev.payloads });
        return;
      case 'cancel_requested':
        this.mailbox.deliverEvent({ kind: 'pid.cancel', from: ev.from, at: rfc3339(ev.at), reason: ev.reason });
        return;
      default: {
        this.open.delete(ev.of);
        this.retries.delete(ev.of);
        const w = this.waiters.get(ev.of);
        this.waiters.delete(ev.of);
        if (w) w(ev);
      }
    }
  }

  /**
   * Record (live) or match (replay) a command. Returns the record the script must act on: the
   * recorded one on replay (with its stored results). Throws RaiseInLua once parked.
   */
  emit<T extends CommandRecord>(rec: T): { rec: T; live: boolean } {
    if (this.parkedReport !== null) throw new RaiseInLua('workflow is parked (non-determinism); see wippy workflow show');
    if (this.done) throw new RaiseInLua('workflow has already finished');
    rec.cmd = this.nextCmd;
    rec.line = this.host.callerLine();
    if (this.replaying || this.replayOnly) {
      const recorded: HistoryRecord | null = this.replaying ? this.history[this.pos] : null;
      const d: Divergence | null = recorded && isCommand(recorded)
        ? matchCommand(recorded, rec, this.pos)
        : { tier: 'extra', cmd: rec.cmd, index: this.pos, recorded, attempted: rec, detail: 'the code now does a step that the history does not have' };
      if (d) { this.diverge(d); throw new RaiseInLua('workflow parked: non-determinism (the code no longer matches its history)'); }
      this.pos++;
      this.nextCmd = (recorded as T).cmd + 1;
      return { rec: recorded as T, live: false };
    }
    this.nextCmd++;
    this.engine.appendRecord(this.id, rec);
    this.pos = this.history.length;
    return { rec, live: true };
  }

  /** Wait for the event completing command `cmd` (and remember it as open until then). */
  awaitCompletion(rec: CommandRecord, live: boolean, fn: Waiter, fireAt?: number): void {
    this.open.set(rec.cmd, { rec, live, fireAt });
    this.waiters.set(rec.cmd, fn);
  }

  /** Stop waiting for a command's completion (e.g. a future nobody reads). */
  forget(cmd: number): void {
    this.waiters.delete(cmd);
  }

  /** workflow.version: see services.ts WorkflowApi. */
  version(change: string, min: number, max: number): number {
    const known = this.versions.get(change);
    if (known !== undefined) return known;
    let v: number;
    if (this.replaying) {
      const r = this.history[this.pos];
      if (r.type === 'version' && r.change === change) {
        this.pos++;
        this.nextCmd = r.cmd + 1;
        v = r.version;
      } else {
        v = min; // started before this change: keep the old path, record nothing
      }
    } else {
      v = this.emit({ type: 'version', cmd: 0, change, version: max, line: '' }).rec.version; // diverges when replayOnly
    }
    this.versions.set(change, v);
    return v;
  }

  private onMainExit(o: TaskOutcome): void {
    if (!o.ok && disposition(o.error.info, { code: o.error.code }) === 'park') { this.parkForBudget(o.error.message); return; }
    if (this.parkedReport !== null) return;
    if (this.replaying) {
      const next = this.history[this.pos];
      if (isCommand(next)) {
        this.diverge({ tier: 'missing', cmd: next.cmd, index: this.pos, recorded: next, attempted: null, detail: 'the code now ends before this step' });
        return;
      }
    }
    this.finishWith(resultOf(o));
  }

  private finishWith(result: CallResult): void {
    if (this.done || this.parkedReport !== null) return;
    this.done = true;
    this.mailbox.close();
    this.host.killSpawned();
    this.engine.finished(this, result);
  }

  private parkForBudget(message: string): void {
    this.park(`workflow ${this.id} (${this.entry.id}) was stopped in one activation:\n  ${message}\nThe workflow is parked, not failed: fix the code and restart \`wippy run\`.`);
  }

  private diverge(d: Divergence): void {
    this.divergence = d;
    this.park(formatDivergence({ id: `workflow ${this.id}`, entry: this.entry.id }, d));
  }

  park(report: string): void {
    if (this.parkedReport !== null || this.done) return;
    this.parkedReport = report;
    this.mailbox.close();
    this.engine.parked(this, report);
  }
}
