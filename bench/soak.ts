/**
 * `npm run soak`: a crash soak of the durable engine through the real `wippy run`.
 *
 * The workload (bench/soak-workload.ts): a root workflow starts N `order` workflows as its
 * children, each with every kind of durable step, including retries with a long backoff. The
 * driver sends each order its external signal (it writes it into the store as `wippy workflow
 * signal` does, and sends every 10th with the real `wippy workflow signal` command).
 *
 * Why a root workflow starts them: starting is then itself durable and idempotent (the children's
 * ids are recorded in the root's history, so a restart never starts an order twice), and the
 * first `wippy run -x soak:root N` is killed like any other run. The driver SIGKILLs the running
 * `wippy run` K times: every 4th kill at a random instant of its start-up (while it loads and
 * replays), the others at a random instant (0-300ms) after it has committed progress, so that
 * each run moves the work forward. After each kill it checks the store's integrity and restarts
 * it (`wippy run DIR`, resume mode); at the end it lets it finish and stops it with SIGINT.
 *
 * Each run's stdout goes to a file of its own (`run-NNN.stdout`, through a file descriptor: a
 * SIGKILL loses lines queued for a pipe, never lines written to a file), and before each run
 * starts, with no run alive, the driver notes every history's length (`run-NNN.lengths.json`).
 * Once every run is over, bench/soak-check.ts reads them and the store and gives the verdict.
 *
 * Options (argv `--workflows N --kills K --seed S`, or env SOAK_WORKFLOWS / SOAK_KILLS /
 * SOAK_SEED; `--keep` keeps the temp folder, which a failed soak always keeps): 1,000 workflows and
 * 20 kills by default. Prints
 * `workflows N, kills K, lost L, duplicated D` and exits 1 when L or D > 0.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, ChildProcess } from 'node:child_process';
import { openStore, integrityCheck } from '../runtime/store';
import type { SqliteStore } from '../runtime/store';
import type { WorkflowRow } from '../runtime/store/events';
import { writeSoakRegistry } from './soak-workload';
import { verify, readRuns, runFiles } from './soak-check';

export { verify, readRuns } from './soak-check';
export { expectedOrder, writeSoakRegistry } from './soak-workload';

const WIPPY = path.resolve(__dirname, '../../bin/wippy.js');

export interface SoakOptions {
  workflows: number;
  kills: number;
  seed: number;
  /** A run is killed a random time in [minUpMs, maxUpMs] after it commits progress (default 0..300). */
  minUpMs?: number;
  maxUpMs?: number;
  /** Rounds of (activity, 20ms timer) per order (default 16): enough work for 20 kills at 200. */
  rounds?: number;
  /** Every n-th external signal goes through `wippy workflow signal` (0: never; default 10). */
  cliSignalEvery?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Give up waiting for completion after this long once the kills are done (default 180 s). */
  finishTimeoutMs?: number;
}

export interface SoakReport {
  workflows: number;
  kills: number;
  /** Kills of a run that had committed progress, with work still pending. */
  busyKills: number;
  /** Kills during a run's start-up (every 4th kill), with work still pending. */
  startupKills: number;
  lost: number;
  duplicated: number;
  /** Activity executions beyond the recorded attempts (ran again after a crash: allowed). */
  reexecuted: number;
  /** Failed attempts whose next attempt ran in a later run: a kill landed in their backoff. */
  retriesAcrossKills: number;
  /** Signals sent: external (store + CLI) and accepted pinger sends. */
  signals: { external: number; viaCli: number; fromProcess: number };
  problems: string[];
  seconds: number;
  dir: string;
}

// ---------------------------------------------------------------- running wippy

interface Run { proc: ChildProcess; exited: Promise<number | null>; startedAt: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeded PRNG (mulberry32): the same seed gives the same kill instants. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every history's length in the store now (no run may be alive). */
function historyLengths(db: string): Record<string, number> {
  if (!fs.existsSync(db)) return {};
  const s = openStore(db, { lock: false, create: false });
  try { return Object.fromEntries(s.listWorkflows().map((r) => [r.id, s.historyLength(r.id)])); } finally { s.close(); }
}

/** Starts, kills and stops the `wippy run`s of a soak, one at a time (`command`: what node runs). */
export class Driver {
  readonly stderr: string[] = [];
  private run: Run | null = null;
  /** Runs started so far (run n writes runFiles(dir, n)). */
  runs = 0;

  constructor(private readonly dir: string, private readonly db: string, private readonly command: string[] = [WIPPY]) {}

  start(args: string[]): Run {
    if (this.alive) throw new Error('soak driver: a run is still alive');
    const files = runFiles(this.dir, ++this.runs);
    fs.writeFileSync(files.lengths, JSON.stringify(historyLengths(this.db)));
    // stdout to a file through a descriptor of its own: what a run wrote survives its SIGKILL.
    const fd = fs.openSync(files.stdout, 'w');
    const proc = spawn(process.execPath, [...this.command, ...args], { stdio: ['ignore', fd, 'pipe'] });
    fs.closeSync(fd);
    proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    this.run = { proc, exited, startedAt: Date.now() };
    return this.run;
  }

