/**
 * Effects of committed commands: activities (function calls with retries) and durable timers.
 *
 * Owns: running each at most once per process (in-flight sets keyed `workflowId:cmd`), retry
 * timing, and turning the outcome into the completing event, which it hands back through
 * `complete`. Invariants: a timer is armed only after its command is committed; an activity
 * starts in the same turn as its command, before that turn's commit (hooks.ts says why); an
 * activity's `activity_id` context value is that same key, stable across retries and restarts;
 * nothing is recorded once the engine is closed or the workflow has ended.
 */
import { retryPolicyFrom, nextDelay } from './retry';
import type { RecordOf, EventRecord } from '../store/events';
import type { Clock } from '../live-services';
import type { CallRequest, CallResult, Cancel } from '../services';

export interface EffectDeps {
  clock: Clock;
  call(req: CallRequest, done: (r: CallResult) => void): Cancel;
  /** A recorded answer instead of running the function (golden re-recording). */
  answerCall?(workflowId: string, rec: RecordOf<'call'>): { result: CallResult; at?: number; attempts?: number } | null;
  /** Append the completing event if the workflow still runs. */
  complete(workflowId: string, ev: EventRecord): void;
  closed(): boolean;
}

export class Effects {
  private readonly inflight = new Set<string>();
  private readonly timers = new Map<string, Cancel>();

  constructor(private readonly deps: EffectDeps) {}

  startActivity(id: string, rec: RecordOf<'call'>): void {
    const key = `${id}:${rec.cmd}`;
    if (this.inflight.has(key)) return;
    this.inflight.add(key);
    const { clock } = this.deps;
    const answer = this.deps.answerCall?.(id, rec);
    if (answer) {
      clock.setTimer(Math.max(0, (answer.at ?? 0) - clock.now()), () => this.finish(id, key, rec.cmd, answer.result, answer.attempts ?? 1));
      return;
    }
    let policy: ReturnType<typeof retryPolicyFrom>;
    try { policy = retryPolicyFrom(rec.options); } catch (e) {
      this.finish(id, key, rec.cmd, { error: { kind: 'Invalid', message: `bad retry policy: ${(e as Error).message}`, retryable: false } }, 1);
      return;
    }
    const attempt = (n: number): void => {
      this.deps.call({ id: rec.fn, args: rec.args, context: { activity_id: key, workflow_id: id, attempt: n } }, (r) => {
        if (this.deps.closed()) return;
        const delay = r.error ? nextDelay(policy, r.error, n) : null;
        if (delay !== null) { clock.setTimer(delay, () => { if (!this.deps.closed()) attempt(n + 1); }); return; }
        this.finish(id, key, rec.cmd, r, n);
      });
    };
    attempt(1);
  }

  private finish(id: string, key: string, cmd: number, r: CallResult, attempts: number): void {
    this.inflight.delete(key);
    if (this.deps.closed()) return;
    this.deps.complete(id, { type: 'call_done', of: cmd, at: this.deps.clock.now(), ...(r.error ? { error: r.error } : { value: r.value ?? 'null' }), attempts });
  }

  armTimer(id: string, cmd: number, fireAt: number): void {
    const key = `${id}:${cmd}`;
    if (this.timers.has(key)) return;
    const { clock } = this.deps;
    this.timers.set(key, clock.setTimer(fireAt - clock.now(), () => {
      this.timers.delete(key);
      if (this.deps.closed()) return;
      this.deps.complete(id, { type: 'timer_fired', of: cmd, at: Math.max(clock.now(), fireAt) });
    }));
  }

  disarmTimer(id: string, cmd: number): void {
    const key = `${id}:${cmd}`;
    this.timers.get(key)?.();
    this.timers.delete(key);
  }

  /** Cancel every pending timer (the engine is closing). */
  stop(): void {
    for (const c of this.timers.values()) c();
    this.timers.clear();
  }
}
