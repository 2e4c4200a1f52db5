/**
 * `npm run bench`: every benchmark, printed as a table and written to bench/results.json.
 * Figures are ratios against baselines measured in the same run (the machine is shared and noisy).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchProcesses } from './processes';

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
  const out = path.resolve(__dirname, '../../bench/results.json');
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${out}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
