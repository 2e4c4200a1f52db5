/**
 * Start-to-result latency of one 3-step workflow at low load (issue 7, item 2).
 *
 * One workflow at a time (`warmup` unmeasured runs, then `runs` measured ones) runs the loop of 3
 * `funcs.call("b:inc", s)` through the engine on a real SQLite file (WAL, synchronous=FULL, so
 * every commit waits for fsync). Latency is from `engine.start` to the outcome watcher firing,
 * which happens only after the `completed` record is committed.
 *
 * Baselines in the same run: the same Lua file as a function with no durability (plain Fengari),
 * and a raw better-sqlite3 single-row commit with synchronous=FULL. The ratio to the raw commit
 * reads as "how many fsync'd commits' worth" one workflow costs; the peers' p50 (DBOS, Restate)
 * are compared in run.ts.
 */
import type { Runtime } from '../app/runtime';
import { benchFixture, now, msSince } from './fixture';
import { checkOutcome, startAndWatch } from '../testkit/outcome';
import { plainLatency, rawCommitLatency, latencyStats, LatencyStats } from './baseline';

export interface LatencyOptions { steps?: number; warmup?: number; runs?: number }

export interface LatencyResult extends LatencyStats {
  steps: number;
  warmup: number;
  plain: LatencyStats;
  rawCommit: LatencyStats;
  /** p50 over the no-durability p50. */
  p50RatioToPlain: number;
  /** p50 over one fsync'd single-row commit's p50. */
  p50InRawCommits: number;
}

/** Sequential start-to-result latency through the engine, every result checked. */
export async function durableLatency(rt: Runtime, steps: number, warmup: number, runs: number): Promise<LatencyStats> {
  const engine = rt.startWorkflows()!;
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = now();
    const o = await startAndWatch(engine, 'b:steps', [steps]);
    const ms = msSince(t0);
    const v = checkOutcome(o, `latency run ${i}`);
    if (v !== steps) throw new Error(`latency run ${i}: result ${JSON.stringify(v)}, expected ${steps}`);
    if (i >= warmup) samples.push(ms);
  }
  return latencyStats(samples);
}

export async function benchLatency(opts: LatencyOptions = {}): Promise<LatencyResult> {
  const steps = opts.steps ?? 3;
  const warmup = opts.warmup ?? 20;
  const runs = opts.runs ?? 200;
  const fx = benchFixture();
  const rt = fx.open();
  try {
    const d = await durableLatency(rt, steps, warmup, runs);
    const plain = await plainLatency(rt, steps, warmup, runs);
    rt.close();
    const rawCommit = rawCommitLatency(runs);
    return { ...d, steps, warmup, plain, rawCommit, p50RatioToPlain: d.p50ms / plain.p50ms, p50InRawCommits: d.p50ms / rawCommit.p50ms };
  } finally {
    rt.close();
    fx.cleanup();
  }
}
