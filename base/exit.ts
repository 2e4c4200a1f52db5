/**
 * Exit statuses of the `wippy` command, decided in one place.
 *
 * Owns: the number for every way a command can end (`exitCodeFor`). Commands say what happened
 * (an outcome, or the error they failed with); they never write a number themselves. Invariants:
 * a status never changes meaning once shipped (scripts test them); every WippyError code maps to
 * one status; anything that is not a WippyError is a bug in wippy (70, like sysexits' EX_SOFTWARE).
 */
import { ErrorCode, WippyError } from './errors';

/** How a command ended, when it did not fail with an error. */
export const ExitStatus = {
  /** Done: the entry succeeded, every file matched, the store is sound. */
  ok: 0,
  /** The entry or a file failed, a workflow is not there or has finished, a stop ran out of time. */
  failed: 1,
  /** Bad usage: a registry, an argument, an option or a golden file that cannot be used. */
  usage: 2,
  /** `wippy run -x` of a workflow that got parked (its report is on stderr). */
  parked: 3,
  /** The store is damaged (`wippy store check`, or the check beside `wippy run`). */
  damaged: 4,
  /** A bug in wippy. */
  internal: 70,
  /** A second SIGINT/SIGTERM while stopping: exited without waiting (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitOutcome = keyof typeof ExitStatus;

/** The status for an outcome, or for the error a command failed with. */
export function exitCodeFor(what: ExitOutcome | Error): number {
  if (typeof what === 'string') return ExitStatus[what];
  if (!(what instanceof WippyError)) return ExitStatus.internal;
  switch (what.code) {
    case ErrorCode.REGISTRY_INVALID: return ExitStatus.usage;
    case ErrorCode.BAD_ARGUMENT: return ExitStatus.usage;
    case ErrorCode.ENTRY_NOT_FOUND: return ExitStatus.usage;
    case ErrorCode.GOLDEN_INVALID: return ExitStatus.usage;
    case ErrorCode.STORE_DAMAGED: return ExitStatus.damaged;
    case ErrorCode.INTERNAL: return ExitStatus.internal;
    default: return ExitStatus.failed;
  }
}
