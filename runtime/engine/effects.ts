/**
 * Effects of committed commands: activities (function calls with retries) and durable timers.
 *
 * Owns: running each at most once per process (in-flight sets keyed `workflowId:cmd`), retry
 * timing, and turning the outcome into the completing event, which it hands back through
 * `complete`. Invariants: a timer is armed only after its command is committed; an activity
 * starts in the same turn as its command, before that turn's commit (hooks.ts says why); an
 * activity's `activity_id` context value is that same key, stable across retries and restarts;
 * a failed attempt that will be retried is recorded (`attempt_failed`: its number, error and the
 * next due time) and its backoff starts only once that record is committed, so after a crash the
 * count and the due time continue where they were (only an attempt cut off while it ran can run
 * again, under its own number); nothing is recorded once the engine is closed or the workflow
 * has ended.
 */
import { retryPolicyFrom, nextDelay } from './retry';
import type { RecordOf, EventRecord } from '../store/events';
import type { Clock } from '../../base/clock';
import type { CallRequest, CallResult, Cancel } from '../../base/payload';
import { ErrorKind } from '../../base/errors';

/**
 * A recorded answer to a call (golden re-recording): its final result, completion time and
 * attempt count, and the failed attempts recorded before it (appended again, as recorded).
 */
export interface CallAnswer { result: CallResult; at?: number; attempts?: number; failures?: Array<RecordOf<'attempt_failed'>> }

export interface EffectDeps {
  clock: Clock;
  call(req: CallRequest, done: (r: CallResult) => void): Cancel;
  /** A recorded answer instead of running the function (golden re-recording). */
  answerCall?(workflowId: string, rec: RecordOf<'call'>): CallAnswer | null;
  /** Append the completing event (or an `attempt_failed` record) if the workflow still runs. */
  complete(workflowId: string, ev: EventRecord | RecordOf<'attempt_failed'>): void;
  /** Run `fn` once everything appended so far is committed. */
  afterCommit(fn: () => void): void;
  /** True when the registry has an entry `id` (a call to a missing one is never retried). */
  hasEntry(id: string): boolean;
  /** The context values the workflow was started with (a Spawner's with_context): its activities see them too. */
  contextOf(workflowId: string): Record<string, unknown> | undefined;
  closed(): boolean;
}

export class Effects {
  private readonly inflight = new Set<string>();
  private readonly timers = new Map<string, Cancel>();

  constructor(private readonly deps: EffectDeps) {}

  /** `retry`: the last failed attempt recorded before a restart (the next one is due at `due`). */
  startActivity(id: string, rec: RecordOf<'call'>, retry?: { attempt: number; due: number }): void {
    const key = `${id}:${rec.cmd}`;
    if (this.inflight.has(key)) return;
    this.inflight.add(key);
    const { clock } = this.deps;
    const answer = this.deps.answerCall?.(id, rec);
    if (answer) {
      // Its recorded failed attempts first, each at its own time, then its result.
      for (const f of answer.failures ?? []) this.after(f.at, () => this.deps.complete(id, { ...f, of: rec.cmd }));
      clock.setTimer(Math.max(0, (answer.at ?? 0) - clock.now()), () => this.finish(id, key, rec.cmd, answer.result, answer.attempts ?? 1));
      return;
    }
    let policy: ReturnType<typeof retryPolicyFrom>;
    try { policy = retryPolicyFrom(rec.options); } catch (e) {
      this.finish(id, key, rec.cmd, { error: { kind: ErrorKind.Invalid, message: `bad retry policy: ${(e as Error).message}`, retryable: false } }, 1);
      return;
    }
    const base = this.deps.contextOf(id);
    const attempt = (n: number): void => {
      this.deps.call({ id: rec.fn, args: rec.args, context: { ...base, activity_id: key, workflow_id: id, attempt: n } }, (r) => {
        if (this.deps.closed()) return;
        // A missing activity: Wippy's NotFound says retryable (Temporal retries an activity no
        // worker has yet); here the registry is fixed for the run, so a retry could never find
        // it: the call fails at once (SPEC 3), carrying Wippy's flag (docs/wippy-differences.md).
        if (r.error && !this.deps.hasEntry(rec.fn)) { this.finish(id, key, rec.cmd, { error: { ...r.error, retryable: true } }, n); return; }
        const delay = r.error ? nextDelay(policy, r.error, n) : null;
        if (delay === null) { this.finish(id, key, rec.cmd, r, n); return; }
        const at = clock.now(); // one reading: due - at is exactly the backoff
        const due = at + delay;
        this.deps.complete(id, { type: 'attempt_failed', of: rec.cmd, at, attempt: n, error: r.error!, due });
        this.deps.afterCommit(() => this.after(due, () => attempt(n + 1)));
      });
    };
    if (!retry) { attempt(1); return; }
    // A restart during a backoff: continue with the next attempt at its recorded due time.
    this.after(retry.due, () => attempt(retry.attempt + 1));
  }

  private after(due: number, fn: () => void): void {
    const { clock } = this.deps;
    clock.setTimer(Math.max(0, due - clock.now()), () => { if (!this.deps.closed()) fn(); });
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
