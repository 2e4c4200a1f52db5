/**
 * The real `wippy` CLI (bin/wippy.js) as a child process, for the benches that measure what a
 * user measures: a `wippy run` from start to result, its peak RSS, and when a line appears.
 *
 * Owns: spawning the child (its own stdout and stderr read as they come), sampling its memory
 * from /proc while it runs (Linux; null elsewhere), and stopping it early when a line it waits
 * for arrives. Invariant: the child never outlives the bench (killed when the caller stops it,
 * on a timeout, and when this process exits).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { WIPPY, ROOT } from '../testkit/wippy';

export interface ChildRun {
  code: number | null;
  stdout: string[];
  stderr: string;
  /** Spawn to exit (or to the line `until` stopped at). */
  seconds: number;
  /** The child's peak RSS (VmHWM) as last sampled; null where /proc is missing. */
  peakRss: number | null;
  /** Seconds from spawn to the line `until` accepted (the child was then killed). */
  lineSeconds?: number;
}

export interface ChildOptions {
  /** Stop (SIGKILL) the child at the first stdout line this accepts. */
  until?: (line: string) => boolean;
  timeoutMs?: number;
  /** node flags before bin/wippy.js (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Another checkout's bin/wippy.js (compare two builds in one run). */
  wippy?: string;
}

const live = new Set<number>();
process.on('exit', () => { for (const pid of live) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } });

/** The high-water mark of a process's RSS in bytes, or null. */
function peakRssOf(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch { return null; }
}

/** `wippy ARGS` from the repository root; resolves when it exits or `until` stops it. */
export function runWippyChild(args: string[], opts: ChildOptions = {}): Promise<ChildRun> {
  const env = { ...process.env };
  delete env.WIPPY_DB;
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.wippy ?? WIPPY, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  live.add(pid);
  const since = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  let peakRss: number | null = null;
  const sample = (): void => { const r = peakRssOf(pid); if (r !== null) peakRss = r; };
  const sampler = setInterval(sample, 50);
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  let lineSeconds: number | undefined;
  const timer = setTimeout(() => { stderr += `\nbench: killed after ${opts.timeoutMs} ms`; child.kill('SIGKILL'); }, opts.timeoutMs ?? 600_000);
  child.stdout.on('data', (b: Buffer) => {
    partial += b.toString();
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      stdout.push(line);
      if (lineSeconds === undefined && opts.until?.(line)) {
        lineSeconds = since();
        sample();
        child.kill('SIGKILL');
      }
    }
  });
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = since();
      clearInterval(sampler);
      clearTimeout(timer);
      live.delete(pid);
      if (partial) stdout.push(partial);
      resolve({ code, stdout, stderr, seconds: lineSeconds ?? seconds, peakRss, ...(lineSeconds !== undefined ? { lineSeconds } : {}) });
    });
  });
}

/** The JSON value of the last stdout line of a run that must have succeeded. */
export function lastJson(r: ChildRun, what: string): unknown {
  const last = r.stdout.filter((l) => l.trim()).pop();
  if (r.code !== 0 || last === undefined) throw new Error(`${what}: wippy exited ${r.code}: ${r.stderr.slice(-500)}`);
  try { return JSON.parse(last); } catch { throw new Error(`${what}: last line is not JSON: ${last}`); }
}
