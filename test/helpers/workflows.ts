/**
 * Test helpers for workflows: a registry with a client, a worker and the given workflow and
 * function entries, loaded into a Runtime on a real SQLite file in a temp folder.
 */
import * as path from 'node:path';
import { withRegistry } from './lua';
import { Runtime, RuntimeOptions } from '../../app/runtime';
import type { Outcome } from '../../runtime/engine/engine';

export interface WfFixture {
  dir: string;
  db: string;
  /** New runtime on the same registry and store (a "restart"). */
  open(opts?: RuntimeOptions): Runtime;
}

/**
 * `workflows`: name -> Lua source (entry `app:<name>`, modules funcs/time/uuid/workflow/json/ctx).
 * `functions`: name -> Lua source (entry `app:<name>`).
 */
export function wfRegistry(workflows: Record<string, string>, functions: Record<string, string> = {}, processes: Record<string, string> = {}): WfFixture {
  const dir = withRegistry(wfRegistryFiles(workflows, functions, processes));
  const db = path.join(dir, '.wippy', 'state.db');
  return {
    dir,
    db,
    open: (opts = {}) => Runtime.load(dir, { output: { print: () => {}, log: () => {} }, ...opts }),
  };
}

/**
 * The files of `wfRegistry` (path -> content), to place anywhere: `registry.yaml` with the client
 * `app:client`, the worker `app:worker`, the host `app:procs` and the entries, plus their sources.
 * `extraEntries`: more YAML list items (indented by 2), e.g. a process.service.
 */
export function wfRegistryFiles(workflows: Record<string, string>, functions: Record<string, string> = {}, processes: Record<string, string> = {}, extraEntries = ''): Record<string, string> {
  const wfEntries = Object.keys(workflows).map((n) => `  - name: ${n}
    kind: workflow.lua
    source: file://wf_${n}.lua
    modules: [funcs, time, uuid, workflow, json, ctx]
    meta: {temporal: {workflow: {worker: app:worker}}}
`).join('');
  const fnEntries = Object.keys(functions).map((n) => `  - name: ${n}
    kind: function.lua
    source: file://fn_${n}.lua
    modules: [ctx, json, time]
`).join('');
  const procEntries = Object.keys(processes).map((n) => `  - name: ${n}
    kind: process.lua
    source: file://proc_${n}.lua
    modules: [time]
`).join('');
  const files: Record<string, string> = {
    'registry.yaml': `namespace: app
entries:
  - name: client
    kind: temporal.client
  - name: worker
    kind: temporal.worker
    client: app:client
    task_queue: test
  - name: procs
    kind: process.host
${wfEntries}${fnEntries}${procEntries}${extraEntries}`,
  };
  for (const [n, src] of Object.entries(workflows)) files[`wf_${n}.lua`] = src;
  for (const [n, src] of Object.entries(functions)) files[`fn_${n}.lua`] = src;
  for (const [n, src] of Object.entries(processes)) files[`proc_${n}.lua`] = src;
  return files;
}

/** Start a workflow and wait for its outcome. */
export function runWf(rt: Runtime, id: string, ...args: unknown[]): Promise<Outcome> {
  return rt.runWorkflow(id, args.map((a) => JSON.stringify(a)));
}

/** The value of a completed workflow (throws on error or parking). */
export async function valueOf(p: Promise<Outcome>): Promise<unknown> {
  const o = await p;
  if ('parked' in o) throw new Error(`parked: ${o.parked}`);
  if (o.result.error) throw new Error(`${o.result.error.kind}: ${o.result.error.message}`);
  return JSON.parse(o.result.value ?? 'null');
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A function entry (`functions: { tick: TICK }`) that prints `STEP who i`: a step to count. */
export const TICK = 'return function(who, i) print("STEP " .. who .. " " .. i) return i end';
/** A workflow that makes `n` steps, one `app:tick` activity each, and returns `who .. " done"`. */
export const HEALTHY = `local funcs = require("funcs")
return function(who, n)
  for i = 1, n do funcs.call("app:tick", who, i) end
  return who .. " done"
end`;

/** Poll `cond` every 20 ms until it holds; throws naming `what` after `ms` (a generous bound, never an assert on time). */
export async function waitUntil(cond: () => boolean, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(20);
  }
}