  startResume(): Run {
    return this.start(['run', this.dir, '--db', this.db]);
  }

  async kill(): Promise<void> {
    const r = this.run;
    if (!r) return;
    r.proc.kill('SIGKILL');
    await r.exited;
    this.run = null;
  }

  async stop(): Promise<number | null> {
    const r = this.run;
    if (!r) return 0;
    r.proc.kill('SIGINT');
    const code = await r.exited;
    this.run = null;
    return code;
  }

  get alive(): boolean {
    return this.run !== null && this.run.proc.exitCode === null && this.run.proc.signalCode === null;
  }
}

/** Sends the external signal ("ext", payload i) to every order workflow, once. */
class Signaller {
  readonly sent = new Map<string, 'store' | 'cli'>();
  private readonly cliPending = new Set<Promise<void>>();
  private reader: SqliteStore | null = null;
  private n = 0;
  readonly problems: string[] = [];

  constructor(private readonly db: string, private readonly cliEvery: number) {}

  /** One pass: look for order workflows that have not had their signal yet. */
  tick(): void {
    if (!this.reader) {
      if (!fs.existsSync(this.db)) return;
      try { this.reader = openStore(this.db, { lock: false, create: false }); } catch { return; }
    }
    let rows: WorkflowRow[];
    try { rows = this.reader.listWorkflows(['running']); } catch { return; }
    for (const row of rows) {
      if (row.entry !== 'soak:order' || this.sent.has(row.id)) continue;
      const i = row.input[0];
      this.n++;
      if (this.cliEvery > 0 && this.n % this.cliEvery === 0) {
        this.sent.set(row.id, 'cli');
        this.viaCli(row.id, i);
      } else {
        this.reader.addSignal({ workflowId: row.id, topic: 'ext', from: '', payloads: [i], at: Date.now() });
        this.sent.set(row.id, 'store');
      }
    }
  }

