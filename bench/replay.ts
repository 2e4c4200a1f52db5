/**
 * Benchmark: replaying a golden file of a 10,000-step workflow (what `wippy replay` does).
 *
 * A workflow loops `funcs.call("b:step", i)` N times; it is recorded once through the engine on
 * a MemoryStore with virtual time (app/golden/record.ts), written as golden text, then timed:
 * parsing the text (fromGolden) and replaying it (replayGolden: the Lua runs again, every command
 * is matched, every result comes from the file, nothing executes). The same-run baseline is the
 * same loop in a function entry calling the same trivial function with no durability at all, so
 * the ratio shows what replay costs against simply running the code.
 */
import { withRegistry, registryYaml, temporalEntries, workflowEntry, functionEntry } from '../testkit/registry';
import { secondsSince } from './fixture';
import { GoldenSession, recordWorkflow, toGolden, fromGolden, replayGolden } from '../app/golden';

export interface ReplayBenchResult {
  steps: number;
  /** History records replayed (started, N calls, N results). */
  events: number;
  recordSeconds: number;
  parseSeconds: number;
  replaySeconds: number;
  eventsPerSecond: number;
  stepsPerSecond: number;
  baselineSeconds: number;
  baselineCallsPerSecond: number;
  /** Replay speed over the baseline's (steps per second); above 1 means replay is faster. */
  ratioToBaseline: number;
}

export async function benchReplay(steps = 10_000): Promise<ReplayBenchResult> {
  const loop = `local funcs = require("funcs")
return function(n)
  local s = 0
  for i = 1, n do s = s + funcs.call("b:step", i) end
  return s
end`;
  const dir = withRegistry({
    'r.yaml': registryYaml('b', [
      ...temporalEntries('b', 'bench'),
      workflowEntry('b', 'loop', 'loop.lua', ['funcs']),
      functionEntry('plain_loop', 'loop.lua', ['funcs']),
      functionEntry('step', 'step.lua'),
    ]),
    'loop.lua': loop,
    'step.lua': 'return function(i) return i end',
  });
  const session = GoldenSession.load(dir);
  const expected = String((steps * (steps + 1)) / 2);

  const r0 = process.hrtime.bigint();
  const rec = await recordWorkflow(session.recordHost, {
    entry: 'b:loop', input: [String(steps)], startedAt: Date.parse('2024-01-01T00:00:00Z'), workflowId: 'bench-replay', timeoutMs: 600_000,
  });
  const recordSeconds = secondsSince(r0);
  const end = rec.history[rec.history.length - 1];
  if (rec.status !== 'finished' || end.type !== 'completed' || end.value !== expected) {
    throw new Error(`replay bench: recording failed: ${rec.status} ${rec.message ?? JSON.stringify(end)}`);
  }
  const text = toGolden(rec.history, {}, { workflowId: 'bench-replay' });

  const p0 = process.hrtime.bigint();
  const golden = fromGolden(text, 'bench.golden.json');
  const parseSeconds = secondsSince(p0);

  // Both are short (tens of ms): alternate them and take each one's median of five.
  const replays: number[] = [];
  const bases: number[] = [];
  let r!: ReturnType<typeof replayGolden>;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    r = replayGolden(session.replayEnv, golden, 'bench.golden.json');
    replays.push(secondsSince(t0));
    if (!r.ok || !r.finished) throw new Error(`replay bench: the replay did not match: ${r.ok ? 'unfinished' : r.report}`);
    const b0 = process.hrtime.bigint();
    const base = await session.rt.callFunction('b:plain_loop', [String(steps)]);
    bases.push(secondsSince(b0));
    if (base.error || base.value !== expected) throw new Error(`replay bench: baseline failed: ${JSON.stringify(base)}`);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const replaySeconds = median(replays);
  const baselineSeconds = median(bases);

  if (!r.ok) throw new Error('replay bench: unreachable');
  const events = r.steps;
  return {
    steps,
    events,
    recordSeconds,
    parseSeconds,
    replaySeconds,
    eventsPerSecond: events / replaySeconds,
    stepsPerSecond: steps / replaySeconds,
    baselineSeconds,
    baselineCallsPerSecond: steps / baselineSeconds,
    ratioToBaseline: (steps / replaySeconds) / (steps / baselineSeconds),
  };
}
