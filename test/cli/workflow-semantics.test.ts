// Workflow semantics through the real binary: children, activity errors, select against a 72h
// timer (both branches), and signals sent with `wippy workflow signal` to a running `wippy run -x`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wfRegistry } from '../../testkit/registry';
import { tick } from '../../testkit/wait';
import { wippy, startWippy } from '../../testkit/wippy';

const fx = wfRegistry({
  child: 'return function(x) if x < 0 then return nil, errors.new{kind = "Invalid", message = "negative"} end return x * 2 end',
  parent: `local workflow = require("workflow")
    return function()
      local v = workflow.exec("app:child", 21)
      local _, err = workflow.exec("app:child", -1)
      local pid = process.spawn("app:child", "app:worker", 5)
      local ev = process.events():receive()
      return {v, err:kind(), err:message(), ev.kind, ev.from == pid, ev.result.value}
    end`,
  errs: `local funcs = require("funcs")
    return function()
      local _, e1 = funcs.call("app:fail_nf")
      local _, e2 = funcs.new():with_options({["activity.retry_policy"] = {maximum_attempts = 1}}):call("app:raise")
      local _, e3 = funcs.call("app:nope")
      return {e1:kind(), e1:retryable(), e2:kind(), e3:kind()}
    end`,
  race: `local time = require("time")
    return function()
      local inbox = process.inbox()
      local r = channel.select{ inbox:case_receive(), time.after("72h"):case_receive() }
      if r.channel == inbox then return "signal:" .. r.value:topic() end
      return "timeout"
    end`,
  waiter: `return function()
      local inbox = process.inbox()
      local a, b = inbox:receive(), inbox:receive()
      return {a:topic(), a:payload():data(), b.approved}
    end`,
}, {
  fail_nf: 'return function() return nil, errors.new{kind = "NotFound", message = "no such order", retryable = false} end',
  raise: 'return function() error("activity blew up") end',
});

const last = (s: string) => JSON.parse(s.trim().split('\n').pop()!);

test('child workflows with value and with error (-x)', () => {
  const r = wippy(['run', fx.dir, '-x', 'app:parent']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(last(r.stdout), [42, 'Invalid', 'negative', 'pid.exit', true, 10]);
});

test('activity errors: returned, raised with maximum_attempts = 1, unknown id (-x)', () => {
  const r = wippy(['run', fx.dir, '-x', 'app:errs']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(last(r.stdout), ['NotFound', false, 'Internal', 'NotFound']);
});

test('select of a signal against a 72h timer: the timer branch under --virtual-time', () => {
  const r = wippy(['run', fx.dir, '--virtual-time', '-x', 'app:race']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(last(r.stdout), 'timeout');
});

/** Start `wippy run -x ENTRY`, wait until its workflow is in the store, return it and its output. */
async function startRun(entry: string) {
  const run = startWippy(['run', fx.dir, '-x', entry]);
  let id = '';
  for (let i = 0; i < 200 && !id; i++) {
    await tick(50);
    const l = wippy(['workflow', 'list', '--db', fx.db, '--status', 'running', '--json']);
    const rows = l.code === 0 ? (JSON.parse(l.stdout) as Array<{ id: string; entry: string }>).filter((w) => w.entry === entry) : [];
    if (rows.length) id = rows[rows.length - 1].id;
  }
  assert.ok(id, `the workflow of ${entry} never appeared: ${run.stderr()}`);
  return { id, exited: run.exited, out: () => run.lines().join('\n'), err: run.stderr };
}

test('select of a signal against a 72h timer: the signal branch, sent with wippy workflow signal', async () => {
  const run = await startRun('app:race');
  const s = wippy(['workflow', 'signal', run.id, 'go', '--db', fx.db]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(await run.exited, 0, run.err());
  assert.equal(last(run.out()), 'signal:go');
});

test('two signals to a workflow that waits on its inbox (msg.field reads the payload)', async () => {
  const run = await startRun('app:waiter');
  assert.equal(wippy(['workflow', 'signal', run.id, 'first', '{"n": 1}', '--db', fx.db]).code, 0);
  assert.equal(wippy(['workflow', 'signal', run.id, 'approval', '{"approved": true}', '--db', fx.db]).code, 0);
  assert.equal(await run.exited, 0, run.err());
  assert.deepEqual(last(run.out()), ['first', { n: 1 }, true]);
});

test('-x of a plain function does not take the workflow store (a running workflow holds it)', async () => {
  const fn = wfRegistry({ wait: 'return function() return process.inbox():receive():topic() end' }, { hello: 'return function() return "hi" end' });
  const run = startWippy(['run', fn.dir, '-x', 'app:wait']);
  try {
    const listed = () => { const l = wippy(['workflow', 'list', '--db', fn.db, '--json']); return l.code === 0 && JSON.parse(l.stdout).length > 0; };
    for (let i = 0; i < 100 && !listed(); i++) await tick(50);
    assert.ok(listed(), 'the waiting workflow holds the store');
    const r = wippy(['run', fn.dir, '-x', 'app:hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(last(r.stdout), 'hi');
  } finally {
    await run.kill();
  }
});
