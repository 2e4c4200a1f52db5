/**
 * Memory with many sleeping workflows (issue 7: "100,000 sleeping workflows under 1 GiB RSS; none
 * lost after they wake"), and how fast they start and wake (issue 17: each at least half the same
 * run's durable steps/s).
 *
 * N workflows each `time.sleep("1h")` on a virtual clock (base/clock.ts) that is held still
 * (an extra busy probe) until every one is started and asleep; the engine has its default cache
 * unless `cacheSize` is given (a long sleeper keeps no live state either way: it is replayed
 * from SQLite when it wakes).
 * Workflows are started in chunks of `chunk`, waiting for the engine to be idle between chunks.
 * Measured: RSS (and heap) after a full GC (and a second's pause) with all asleep, the peak RSS seen while starting and
 * while waking, then the clock is released (it jumps 1h: all timers fire together), every
 * outcome is checked (each returns its own number), and RSS after a full GC again. Times of both
 * phases are reported. Baseline: the process's RSS before the runtime was loaded; the target is
 * the fixed 1 GiB. Last, with every figure above taken, the same runtime runs 1,000 x 10 durable
 * steps (bench/durable.ts): the baseline of the start and wake rates. `benchMemoryInChild` runs it
 * in a fresh Node process (what run.ts does), so the RSS is not inflated by whatever ran before
 * in the same process.
 */
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { VirtualClock } from '../base/clock';
import { benchFixture, engineIdle, now, secondsSince, gc, sleepMs } from './fixture';
import { checkOutcome, startAndWatch } from '../testkit/outcome';
import type { Outcome } from '../runtime/engine/engine';
import { durableThroughput } from './durable';

/** `cacheSize`: undefined (or 0 on the child's command line) for the engine's default. */
export interface MemoryOptions { workflows?: number; cacheSize?: number; chunk?: number }

export interface MemoryResult {
  workflows: number;
  /** null: the default. */
  cacheSize: number | null;
  /** RSS before the runtime was loaded (after GC). */
  rssBaseline: number;
  /** RSS with every workflow asleep, after GC. */
  rssSleeping: number;
  heapSleeping: number;
  /** V8 heap reserved (heapTotal) and memory outside it (external: ArrayBuffers, SQLite is not counted). */
  heapTotalSleeping: number;
  externalSleeping: number;
  /** Highest RSS sampled while starting them (no GC forced). */
  rssPeakStarting: number;
  /** Highest RSS sampled while they woke and finished. */
  rssPeakWaking: number;
  /** Highest V8 heapTotal (reserved) sampled in each phase: shows whether a peak is JS heap. */
  heapTotalPeakStarting: number;
  heapTotalPeakWaking: number;
  /** RSS after all finished, after GC. */
  rssAfter: number;
  heapAfter: number;
  heapTotalAfter: number;
  /** RSS split (Linux) with all asleep and after, both after GC: anonymous vs file-backed. */
  rssSplitSleeping: Record<string, number>;
  rssSplitAfter: Record<string, number>;
  bytesPerSleepingWorkflow: number;
  startSeconds: number;
  wakeSeconds: number;
  /** Live instances in the engine's cache when all were asleep. */
  cachedWhileSleeping: number;
  /** max(rssPeakStarting, rssPeakWaking, rssSleeping) / 1 GiB (target < 1). */
  ratioToGiB: number;
  /** Workflows started (to asleep) and woken (to finished) per second; the same run's durable steps/s; rate / steps/s (target >= 0.5). */
  startPerSecond: number;
  wakePerSecond: number;
  durableStepsPerSecond: number;
  startRatio: number;
  wakeRatio: number;
}

const GiB = 1024 ** 3;

/** Full GC, then a second for V8's background threads to give freed pages back, then GC again. */
async function settle(): Promise<void> {
  gc();
  await sleepMs(1000);
  gc();
}

/** Linux's split of RSS (anonymous, file-backed, shared memory) in bytes; {} elsewhere. */
export function rssSplit(): Record<string, number> {
  try {
    const out: Record<string, number> = {};
    for (const l of fs.readFileSync('/proc/self/status', 'utf8').split('\n')) {
      const m = /^(RssAnon|RssFile|RssShmem):\s+(\d+) kB/.exec(l);
      if (m) out[m[1]] = Number(m[2]) * 1024;
    }
    return out;
  } catch { return {}; }
}

