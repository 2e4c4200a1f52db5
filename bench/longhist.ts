/**
 * Long histories (issue 17): one workflow of `steps` (10,000) `funcs.call` steps running among
 * `others` (2,000) busy workflows, with the runtime's DEFAULT settings (no cache size given).
 *
 * The others each loop over a slow activity (`b:slow`, a sleep of 0.5-1.5 s in a function): they
 * stay busy, an activity in flight and a wake-up about every second each, spread evenly over
 * time (the long one is started once they are), for as long as the long one runs, and are
 * terminated at the end.
 *
 * The long one's per-step cost, at step 100 and at its last step (windows of `window` steps):
 * - its engine time: each of its activations is timed (one activation is one step: its result
 *   delivered, its next call emitted; a replay of its history, if it had to be rebuilt, is in
 *   the first activation of the new state), median per window. This is the target: the late
 *   window within 1.5x of the early one (a workflow replayed from its whole history at every
 *   step costs O(steps) per step and O(steps^2) in all).
 * - its wall time per step, from the times of its `call_done` records: mostly the commit's
 *   fsync (one step per commit), so it moves with the disk's load, not with the history.
 * And the engine's replays (states rebuilt, records replayed) over the whole run.
 */
import { benchFixture, engineIdle, sleepMs, secondsSince, now, quantile } from './fixture';
import { checkOutcome } from '../testkit/outcome';
import { readStore } from '../testkit/store';
import { WorkflowInstance } from '../runtime/engine/instance';
import type { Outcome } from '../runtime/engine/engine';

export interface LongHistOptions { steps?: number; others?: number; window?: number; slowMs?: number }

export interface LongHistResult {
  steps: number;
  others: number;
  window: number;
  /** Median µs of engine time per step (one activation) around step 100 and over the last window. */
  earlyUsPerStep: number;
  lateUsPerStep: number;
  /** late / early (target <= 1.5). */
  ratio: number;
  /** Mean wall ms per step over the same windows (commit latency, see the header). */
  earlyMsPerStep: number;
  lateMsPerStep: number;
  seconds: number;
  /** The others' activities completed while the long one ran (they were busy). */
  otherSteps: number;
  /** Lua states rebuilt and records replayed in the whole run (engine.stats). */
  rebuilt: number;
  replayedRecords: number;
}

/** The `call_done` times of workflow `id` (a reader beside the running engine). */
function stepTimes(db: string, id: string): number[] {
  return readStore(db, (s) => s.history(id).filter((r) => r.type === 'call_done').map((r) => r.at));
}

/** Time every activation of the workflow `id()` names (µs, in order) until `stop()`. */
function timeActivations(id: () => string | null): { times: number[]; stop(): void } {
  const proto = WorkflowInstance.prototype;
  const original = proto.activate;
  const times: number[] = [];
  proto.activate = function (this: WorkflowInstance, records) {
    if (this.id !== id()) return original.call(this, records);
    const t0 = process.hrtime.bigint();
    try { return original.call(this, records); } finally { times.push(Number(process.hrtime.bigint() - t0) / 1e3); }
  };
  return { times, stop: () => { proto.activate = original; } };
}

export async function benchLongHistory(opts: LongHistOptions = {}): Promise<LongHistResult> {
  const steps = opts.steps ?? 10_000;
  const others = opts.others ?? 2000;
  const window = Math.min(opts.window ?? 200, Math.floor(steps / 4));
  const slowMs = opts.slowMs ?? 1000;
  const fx = benchFixture();
  const rt = fx.open();
  let longId: string | null = null;
  const timing = timeActivations(() => longId);
  try {
    const engine = rt.startWorkflows()!;
    const busy: string[] = [];
    for (let i = 0; i < others; i++) {
      const r = engine.start('b:busy', [JSON.stringify(1_000_000), JSON.stringify(slowMs)]);
      if ('error' in r) throw new Error(`start b:busy: ${r.error.message}`);
      busy.push(r.id);
    }
    await engineIdle(engine);
    await sleepMs(3 * slowMs); // every other one is in its loop, their wake-ups spread out
    const t0 = now();
    const started = engine.start('b:steps', [JSON.stringify(steps)]);
    if ('error' in started) throw new Error(`start b:steps: ${started.error.message}`);
    longId = started.id;
    const outcome = await new Promise<Outcome>((r) => engine.watch(started.id, r));
    const seconds = secondsSince(t0);
    if (checkOutcome(outcome, 'the long workflow') !== steps) throw new Error(`the long workflow: result ${JSON.stringify(outcome)}`);
    const t = stepTimes(fx.db, started.id);
    let otherSteps = 0;
    for (const id of busy) {
      otherSteps += stepTimes(fx.db, id).filter((at) => at >= t[0] && at <= t[t.length - 1]).length;
      engine.cancelOrTerminate(id, '', true);
    }
    await engineIdle(engine);
    // Activation k (from 0) delivers the result of step k (activation 0 is the start).
    const a = timing.times;
    const early = Math.max(1, 100 - window / 2);
    const late = a.length - 1 - window;
    const median = (from: number): number => quantile(a.slice(from, from + window), 0.5);
    const wall = (from: number): number => (t[from + window] - t[from]) / window;
    const earlyUsPerStep = median(early);
    const lateUsPerStep = median(late);
    const { rebuilt, replayedRecords } = engine.stats;
    return {
      steps, others, window, earlyUsPerStep, lateUsPerStep, ratio: lateUsPerStep / earlyUsPerStep,
      earlyMsPerStep: wall(Math.max(0, 100 - window / 2)), lateMsPerStep: wall(t.length - 1 - window),
      seconds, otherSteps, rebuilt, replayedRecords,
    };
  } finally {
    timing.stop();
    rt.close();
    fx.cleanup();
  }
}
