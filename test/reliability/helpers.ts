/**
 * Helpers for the reliability tests: the real `wippy` binary, run asynchronously (several cases
 * at once, or a long-running `wippy run` that a test kills), and store snapshots.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { WIPPY, ROOT, CliResult } from '../helpers/cli';
import { openStore } from '../../runtime/store';

/** `wippy`: another copy of bin/wippy.js (helpers/other-user.ts); `uid`/`gid`: run as that user. */
export interface CliOptions { cwd?: string; timeoutMs?: number; uid?: number; gid?: number; wippy?: string }

/** Run `wippy ...args` to completion (like helpers/cli.ts wippy(), but without blocking the loop). */
export function wippyAsync(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [opts.wippy ?? WIPPY, ...args], {
      cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d) => { stdout += String(d); });
    proc.stderr!.on('data', (d) => { stderr += String(d); });
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    proc.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Run async jobs with at most `limit` at a time; results in order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface LiveRun { proc: ChildProcess; out: string[]; err: string[]; exited: Promise<number | null> }

/** Start a long-running `wippy ...args`; stdout is collected line by line. */
export function startWippy(args: string[]): LiveRun {
  const proc = spawn(process.execPath, [WIPPY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  let partial = '';
  proc.stdout!.on('data', (d) => {
    const lines = (partial + String(d)).split('\n');
    partial = lines.pop()!;
    out.push(...lines);
  });
  proc.stderr!.on('data', (d) => err.push(String(d)));
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  return { proc, out, err, exited };
}

export async function killHard(r: LiveRun): Promise<void> {
  r.proc.kill('SIGKILL');
  await r.exited;
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(25);
  }
}

/** Everything a store holds (rows, histories, pending signals), to compare before and after. */
export function snapshot(db: string): string {
  const s = openStore(db, { lock: false, create: false });
  try {
    const rows = s.listWorkflows();
    return JSON.stringify({ rows, histories: rows.map((r) => s.history(r.id)), pending: s.pendingSignals() });
  } finally {
    s.close();
  }
}
