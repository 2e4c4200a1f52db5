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
import type { CallResult } from '../runtime/services';

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
  let pending: Promise<CallResult>;
  if (entry.kind === 'function.lua') pending = rt.callFunction(id, args);
  else if (entry.kind === 'process.lua') pending = rt.execProcess(id, null, args);
  else throw new WippyError(ErrorCode.BAD_ARGUMENT, `-x ${id}: a ${entry.kind} entry cannot be run; -x runs function.lua and process.lua entries`);
  const r = await untilDeadlock(pending, id);
  if (r.error) {
    reportErrorResult(r.error);
    return 1;
  }
  process.stdout.write(`${r.value ?? 'null'}\n`);
  return 0;
}

/**
 * Resolve with the entry's result, or with a deadlock error when Node runs out of work while
 * the entry still waits (a receive that nothing will ever answer).
 */
function untilDeadlock(p: Promise<CallResult>, id: string): Promise<CallResult> {
  return new Promise((resolve) => {
    const onIdle = () => resolve({ error: { kind: 'Internal', message: `deadlock: ${id} is waiting for a message, channel or event that nothing will ever send` } });
    process.once('beforeExit', onIdle);
    p.then((r) => { process.off('beforeExit', onIdle); resolve(r); });
  });
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
