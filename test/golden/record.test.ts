// `wippy test --record`: a golden file from a test run, without a service or a store: stubs
// answer calls (values and errors), signals arrive each time the workflow waits on its inbox, and
// the result replays. Mistakes in the options are one line and exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { readGolden } from '../../app/golden';
import type { RecordOf } from '../../runtime/store/events';
import { wfRegistry } from '../../testkit/registry';
import { tempDir } from '../../testkit/temp';
import { wippy } from '../../testkit/wippy';

const WF = `local funcs = require("funcs")
return function(req)
  local charge, err = funcs.call("app:charge", req.amount)
  if err then return {failed = err:kind(), why = err:message()} end
  local inbox = process.inbox()
  local first = inbox:receive()
  local second = inbox:receive()
  local note = funcs.call("app:note", first:topic(), second:payload():data())
  return {charge = charge, note = note, pid = process.pid(), r = math.random(1000000)}
end`;

const fx = wfRegistry({ pay: WF }, {
  charge: 'return function(amount) error("the real charge must not run in this test") end',
  note: 'return function(a, b) return a .. "/" .. b end',
});
const out = (name: string) => path.join(fx.dir, 'goldens', `${name}.golden.json`);

test('--record with a value stub and two signals writes a golden that replays', () => {
  const r = wippy(['test', '--registry', fx.dir, '--record', 'app:pay', '--input', '{"amount": 7}',
    '--stub', 'app:charge={"id": "ch_1", "amount": 7}', '--signal', 'first="a"', '--signal', 'second="b"', '-o', out('ok')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^recorded app:pay -> .*ok\.golden\.json \(2 steps, completed\)$/m);
  assert.match(r.stderr, /^note: ran the real functions \(not stubbed\): app:note$/m);
  const g = readGolden(out('ok'));
  assert.equal(g.entry, 'app:pay');
  assert.deepEqual(g.input, ['{"amount":7}']);
  assert.equal(g.workflowId, 'golden:app:pay');
  assert.deepEqual(g.history.map((x) => x.type), ['started', 'call', 'call_done', 'signal', 'signal', 'call', 'call_done', 'completed']);
  const end = JSON.parse((g.history[g.history.length - 1] as RecordOf<'completed'>).value);
  assert.deepEqual(end.charge, { id: 'ch_1', amount: 7 });
  assert.equal(end.note, 'first/b');
  assert.equal(end.pid, '{app:client@app:worker|golden:app:pay}');
  // Replay sees the same workflow id (math.random's seed, process.pid()) as the recording.
  const rp = wippy(['replay', out('ok'), '--registry', fx.dir]);
  assert.equal(rp.code, 0, rp.stdout + rp.stderr);
  assert.match(rp.stdout, /^ok {3}.*ok\.golden\.json \(2 steps\)$/m);
});

test('--record with an error stub records the error the workflow saw', () => {
  const r = wippy(['test', '--registry', fx.dir, '--record', 'pay', '--input', '{"amount": 7}',
    '--stub', 'app:charge=error:Unavailable:card service down', '-o', out('err')]);
  assert.equal(r.code, 0, r.stderr);
  const g = readGolden(out('err'));
  const done = g.history.find((x) => x.type === 'call_done') as RecordOf<'call_done'>;
  assert.deepEqual(done.error, { kind: 'Unavailable', message: 'card service down' });
  assert.equal(done.attempts, 1, 'a stub is the final result: no retries');
  const end = g.history[g.history.length - 1] as RecordOf<'completed'>;
  assert.deepEqual(JSON.parse(end.value), { failed: 'Unavailable', why: 'card service down' });
  assert.equal(wippy(['test', out('err'), '--registry', fx.dir]).code, 0);
});

test('--record of a workflow left waiting writes an unfinished golden and says so', () => {
  const r = wippy(['test', '--registry', fx.dir, '--record', 'app:pay', '--input', '{"amount": 7}',
    '--stub', 'app:charge={"id": "ch_1"}', '--signal', 'first="a"', '-o', out('waiting')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(1 step, unfinished\)/);
  assert.match(r.stderr, /note: the workflow had not finished/);
  const t = wippy(['test', out('waiting'), '--registry', fx.dir]);
  assert.equal(t.code, 0);
  assert.match(t.stdout, /\(1 step, unfinished\)/);
});

test('--record mistakes: one line, no stack, exit 2', () => {
  const base = ['test', '--registry', fx.dir];
  const cases: Array<[string[], RegExp]> = [
    [['--record', 'app:pay'], /^error: --record needs -o FILE/],
    [['--record', 'app:pay', '-o', out('x'), '--stub', 'app:charge'], /^error: --stub app:charge: expected FUNCTION_ID=JSON/],
    [['--record', 'app:pay', '-o', out('x'), '--stub', 'app:charge={bad'], /^error: --stub app:charge is not valid JSON: \{bad/],
    [['--record', 'app:pay', '-o', out('x'), '--input', 'hello'], /^error: --input 1 is not valid JSON: hello/],
    [['--record', 'app:nope', '-o', out('x')], /^error: no entry app:nope in the registry/],
    [['--record', 'app:charge', '-o', out('x')], /^error: --record app:charge: a function\.lua entry; golden files record workflow\.lua entries/],
    [['--record', 'app:pay', '-o', out('x'), 'some/path'], /^error: --record takes no paths/],
    [['--stub', 'app:charge=1'], /^error: --stub is only used with --record ENTRY/],
    [['no/such/folder'], /^error: no such file or folder: no\/such\/folder/],
  ];
  for (const [args, re] of cases) {
    const r = wippy([...base, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assertNoJsStack(r.stderr);
  }
  assert.ok(!fs.existsSync(out('x')));
});

test('a bad registry is exit 2 with the registry error', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'r.yaml'), 'namespace: app\nentries:\n  - name: x\n    kind: nope.kind\n');
  const r = wippy(['test', '--registry', dir, dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.kind/);
  assertNoJsStack(r.stderr);
});

test('--signal reaches a workflow waiting in a select on a listen channel, before its timeout fires', () => {
  const lx = wfRegistry({
    wait: `local time = require("time")
return function()
  local ch = process.listen("go")
  local timeout = time.after("1h")
  local r = channel.select{ch:case_receive(), timeout:case_receive()}
  if r.channel == ch then return "got " .. tostring(r.value) end
  return "timeout"
end`,
  });
  const file = path.join(lx.dir, 'w.golden.json');
  const got = wippy(['test', '--registry', lx.dir, '--record', 'app:wait', '--signal', 'go="yes"', '-o', file]);
  assert.equal(got.code, 0, got.stderr);
  const end = readGolden(file).history.at(-1) as RecordOf<'completed'>;
  assert.equal(end.value, '"got yes"');
  assert.equal(end.at, Date.parse('2024-01-01T00:00:00Z'), 'no time passed');
  const none = wippy(['test', '--registry', lx.dir, '--record', 'app:wait', '-o', file]);
  assert.equal(none.code, 0, none.stderr);
  assert.equal((readGolden(file).history.at(-1) as RecordOf<'completed'>).value, '"timeout"');
});
