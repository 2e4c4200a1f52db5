/**
 * The web UI's harness: a registry whose workflows end in every status (the browser tests, the
 * screenshots and the UI bench share it), a `wippy run --ui` on it, and headless Chromium.
 *
 * Owns: the demo registry (`uiRegistry`: payment, approval waiting for a signal, a polite workflow
 * that ends Canceled on a cancel, one that fails, a parent with a child, an order with an
 * activity, a timer, a child and a wait for a signal, and `drift`, which is parked once
 * `driftChanged` edits its code), starting the run and reading its UI URL, the
 * browser (`launchBrowser`: Debian's chromium at /usr/bin/chromium or $WIPPY_CHROMIUM, driven by
 * playwright-core; missing, it throws saying how to install it: a browser test never skips), and
 * reading the store beside the run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { wfRegistryFiles, withRegistry, fixtureOf, DRIFT, DRIFT_CHANGED, type WfFixture } from './registry';
import { startWippy, wippy, type WippyRun } from './wippy';
import { readStore } from './store';
import { until } from './wait';
import type { WorkflowRow } from '../runtime/store/events';

export const UI_WORKFLOWS = {
  payment: `local funcs = require("funcs")
local time = require("time")
return function(order)
  local charge = funcs.call("app:charge", order)
  time.sleep("20ms")
  local status = funcs.call("app:check", charge.id)
  return {charge = charge.id, status = status}
end`,
  approval: `local funcs = require("funcs")
return function(order)
  funcs.call("app:charge", order)
  local msg = process.inbox():receive()
  return {order = order.id, topic = msg:topic(), decision = msg:payload():data()}
end`,
  polite: `return function()
  local e = process.events():receive()
  return nil, errors.new({kind = errors.CANCELED, message = "stopped on request: " .. tostring(e.reason)})
end`,
  failing: `local funcs = require("funcs")
return function(order)
  return funcs.call("app:boom", order)
end`,
  parent: `local workflow = require("workflow")
local funcs = require("funcs")
return function(order)
  local child = workflow.exec("app:payment", order)
  return {child = child, parent = funcs.call("app:check", "p")}
end`,
  order: `local funcs = require("funcs")
local time = require("time")
local workflow = require("workflow")
return function(order)
  local charge = funcs.call("app:charge", order)
  time.sleep("300ms")
  local paid = workflow.exec("app:payment", order)
  local msg = process.inbox():receive()
  local status = funcs.call("app:check", charge.id)
  return {charge = charge.id, paid = paid, shipped = msg:payload():data(), status = status}
end`,
  drift: DRIFT,
};

export const UI_FUNCTIONS = {
  charge: 'return function(order) return {id = "ch_" .. tostring(order.id), amount = order.amount} end',
  check: 'return function(id) return "settled" end',
  boom: 'return function(order) return nil, errors.new({kind = errors.INVALID, message = "card declined for order " .. tostring(order.id), retryable = false}) end',
  step: 'return function(x) return "did " .. x end',
  other: 'return function(x) return "other " .. x end',
};


export interface UiProject extends WfFixture {
  /** Edit drift's source to DRIFT_CHANGED. */
  driftChanged(): void;
}

/** The demo registry in a new temp folder (its store: `.wippy/state.db`). */
export function uiRegistry(dir?: string): UiProject {
  const fx = fixtureOf(withRegistry(wfRegistryFiles(UI_WORKFLOWS, UI_FUNCTIONS), dir));
  return { ...fx, driftChanged: () => fs.writeFileSync(path.join(fx.dir, 'wf_drift.lua'), DRIFT_CHANGED) };
}

/** `wippy run DIR --ui 0` (more args after); resolves once the UI answers, with its URL. */
export async function runWithUi(dir: string, more: string[] = []): Promise<{ run: WippyRun; url: string }> {
  const run = startWippy(['run', dir, '--ui', '0', ...more]);
  await run.waitFor(/wippy ui: serving .* at (http:\/\/\S+)/, 60_000);
  const url = /wippy ui: serving .* at (http:\/\/\S+)/.exec(run.stderr())![1];
  return { run, url };
}

/** `wippy workflow start ENTRY [ARG] --registry DIR --id ID` (recorded for the running node). */
export function startWorkflow(dir: string, entry: string, id: string, arg?: unknown): void {
  const r = wippy(['workflow', 'start', entry, ...(arg === undefined ? [] : [JSON.stringify(arg)]), '--id', id, '--registry', dir], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`wippy workflow start ${entry}: ${r.stderr}`);
}

export function workflowRow(db: string, id: string): WorkflowRow | null {
  return readStore(db, (s) => s.getWorkflow(id));
}

/** Wait (generously: a loaded machine) until workflow `id` has status `status`. */
export async function untilStatus(db: string, id: string, status: string, ms = 60_000): Promise<void> {
  await until(() => workflowRow(db, id)?.status === status, `workflow ${id} to be ${status} (it is ${workflowRow(db, id)?.status ?? 'missing'})`, ms, 100);
}

export const CHROMIUM = process.env.WIPPY_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium (Debian's package); throws with the install command when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: the browser tests need it; install it with \`apt-get install -y chromium\` (.ci/run does) or point WIPPY_CHROMIUM at one`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}
