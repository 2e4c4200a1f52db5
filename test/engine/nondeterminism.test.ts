// Changing a workflow's code under a recorded history parks it with a report; restoring the code
// and restarting resumes it. workflow.version keeps old runs on the old path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '../../runtime/store';
import { valueOf } from '../../testkit/outcome';
import { wfRegistry } from '../../testkit/registry';
import { tick } from '../../testkit/wait';

const ORIGINAL = `local funcs = require("funcs")
return function()
  local a = funcs.call("app:one", 1)
  local msg = process.inbox():receive()
  local b = funcs.call("app:two", a)
  return {a = a, b = b, topic = msg:topic()}
end`;

/** Wait (on a loaded machine too) until the workflow's first step is committed. */
async function firstStepCommitted(db: string, id: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const st = openStore(db, { lock: false });
    try { if (st.history(id).some((r) => r.type === 'call_done')) return; } finally { st.close(); }
    await tick(10);
  }
  assert.fail(`workflow ${id} did not commit its first step`);
}

const fns = { one: 'return function(x) return x + 1 end', two: 'return function(x) return x * 10 end', other: 'return function(x) return -x end' };

test('changed code under a recorded history parks the workflow with a report; restored code resumes it', async () => {
  const fx = wfRegistry({ flow: ORIGINAL }, fns);
  const src = path.join(fx.dir, 'wf_flow.lua');
  const rt1 = fx.open();
  const e1 = rt1.startWorkflows()!;
  const s = e1.start('app:flow', []) as { id: string };
  await firstStepCommitted(fx.db, s.id);
  rt1.close();

  // The deployed code now calls another function at the first step.
  fs.writeFileSync(src, ORIGINAL.replace('funcs.call("app:one", 1)', 'funcs.call("app:other", 1)'));
  const rt2 = fx.open();
  const e2 = rt2.startWorkflows()!;
  const o = await new Promise<any>((res) => e2.watch(s.id, res));
  assert.ok('parked' in o, 'parked, not failed');
  const report: string = o.parked;
  assert.match(report, /non-determinism in workflow .* at step 0/);
  assert.match(report, /recorded: {2}funcs\.call app:one\(1\) {2}at wf_flow\.lua:3/);
  assert.match(report, /attempted: funcs\.call app:other\(1\) {2}at wf_flow\.lua:3/);
  assert.match(report, /differs: {3}target \(app:one -> app:other\)/);
  rt2.close();
  const row = openStore(fx.db, { lock: false });
  assert.equal(row.getWorkflow(s.id)!.status, 'parked');
  row.close();

  // Restore the code: the workflow resumes from its history and completes.
  fs.writeFileSync(src, ORIGINAL);
  const rt3 = fx.open();
  const e3 = rt3.startWorkflows()!;
  const done = new Promise((res) => e3.watch(s.id, res));
  await tick(30);
  assert.equal(e3.signal(s.id, 'go', '', []), null);
  assert.deepEqual(await valueOf(done as never), { a: 2, b: 20, topic: 'go' });
  rt3.close();
});

test('a removed step and an added step are both reported', async () => {
  const fx = wfRegistry({ flow: ORIGINAL }, fns);
  const src = path.join(fx.dir, 'wf_flow.lua');
  const rt1 = fx.open();
  const s = rt1.startWorkflows()!.start('app:flow', []) as { id: string };
  await firstStepCommitted(fx.db, s.id);
  rt1.close();

  fs.writeFileSync(src, ORIGINAL.replace('local a = funcs.call("app:one", 1)', 'local a = 2'));
  const rt2 = fx.open();
  const o = await new Promise<any>((res) => rt2.startWorkflows()!.watch(s.id, res));
  assert.match(o.parked, /recorded: {2}funcs\.call app:one\(1\)/);
  assert.match(o.parked, /attempted: nothing/);
  rt2.close();

  fs.writeFileSync(src, ORIGINAL.replace('local a = funcs.call("app:one", 1)', 'funcs.call("app:two", 0)\n  local a = funcs.call("app:one", 1)'));
  const rt3 = fx.open();
  const o3 = await new Promise<any>((res) => rt3.startWorkflows()!.watch(s.id, res));
  assert.match(o3.parked, /recorded: {2}funcs\.call app:one\(1\)/);
  assert.match(o3.parked, /attempted: funcs\.call app:two\(0\) {2}at wf_flow\.lua:3/);
  rt3.close();
});

test('workflow.version keeps a running workflow on the old path while new runs take the new one', async () => {
  const fx = wfRegistry({ flow: ORIGINAL }, fns);
  const src = path.join(fx.dir, 'wf_flow.lua');
  const rt1 = fx.open();
  const old = rt1.startWorkflows()!.start('app:flow', []) as { id: string };
  await firstStepCommitted(fx.db, old.id);
  rt1.close();

  // New code: behind version 2, the first step calls app:other instead.
  fs.writeFileSync(src, `local funcs = require("funcs")
local workflow = require("workflow")
return function()
  local v = workflow.version("use-other", 1, 2)
  local a = v == 1 and funcs.call("app:one", 1) or funcs.call("app:other", 1)
  local msg = process.inbox():receive()
  local b = funcs.call("app:two", a)
  return {a = a, b = b, v = v}
end`);
  const rt2 = fx.open();
  const e2 = rt2.startWorkflows()!;
  const oldDone = new Promise((res) => e2.watch(old.id, res));
  const fresh = e2.start('app:flow', []) as { id: string };
  const freshDone = new Promise((res) => e2.watch(fresh.id, res));
  await tick(30);
  e2.signal(old.id, 'go', '', []);
  e2.signal(fresh.id, 'go', '', []);
  assert.deepEqual(await valueOf(oldDone as never), { a: 2, b: 20, v: 1 });
  assert.deepEqual(await valueOf(freshDone as never), { a: -1, b: -10, v: 2 });
  rt2.close();
});
