/**
 * Workflows started from outside a running node (issue 18): `wippy workflow start` invoked once
 * per workflow against a `wippy run` serving the same store, as a user's script or cron job
 * would, beside the scale bench's in-node `process.spawn` driver.
 *
 * What is realistic: one CLI process per start (the command takes one workflow), one after the
 * other as a shell loop runs them (`parallel` 1) or several at a time as `xargs -P 4` would
 * (`parallel` 4). Each invocation records a `@start` request; the running node takes it within
 * its 200 ms poll and runs the workflow (`b:steps`, the same 10 `funcs.call` steps the driver
 * spawns). `cliFloorMs` is the floor of any invocation: node starting the CLI for `--version`.
 *
 * Measured: each invocation's wall time (spawn to exit, which includes waiting until the running
 * node has taken the start), starts/s over all invocations, and the time from the first
 * invocation to the last workflow completed (read from the store, polled every 50 ms), as
 * workflows/s and steps/s. Invariant: the run and every child end before this returns.
 */
import * as path from 'node:path';
import { openStore } from '../runtime/store';
import { startWippy } from '../testkit/wippy';
import { runWippyChild } from './cli-child';
import { quantile, now, secondsSince, sleepMs } from './fixture';

export interface CliStartOptions { dir: string; db: string; workflows: number; steps: number; parallel?: number; wippy?: string }

export interface CliStartResult {
  workflows: number;
  steps: number;
  parallel: number;
  /** One `wippy workflow start` invocation, spawn to exit. */
  invocationP50ms: number;
  invocationP90ms: number;
  /** All invocations, the first spawn to the last exit. */
  invocationsSeconds: number;
  startsPerSecond: number;
  /** The first spawn to the last workflow completed. */
  completedSeconds: number;
  workflowsPerSecond: number;
  stepsPerSecond: number;
}

/** Completed workflows in the store `db` (read without its lock, beside the running node). */
function completed(db: string): number {
  const s = openStore(db, { lock: false, create: false });
  try { return s.countWorkflows({}, Number.MAX_SAFE_INTEGER).counts.completed; } finally { s.close(); }
}

/** The p50 of `wippy --version` (node and the CLI's modules, no registry, no store), of `runs`. */
export async function cliFloorMs(runs = 5, wippy?: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await runWippyChild(['--version'], { wippy })).seconds * 1000);
  return quantile(times, 0.5);
}

export async function benchCliStarts(opts: CliStartOptions): Promise<CliStartResult> {
  const parallel = opts.parallel ?? 4;
  const run = startWippy(['run', opts.dir, '--db', opts.db], opts.wippy ? { wippy: opts.wippy } : {});
  try {
    await run.waitFor(/ running: /, 60_000);
    const times: number[] = [];
    let next = 0;
    const t0 = now();
    const worker = async (): Promise<void> => {
      while (next < opts.workflows) {
        const i = next++;
        const r = await runWippyChild(['workflow', 'start', 'b:steps', String(opts.steps), '--id', `cli-${i}`, '--db', opts.db, '--registry', opts.dir], { wippy: opts.wippy });
        if (r.code !== 0) throw new Error(`wippy workflow start #${i} exited ${r.code}: ${r.stderr.slice(-500)}`);
        times.push(r.seconds * 1000);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    const invocationsSeconds = secondsSince(t0);
    while (completed(opts.db) < opts.workflows) {
      if (run.proc.exitCode !== null) throw new Error(`wippy run exited ${run.proc.exitCode}: ${run.stderr().slice(-500)}`);
      await sleepMs(50);
    }
    const completedSeconds = secondsSince(t0);
    return {
      workflows: opts.workflows, steps: opts.steps, parallel,
      invocationP50ms: quantile(times, 0.5), invocationP90ms: quantile(times, 0.9),
      invocationsSeconds, startsPerSecond: opts.workflows / invocationsSeconds,
      completedSeconds, workflowsPerSecond: opts.workflows / completedSeconds,
      stepsPerSecond: (opts.workflows * opts.steps) / completedSeconds,
    };
  } finally {
    const code = await run.stop();
    if (code !== 0) process.stderr.write(`bench scale: wippy run ${path.basename(opts.db)} exited ${code}: ${run.stderr().slice(-300)}\n`);
  }
}
