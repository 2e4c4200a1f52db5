// `wippy workflow start` through the real binary: a start recorded in the store that a running
// `wippy run` picks up (polling it, as it picks up signals), or the next one at its start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { assertNoJsStack } from '../helpers/cli';
import { openStore, isPostgresUrl } from '../../runtime/store';
import { readStore } from '../../testkit/store';
import { wfRegistry, type WfFixture } from '../../testkit/registry';
import { until } from '../../testkit/wait';
import { wippy, wippyAsync, startWippy } from '../../testkit/wippy';

const WORKFLOWS = {
  double: `local funcs = require("funcs")
return function(input) return {twice = funcs.call("app:twice", input.n), order = input.order} end`,
  wait: 'return function() local msg = process.inbox():receive() return msg:payload():data() end',
  boom: 'return function() return nil, errors.new({kind = "Invalid", message = "no such order", retryable = false}) end',
};
const FUNCTIONS = { twice: 'return function(n) return n * 2 end' };

function rows(fx: WfFixture): Array<{ id: string; entry: string; status: string; result: string | null }> {
  return readStore(fx.db, (s) => s.listWorkflows().map((r) => ({ id: r.id, entry: r.entry, status: r.status, result: r.result })), []);
}

function pending(fx: WfFixture): number {
  const s = openStore(fx.db, { lock: false });
  try { return s.pendingSignals().length; } finally { s.close(); }
}

test('workflow start --wait against a running `wippy run`: started there, the result is the last stdout line, the run prints nothing extra', async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  const run = startWippy(['run', fx.dir]);
  await run.waitFor(/service.* running/);
  const r = await wippyAsync(['workflow', 'start', 'app:double', '{"n": 21, "order": "o-1"}', '--wait', '--registry', fx.dir]);
  assert.equal(r.code, 0, r.stderr);
  assertNoJsStack(r.stderr);
  const last = r.stdout.trim().split('\n').pop()!;
  assert.deepEqual(JSON.parse(last), { twice: 42, order: 'o-1' });
  // On PostgreSQL the node that took it is named.
  assert.match(r.stderr, isPostgresUrl(fx.db) ? /started by node \S+ \(pid \d+\); waiting for its result/ : /started by the running wippy run \(pid \d+\); waiting for its result/);
  // By id, a bare entry name, and without --wait: stdout is the id alone.
  const named = await wippyAsync(['workflow', 'start', 'double', '{"n": 1}', '--id', 'order-7', '--registry', fx.dir]);
  assert.equal(named.code, 0, named.stderr);
  assert.equal(named.stdout, 'order-7\n');
  await until(() => rows(fx).find((w) => w.id === 'order-7')?.status === 'completed', 'order-7 to complete');
  const x = wippy(['run', fx.dir, '-x', 'app:double', '{"n": 2}']);
  if (isPostgresUrl(fx.db)) {
    // On PostgreSQL a second run is a second node: it runs the workflow itself.
    assert.equal(x.code, 0, x.stderr);
    assert.deepEqual(JSON.parse(x.stdout.trim().split('\n').pop()!), { twice: 4 });
  } else {
    // -x on a SQLite store in use is refused, and says how to start the workflow there.
    assert.equal(x.code, 1);
    assert.match(x.stderr, /in use by another wippy process \(pid \d+\); to start workflow app:double in the running one: wippy workflow start app:double '\{"n": 2\}' --registry /);
  }
  assert.equal(await run.stop(), 0, run.stderr());
  assert.deepEqual(run.lines(), [], 'the running node prints nothing for a start');
  const all = rows(fx);
  // On PostgreSQL the -x node ran a third.
  const n = isPostgresUrl(fx.db) ? 3 : 2;
  assert.equal(all.length, n);
  assert.deepEqual(all.map((w) => w.status), Array(n).fill('completed'));
  assert.equal(pending(fx), 0);
});

