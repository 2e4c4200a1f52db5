/**
 * The crash soak of the durable engine through the real `wippy run` (`npm run soak` is its
 * command line, bench/soak.ts; test/reliability/soak.test.ts runs a short one).
 *
 * The workload (workload.ts): a root workflow starts N `order` workflows as its children, each with
 * every kind of durable step, including retries with a long backoff. The Signaller sends each
 * order its external signal. Why a root workflow starts them: starting is then itself durable and
 * idempotent (the children's ids are recorded in the root's history, so a restart never starts an
 * order twice), and the first `wippy run -x soak:root N` is killed like any other run.
 *
 * `runSoak` SIGKILLs the running `wippy run` K times: every 4th kill at a random instant of its
 * start-up (while it loads and replays), the others at a random instant (0-300ms) after it has
 * committed progress, so that each run moves the work forward. After each kill it checks the
 * store's integrity and restarts it (`wippy run DIR`, resume mode); at the end it lets it finish
 * and stops it with SIGINT. Once every run is over, verify.ts reads the runs and the store.
 *
 * Invariants (`SoakRuns`): one run alive at a time; run n writes its stdout to its own FILE
 * (`run-NNN.stdout`, testkit/wippy.ts: a SIGKILL loses lines queued for a pipe, never lines in a
 * file), and before it starts, with no run alive, every history's length is noted
 * (`run-NNN.lengths.json`), which is what the verifier needs to tell a repeat of a cut-off attempt
 * from a finished one run again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { integrityCheck } from '../../runtime/store';
import { writeSoakRegistry } from './workload';
import { verify, readRuns, runFiles } from './verify';
import { Signaller } from './signaller';
import { startWippy, WIPPY, type WippyRun } from '../wippy';
import { readStore, historyLengths } from '../store';
import { seededRandom } from '../random';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The numbered runs of a soak, one alive at a time (`command`: what node runs instead of bin/wippy.js). */
export class SoakRuns {
  readonly stderr: string[] = [];
  private run: WippyRun | null = null;
  /** Runs started so far (run n writes runFiles(dir, n)). */
  runs = 0;

  constructor(private readonly dir: string, private readonly db: string, private readonly command: string[] = [WIPPY]) {}

  start(args: string[]): WippyRun {
    if (this.alive) throw new Error('soak: a run is still alive');
    const files = runFiles(this.dir, ++this.runs);
    fs.writeFileSync(files.lengths, JSON.stringify(historyLengths(this.db)));
    this.run = startWippy(args, { stdoutFile: files.stdout, command: this.command });
    this.run.proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    return this.run;
  }

  startResume(): WippyRun {
    return this.start(['run', this.dir, '--db', this.db]);
  }

  async kill(): Promise<void> {
    await this.run?.kill();
    this.run = null;
  }

  async stop(): Promise<number | null> {
    const code = this.run ? await this.run.stop('SIGINT') : 0;
    this.run = null;
    return code;
  }

  get alive(): boolean {
    return this.run?.alive ?? false;
  }
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const rand = seededRandom(opts.seed); // the same seed gives the same kill instants
  const minUp = opts.minUpMs ?? 0;
  const maxUp = opts.maxUpMs ?? 300;
  const rounds = opts.rounds ?? 16;
  const dir = writeSoakRegistry(rounds);
  const db = path.join(dir, 'soak.db');
  const driver = new SoakRuns(dir, db);
  const signaller = new Signaller(db, opts.cliSignalEvery ?? 10);
  const problems: string[] = [];
  let busyKills = 0;
  let startupKills = 0;

  const rootStatus = (): string | null => readStore(db, (s) => s.listWorkflows().find((r) => r.entry === 'soak:root')?.status ?? null, null);
  const rootDone = (): boolean => { const st = rootStatus(); return st !== null && st !== 'running'; };
  /** Records in every history: grows while a run makes progress. */
  const records = (): number => readStore(db, (s) => s.listWorkflows().reduce((n, r) => n + s.history(r.id).length, 0), 0);
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