  private viaCli(id: string, payload: string): void {
    const p = new Promise<void>((resolve) => {
      const proc = spawn(process.execPath, [WIPPY, 'workflow', 'signal', id, 'ext', payload, '--db', this.db, '--no-wait'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      proc.stderr!.on('data', (d) => { err += String(d); });
      proc.on('exit', (code) => {
        if (code !== 0) this.problems.push(`wippy workflow signal ${id} failed (exit ${code}): ${err.trim()}`);
        resolve();
      });
    });
    this.cliPending.add(p);
    void p.then(() => this.cliPending.delete(p));
  }

  async drain(): Promise<void> {
    await Promise.all([...this.cliPending]);
  }

  close(): void {
    this.reader?.close();
    this.reader = null;
  }
}

// ---------------------------------------------------------------- the soak

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const rand = prng(opts.seed);
  const minUp = opts.minUpMs ?? 0;
  const maxUp = opts.maxUpMs ?? 300;
  const rounds = opts.rounds ?? 16;
  const dir = writeSoakRegistry(rounds);
  const db = path.join(dir, 'soak.db');
  const driver = new Driver(dir, db);
  const signaller = new Signaller(db, opts.cliSignalEvery ?? 10);
  const problems: string[] = [];
  let busyKills = 0;
  let startupKills = 0;

  const rootStatus = (): string | null => {
    if (!fs.existsSync(db)) return null;
    const s = openStore(db, { lock: false, create: false });
    try { return s.listWorkflows().find((r) => r.entry === 'soak:root')?.status ?? null; } finally { s.close(); }
  };
  const rootDone = (): boolean => { const st = rootStatus(); return st !== null && st !== 'running'; };
  /** Records in every history: grows while a run makes progress. */
  const records = (): number => {
    if (!fs.existsSync(db)) return 0;
    const s = openStore(db, { lock: false, create: false });
    try { return s.listWorkflows().reduce((n, r) => n + s.history(r.id).length, 0); } finally { s.close(); }
  };
  // Until the root's start is committed, a restart must start it again (-x); after that, resume.
  const restart = (): void => {
    if (rootStatus() === null) driver.start(['run', dir, '--db', db, '-x', 'soak:root', String(opts.workflows)]);
    else driver.startResume();
  };
  const poll = setInterval(() => signaller.tick(), 100);
  try {
    restart();
    for (let k = 1; k <= opts.kills; k++) {
      // Every 4th kill lands at a random instant of the start-up (loading, replaying every
      // unfinished workflow); the others at a random instant once the run has committed progress.
      const before = records();
      const duringStartup = k % 4 === 0;
      if (duringStartup) {
        await sleep(50 + rand() * 400);
      } else {
        // Wait for this run's first commit, so that every run moves the work forward.
        const until = Date.now() + 10_000;
        while (records() === before && Date.now() < until && !rootDone()) await sleep(40);
        await sleep(minUp + rand() * (maxUp - minUp));
      }
      const busy = !rootDone();
      await driver.kill();
      const progressed = records() > before;
      if (busy && !duringStartup && progressed) busyKills++;
      if (busy && duringStartup) startupKills++;
      if (fs.existsSync(db)) {
        const ok = integrityCheck(db);
        if (ok !== 'ok') problems.push(`after kill ${k}: integrity check: ${ok}`);
      }
      log(`kill ${k}/${opts.kills}${!busy ? ' (all work already done)' : duringStartup ? ' (during start-up)' : ` (after ${records() - before} new records)`}`);
      restart();
    }
    const deadline = Date.now() + (opts.finishTimeoutMs ?? 180_000);
    while (!rootDone()) {
      if (Date.now() > deadline) { problems.push('the root workflow did not finish in time'); break; }
      if (!driver.alive) restart(); // the -x run exits by itself once the root is done
      await sleep(100);
    }
    const code = await driver.stop();
    if (code !== 0 && code !== null) problems.push(`the last wippy run exited with ${code}: ${driver.stderr.slice(-3).join('').trim()}`);
  } finally {
    clearInterval(poll);
    await driver.kill();
    await signaller.drain();
    signaller.close();
  }
  problems.push(...signaller.problems);
  // Kept beside the store for a post-mortem (with each run's run-NNN.stdout).
  fs.writeFileSync(path.join(dir, 'stderr.log'), driver.stderr.join(''));
  const runs = readRuns(dir);
  const verdict = verify(db, opts.workflows, rounds, runs, signaller.sent);
  problems.push(...verdict.problems);
  const ok = integrityCheck(db);
  if (ok !== 'ok') problems.push(`final integrity check: ${ok}`);
  return {
    workflows: opts.workflows,
    kills: opts.kills,
    busyKills,
    startupKills,
    lost: verdict.lost,
    duplicated: verdict.duplicated,
    reexecuted: verdict.reexecuted,
    retriesAcrossKills: verdict.retriesAcrossKills,
    signals: {
      external: signaller.sent.size,
      viaCli: [...signaller.sent.values()].filter((v) => v === 'cli').length,
      fromProcess: runs.reduce((k, r) => k + r.lines.filter((l) => l.startsWith('PONG ')).length, 0),
    },
    problems,
    seconds: (Date.now() - t0) / 1000,
    dir,
  };
}

// ---------------------------------------------------------------- command line

function option(name: string, env: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  if (raw === undefined) return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} / ${env}: expected a whole number, got ${raw}`);
  return v;
}

async function main(): Promise<void> {
  // 1,000: enough work that all the kills land while it runs (200 finished within half of them).
  const workflows = option('workflows', 'SOAK_WORKFLOWS', 1000);
  const kills = option('kills', 'SOAK_KILLS', 20);
  const seed = option('seed', 'SOAK_SEED', Date.now() % 1_000_000);
  process.stderr.write(`soak: ${workflows} workflows (+ ${workflows} children and a root), ${kills} kills, seed ${seed}\n`);
  const r = await runSoak({
    workflows, kills, seed,
    log: (l) => process.stderr.write(`soak: ${l}\n`),
  });
  for (const p of r.problems.slice(0, 50)) process.stderr.write(`soak: ${p}\n`);
  if (r.problems.length > 50) process.stderr.write(`soak: ... ${r.problems.length - 50} more problems\n`);
  process.stderr.write(`soak: ${r.seconds.toFixed(1)}s; kills: ${r.busyKills} while committing, ${r.startupKills} during start-up; ` +
    `${r.signals.external} external signals (${r.signals.viaCli} with wippy workflow signal), ${r.signals.fromProcess} from a process; ` +
    `${r.reexecuted} activity executions repeated after a crash (at-least-once); ` +
    `${r.retriesAcrossKills} retry backoffs crossed a kill\n`);
  const failed = r.lost > 0 || r.duplicated > 0 || r.problems.length > 0;
  // The registry, the store and every run's stdout/stderr stay for a post-mortem when it failed.
  if (failed || process.argv.includes('--keep')) process.stderr.write(`soak: kept ${r.dir} (soak.db, run-NNN.stdout, run-NNN.lengths.json, stderr.log)\n`);
  else fs.rmSync(r.dir, { recursive: true, force: true });
  console.log(`workflows ${r.workflows}, kills ${r.kills}, lost ${r.lost}, duplicated ${r.duplicated}`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
  main().catch((e) => { process.stderr.write(`soak: ${(e as Error).stack ?? String(e)}\n`); process.exitCode = 2; });
}
