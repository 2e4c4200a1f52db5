/**
 * `npm run bench`: every benchmark, printed as a table and written to bench/results.json.
 * Figures are ratios against baselines measured in the same run (the machine is shared and noisy).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchProcesses } from './processes';
import { benchDurable, benchIdleMemory } from './durable';
import { benchTypestrip } from './typestrip';
import { benchReplay } from './replay';

async function main(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  const only = process.argv[2];
  if (!only || only === 'processes') {
    process.stderr.write('bench: 10,000 processes x 100,000 messages...\n');
    const p = await benchProcesses();
    results.processes = p;
    console.log(`processes   ${p.processes} processes, ${p.messages} messages in ${p.seconds.toFixed(2)}s = ${Math.round(p.messagesPerSecond)} msg/s` +
      ` (${(p.ratioToBaseline * 100).toFixed(1)}% of in-state channel ops: ${Math.round(p.baselineChannelOpsPerSecond)}/s)`);
  }
  if (!only || only === 'durable') {
    process.stderr.write('bench: 1,000 workflows x 10 durable steps...\n');
    const d = await benchDurable();
    results.durable = d;
    console.log(`durable     ${d.workflows} x ${d.stepsPerWorkflow} steps in ${d.seconds.toFixed(2)}s = ${Math.round(d.stepsPerSecond)} steps/s;` +
      ` raw SQLite (synchronous=FULL): ${Math.round(d.sqliteRowsPerSecondSingle)} rows/s one per commit, ${Math.round(d.sqliteRowsPerSecondBatched)} rows/s 100 per commit;` +
      ` ratio ${(d.ratioToBatchedSqlite * 100).toFixed(1)}% of batched, ${d.ratioToSingleSqlite.toFixed(2)}x single`);
    const m = await benchIdleMemory();
    results.idleMemory = m;
    console.log(`idle memory ${m.workflows} cached idle workflows: ${(m.bytesPerIdleWorkflow / 1024).toFixed(0)} KiB RSS, ${(m.heapBytesPerIdleWorkflow / 1024).toFixed(0)} KiB heap each`);
  }
  if (!only || only === 'replay') {
    process.stderr.write('bench: replaying a 10,000-step golden...\n');
    const r = await benchReplay(10_000);
    results.replay = r;
    console.log(`replay      ${r.steps} steps (${r.events} records): replay ${r.replaySeconds.toFixed(2)}s = ${Math.round(r.eventsPerSecond)} records/s,` +
      ` parse ${r.parseSeconds.toFixed(2)}s; no-durability run of the same Lua ${r.baselineSeconds.toFixed(2)}s; replay/baseline time ${(r.replaySeconds / r.baselineSeconds).toFixed(2)}x`);
  }
  if (!only || only === 'typestrip') {
    const t = benchTypestrip();
    results.typestrip = t;
    console.log(`typestrip   ${(t.bytes / 1e6).toFixed(2)} MB typed Lua: strip ${t.stripMBps.toFixed(1)} MB/s; Fengari compile ${t.compileMBps.toFixed(2)} MB/s;` +
      ` the transform costs ${(t.costVsCompile * 100).toFixed(1)}% of compiling`);
  }
  const out = path.resolve(__dirname, '../../bench/results.json');
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${out}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
