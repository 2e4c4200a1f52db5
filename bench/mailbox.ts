/**
 * Benchmark: draining a large inbox (issue 13). One process sends itself n messages, then
 * receives them all; the cost per message is reported at each size in the same run, so "flat"
 * (O(1) per message) can be read off directly: the largest size's cost over the smallest's.
 * With an inbox whose receive was O(n) (Array.shift on the buffer) 1,000,000 messages did not
 * finish in 60 s; the test that guards it counts array work instead of timing
 * (test/process/inbox-drain.test.ts).
 */
import { withRegistry, registryYaml, processEntry } from '../testkit/registry';
import { Runtime } from '../app/runtime';
import { now, secondsSince } from './fixture';

export interface MailboxSize { messages: number; seconds: number; usPerMessage: number }
export interface MailboxBenchResult {
  sizes: MailboxSize[];
  /** usPerMessage at the largest size / at the smallest: ~1 when receiving is O(1) each. */
  ratioLargestToSmallest: number;
}

const DRAIN = `return function(n)
  local me = process.pid()
  for i = 1, n do process.send(me, "t", i) end
  local inbox, got = process.inbox(), 0
  for i = 1, n do inbox:receive() got = got + 1 end
  return got
end`;

export async function benchMailbox(sizes: number[] = [10_000, 100_000, 1_000_000]): Promise<MailboxBenchResult> {
  const dir = withRegistry({
    'r.yaml': registryYaml('b', [{ name: 'procs', kind: 'process.host' }, processEntry('drain', 'drain.lua')]),
    'drain.lua': DRAIN,
  });
  const rt = Runtime.load(dir, { output: { print: () => {}, log: () => {} } });
  // Warm up (some 200,000 messages: Fengari's VM takes that long to reach V8's optimised tiers),
  // so the smallest size does not pay for the JIT and the comparison is of the inbox alone.
  for (let sent = 0; sent < 200_000; sent += sizes[0]) await rt.execProcess('b:drain', 'b:procs', [String(sizes[0])]);
  const out: MailboxSize[] = [];
  // No gc() between sizes: a forced full collection shrinks the heap, and the next run then pays
  // for growing it again (it made 10,000 messages cost 3x what they do without it).
  for (const n of sizes) {
    const t0 = now();
    const r = await rt.execProcess('b:drain', 'b:procs', [String(n)]);
    const seconds = secondsSince(t0);
    if (r.error || r.value !== String(n)) throw new Error(`mailbox bench failed at ${n}: ${JSON.stringify(r)}`);
    out.push({ messages: n, seconds, usPerMessage: (seconds * 1e6) / n });
  }
  return { sizes: out, ratioLargestToSmallest: out[out.length - 1].usPerMessage / out[0].usPerMessage };
}
