// `wippy test --update`: a golden whose code changed is re-recorded from its own answers (calls
// that match get the recorded result, new calls run the real function), keeps its uuids and its
// signal, and then passes; a golden that still passes is left untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { openStore } from '../../runtime/store';
import { readGolden, GoldenSession, planFromGolden, recordWorkflow, toGolden, fromGolden } from '../../app/golden';
import type { RecordOf } from '../../runtime/store/events';
import { wfRegistry } from '../../testkit/registry';
import { tick } from '../../testkit/wait';
import { wippy } from '../../testkit/wippy';

const WF = `local funcs, time, uuid = require("funcs"), require("time"), require("uuid")
return function(order)
  local id = uuid.v4()
  local charge = funcs.call("app:charge", order.amount)
  time.sleep("1h")
  local msg = process.inbox():receive()
  local ship = funcs.call("app:ship", order.id, msg:payload():data())
  return {id = id, charge = charge, ship = ship, at = time.now():unix()}
end`;

function fixture() {
  const fx = wfRegistry({ order: WF }, {
    charge: 'return function(amount) return {id = "ch_real", amount = amount} end',
    ship: 'return function(id, speed) return id .. ":" .. speed end',
    audit: 'return function(id) return "audited " .. id end',
  });
  const golden = path.join(fx.dir, 'goldens', 'order.golden.json');
  const rec = wippy(['test', '--registry', fx.dir, '--record', 'app:order', '--input', '{"id": "o-1", "amount": 5}',
    '--stub', 'app:charge={"id": "ch_stub", "amount": 5}', '--signal', 'go="fast"', '-o', golden]);
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /^recorded app:order -> .*order\.golden\.json \(4 steps, completed\)$/m);
  return { fx, golden, wf: path.join(fx.dir, 'wf_order.lua') };
}

const uuidOf = (file: string) => (readGolden(file).history.find((r) => r.type === 'uuid') as RecordOf<'uuid'>).value;

