/**
 * Start-up on a large store (issue 17): finished workflows must never be read at start-up.
 *
 * Two stores, both with `unfinished` (10,000) workflows asleep (`time.sleep("1h")`): A has only
 * those; B is A plus `finished` (1,000,000) completed workflows, copies of a real one (its
 * workflow row and history rows cloned in SQL under new ids). Measured: the time from spawning
 * the real `wippy run DIR --db STORE -x b:marked N` to the line its first step prints (the
 * function `b:mark`); the child is then killed. A and B alternate, median of `repeats` each.
 * Target: B within 110% of A.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { benchFixture, engineIdle, quantile } from './fixture';
import { runWippyChild } from './cli-child';
import { checkOutcome } from '../testkit/outcome';
import type { Outcome } from '../runtime/engine/engine';

export interface ResumeOptions { unfinished?: number; finished?: number; repeats?: number; wippy?: string }

export interface ResumeResult {
  unfinished: number;
  finished: number;
  /** Median seconds from spawn to the first new step, without and with the finished ones. */
  seconds: number;
  secondsWithFinished: number;
  /** secondsWithFinished / seconds (target < 1.1). */
  ratio: number;
  storeBytes: number;
  storeBytesWithFinished: number;
  runs: Array<{ finished: boolean; seconds: number }>;
}

/** Clone workflow `id` (its row and history rows) `count` times under ids `fin-1`.. in one transaction. */
function addFinished(file: string, id: string, count: number): void {
  const db = new Database(file);
  try {
    const cols = (db.prepare('SELECT * FROM workflows WHERE id = ?').columns()).map((c) => c.name);
    const hcols = (db.prepare('SELECT * FROM history WHERE workflow_id = ?').columns()).map((c) => c.name);
    const ids = `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${count})`;
    db.transaction(() => {
      db.prepare(`${ids} INSERT INTO workflows (${cols.join(', ')}) SELECT ${cols.map((c) => (c === 'id' ? "'fin-' || c.i" : `t.${c}`)).join(', ')} FROM c, workflows t WHERE t.id = ?`).run(id);
      db.prepare(`${ids} INSERT INTO history (${hcols.join(', ')}) SELECT ${hcols.map((c) => (c === 'workflow_id' ? "'fin-' || c.i" : `t.${c}`)).join(', ')} FROM c, history t WHERE t.workflow_id = ?`).run(id);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

export async function benchResume(opts: ResumeOptions = {}): Promise<ResumeResult> {
  const unfinished = opts.unfinished ?? 10_000;
  const finished = opts.finished ?? 1_000_000;
  const repeats = opts.repeats ?? 3;
  const fx = benchFixture();
  const a = path.join(fx.dir, 'a.db');
  const b = path.join(fx.dir, 'b.db');
  try {
    const rt = fx.open({ db: a });
    let template: string;
    try {
      const engine = rt.startWorkflows()!;
      for (let i = 0; i < unfinished; i++) {
        const r = engine.start('b:sleeper', [JSON.stringify(i), '"1h"', '3600000']);
        if ('error' in r) throw new Error(`start b:sleeper: ${r.error.message}`);
        if (i % 1000 === 999) await engineIdle(engine);
      }
      await engineIdle(engine);
      const done = engine.start('b:steps', ['3']);
      if ('error' in done) throw new Error(`start b:steps: ${done.error.message}`);
      template = done.id;
      checkOutcome(await new Promise<Outcome>((r) => engine.watch(done.id, r)), 'the template workflow');
    } finally {
      rt.close();
    }
    fs.copyFileSync(a, b);
    process.stderr.write(`bench resume: adding ${finished} finished workflows...\n`);
    addFinished(b, template, finished);
    const runs: ResumeResult['runs'] = [];
    let n = 0;
    const first = async (file: string): Promise<number> => {
      const mark = `first step ${++n}`;
      const r = await runWippyChild(['run', fx.dir, '--db', file, '-x', 'b:marked', String(n)], { until: (l) => l === mark, wippy: opts.wippy, timeoutMs: 300_000 });
      if (r.lineSeconds === undefined) throw new Error(`resume bench: no "${mark}" line (exit ${r.code}): ${r.stderr.slice(-500)}`);
      return r.lineSeconds;
    };
    await first(a); // warm the file cache and the build
    await first(b);
    for (let i = 0; i < repeats; i++) {
      runs.push({ finished: false, seconds: await first(a) });
      runs.push({ finished: true, seconds: await first(b) });
    }
    const seconds = quantile(runs.filter((r) => !r.finished).map((r) => r.seconds), 0.5);
    const secondsWithFinished = quantile(runs.filter((r) => r.finished).map((r) => r.seconds), 0.5);
    return {
      unfinished, finished, seconds, secondsWithFinished, ratio: secondsWithFinished / seconds,
      storeBytes: fs.statSync(a).size, storeBytesWithFinished: fs.statSync(b).size, runs,
    };
  } finally {
    fx.cleanup();
  }
}
