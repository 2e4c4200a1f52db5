/**
 * `node dist/bench/profile-top.js FILE.cpuprofile [N]`: the top N functions (default 25) of a V8
 * CPU profile (`node --cpu-prof`), by self time and by inclusive time, as the lines quoted in
 * docs/performance.md. A function is named `name file:line` (the last two path parts); inclusive
 * time counts a function once per sample however often it is on the stack (recursion).
 */
import * as fs from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export function profileTop(p: Profile, n: number): { totalSeconds: number; self: Array<[string, number]>; inclusive: Array<[string, number]> } {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const name = (x: ProfileNode): string => `${x.callFrame.functionName || '(anonymous)'} ${x.callFrame.url.split('/').slice(-2).join('/')}:${x.callFrame.lineNumber + 1}`;
  const timeOf = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => { const d = p.timeDeltas[i] ?? 0; total += d; timeOf.set(id, (timeOf.get(id) ?? 0) + d); });
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, t] of timeOf) {
    self.set(name(byId.get(id)!), (self.get(name(byId.get(id)!)) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = name(byId.get(cur)!);
      if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + t); }
    }
  }
  const top = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => [k, t / total]);
  return { totalSeconds: total / 1e6, self: top(self), inclusive: top(incl) };
}

if (require.main === module) {
  const [file, count] = process.argv.slice(2);
  if (!file) { process.stderr.write('usage: node dist/bench/profile-top.js FILE.cpuprofile [N]\n'); process.exit(2); }
  const r = profileTop(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, Number(count ?? 25));
  const show = (title: string, rows: Array<[string, number]>): void => {
    process.stdout.write(`${title} (of ${r.totalSeconds.toFixed(2)} s sampled)\n`);
    for (const [k, share] of rows) process.stdout.write(`${(share * 100).toFixed(1).padStart(5)}%  ${k}\n`);
  };
  show('self', r.self);
  show('inclusive', r.inclusive);
}
