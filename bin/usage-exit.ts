/**
 * The one exit of commander's own failures: every command group passes `exitOnUsageError` to
 * `.exitOverride(...)`. Help and version exit 0; a usage mistake (missing argument, unknown
 * option) exits 2 like any other bad input (`exitCodeFor('usage')`). Commander has already
 * printed its message (synchronously) when this runs. Kept apart from bin/report.ts, which loads
 * the Lua host: `wippy --help` must stay fast.
 */
import { exitCodeFor } from '../base/exit';

export function exitOnUsageError(err: { exitCode: number }): never {
  return process.exit(exitCodeFor(err.exitCode === 0 ? 'ok' : 'usage'));
}
