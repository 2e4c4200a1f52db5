/** Spawn the real `wippy` binary (bin/wippy.js) and capture its output. */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

export const WIPPY = path.resolve(__dirname, '../../../bin/wippy.js');
export const ROOT = path.resolve(__dirname, '../../..');

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** `env`: variables to add to (or, when undefined, remove from) this process's environment. */
export function wippy(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string | undefined> } = {}): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.WIPPY_DB; // a developer's own setting must not pick the store of a test
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [WIPPY, ...args], {
    cwd: opts.cwd ?? ROOT, encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000, env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** No JS stack frames in user-facing output. */
export function assertNoJsStack(text: string): void {
  if (/^\s+at .+\(.*\.js:\d+:\d+\)$/m.test(text) || /node:internal/.test(text)) {
    throw new Error(`output shows a JS stack:\n${text}`);
  }
}
