/**
 * Benchmark: the typed-Lua transform's speed in MB/s on a ~1 MB generated typed source, with the
 * same run's Fengari compile speed of the stripped text as the baseline (the transform's cost
 * relative to compiling, which every load pays anyway).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stripTypes } from '../lua/typestrip';
import { compile } from '../lua/chunks';

export interface TypestripResult { bytes: number; stripMBps: number; compileMBps: number; costVsCompile: number }

function typedSource(targetBytes: number): string {
  const corpus = path.resolve(__dirname, '../../test/typestrip/corpus');
  const parts: string[] = [];
  for (const f of fs.readdirSync(corpus).filter((x) => x.endsWith('.typed.lua')).sort()) {
    // Each corpus file returns a value; wrap it so many can live in one chunk.
    parts.push(`do local _ = (function()\n${fs.readFileSync(path.join(corpus, f), 'utf8')}\nend) end\n`);
  }
  const unit = parts.join('');
  let out = '';
  while (out.length < targetBytes) out += unit;
  return out;
}

function best(fn: () => void, runs: number): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return b;
}

export function benchTypestrip(): TypestripResult {
  const src = typedSource(1_000_000);
  const mb = Buffer.byteLength(src) / 1e6;
  let stripped = '';
  const ts = best(() => { stripped = stripTypes(src, 'bench.lua'); }, 10);
  let n = 0;
  const tc = best(() => { compile(stripped, `bench${n++}.lua`); }, 3);
  return { bytes: Buffer.byteLength(src), stripMBps: mb / ts, compileMBps: mb / tc, costVsCompile: tc > 0 ? ts / tc : 0 };
}
