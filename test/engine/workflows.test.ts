// Durable workflows through the Runtime API on a real SQLite store: activities, timers, signals,
// select, children, errors, cancel/terminate, versioning, and replay after a "restart".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWf, valueOf } from '../../testkit/outcome';
import { wfRegistry } from '../../testkit/registry';
import { tick, until } from '../../testkit/wait';
import { openStore } from '../../runtime/store';

const fns = {
  add: 'return function(a, b) return a + b end',
  echo: 'local ctx = require("ctx") return function(x) return {x = x, key = ctx.get("activity_id")} end',
  fail_nf: 'return function() return nil, errors.new{kind = "NotFound", message = "no such order", retryable = false} end',
  raise: 'return function() error("activity blew up") end',
  flaky: `attempts = attempts or 0
    return function() attempts = attempts + 1 if attempts < 3 then return nil, errors.new{kind = "Unavailable", message = "try again"} end return attempts end`,
};

test('a workflow calls activities and returns their results; history records each step', async () => {
  const fx = wfRegistry({
    steps: `local funcs = require("funcs")
      return function(n)
        local s = 0
        for i = 1, n do s = funcs.call("app:add", s, i) end
        local e = funcs.call("app:echo", "hi")
        return {sum = s, echo = e.x, key_ok = type(e.key) == "string"}
      end`,
  }, fns);
  const rt = fx.open();
  assert.deepEqual(await valueOf(runWf(rt, 'app:steps', 10)), { sum: 55, echo: 'hi', key_ok: true });
  rt.close();
});

test('activity errors: returned error, raised error with maximum_attempts = 1, unknown id, retries', async () => {
  const fx = wfRegistry({
    errs: `local funcs = require("funcs")
      return function()
        local _, e1 = funcs.call("app:fail_nf")
        local ex = funcs.new():with_options({["activity.retry_policy"] = {maximum_attempts = 1}})
        local _, e2 = ex:call("app:raise")
        local _, e3 = funcs.call("app:nope")
        local fast = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = 1, maximum_attempts = 5}})
        local n = fast:call("app:flaky")
        return {e1:kind(), e1:message(), e1:retryable(), e2:kind(), e2:message():find("activity blew up") ~= nil, e3:kind(), n}
      end`,
  }, fns);
  const rt = fx.open();
  assert.deepEqual(await valueOf(runWf(rt, 'app:errs')), ['NotFound', 'no such order', false, 'Internal', true, 'NotFound', 3]);
  rt.close();
});

test('time.sleep is a durable timer; virtual time makes 24h instant and recorded times virtual', async () => {
  const fx = wfRegistry({
    sleeper: `local time = require("time")
      return function()
        local t0 = time.now()
        time.sleep("24h")
        local t1 = time.now()
        return {hours = t1:sub(t0):hours(), same_os = os.time() == t1:unix()}
      end`,
  });
  const rt = fx.open({ virtualTime: true });
  const started = Date.now();
  assert.deepEqual(await valueOf(runWf(rt, 'app:sleeper')), { hours: 24, same_os: true });
  assert.ok(Date.now() - started < 5000);
  rt.close();
});

test('signals: sent before and after the workflow blocks on its inbox; msg.field reads the payload', async () => {
  const fx = wfRegistry({
    waiter: `return function()
        local inbox = process.inbox()
        local a = inbox:receive()
        local b = inbox:receive()
        return {a:topic(), a:payload():data().n, b.approved, b:from()}
      end`,
  });
  const rt = fx.open();
  const engine = rt.startWorkflows()!;
  const r = engine.start('app:waiter', []);
  assert.ok('id' in r);
  const done = new Promise((res) => engine.watch(r.id, res));
  assert.equal(rt.node.send('{app:procs|x}', r.pid, 'first', ['{"n":1}']), null); // before it blocks
  await tick(20);
  assert.equal(rt.node.send('', r.pid, 'approval', ['{"approved":true}']), null); // after it blocks
  assert.deepEqual(await valueOf(done as never), ['first', 1, true, '']);
  rt.close();
});

test('select of a signal against a 72h timer: both branches', async () => {
  const fx = wfRegistry({
    race: `local time = require("time")
      return function()
        local r = channel.select{ process.inbox():case_receive(), time.after("72h"):case_receive() }
        if r.channel == process.inbox() then return "signal:" .. r.value:topic() end
        return "timeout"
      end`,
  });
  const rt = fx.open({ virtualTime: true });
  assert.equal(await valueOf(runWf(rt, 'app:race')), 'timeout');
  const engine = rt.startWorkflows()!;
  const r = engine.start('app:race', []);
  assert.ok('id' in r);
  engine.signal(r.id, 'go', '', []);
  assert.equal(await valueOf(new Promise((res) => engine.watch(r.id, res)) as never), 'signal:go');
  rt.close();
});

test('child workflows: exec with value and with error; spawn gives EXIT events', async () => {
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
  });
  const rt = fx.open();
  assert.deepEqual(await valueOf(runWf(rt, 'app:parent')), [42, 'Invalid', 'negative', 'pid.exit', true, 10]);
  rt.close();
});

test('cancel arrives as a pid.cancel event; terminate ends the workflow', async () => {
  const fx = wfRegistry({
    polite: 'return function() local e = process.events():receive() return {kind = e.kind, reason = e.reason} end',
    stubborn: 'return function() process.inbox():receive() return "never" end',
  });
  const rt = fx.open();
  const engine = rt.startWorkflows()!;
  const a = engine.start('app:polite', []) as { id: string };
  const b = engine.start('app:stubborn', []) as { id: string };
  await tick(20);
  engine.cancelOrTerminate(a.id, 'tester', false, 'please stop');
  engine.cancelOrTerminate(b.id, 'tester', true);
  assert.deepEqual(await valueOf(new Promise((res) => engine.watch(a.id, res)) as never), { kind: 'pid.cancel', reason: 'please stop' });
  const ob = await new Promise<any>((res) => engine.watch(b.id, res));
  assert.equal(ob.result.error.kind, 'Canceled');
  rt.close();
});