test('workflow start with no `wippy run`: recorded (the store is created), started by the next run; --wait then gets the result', async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  assert.equal(fs.existsSync(fx.db), false);
  const r = wippy(['workflow', 'start', 'app:double', '{"n": 5}', '--id', 'later', '--registry', fx.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'later\n');
  assert.match(r.stderr, /workflow later \(app:double\) recorded in .*; no `wippy run` is using this store now: the next one starts it/);
  assert.deepEqual(rows(fx), []);
  assert.equal(pending(fx), 1);
  // A second start under the same id is refused before anything is written.
  const again = wippy(['workflow', 'start', 'app:double', '{"n": 6}', '--id', 'later', '--registry', fx.dir]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error: a start of workflow later is already waiting for `wippy run`; choose another --id$/m);
  assert.equal(pending(fx), 1);

  // --wait with no node: waits; a node started afterwards runs both.
  const waiting = wippyAsync(['workflow', 'start', 'app:double', '{"n": 8}', '--wait', '--registry', fx.dir]);
  await until(() => pending(fx) === 2, 'the second start to be recorded');
  const run = startWippy(['run', fx.dir]);
  const w = await waiting;
  assert.equal(w.code, 0, w.stderr);
  assert.deepEqual(JSON.parse(w.stdout.trim().split('\n').pop()!), { twice: 16 });
  await until(() => rows(fx).find((x) => x.id === 'later')?.status === 'completed', 'the first start to complete');
  assert.equal(await run.stop(), 0, run.stderr());
  assert.equal(JSON.parse(rows(fx).find((x) => x.id === 'later')!.result!).twice, 10);
  assert.equal(pending(fx), 0);
  // Taken now (completed): refused.
  const taken = wippy(['workflow', 'start', 'app:double', '{"n": 1}', '--id', 'later', '--registry', fx.dir]);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /^error: workflow later already exists \(app:double, completed\); a store keeps one run per workflow id: choose another --id$/m);
});

test('workflow start: an unknown entry or a bad argument exits 2 with nothing recorded; --wait on a failing or waiting workflow', async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  const unknown = wippy(['workflow', 'start', 'app:nope', '--registry', fx.dir]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^error: no workflow.lua entry app:nope in the registry at .*; its workflow.lua entries: app:double, app:wait, app:boom$/m);
  const fn = wippy(['workflow', 'start', 'app:twice', '1', '--registry', fx.dir]);
  assert.equal(fn.code, 2);
  const badJson = wippy(['workflow', 'start', 'app:double', '{n: 1}', '--registry', fx.dir]);
  assert.equal(badJson.code, 2);
  assert.match(badJson.stderr, /payload 1 is not valid JSON/);
  for (const r of [unknown, fn, badJson]) assertNoJsStack(r.stderr);
  assert.equal(fs.existsSync(fx.db), false, 'nothing recorded, not even a store');

  const run = startWippy(['run', fx.dir]);
  await run.waitFor(/service.* running/);
  const failed = await wippyAsync(['workflow', 'start', 'app:boom', '--wait', '--registry', fx.dir]);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /^error: Invalid: no such order$/m);
  // A workflow waiting for a signal: --wait returns once `wippy workflow signal` lets it finish.
  const waiting = wippyAsync(['workflow', 'start', 'app:wait', '--id', 'w-1', '--wait', '--registry', fx.dir]);
  await until(() => rows(fx).some((w) => w.id === 'w-1'), 'w-1 to start');
  assert.equal(wippy(['workflow', 'signal', 'w-1', 'go', '"done"', '--registry', fx.dir]).code, 0);
  const w = await waiting;
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout.trim().split('\n').pop(), '"done"');
  assert.equal(await run.stop(), 0, run.stderr());
});

test('requests to a workflow whose start is recorded and not yet taken: signal and cancel are stored after it; show says it has no history yet', async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  for (const id of ['approve-me', 'cancel-me']) {
    const r = wippy(['workflow', 'start', 'app:wait', '--id', id, '--registry', fx.dir]);
    assert.equal(r.code, 0, r.stderr);
  }
  const sig = wippy(['workflow', 'signal', 'approve-me', 'approve', '{"ok": true}', '--registry', fx.dir]);
  assert.equal(sig.code, 0, sig.stderr);
  assert.match(sig.stdout, /^signal "approve"\(\{"ok": true\}\) stored for workflow approve-me \(app:wait\); no `wippy run` is using this store now/);
  const cancel = wippy(['workflow', 'terminate', 'cancel-me', '--registry', fx.dir]);
  assert.equal(cancel.code, 0, cancel.stderr);
  const show = wippy(['workflow', 'show', 'approve-me', '--registry', fx.dir]);
  assert.equal(show.code, 1);
  assertNoJsStack(show.stderr);
  assert.match(show.stderr, /^error: workflow approve-me \(app:wait\) is requested \(`wippy workflow start`\) but not started yet, so it has no history/m);
  // An id with neither a workflow nor a start is still unknown.
  const none = wippy(['workflow', 'signal', 'nobody', 'approve', '--registry', fx.dir]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^error: no workflow nobody in the store/m);
  assert.equal(pending(fx), 4);

  const run = startWippy(['run', fx.dir]);
  await until(() => rows(fx).length === 2 && rows(fx).every((w) => w.status !== 'running'), 'both requested workflows to end');
  assert.equal(await run.stop(), 0, run.stderr());
  const byId = new Map(rows(fx).map((w) => [w.id, w]));
  assert.equal(byId.get('approve-me')!.status, 'completed');
  assert.deepEqual(JSON.parse(byId.get('approve-me')!.result!), { ok: true });
  assert.equal(byId.get('cancel-me')!.status, 'terminated');
  assert.equal(pending(fx), 0);
});
