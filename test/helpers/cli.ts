/** Spawn the real `wippy` binary (bin/wippy.js) and capture its output. */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

export const WIPPY = path.resolve(__dirname, '../../../bin/wippy.js');
export const ROOT = path.resolve(__dirname, '../../..');

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function wippy(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [WIPPY, ...args], {
    cwd: opts.cwd ?? ROOT, encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** No JS stack frames in user-facing output. */
export function assertNoJsStack(text: string): void {
  if (/^\s+at .+\(.*\.js:\d+:\d+\)$/m.test(text) || /node:internal/.test(text)) {
    throw new Error(`output shows a JS stack:\n${text}`);
  }
}
