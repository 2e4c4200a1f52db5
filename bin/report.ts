/**
 * Printing failures for the CLI: one place that turns any thrown value into stderr text and an
 * exit status. User mistakes (WippyError.userFacing, registry problems, Lua errors) print their
 * message alone; anything else is a runtime bug and prints its stack.
 */
import { WippyError, formatErrorInfo, type ErrorInfo } from '../base/errors';
import { exitCodeFor } from '../base/exit';
import { LuaError } from '../lua/task';

export function reportFailure(e: unknown): number {
  if (e instanceof WippyError && e.userFacing) {
    process.stderr.write(`error: ${e.message}\n`);
    return exitCodeFor(e);
  }
  if (e instanceof LuaError) {
    process.stderr.write(`error: ${e.message}\n`);
    return exitCodeFor('failed');
  }
  const err = e as Error;
  process.stderr.write(`internal error (a bug in wippy, please report it): ${err?.stack ?? String(e)}\n`);
  return exitCodeFor('internal');
}

/** An entry's error result: `error: Kind: message`, then the Lua traceback when there is one. */
export function reportErrorResult(info: ErrorInfo): void {
  process.stderr.write(`error: ${formatErrorInfo(info)}\n`);
  if (info.stack) {
    const tb = info.stack.split('\n').slice(1).join('\n');
    if (tb.trim()) process.stderr.write(`${tb}\n`);
  }
}
