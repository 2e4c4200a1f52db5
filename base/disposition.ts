/**
 * What to do about a failure: retry it, let it fail, or park it. Decided here for every layer.
 *
 * Owns: `disposition`, used by the activity retry policy (runtime/engine/retry.ts), the service
 * supervisor (app/supervisor/backoff.ts) and the workflow instance (runtime/engine/instance.ts).
 * Each caller adds only what is its own: the attempt count and backoff (retry.ts, backoff.ts),
 * and the kinds it treats as final (an activity's `non_retryable_error_types`; Canceled for a
 * service, as in Wippy's `isTerminalError`).
 *
 * Invariants: a script stopped in one activation (instruction budget or memory limit) is parked,
 * never failed and never retried: it would stop the same way again, and a workflow that is
 * parked keeps its history for when the code is fixed; an error with `retryable: false` is never
 * retried; `retryable` unset means retryable (Wippy's and Temporal's default).
 */
import { ErrorCode, type ErrorInfo } from './errors';

export type Disposition = 'retry' | 'fail' | 'park';

export interface DispositionOptions {
  /** The JS error code the failure came with (a LuaError's `code`), when there is one. */
  code?: ErrorCode;
  /** Kinds the caller never retries. */
  finalKinds?: readonly string[];
}

/** Codes of a script stopped in one activation (lua/budget.ts raises them). */
const PARK_CODES: readonly ErrorCode[] = [ErrorCode.BUDGET_EXCEEDED, ErrorCode.MEMORY_EXCEEDED];

/** Retry, fail or park: the one decision (the caller counts attempts and waits). */
export function disposition(error: ErrorInfo, opts: DispositionOptions = {}): Disposition {
  if (opts.code !== undefined && PARK_CODES.includes(opts.code)) return 'park';
  if (error.retryable === false) return 'fail';
  if (opts.finalKinds?.includes(error.kind)) return 'fail';
  return 'retry';
}
