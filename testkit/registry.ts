/**
 * The registry builder: a temp project (registry YAML plus Lua files) for tests and benches.
 *
 * Owns: writing a project's files into a temp folder (`withRegistry`), the YAML of one entry
 * (`entryYaml`) and of a registry (`registryYaml`), the entries every workflow registry starts
 * with (`temporalEntries`: a client and a worker) and the workflow fixture of the engine and CLI
 * tests (`wfRegistry` / `wfRegistryFiles`: namespace `app`, its store the default `.wippy/state.db`).
 *
 * Invariants: entries are written as YAML text in the order given, so a test reads exactly the
 * registry it loads; a workflow entry is always bound to its namespace's worker `NS:worker`;
 * folders come from testkit/temp.ts (removed when the test or the process ends).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './temp';
import { storeLine, testStoreUrl } from './store-mode';
import { Runtime, type RuntimeOptions } from '../app/runtime';

/** Write files (relative path -> content) into `dir` (default: a new temp folder); returns the folder. */
export function withRegistry(files: Record<string, string>, dir = tempDir()): string {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}

/** One registry entry. */
export interface EntrySpec {
  name: string;
  kind: string;
  /** The Lua file beside the registry (`source: file://FILE`). */
  file?: string;
  modules?: readonly string[];
  /** More lines of the entry as written (`key: value`); the builder indents them. */
  more?: readonly string[];
}

/** The YAML list item of one entry (indented by 2, as under `entries:`). */
export function entryYaml(e: EntrySpec): string {
  let s = `  - name: ${e.name}\n    kind: ${e.kind}\n`;
  if (e.file) s += `    source: file://${e.file}\n`;
  if (e.modules) s += `    modules: [${e.modules.join(', ')}]\n`;
  for (const line of e.more ?? []) s += `    ${line}\n`;
  return s;
}

/** A registry file: `namespace`, then the entries; `extraEntries`: YAML list items already indented by 2. */
export function registryYaml(namespace: string, entries: readonly EntrySpec[], opts: { version?: string; extraEntries?: string } = {}): string {
  const version = opts.version ? `version: "${opts.version}"\n` : '';
  return `${version}namespace: ${namespace}\nentries:\n${entries.map(entryYaml).join('')}${opts.extraEntries ?? ''}`;
}

/** The temporal.client `NS:client` and the temporal.worker `NS:worker` (task queue `queue`). */
export function temporalEntries(ns: string, queue: string): EntrySpec[] {
  return [
    // A PostgreSQL run of the engine suites (store-mode.ts): each registry its own database.
    { name: 'client', kind: 'temporal.client', more: storeLine(testStoreUrl()) },
    { name: 'worker', kind: 'temporal.worker', more: [`client: ${ns}:client`, `task_queue: ${queue}`] },
  ];
}

/** A workflow.lua entry run by the worker `NS:worker`. */
export function workflowEntry(ns: string, name: string, file: string, modules?: readonly string[]): EntrySpec {
  return { name, kind: 'workflow.lua', file, modules, more: [`meta: {temporal: {workflow: {worker: ${ns}:worker}}}`] };
}

/** A function.lua entry. */
export function functionEntry(name: string, file: string, modules?: readonly string[], more?: readonly string[]): EntrySpec {
  return { name, kind: 'function.lua', file, modules, more };
}

/** A process.lua entry. */
export function processEntry(name: string, file: string, modules?: readonly string[]): EntrySpec {
  return { name, kind: 'process.lua', file, modules };
}

// ------------------------------------------------------------------ the workflow fixture

export interface WfFixture {
  dir: string;
  db: string;
  /** New runtime on the same registry and store (a "restart"). */
  open(opts?: RuntimeOptions): Runtime;
}

/** The PostgreSQL store the registry.yaml in `dir` names (a PostgreSQL run of the suites), else null. */
function pgStoreOf(dir: string): string | null {
  const file = path.join(dir, 'registry.yaml');
  if (!fs.existsSync(file)) return null;
  return /store: (postgres(?:ql)?:\/\/\S+)/.exec(fs.readFileSync(file, 'utf8'))?.[1] ?? null;
}

/** A fixture for a project folder: its default store and a quiet Runtime on it. */
export function fixtureOf(dir: string): WfFixture {
  return {
    dir,
    db: pgStoreOf(dir) ?? path.join(dir, '.wippy', 'state.db'),
    open: (opts = {}) => Runtime.load(dir, { output: { print: () => {}, log: () => {} }, ...opts }),
  };
}

/**
 * `workflows`: name -> Lua source (entry `app:<name>`, modules funcs/time/uuid/workflow/json/ctx).
 * `functions`: name -> Lua source (entry `app:<name>`, modules ctx/json/time).
 * `processes`: name -> Lua source (entry `app:<name>` on the host `app:procs`, module time).
 */
export function wfRegistry(workflows: Record<string, string>, functions: Record<string, string> = {}, processes: Record<string, string> = {}): WfFixture {
  return fixtureOf(withRegistry(wfRegistryFiles(workflows, functions, processes)));
}

/**
 * The files of `wfRegistry` (path -> content), to place anywhere: `registry.yaml` with the client
 * `app:client`, the worker `app:worker`, the host `app:procs` and the entries, plus their sources.
 * `extraEntries`: more YAML list items (indented by 2), e.g. a process.service.
 */
export function wfRegistryFiles(workflows: Record<string, string>, functions: Record<string, string> = {}, processes: Record<string, string> = {}, extraEntries = ''): Record<string, string> {
  const entries: EntrySpec[] = [
    ...temporalEntries('app', 'test'),
    { name: 'procs', kind: 'process.host' },
    ...Object.keys(workflows).map((n) => workflowEntry('app', n, `wf_${n}.lua`, ['funcs', 'time', 'uuid', 'workflow', 'json', 'ctx'])),
    ...Object.keys(functions).map((n) => functionEntry(n, `fn_${n}.lua`, ['ctx', 'json', 'time'])),
    ...Object.keys(processes).map((n) => processEntry(n, `proc_${n}.lua`, ['time'])),
  ];
  const files: Record<string, string> = { 'registry.yaml': registryYaml('app', entries, { extraEntries }) };
  for (const [n, src] of Object.entries(workflows)) files[`wf_${n}.lua`] = src;
  for (const [n, src] of Object.entries(functions)) files[`fn_${n}.lua`] = src;
  for (const [n, src] of Object.entries(processes)) files[`proc_${n}.lua`] = src;
  return files;
}

/** A function entry (`functions: { tick: TICK }`) that prints `STEP who i`: a step to count. */
export const TICK = 'return function(who, i) print("STEP " .. who .. " " .. i) return i end';
/** A workflow that makes `n` steps, one `app:tick` activity each, and returns `who .. " done"`. */
export const HEALTHY = `local funcs = require("funcs")
return function(who, n)
  for i = 1, n do funcs.call("app:tick", who, i) end
  return who .. " done"
end`;

/**
 * A workflow that takes one step (`app:step`, a function the test provides) and then waits for a
 * message; DRIFT_CHANGED is the same code calling `app:other` at that step: a node that resumes
 * the waiting workflow under it parks it (non-determinism).
 */
export const DRIFT = `local funcs = require("funcs")
return function()
  local a = funcs.call("app:step", "one")
  process.inbox():receive()
  return a
end`;
export const DRIFT_CHANGED = DRIFT.replace('"app:step"', '"app:other"');
