/**
 * `wippy run PATH [-x ENTRY [ARG_JSON...]]`.
 *
 * Loads the registry (every mistake reported, nothing started), then either runs one entry to
 * completion (-x) or runs the registry's services until SIGINT/SIGTERM. The result of -x is the
 * last line of stdout, as JSON; an error result goes to stderr with exit status 1.
 */
import { Runtime } from '../runtime/runtime';
import { WippyError, ErrorCode } from '../runtime/errors';
import { reportErrorResult } from './report';

export interface RunOptions {
  exec?: string;
  db?: string;
  virtualTime?: boolean;
  budget?: number;
}

export async function runCommand(registryPath: string, rawArgs: string[], opts: RunOptions): Promise<number> {
  if (!opts.exec && rawArgs.length > 0) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `arguments (${rawArgs.join(' ')}) are only used with -x ENTRY`);
  }
  const args = rawArgs.map(parseArg);
  const rt = Runtime.load(registryPath, { budget: opts.budget });
  if (!opts.exec) {
    process.stderr.write(`registry ${registryPath}: ${rt.registry.entries.size} entries loaded; nothing to start yet (use -x ENTRY to run one)\n`);
    return 0;
  }
  const id = rt.resolveEntryId(opts.exec);
  const entry = rt.registry.entries.get(id)!;
  if (entry.kind !== 'function.lua') {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `-x ${id}: running ${entry.kind} entries is not supported yet; -x runs function.lua entries`);
  }
  const r = await rt.callFunction(id, args);
  if (r.error) {
    reportErrorResult(r.error);
    return 1;
  }
  process.stdout.write(`${r.value ?? 'null'}\n`);
  return 0;
}

function parseArg(raw: string, i: number): string {
  try {
    JSON.parse(raw);
    return raw;
  } catch {
    throw new WippyError(ErrorCode.BAD_ARGUMENT,
      `argument ${i + 1} is not valid JSON: ${raw.length > 60 ? `${raw.slice(0, 60)}...` : raw} (each argument is one JSON value; a string needs quotes, e.g. '"${raw.slice(0, 20)}"')`);
  }
}