test('uuid and time are recorded: replay after a restart sees the same values', async () => {
  const fx = wfRegistry({
    rec: `local uuid, time = require("uuid"), require("time")
      return function()
        local id = uuid.v4()
        local t = time.now():unix_nano()
        local r = math.random(1, 1000000)
        local msg = process.inbox():receive()
        return {id = id, t = t, r = r, again = uuid.v4() ~= id, got = msg:topic()}
      end`,
  });
  const rt1 = fx.open();
  const e1 = rt1.startWorkflows()!;
  const s = e1.start('app:rec', []) as { id: string };
  // Until the first step (the uuid) is committed: the restart must replay it, not run it anew.
  const recorded = () => { const st = openStore(fx.db, { lock: false }); try { return st.history(s.id).some((r) => r.type === 'uuid'); } finally { st.close(); } };
  await until(recorded, 'the uuid record before the restart');
  rt1.close();
  // "Restart": a new runtime on the same store replays the history, then gets the signal.
  const rt2 = fx.open();
  const e2 = rt2.startWorkflows()!;
  const out = new Promise((res) => e2.watch(s.id, res));
  e2.signal(s.id, 'go', '', []);
  const v = await valueOf(out as never) as Record<string, unknown>;
  rt2.close();
  // A third runtime reads the stored result: the values from before the restart were kept.
  const hist = openStore(fx.db, { lock: false }).history(s.id);
  const uuidRec = hist.find((r) => r.type === 'uuid');
  assert.ok(uuidRec && uuidRec.type === 'uuid' && hist[0].type === 'started');
  assert.equal(v.id, uuidRec.value);
  assert.equal(v.again, true);
  assert.equal(v.got, 'go');
  assert.equal(v.t, hist[0].at * 1e6);
});

test('a runaway workflow is parked and the others keep going', async () => {
  const fx = wfRegistry({
    spin: 'return function() local n = 0 while true do n = n + 1 end end',
    fine: 'local funcs = require("funcs") return function() return funcs.call("app:add", 1, 2) end',
  }, fns);
  const rt = fx.open({ budget: 2_000_000 });
  const [spin, fine] = await Promise.all([runWf(rt, 'app:spin'), runWf(rt, 'app:fine')]);
  assert.ok('parked' in spin);
  assert.match((spin as { parked: string }).parked, /instruction budget exceeded in app:spin/);
  assert.equal(await valueOf(Promise.resolve(fine)), 3);
  rt.close();
});

test('a process starts a workflow, signals it, cancels it, and gets its EXIT', async () => {
  const fx = wfRegistry({
    svc: `return function()
        local m = process.inbox():receive()
        local e = process.events():receive()
        return {got = m:topic(), then_ = e.kind, reason = e.reason}
      end`,
  }, {}, {
    boss: `local time = require("time")
      return function()
        local pid = process.spawn_monitored("app:svc", "app:worker")
        assert(process.send(pid, "hello", 1))
        time.sleep("20ms")
        assert(process.cancel(pid, "enough"))
        local ev = process.events():receive()
        return {kind = ev.kind, value = ev.result.value}
      end`,
  });
  const rt = fx.open();
  rt.startWorkflows();
  const r = await rt.execProcess('app:boss', 'app:procs', []);
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(JSON.parse(r.value!), { kind: 'pid.exit', value: { got: 'hello', then_: 'pid.cancel', reason: 'enough' } });
  rt.close();
});

test('a cancel and a signal sent in the same turn as the start are delivered', async () => {
  const fx = wfRegistry({
    early: `return function()
        local m = process.inbox():receive()
        local e = process.events():receive()
        return {m:topic(), e.kind}
      end`,
  });
  const rt = fx.open();
  const engine = rt.startWorkflows()!;
  const r = engine.start('app:early', []) as { id: string };
  engine.cancelOrTerminate(r.id, 'test', false, 'early');
  engine.signal(r.id, 'hi', '', []);
  const o = await new Promise<any>((res) => engine.watch(r.id, res));
  assert.deepEqual(JSON.parse(o.result.value), ['hi', 'pid.cancel']);
  rt.close();
});

test('a workflow asleep for long gives its Lua state back at once, and still wakes and finishes; a short sleeper stays cached', async () => {
  const fx = wfRegistry({
    nap: `local time = require("time")
      return function(d) time.sleep(d) return d end`,
  });
  const rt = fx.open();
  const engine = rt.startWorkflows()!;
  const long = engine.start('app:nap', ['"1h"']) as { id: string };
  const short = engine.start('app:nap', ['"3s"']) as { id: string };
  while (engine.busy) await tick(5);
  await tick(50);
  assert.equal(engine.cached, 1, 'only the 3s sleeper is kept');
  assert.equal(engine.active, 2);
  rt.close();
  // Restart on a virtual clock: both replay and finish (the long one from the store alone).
  const rt2 = fx.open({ virtualTime: true });
  const e2 = rt2.startWorkflows()!;
  const outs = await Promise.all([long.id, short.id].map((id) => new Promise((r) => e2.watch(id, r))));
  assert.deepEqual(outs, [{ result: { value: '"1h"' } }, { result: { value: '"3s"' } }]);
  rt2.close();
});
