/**
 * Why lua/v8-flags.ts turns Sparkplug off: a Fengari yield/resume round trip timed in two
 * child processes, one with V8's defaults and one with --no-sparkplug (CPU time, median of the
 * warm rounds). A yield is a JS throw that unwinds through luaV_execute; in a Sparkplug frame the
 * handler lookup scans the huge function's offset table.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export interface YieldBenchResult { defaultUs: number; noSparkplugUs: number; ratio: number }

function child(flags: string[]): number {
  const script = path.join(__dirname, 'yield-child.js');
  const r = spawnSync(process.execPath, [...flags, script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`yield bench child failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { usPerRoundTrip: number }).usPerRoundTrip;
}

export function benchYield(): YieldBenchResult {
  const defaultUs = child([]);
  const noSparkplugUs = child(['--no-sparkplug']);
  return { defaultUs, noSparkplugUs, ratio: noSparkplugUs / defaultUs };
}
