/**
 * Timer fan-out (issue 7, item 3): N workflows each doing `time.sleep("1s")` and returning, on the
 * real clock and a real SQLite file. Measured: wall time from the first `engine.start` until every
 * outcome is in (ideal: 1 s plus the time to start them all), and how late the workflows woke:
 * each returns `late` = (time of its timer_fired event) - (its start time + 1 s), as recorded by
 * the engine; the JS side also notes when each outcome arrived.
 *
 * Baselines in the same run: the same Lua file as N concurrent function calls (plain Fengari, no
 * durability: `time.sleep` is a plain JS timer there), wall time until all return; and the time
 * the same runtime needs for 10,000 durable steps (1,000 x 10, bench/durable.ts): issue 17's
 * target is every workflow done within 1 s plus twice that. The runtime has its default
 * settings unless `cacheSize` is given.
 */
import type { Runtime } from '../app/runtime';
import { benchFixture, now, secondsSince, quantile } from './fixture';
import { checkOutcome, startAndWatch } from '../testkit/outcome';
import { durableThroughput } from './durable';

export interface TimersOptions { workflows?: number; sleepMs?: number; cacheSize?: number; plain?: boolean }

export interface TimersResult {
  workflows: number;
  sleepMs: number;
  /** null: the default. */
  cacheSize: number | null;
  /** Wall time until the last workflow's outcome. */
  seconds: number;
  /** Time the start loop took (all `engine.start` calls, before any commit). */
  startLoopSeconds: number;
  /** Recorded lateness of the timer_fired events (ms after start + sleep). */
  wakeLateP50Ms: number;
  wakeLateP99Ms: number;
  wakeLateMaxMs: number;
  /** When the last outcome arrived, in ms after the first start + sleep. */
  lastOutcomeLateMs: number;
  /** null: not measured (`plain: false`). */
  plainSeconds: number | null;
  /** seconds / (sleep): 1.0 is ideal. */
  ratioToIdeal: number;
  ratioToPlain: number | null;
  /** The same run's time for 10,000 durable steps, and the target: sleep + 2x that. */
  durableStepsSeconds: number;
  targetSeconds: number;
}

interface SleeperResult { n: number; late: number }

function checkSleeper(v: unknown, n: number, what: string): SleeperResult {
  const r = v as SleeperResult;
  if (!r || r.n !== n || typeof r.late !== 'number') throw new Error(`${what}: result ${JSON.stringify(v)}, expected {n = ${n}, late = <ms>}`);
  return r;
}

/** N workflows sleeping `sleepMs` each; outcomes checked. */
export async function durableFanOut(rt: Runtime, workflows: number, sleepMs: number) {
  const engine = rt.startWorkflows()!;
  const d = `${sleepMs}ms`;
  const t0 = now();
  const wall0 = Date.now();
  let lastArrival = 0;
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < workflows; i++) {
    pending.push(startAndWatch(engine, 'b:sleeper', [i, d, sleepMs]).then((o) => {
      lastArrival = Math.max(lastArrival, Date.now());
      return checkOutcome(o, `timer workflow ${i}`);
    }));
  }
  const startLoopSeconds = secondsSince(t0);
  const values = await Promise.all(pending);
  const seconds = secondsSince(t0);
  const late = values.map((v, i) => checkSleeper(v, i, `timer workflow ${i}`).late);
  return { seconds, startLoopSeconds, late, lastOutcomeLateMs: lastArrival - wall0 - sleepMs };
}

/** The same Lua as N concurrent function calls, no durability. */
export async function plainFanOut(rt: Runtime, calls: number, sleepMs: number): Promise<number> {
  const t0 = now();
  const outs = await Promise.all(Array.from({ length: calls }, (_, i) => rt.callFunction('b:plain_sleeper', [String(i), JSON.stringify(`${sleepMs}ms`), String(sleepMs)])));
  const seconds = secondsSince(t0);
  outs.forEach((o, i) => {
    if (o.error) throw new Error(`plain sleeper ${i}: ${o.error.kind}: ${o.error.message}`);
    checkSleeper(JSON.parse(o.value ?? 'null'), i, `plain sleeper ${i}`);
  });
  return seconds;
}

export async function benchTimers(opts: TimersOptions = {}): Promise<TimersResult> {
  const workflows = opts.workflows ?? 10_000;
  const sleepMs = opts.sleepMs ?? 1000;
  const fx = benchFixture();
  const rt = fx.open(opts.cacheSize !== undefined ? { cacheSize: opts.cacheSize } : {});
  try {
    await plainFanOut(rt, Math.min(100, workflows), 10); // warm-up
    const plainSeconds = opts.plain === false ? null : await plainFanOut(rt, workflows, sleepMs);
    await durableThroughput(rt, 100, 10); // warm-up
    const steps = await durableThroughput(rt, 1000, 10);
    const d = await durableFanOut(rt, workflows, sleepMs);
    return {
      workflows, sleepMs, cacheSize: opts.cacheSize ?? null,
      seconds: d.seconds,
      startLoopSeconds: d.startLoopSeconds,
      wakeLateP50Ms: quantile(d.late, 0.5),
      wakeLateP99Ms: quantile(d.late, 0.99),
      wakeLateMaxMs: d.late.reduce((a, b) => Math.max(a, b), 0),
      lastOutcomeLateMs: d.lastOutcomeLateMs,
      plainSeconds,
      ratioToIdeal: d.seconds / (sleepMs / 1000),
      ratioToPlain: plainSeconds === null ? null : d.seconds / plainSeconds,
      durableStepsSeconds: steps.seconds,
      targetSeconds: sleepMs / 1000 + 2 * steps.seconds,
    };
  } finally {
    rt.close();
    fx.cleanup();
  }
}
