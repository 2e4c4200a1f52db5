/**
 * Activity retry policy: parsing `activity.retry_policy` options and deciding the next attempt.
 *
 * Defaults follow Temporal: unlimited attempts, 1s initial interval, coefficient 2, at most 100s
 * between attempts. An error whose `retryable` is false, whose kind is listed in
 * `non_retryable_error_types`, or that is `NotFound` for an unknown function is never retried
 * (base/disposition.ts decides; this file counts attempts and computes the wait).
 * Intervals are Go duration strings or numbers of milliseconds (Wippy's convention for options).
 */
import { parseDuration } from '../../base/duration';
import type { ErrorInfo } from '../../base/errors';
import { disposition } from '../../base/disposition';
import { optionGet } from './start-options';

export interface RetryPolicy {
  maximumAttempts: number; // 0 = unlimited
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  nonRetryable: string[];
}

export const DEFAULT_RETRY: RetryPolicy = {
  maximumAttempts: 0, initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 100_000, nonRetryable: [],
};

function interval(v: unknown, def: number, what: string): number {
  if (v === undefined || v === null) return def;
  if (typeof v === 'number') return v;
  return parseDuration(v, what);
}

/**
 * Read the policy from funcs options (`activity.retry_policy`, Wippy's legacy
 * `temporal.activity.retry_policy`, or `retry_policy`). Throws on bad values.
 */
export function retryPolicyFrom(options: Record<string, unknown> | undefined): RetryPolicy {
  const raw = (optionGet(options, 'activity.retry_policy') ?? options?.retry_policy) as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== 'object') return DEFAULT_RETRY;
  const num = (k: string, def: number) => (typeof raw[k] === 'number' ? (raw[k] as number) : def);
  return {
    maximumAttempts: Math.max(0, Math.floor(num('maximum_attempts', 0))),
    initialIntervalMs: interval(raw.initial_interval, DEFAULT_RETRY.initialIntervalMs, 'initial_interval'),
    backoffCoefficient: Math.max(1, num('backoff_coefficient', DEFAULT_RETRY.backoffCoefficient)),
    maximumIntervalMs: interval(raw.maximum_interval, DEFAULT_RETRY.maximumIntervalMs, 'maximum_interval'),
    nonRetryable: Array.isArray(raw.non_retryable_error_types) ? (raw.non_retryable_error_types as unknown[]).map(String) : [],
  };
}

/** Delay before attempt `attempt + 1`, or null when the error is final. */
export function nextDelay(p: RetryPolicy, error: ErrorInfo, attempt: number): number | null {
  if (disposition(error, { finalKinds: p.nonRetryable }) !== 'retry') return null;
  if (p.maximumAttempts > 0 && attempt >= p.maximumAttempts) return null;
  const d = p.initialIntervalMs * p.backoffCoefficient ** (attempt - 1);
  return Math.min(d, p.maximumIntervalMs);
}
