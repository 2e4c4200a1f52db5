/**
 * The restart arithmetic of a supervised service, as pure functions: which failures count, when
 * to give up, and how long to wait before the next run.
 *
 * Owns: `restartDelay` (exponential backoff with jitter) and `judgeFailure` (Wippy's attempt
 * counting). Invariants: nothing here reads a clock or a global random source: the caller passes
 * the run's duration and a `random()` in [0, 1), so the same inputs always give the same answer;
 * delays are whole milliseconds, never negative.
 *
 * Semantics (SPEC.md section 2, WIPPY-API.md section 4):
 * - `max_attempts: N` is N runs in all (the first run plus N-1 restarts); 0 means unlimited.
 * - A failed run that lasted at least `stable_threshold` (when that is > 0) resets the count to
 *   zero before the failure is counted, so it counts as attempt 1 again.
 * - The delay after the n-th counted failure is `initial_delay * backoff_factor^(n-1)`, capped at
 *   `max_delay`, then scaled by a factor drawn uniformly from [1 - jitter, 1 + jitter]. Jitter is
 *   applied after the cap, so a capped delay may exceed `max_delay` by at most `jitter`.
 * - An error whose `retryable` is false is terminal, and so is kind `Canceled` (a terminate or a
 *   linked failure that killed the process), as in Wippy's `isTerminalError`.
 */
import type { RestartPolicy } from '../../registry/types';
import { ErrorKind, type ErrorInfo } from '../../base/errors';
import { disposition } from '../../base/disposition';

/** Kinds a service is never restarted after, whatever its policy says. */
const TERMINAL_KINDS: readonly string[] = [ErrorKind.Canceled];

/** The wait in ms before restarting after the `attempt`-th counted failure (1-based). */
export function restartDelay(policy: RestartPolicy, attempt: number, random: () => number): number {
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.min(policy.initialDelayMs * Math.pow(policy.backoffFactor, n - 1), policy.maxDelayMs);
  const r = Math.min(Math.max(random(), 0), 1);
  const factor = 1 + policy.jitter * (2 * r - 1);
  const ms = Math.round(base * factor);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** True when an error exit must not be restarted whatever the policy says. */
export function isTerminalError(err: ErrorInfo): boolean {
  return disposition(err, { finalKinds: TERMINAL_KINDS }) !== 'retry';
}

/** What to do about one failed run. */
export type FailureVerdict =
  | { action: 'restart'; attempt: number; delayMs: number }
  | { action: 'give-up'; attempt: number; reason: 'not-retryable' | 'max-attempts' };

export interface FailureInput {
  policy: RestartPolicy;
  stableThresholdMs: number;
  /** Failures counted since the last reset (before this one). */
  counted: number;
  /** How long the failed run lasted, in ms. */
  ranMs: number;
  error: ErrorInfo;
  random: () => number;
}

/**
 * Count one failure and decide. `attempt` in the verdict is the new count: the caller stores it
 * as its `counted` value.
 */
export function judgeFailure(input: FailureInput): FailureVerdict {
  const { policy, stableThresholdMs, ranMs, error } = input;
  const counted = stableThresholdMs > 0 && ranMs >= stableThresholdMs ? 0 : input.counted;
  const attempt = counted + 1;
  if (isTerminalError(error)) return { action: 'give-up', attempt, reason: 'not-retryable' };
  if (policy.maxAttempts > 0 && attempt >= policy.maxAttempts) return { action: 'give-up', attempt, reason: 'max-attempts' };
  return { action: 'restart', attempt, delayMs: restartDelay(policy, attempt, input.random) };
}