export async function benchMemory(opts: MemoryOptions = {}): Promise<MemoryResult> {
  const workflows = opts.workflows ?? 100_000;
  const cacheSize = opts.cacheSize || undefined;
  const chunk = opts.chunk ?? 1000;
  gc();
  const rssBaseline = process.memoryUsage().rss;
  const clock = new VirtualClock();
  let hold = true;
  clock.addBusyProbe(() => hold);
  const fx = benchFixture();
  const rt = fx.open({ clock, ...(cacheSize ? { cacheSize } : {}) });
  let peak = 0;
  let peakHeapTotal = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeapTotal = Math.max(peakHeapTotal, m.heapTotal);
  };
  const sampler = setInterval(sample, 100);
  try {
    const engine = rt.startWorkflows()!;
    const t0 = now();
    const outcomes: Array<Promise<Outcome>> = [];
    let done = 0;
    for (let i = 0; i < workflows; i += chunk) {
      for (let k = i; k < Math.min(workflows, i + chunk); k++) {
        outcomes.push(startAndWatch(engine, 'b:sleeper', [k, '1h', 3_600_000]).then((o) => {
          if (++done % 1000 === 0) sample();
          return o;
        }));
      }
      await engineIdle(engine);
      sample();
      if (i % (chunk * 20) === 0 && i) process.stderr.write(`bench memory: ${i} started, ${(secondsSince(t0)).toFixed(1)}s\n`);
    }
    await engineIdle(engine);
    const startSeconds = secondsSince(t0);
    if (done) throw new Error(`memory bench: ${done} workflows finished before their timer fired`);
    if (engine.active !== workflows) throw new Error(`memory bench: ${engine.active} workflows active, expected ${workflows}`);
    const cachedWhileSleeping = engine.cached;
    const rssPeakStarting = peak;
    const heapTotalPeakStarting = peakHeapTotal;
    await settle();
    const m1 = process.memoryUsage();
    const rssSplitSleeping = rssSplit();

    peak = 0;
    peakHeapTotal = 0;
    const w0 = now();
    hold = false;
    const values = await Promise.all(outcomes);
    const wakeSeconds = secondsSince(w0);
    sample();
    const rssPeakWaking = peak;
    const heapTotalPeakWaking = peakHeapTotal;
    values.forEach((o, i) => {
      const v = checkOutcome(o, `memory workflow ${i}`) as { n?: number };
      if (!v || v.n !== i) throw new Error(`memory workflow ${i}: result ${JSON.stringify(v)}, expected n = ${i}`);
    });
    outcomes.length = 0;
    values.length = 0;
    await settle();
    const m2 = process.memoryUsage();
    const rssSplitAfter = rssSplit();
    await durableThroughput(rt, 100, 10); // warm-up
    const steps = await durableThroughput(rt, 1000, 10);
    const startPerSecond = workflows / startSeconds;
    const wakePerSecond = workflows / wakeSeconds;
    return {
      workflows, cacheSize: cacheSize ?? null, rssBaseline,
      rssSleeping: m1.rss, heapSleeping: m1.heapUsed, heapTotalSleeping: m1.heapTotal, externalSleeping: m1.external,
      rssPeakStarting, rssPeakWaking,
      heapTotalPeakStarting, heapTotalPeakWaking,
      rssAfter: m2.rss, heapAfter: m2.heapUsed, heapTotalAfter: m2.heapTotal, rssSplitSleeping, rssSplitAfter,
      bytesPerSleepingWorkflow: (m1.rss - rssBaseline) / workflows,
      startSeconds, wakeSeconds, cachedWhileSleeping,
      ratioToGiB: Math.max(rssPeakStarting, rssPeakWaking, m1.rss) / GiB,
      startPerSecond, wakePerSecond, durableStepsPerSecond: steps.stepsPerSecond,
      startRatio: startPerSecond / steps.stepsPerSecond, wakeRatio: wakePerSecond / steps.stepsPerSecond,
    };
  } finally {
    clearInterval(sampler);
    hold = false;
    rt.close();
    fx.cleanup();
  }
}

/** Run benchMemory in a fresh `node --expose-gc` process (stderr passes through). */
export function benchMemoryInChild(opts: MemoryOptions = {}): Promise<MemoryResult> {
  const args = [
    '--expose-gc', __filename,
    String(opts.workflows ?? 100_000), String(opts.cacheSize ?? 0), String(opts.chunk ?? 1000),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`memory bench child exited with ${code}`)); return; }
      try { resolve(JSON.parse(out) as MemoryResult); } catch { reject(new Error(`memory bench child printed no JSON: ${out.slice(0, 200)}`)); }
    });
  });
}

if (require.main === module) {
  const [workflows, cacheSize, chunk] = process.argv.slice(2).map(Number);
  benchMemory({ workflows, cacheSize, chunk }).then(
    (r) => { process.stdout.write(`${JSON.stringify(r)}\n`); },
    (e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exit(1); },
  );
}
