/**
 * Outcome helpers: starting a workflow in-process and reading how it ended.
 *
 * Owns: `runWf` (start through the Runtime and wait), `startAndWatch` (start through the engine
 * and wait), and `valueOf` / `checkOutcome`: the decoded value of a completed workflow, or an
 * error naming why there is none (parked, failed). Invariant: nothing here hides a failure: any
 * outcome but a completed workflow throws, so a test or a bench built on them fails loudly.
 */
import type { Runtime } from '../app/runtime';
import type { Outcome, WorkflowEngine } from '../runtime/engine/engine';

/** Start workflow `entry` through the Runtime (arguments JSON-encoded) and wait for its outcome. */
export function runWf(rt: Runtime, entry: string, ...args: unknown[]): Promise<Outcome> {
  return rt.runWorkflow(entry, args.map((a) => JSON.stringify(a)));
}

/** Start a workflow through the engine and resolve with its outcome. */
export function startAndWatch(engine: WorkflowEngine, entry: string, args: unknown[]): Promise<Outcome> {
  const r = engine.start(entry, args.map((a) => JSON.stringify(a)));
  if ('error' in r) throw new Error(`start ${entry}: ${r.error.kind}: ${r.error.message}`);
  return new Promise((resolve) => engine.watch(r.id, resolve));
}

/** The decoded value of a completed workflow; throws `WHAT: workflow parked|failed: ...` on anything else. */
export function checkOutcome(o: Outcome, what = 'workflow'): unknown {
  if ('parked' in o) throw new Error(`${what}: workflow parked: ${o.parked}`);
  if (o.result.error) throw new Error(`${what}: workflow failed: ${o.result.error.kind}: ${o.result.error.message}`);
  return JSON.parse(o.result.value ?? 'null');
}

/** The value of a workflow once it completes (throws on an error or parking). */
export async function valueOf(p: Promise<Outcome>): Promise<unknown> {
  return checkOutcome(await p);
}
