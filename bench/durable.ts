/**
 * Durable workflow benchmarks, each with a baseline measured in the same run:
 * - steps/s of N concurrent workflows x M `funcs.call` steps (every step's result committed with
 *   synchronous=FULL before the workflow continues), against (a) the same Lua file run as N
 *   concurrent function calls with no durability (plain Fengari, bench/baseline.ts) and (b) raw
 *   better-sqlite3 inserts on the same kind of file (one row per commit, and 100 rows per commit);
 * - memory per idle cached workflow (waiting on its inbox, its Lua state in the cache).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { wfRegistry } from '../testkit/registry';
import { tempDir } from '../testkit/temp';
import type { Runtime } from '../app/runtime';
import { benchFixture } from './fixture';
import { checkOutcome, startAndWatch } from '../testkit/outcome';
import { plainThroughput, PlainThroughput } from './baseline';

export interface DurableOptions {
  workflows?: number;
  steps?: number;
  /** Rows for the raw SQLite baselines (one per commit / 100 per commit). */
  sqliteSingleRows?: number;
  sqliteBatchedRows?: number;
}

export interface DurableResult {
  workflows: number;
  stepsPerWorkflow: number;
  seconds: number;
  stepsPerSecond: number;
  sqliteRowsPerSecondSingle: number;
  sqliteRowsPerSecondBatched: number;
  ratioToBatchedSqlite: number;
  ratioToSingleSqlite: number;
  /** The same Lua, same concurrency, as function calls with no durability. */
  plain: PlainThroughput;
  ratioToPlain: number;
  /** The same, each run on a fresh Lua state (the isolation a workflow has). */
  plainIsolated: PlainThroughput;
  ratioToPlainIsolated: number;
}

export function rawSqlite(rows: number, perCommit: number): number {
  const file = path.join(tempDir(), 'raw.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE h (wf TEXT, idx INTEGER, data TEXT, PRIMARY KEY (wf, idx)) WITHOUT ROWID');
  const ins = db.prepare('INSERT INTO h VALUES (?, ?, ?)');
  const tx = db.transaction((from: number, n: number) => { for (let i = from; i < from + n; i++) ins.run(`wf-${i % 1000}`, i, '{"type":"call_done","of":1,"value":"42"}'); });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rows; i += perCommit) tx(i, Math.min(perCommit, rows - i));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return rows / s;
}

/** `workflows` concurrent runs of the `steps`-step loop through the engine; every result checked. */
export async function durableThroughput(rt: Runtime, workflows: number, steps: number): Promise<{ seconds: number; stepsPerSecond: number }> {
  const engine = rt.startWorkflows()!;
  const t0 = process.hrtime.bigint();
  const outs = await Promise.all(Array.from({ length: workflows }, () => startAndWatch(engine, 'b:steps', [steps])));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  outs.forEach((o, i) => { if (checkOutcome(o, `durable workflow ${i}`) !== steps) throw new Error(`durable workflow ${i}: result ${JSON.stringify(o)}, expected ${steps}`); });
  return { seconds, stepsPerSecond: (workflows * steps) / seconds };
}

export async function benchDurable(opts: DurableOptions = {}): Promise<DurableResult> {
  const workflows = opts.workflows ?? 1000;
  const steps = opts.steps ?? 10;
  const fx = benchFixture();
  const rt = fx.open(); // the default settings, as a user gets them
  try {
    // Warm both paths up (JIT, chunk cache, pools) with a tenth of the load, then measure each.
    const warm = Math.max(1, Math.floor(workflows / 10));
    await plainThroughput(rt, warm, steps);
    await durableThroughput(rt, warm, steps);
    // The plain run is short (~0.1 s): take the median of three.
    const plains: PlainThroughput[] = [];
    for (let i = 0; i < 3; i++) plains.push(await plainThroughput(rt, workflows, steps));
    const plain = plains.sort((a, b) => a.stepsPerSecond - b.stepsPerSecond)[1];
    const isolatedRuns: PlainThroughput[] = [];
    for (let i = 0; i < 3; i++) isolatedRuns.push(await plainThroughput(rt, workflows, steps, true));
    const plainIsolated = isolatedRuns.sort((a, b) => a.stepsPerSecond - b.stepsPerSecond)[1];
    // Durable likewise: the median of three (each on the same store, one after the other).
    const ds: Array<{ seconds: number; stepsPerSecond: number }> = [];
    for (let i = 0; i < 3; i++) ds.push(await durableThroughput(rt, workflows, steps));
    const d = ds.sort((a, b) => a.stepsPerSecond - b.stepsPerSecond)[1];
    rt.close();
    const single = rawSqlite(opts.sqliteSingleRows ?? 2000, 1);
    const batched = rawSqlite(opts.sqliteBatchedRows ?? 50_000, 100);
    return {
      workflows, stepsPerWorkflow: steps, seconds: d.seconds, stepsPerSecond: d.stepsPerSecond,
      sqliteRowsPerSecondSingle: single, sqliteRowsPerSecondBatched: batched,
      ratioToBatchedSqlite: d.stepsPerSecond / batched, ratioToSingleSqlite: d.stepsPerSecond / single,
      plain, ratioToPlain: d.stepsPerSecond / plain.stepsPerSecond,
      plainIsolated, ratioToPlainIsolated: d.stepsPerSecond / plainIsolated.stepsPerSecond,
    };
  } finally {
    rt.close();
    fx.cleanup();
  }
}

export interface IdleMemoryResult { workflows: number; bytesPerIdleWorkflow: number; heapBytesPerIdleWorkflow: number }

/** Heap and RSS growth per workflow that waits on its inbox with its Lua state cached. */
export async function benchIdleMemory(workflows = 1000): Promise<IdleMemoryResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const fx = wfRegistry({ idle: 'return function() local m = process.inbox():receive() return m:topic() end' });
  const rt = fx.open({ cacheSize: workflows * 2 });
  const engine = rt.startWorkflows()!;
  gc?.();
  const h0 = process.memoryUsage();
  const ids: string[] = [];
  for (let i = 0; i < workflows; i++) ids.push((engine.start('app:idle', []) as { id: string }).id);
  while (engine.busy) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 50));
  gc?.();
  const h1 = process.memoryUsage();
  const done = ids.map((id) => new Promise((r) => engine.watch(id, r)));
  for (const id of ids) engine.signal(id, 'wake', '', []);
  await Promise.all(done);
  rt.close();
  return { workflows, bytesPerIdleWorkflow: (h1.rss - h0.rss) / workflows, heapBytesPerIdleWorkflow: (h1.heapUsed - h0.heapUsed) / workflows };
}