test('--update re-records a golden whose code changed, keeping recorded results, uuids and the signal; then it passes', () => {
  const { fx, golden, wf } = fixture();
  const before = readGolden(golden);
  const uuid = uuidOf(golden);
  fs.writeFileSync(wf, WF.replace('time.sleep("1h")', 'time.sleep("2h")\n  funcs.call("app:audit", order.id)'));

  const failing = wippy(['test', path.dirname(golden), '--registry', fx.dir]);
  assert.equal(failing.code, 1);
  assert.match(failing.stdout, /FAIL .*order\.golden\.json: non-determinism .* at step 2/);
  assert.match(failing.stdout, /recorded: +timer 1h +at wf_order\.lua:5\n +attempted: timer 2h +at wf_order\.lua:5/);

  const up = wippy(['test', path.dirname(golden), '--registry', fx.dir, '--update']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assertNoJsStack(up.stdout + up.stderr);
  const lines = up.stdout.trim().split('\n');
  assert.match(lines[0], /^updated .*order\.golden\.json \(5 steps\); it had failed: non-determinism in order\.golden\.json \(app:order\) at step 2 \(history record \d+\):$/);
  // What follows the colon: the replay report, indented (without its advice to re-record).
  assert.deepEqual(lines.slice(1, 4).map((l) => l.replace(/ +at wf_order\.lua:\d+$/, '')), [
    '    recorded:  timer 1h',
    '    attempted: timer 2h',
    '    differs:   target (3600000 -> 7200000)',
  ]);
  assert.ok(!up.stdout.includes('re-record it with'), 'no advice to do what was just done');
  assert.match(up.stdout, /note: a new call ran the real function \(no recorded result matched\): funcs\.call app:audit\("o-1"\) +at wf_order\.lua:6/);
  assert.deepEqual(lines.slice(-2), ['1 updated', '1 passed, 0 failed']);

  const after = readGolden(golden);
  const h = after.history;
  assert.equal(after.workflowId, before.workflowId);
  assert.equal(after.startedAt, before.startedAt);
  assert.equal(uuidOf(golden), uuid, 'the recorded uuid is kept');
  const done = (fn: string) => { const c = h.find((r) => r.type === 'call' && r.fn === fn) as RecordOf<'call'>; return h.find((r) => r.type === 'call_done' && r.of === c.cmd) as RecordOf<'call_done'>; };
  assert.equal(done('app:charge').value, '{"id":"ch_stub","amount":5}', 'the matching call got the recorded (stubbed) result, not ch_real');
  assert.equal(done('app:audit').value, '"audited o-1"', 'the new call ran the real function');
  assert.equal(h.filter((r) => r.type === 'signal').length, 1);
  assert.equal((h.find((r) => r.type === 'timer') as RecordOf<'timer'>).ms, 7_200_000);
  const end = h[h.length - 1] as RecordOf<'completed'>;
  assert.equal(JSON.parse(end.value).ship, 'o-1:fast');
  assert.equal(JSON.parse(end.value).at, Math.floor(before.startedAt / 1000) + 7200, 'virtual time from the recorded start');

  const again = wippy(['test', path.dirname(golden), '--registry', fx.dir]);
  assert.equal(again.code, 0, again.stdout);
  assert.equal(again.stdout.trim().split('\n').pop(), '1 passed, 0 failed');

  // A golden that passes is not rewritten by --update.
  const text = fs.readFileSync(golden, 'utf8');
  const noop = wippy(['test', path.dirname(golden), '--registry', fx.dir, '--update']);
  assert.equal(noop.code, 0);
  assert.match(noop.stdout, /^ok {3}.*order\.golden\.json \(5 steps\)$/m);
  assert.equal(fs.readFileSync(golden, 'utf8'), text);
});

test('--update delivers a recorded signal even when the new code waits for it before the recorded point', () => {
  const { fx, golden, wf } = fixture();
  // The sleep is gone: the workflow now waits on its inbox after 2 commands instead of 3.
  fs.writeFileSync(wf, WF.replace('time.sleep("1h")', ''));
  const up = wippy(['test', golden, '--registry', fx.dir, '--update']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /note: 1 signal\(s\) delivered late/);
  const h = readGolden(golden).history;
  assert.deepEqual(h.map((r) => r.type), ['started', 'uuid', 'call', 'call_done', 'signal', 'call', 'call_done', 'completed']);
  assert.equal(wippy(['test', golden, '--registry', fx.dir]).code, 0);
});

test('--update cannot fix a golden whose workflow is gone: it fails with one clear line', () => {
  const { fx, golden } = fixture();
  const g = fs.readFileSync(golden, 'utf8').replace(/"app:order"/g, '"app:gone"');
  fs.writeFileSync(golden, g);
  const r = wippy(['test', golden, '--registry', fx.dir, '--update']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^FAIL .*order\.golden\.json: .*the registry has no workflow\.lua entry app:gone$/m);
  assert.equal(r.stdout.trim().split('\n').pop(), '0 passed, 1 failed');
});

test('re-recording gives back cancel requests and terminations where and when they happened', async () => {
  const fx = wfRegistry({
    polite: `local funcs = require("funcs")
return function()
  local ev = process.events():receive()
  local r = funcs.call("app:cleanup", ev.kind)
  return "stopped after " .. r
end`,
    stubborn: 'return function() process.inbox():receive() end',
  }, { cleanup: 'return function(kind) return "cleanup of " .. kind end' });
  const rt = fx.open();
  const engine = rt.startWorkflows()!;
  const a = engine.start('app:polite', []) as { id: string };
  const b = engine.start('app:stubborn', []) as { id: string };
  const ends = Promise.all([a, b].map((w) => new Promise((res) => engine.watch(w.id, res))));
  // Let the starts commit first: a cancel in the same engine turn as start() is not delivered
  // (an engine race outside golden files; signal() flushes first, cancelOrTerminate does not).
  while (engine.busy) await tick(5);
  await tick(20);
  assert.equal(engine.cancelOrTerminate(a.id, 'tester', false, 'enough'), null);
  assert.equal(engine.cancelOrTerminate(b.id, 'tester', true, 'stop now'), null);
  await ends;
  rt.close();
  const store = openStore(fx.db, { lock: false });
  const session = GoldenSession.load(fx.dir);
  for (const w of [a, b]) {
    const text = toGolden(store.history(w.id), {}, { workflowId: w.id });
    const g = fromGolden(text, 'g');
    assert.ok(g.history.some((r) => r.type === 'cancel_requested' || r.type === 'terminated'));
    const plan = planFromGolden(g, session.rt.registry);
    const r = await recordWorkflow(session.recordHost, plan);
    assert.equal(r.status, 'finished', r.message);
    assert.deepEqual(r.liveCalls, []);
    // Identical but for the end time: a real run also spent real milliseconds running the code.
    const noEndTime = (t: string) => t.replace(/\{"at": "\+\d+ms", "type": "(completed|failed)"/, '{"type": "$1"');
    assert.equal(noEndTime(toGolden(r.history, {}, { workflowId: w.id })), noEndTime(text));
  }
  store.close();
});
