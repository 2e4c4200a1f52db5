/** Spawn the real `wippy` binary (bin/wippy.js) and capture its output. */
import { spawn, spawnSync, ChildProcess, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
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

/** A long-running `wippy` whose stdout goes to a file (see startWippyToFile). */
export interface FileRun {
  proc: ChildProcess;
  /** stderr so far (a pipe: only read for messages, never to count side effects). */
  err: string[];
  exited: Promise<number | null>;
  /** The stdout lines written so far (complete lines only). */
  lines(): string[];
}

/**
 * Start `wippy ...args` with its stdout appended to `stdoutFile`, through a file descriptor of its
 * own. A test that counts side effects printed by a run it kills with SIGKILL must read them from
 * a file: a pipe drops lines that were already written (Node queues pipe writes in user space).
 */
export function startWippyToFile(args: string[], stdoutFile: string, opts: { cwd?: string } = {}): FileRun {
  const fd = fs.openSync(stdoutFile, 'a');
  const proc = spawn(process.execPath, [WIPPY, ...args], { cwd: opts.cwd ?? ROOT, stdio: ['ignore', fd, 'pipe'] });
  fs.closeSync(fd); // the child has its own copy
  const err: string[] = [];
  proc.stderr!.on('data', (d) => err.push(String(d)));
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  const lines = () => {
    const text = fs.existsSync(stdoutFile) ? fs.readFileSync(stdoutFile, 'utf8') : '';
    return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
  };
  return { proc, err, exited, lines };
}

/** The examples a message gives (`e.g. '...'`: shell-quoted values to copy). */
export function quotedExamples(message: string): string[] {
  return [...message.matchAll(/e\.g\. '([^']*)'/g)].map((m) => m[1]);
}

/** What this Node's JSON.parse says about `text` (messages quote it; V8 words may change). */
export function jsonParseError(text: string): string {
  try { JSON.parse(text); } catch (e) { return (e as Error).message; }
  throw new Error(`${text} is valid JSON`);
}
