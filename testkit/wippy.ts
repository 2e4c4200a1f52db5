/**
 * The CLI process driver: the real `wippy` binary (bin/wippy.js), run to completion or kept
 * running until the test stops or kills it.
 *
 * Owns: where the binary and the repository are (`WIPPY`, `ROOT`), the child's environment (a
 * developer's own WIPPY_DB never picks a test's store), `wippy` (blocking) and `wippyAsync` (to
 * completion without blocking the loop, stdout and stderr in pipes), and `startWippy` (a
 * long-running child the caller kills or stops).
 *
 * Invariant, the SIGKILL-safe output channel: a started child's stdout goes to a FILE through a
 * descriptor of its own, never a pipe, and `lines()` reads that file. Node queues writes to a pipe
 * in user space, so a SIGKILL drops lines the child already "printed"; a file keeps every line
 * written before the kill. A test that counts side effects after a SIGKILL must count them from
 * `lines()`. Only complete lines are returned (a line cut by the kill is not one). stderr stays a
 * pipe (`err`): read it for messages, never to count. A started child never outlives this process
 * (killed on exit), and `exited` resolves only once its stderr has been read to the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './temp';
import { until } from './wait';

export const ROOT = path.resolve(__dirname, '../..');
export const WIPPY = path.join(ROOT, 'bin', 'wippy.js');

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** `env`: variables to add to (or, when undefined, remove from) this process's environment. */
export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Run as this user (helpers that test permission errors). */
  uid?: number;
  gid?: number;
  /** Another copy of bin/wippy.js (e.g. one the user `nobody` can read). */
  wippy?: string;
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.WIPPY_DB; // a developer's own setting must not pick the store of a test
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function spawnOptions(opts: SpawnOptions) {
  return {
    cwd: opts.cwd ?? ROOT,
    env: childEnv(opts.env),
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
  };
}

/** Run `wippy ...args` to completion, blocking (default timeout 30 s). */
export function wippy(args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [opts.wippy ?? WIPPY, ...args], { ...spawnOptions(opts), encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run `wippy ...args` to completion without blocking the loop (killed after `timeoutMs`, default 60 s). */
export function wippyAsync(args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [opts.wippy ?? WIPPY, ...args], { ...spawnOptions(opts), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d) => { stdout += String(d); });
    proc.stderr!.on('data', (d) => { stderr += String(d); });
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    proc.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** A long-running child whose stdout goes to a file (see the header). */
export interface WippyRun {
  proc: ChildProcess;
  /** The file its stdout is appended to. */
  stdoutFile: string;
  /** stderr chunks so far (a pipe: for messages, never to count side effects). */
  err: string[];
  /** Resolves with the exit code (null when killed by a signal) once stderr is read to its end. */
  exited: Promise<number | null>;
  /** The complete stdout lines in the file so far. */
  lines(): string[];
  /** The stdout file's text so far. */
  stdout(): string;
  /** stderr so far, as one text. */
  stderr(): string;
  /** Wait until stderr matches `re`; throws when the child exits first or after `ms` (default 20 s). */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Still running. */
  readonly alive: boolean;
  /** SIGKILL it (when alive) and wait for the exit. */
  kill(): Promise<void>;
  /** Send `signal` (default SIGINT: stop cleanly) and wait; the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions extends SpawnOptions {
  /** Append stdout to this file (default: `stdout` in a new temp folder); runs may share one file if they never overlap. */
  stdoutFile?: string;
  /** What node runs instead of bin/wippy.js (args follow), e.g. `['-e']` with a script as the only arg. */
  command?: string[];
}

/** Children still running when this process exits are killed: a failed test leaves no `wippy run` behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => { for (const p of live) p.kill('SIGKILL'); });

/** The complete lines of a file (a last line without its newline is left out). */
export function completeLines(file: string): string[] {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
}

/** Start `wippy ...args` with its stdout appended to a file through a descriptor of its own. */
export function startWippy(args: string[], opts: StartOptions = {}): WippyRun {
  const stdoutFile = opts.stdoutFile ?? path.join(tempDir('wippy-run-'), 'stdout');
  const fd = fs.openSync(stdoutFile, 'a');
  let proc: ChildProcess;
  try {
    proc = spawn(process.execPath, [...(opts.command ?? [opts.wippy ?? WIPPY]), ...args], { ...spawnOptions(opts), stdio: ['ignore', fd, 'pipe'] });
  } finally {
    fs.closeSync(fd); // the child has its own copy
  }
  live.add(proc);
  proc.on('exit', () => live.delete(proc));
  const err: string[] = [];
  proc.stderr!.on('data', (d) => err.push(String(d)));
  // 'close', not 'exit': stderr has been read to its end when it resolves.
  const exited = new Promise<number | null>((r) => proc.on('close', (c) => r(c)));
  let closed = false;
  void exited.then(() => { closed = true; });
  const run: WippyRun = {
    proc,
    stdoutFile,
    err,
    exited,
    lines: () => completeLines(stdoutFile),
    stdout: () => (fs.existsSync(stdoutFile) ? fs.readFileSync(stdoutFile, 'utf8') : ''),
    stderr: () => err.join(''),
    async waitFor(re: RegExp, ms = 20_000) {
      try {
        await until(() => re.test(run.stderr()) || closed, `${re} on stderr`, ms);
      } catch (e) {
        proc.kill('SIGKILL'); // waited for in vain: it must not keep the test process alive
        throw new Error(`${(e as Error).message}; stderr:\n${run.stderr()}`);
      }
      if (!re.test(run.stderr())) throw new Error(`exited before ${re} appeared on stderr:\n${run.stderr()}`);
    },
    get alive() { return proc.exitCode === null && proc.signalCode === null; },
    async kill() {
      if (run.alive) proc.kill('SIGKILL');
      await exited;
    },
    async stop(signal: NodeJS.Signals = 'SIGINT') {
      if (run.alive) proc.kill(signal);
      return exited;
    },
  };
  return run;
}

/** SIGKILL every run still alive (a test's `finally`). */
export async function killAll(runs: Iterable<WippyRun>): Promise<void> {
  await Promise.all([...runs].map((r) => r.kill()));
}
