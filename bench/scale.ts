/**
 * No cliff past the instance cache (issue 17): concurrent workflows started the way users start
 * them, through the real CLI with its DEFAULT settings: `wippy run DIR -x b:driver`, a process
 * that `process.spawn_monitored`s N workflows of M `funcs.call` steps and sums their EXIT results
 * (bench/fixture.ts DRIVER_LUA; it times itself from its first spawn to its last EXIT).
 *
 * Measured, each run in a fresh `wippy run` on a fresh store, small and large alternating so
 * drift hits both, medians of `repeats`:
 * - steps/s of `small` (1,000) x M against `large` (10,000) x M (target: large >= 80% of small),
 *   with the CLI's peak RSS during the large runs (target < 1 GiB);
 * - at `ratioAt` (4,000) x M: the same work as plain processes (`b:psteps`, the same Lua file as
 *   a process.lua entry) against durable workflows, both as timed by the driver and as the whole
 *   CLI wall time (target: durable/plain <= 2.5);
 * - once, after the rounds: `cliWorkflows` (small / 10) workflows of the same M steps started
 *   from outside through `wippy workflow start` against a running `wippy run` (bench/scale-cli.ts),
 *   one invocation at a time and 4 at a time, beside the driver's `process.spawn` figure for
 *   `small` (no target: issue 18 asks for the figure).
 */
import * as path from 'node:path';
import { benchFixture, quantile } from './fixture';
import { runWippyChild, lastJson, type ChildRun } from './cli-child';
import { benchCliStarts, cliFloorMs, type CliStartResult } from './scale-cli';

export interface ScaleOptions { small?: number; large?: number; ratioAt?: number; steps?: number; repeats?: number; cliWorkflows?: number; wippy?: string }

export interface DriverRun { workflows: number; durable: boolean; seconds: number; wallSeconds: number; peakRss: number | null }

export interface ScaleResult {
  steps: number;
  repeats: number;
  small: { workflows: number; stepsPerSecond: number; runs: DriverRun[] };
  large: { workflows: number; stepsPerSecond: number; peakRss: number | null; runs: DriverRun[] };
  /** large steps/s / small steps/s (target >= 0.8). */
  ratioLargeToSmall: number;
  at: { workflows: number; durableSeconds: number; plainSeconds: number; durableWallSeconds: number; plainWallSeconds: number; ratio: number; ratioWall: number; runs: DriverRun[] };
  /** Started through `wippy workflow start`: one at a time, 4 at a time; `wippy --version` p50; steps/s against `small`'s. */
  cli: { sequential: CliStartResult; parallel: CliStartResult; floorMs: number; ratioToSpawn: number };
}

const median = (xs: number[]): number => quantile(xs, 0.5);

export async function benchScale(opts: ScaleOptions = {}): Promise<ScaleResult> {
  const small = opts.small ?? 1000;
  const large = opts.large ?? 10_000;
  const ratioAt = opts.ratioAt ?? 4000;
  const steps = opts.steps ?? 10;
  const repeats = opts.repeats ?? 3;
  const fx = benchFixture();
  let n = 0;
  const drive = async (workflows: number, durable: boolean): Promise<DriverRun> => {
    const db = path.join(fx.dir, `run-${n++}.db`);
    const arg = JSON.stringify({ n: workflows, steps, durable });
    const r: ChildRun = await runWippyChild(['run', fx.dir, '--db', db, '-x', 'b:driver', arg], { wippy: opts.wippy });
    const v = lastJson(r, `driver ${arg}`) as { sum?: number; seconds?: number };
    if (v.sum !== workflows * steps || typeof v.seconds !== 'number') throw new Error(`driver ${arg}: result ${JSON.stringify(v)}, expected sum ${workflows * steps}`);
    return { workflows, durable, seconds: v.seconds, wallSeconds: r.seconds, peakRss: r.peakRss };
  };
  try {
    await drive(Math.max(10, Math.floor(small / 10)), true); // warm the file cache and the build
    const smalls: DriverRun[] = [];
    const larges: DriverRun[] = [];
    const ats: DriverRun[] = [];
    for (let i = 0; i < repeats; i++) {
      process.stderr.write(`bench scale: round ${i + 1} of ${repeats}: ${small} and ${large} durable, ${ratioAt} durable and plain...\n`);
      smalls.push(await drive(small, true));
      larges.push(await drive(large, true));
      ats.push(await drive(ratioAt, true));
      ats.push(await drive(ratioAt, false));
    }
    const cliN = opts.cliWorkflows ?? Math.max(10, Math.floor(small / 10));
    process.stderr.write(`bench scale: ${cliN} workflows through wippy workflow start, one at a time, then 4 at a time...\n`);
    const cliRun = (parallel: number): Promise<CliStartResult> =>
      benchCliStarts({ dir: fx.dir, db: path.join(fx.dir, `run-${n++}.db`), workflows: cliN, steps, parallel, wippy: opts.wippy });
    const sequential = await cliRun(1);
    const parallel = await cliRun(4);
    const floorMs = await cliFloorMs(5, opts.wippy);
    const sps = (runs: DriverRun[]): number => median(runs.map((r) => (r.workflows * steps) / r.seconds));
    const smallSps = sps(smalls);
    const largeSps = sps(larges);
    const rss = larges.map((r) => r.peakRss).filter((x): x is number => x !== null);
    const d = ats.filter((r) => r.durable);
    const p = ats.filter((r) => !r.durable);
    const durableSeconds = median(d.map((r) => r.seconds));
    const plainSeconds = median(p.map((r) => r.seconds));
    const durableWallSeconds = median(d.map((r) => r.wallSeconds));
    const plainWallSeconds = median(p.map((r) => r.wallSeconds));
    return {
      steps, repeats,
      small: { workflows: small, stepsPerSecond: smallSps, runs: smalls },
      large: { workflows: large, stepsPerSecond: largeSps, peakRss: rss.length ? Math.max(...rss) : null, runs: larges },
      ratioLargeToSmall: largeSps / smallSps,
      at: { workflows: ratioAt, durableSeconds, plainSeconds, durableWallSeconds, plainWallSeconds, ratio: durableSeconds / plainSeconds, ratioWall: durableWallSeconds / plainWallSeconds, runs: ats },
      cli: { sequential, parallel, floorMs, ratioToSpawn: Math.max(sequential.stepsPerSecond, parallel.stepsPerSecond) / smallSps },
    };
  } finally {
    fx.cleanup();
  }
}
