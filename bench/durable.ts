/**
 * Durable workflow benchmarks, each with a baseline measured in the same run:
 * - steps/s of N concurrent workflows x M `funcs.call` steps (every step's result committed with
 *   synchronous=FULL before the workflow continues), against raw better-sqlite3 inserts on the
 *   same kind of file (one row per commit, and 100 rows per commit);
 * - memory per idle cached workflow (waiting on its inbox, its Lua state in the cache).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { wfRegistry, runWf } from '../test/helpers/workflows';
import { tempDir } from '../test/helpers/lua';

export interface DurableResult {
  workflows: number;
  stepsPerWorkflow: number;
  seconds: number;
  stepsPerSecond: number;
  sqliteRowsPerSecondSingle: number;
  sqliteRowsPerSecondBatched: number;
  ratioToBatchedSqlite: number;
  ratioToSingleSqlite: number;
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

export async function benchDurable(workflows = 1000, steps = 10): Promise<DurableResult> {
  const fx = wfRegistry({
    steps: `local funcs = require("funcs")
      return function(n) local s = 0 for i = 1, n do s = funcs.call("app:inc", s) end return s end`,
  }, { inc: 'return function(x) return x + 1 end' });
  const rt = fx.open({ cacheSize: workflows * 2 });
  rt.startWorkflows();
  const t0 = process.hrtime.bigint();
  const outs = await Promise.all(Array.from({ length: workflows }, () => runWf(rt, 'app:steps', steps)));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  rt.close();
  const bad = outs.filter((o) => !('result' in o) || o.result.value !== String(steps)).length;
  if (bad) throw new Error(`${bad} workflows did not complete correctly`);
  const sps = (workflows * steps) / seconds;
  const single = rawSqlite(2000, 1);
  const batched = rawSqlite(50_000, 100);
  return {
    workflows, stepsPerWorkflow: steps, seconds, stepsPerSecond: sps,
    sqliteRowsPerSecondSingle: single, sqliteRowsPerSecondBatched: batched,
    ratioToBatchedSqlite: sps / batched, ratioToSingleSqlite: sps / single,
  };
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
