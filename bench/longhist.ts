/**
 * Long histories (issue 17): one workflow of `steps` (10,000) `funcs.call` steps running among
 * `others` (2,000) busy workflows, with the runtime's DEFAULT settings (no cache size given).
 *
 * The others each loop over a slow activity (`b:slow`, a 1 s sleep in a function): they stay
 * busy, an activity in flight and a wake-up every second each, for as long as the long one runs,
 * and are terminated at the end. The long one's per-step cost is read from its own history: the
 * times of its `call_done` records (the engine's clock), as the mean step time over a window of
 * `window` steps at step 100 and at the last step. Target: the late window within 1.5x of the
 * early one (a workflow replayed from its whole history at every step would cost O(steps) per
 * step and O(steps^2) in all).
 */
import { benchFixture, engineIdle, sleepMs, secondsSince, now } from './fixture';
import { checkOutcome } from '../testkit/outcome';
import { readStore } from '../testkit/store';
import type { Outcome } from '../runtime/engine/engine';

export interface LongHistOptions { steps?: number; others?: number; window?: number; slowMs?: number }

export interface LongHistResult {
  steps: number;
  others: number;
  /** Mean ms per step of the long workflow around step 100 and over its last `window` steps. */
  earlyMsPerStep: number;
  lateMsPerStep: number;
  window: number;
  /** late / early (target <= 1.5). */
  ratio: number;
  seconds: number;
  /** The others' activities completed while the long one ran (they were busy). */
  otherSteps: number;
}

/** The `call_done` times of workflow `id` (a reader beside the running engine). */
function stepTimes(db: string, id: string): number[] {
  return readStore(db, (s) => s.history(id).filter((r) => r.type === 'call_done').map((r) => r.at));
}

export async function benchLongHistory(opts: LongHistOptions = {}): Promise<LongHistResult> {
  const steps = opts.steps ?? 10_000;
  const others = opts.others ?? 2000;
  const window = Math.min(opts.window ?? 200, Math.floor(steps / 4));
  const slowMs = opts.slowMs ?? 1000;
  const fx = benchFixture();
  const rt = fx.open();
  try {
    const engine = rt.startWorkflows()!;
    const busy: string[] = [];
    for (let i = 0; i < others; i++) {
      const r = engine.start('b:busy', [JSON.stringify(1_000_000), JSON.stringify(slowMs)]);
      if ('error' in r) throw new Error(`start b:busy: ${r.error.message}`);
      busy.push(r.id);
    }
    await engineIdle(engine);
    await sleepMs(slowMs); // every other one is now in its loop
    const t0 = now();
    const started = engine.start('b:steps', [JSON.stringify(steps)]);
    if ('error' in started) throw new Error(`start b:steps: ${started.error.message}`);
    const outcome = await new Promise<Outcome>((r) => engine.watch(started.id, r));
    const seconds = secondsSince(t0);
    if (checkOutcome(outcome, 'the long workflow') !== steps) throw new Error(`the long workflow: result ${JSON.stringify(outcome)}`);
    let otherSteps = 0;
    for (const id of busy) {
      otherSteps += stepTimes(fx.db, id).length;
      engine.cancelOrTerminate(id, '', true);
    }
    await engineIdle(engine);
    const t = stepTimes(fx.db, started.id);
    const at = (from: number): number => (t[from + window] - t[from]) / window;
    const earlyMsPerStep = at(Math.max(0, 100 - window / 2));
    const lateMsPerStep = at(t.length - 1 - window);
    return { steps, others, earlyMsPerStep, lateMsPerStep, window, ratio: lateMsPerStep / earlyMsPerStep, seconds, otherSteps };
  } finally {
    rt.close();
    fx.cleanup();
  }
}
