// Processes: ping-pong, channels between coroutines, EXIT/LINK_DOWN events, send to unknown PIDs,
// names, cancel and terminate — each a small registry run through the real runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { withRegistry } from '../../testkit/registry';

function registry(procs: Record<string, string>): Runtime {
  const entries = Object.keys(procs).map((n) => `  - name: ${n}\n    kind: process.lua\n    source: file://${n}.lua\n    modules: [time]\n`).join('');
  const files: Record<string, string> = { 'r.yaml': `namespace: app\nentries:\n  - name: procs\n    kind: process.host\n${entries}` };
  for (const [n, src] of Object.entries(procs)) files[`${n}.lua`] = src;
  return Runtime.load(withRegistry(files), { output: { print: () => {}, log: () => {} } });
}

async function run(rt: Runtime, id: string, ...args: unknown[]) {
  const r = await rt.execProcess(id, 'app:procs', args.map((a) => JSON.stringify(a)));
  if (r.error) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return JSON.parse(r.value!);
}

test('ping-pong between two processes', async () => {
  const rt = registry({
    ponger: `return function()
      local inbox = process.inbox()
      while true do
        local msg = inbox:receive()
        if msg:topic() == "stop" then return "stopped" end
        process.send(msg:from(), "pong", msg:payload():data() + 1)
      end
    end`,
    pinger: `return function(n)
      local p = process.spawn("app:ponger", "app:procs")
      local v = 0
      for i = 1, n do
        process.send(p, "ping", v)
        local m = process.inbox():receive()
        assert(m:topic() == "pong" and m:from() == p)
        v = m:payload():data()
      end
      process.send(p, "stop")
      return v
    end`,
  });
  assert.equal(await run(rt, 'app:pinger', 500), 500);
  for (let i = 0; i < 10 && rt.node.size > 0; i++) await new Promise((r) => setImmediate(r));
  assert.equal(rt.node.size, 0, 'the ponger has exited too');
});

test('a received payload sent on as it is arrives as the value it holds (echo with string(msg:from()))', async () => {
  const rt = registry({
    echo: `return function()
      local msg = process.listen("echo", { message = true }):receive()
      process.send(string(msg:from()), "reply", msg:payload())
      process.send(string(msg:from()), "made", payload.new({ n = 2 }))
    end`,
    asker: `return function()
      local p = process.spawn("app:echo", "app:procs")
      process.send(p, "echo", { text = "hi", list = { 1, 2 } })
      local inbox = process.inbox()
      local a, b = inbox:receive(), inbox:receive()
      return { a:topic(), a:payload():data(), b:topic(), b:payload():data() }
    end`,
  });
  assert.deepEqual(await run(rt, 'app:asker'), ['reply', { text: 'hi', list: [1, 2] }, 'made', { n: 2 }]);
});

test('producer/consumer over a buffered channel with two coroutines', async () => {
  const rt = registry({
    pc: `return function(n)
      local ch = channel.new(4)
      local done = channel.new()
      coroutine.spawn(function() for i = 1, n do ch:send(i) end ch:close() end)
      coroutine.spawn(function()
        local sum, count = 0, 0
        for v in function() local x, ok = ch:receive() if ok then return x end end do sum = sum + v count = count + 1 end
        done:send({sum = sum, count = count})
      end)
      return done:receive()
    end`,
  });
  assert.deepEqual(await run(rt, 'app:pc', 100), { sum: 5050, count: 100 });
});

test('EXIT events for monitored children, with value and with error', async () => {
  const rt = registry({
    good: 'return function(x) return {doubled = x * 2} end',
    bad: 'return function() return nil, errors.new{kind = "Conflict", message = "no way"} end',
    raiser: 'return function() error("kaput") end',
    parent: `return function()
      local g = process.spawn_monitored("app:good", "app:procs", 21)
      local b = process.spawn_monitored("app:bad", "app:procs")
      local r = process.spawn_monitored("app:raiser", "app:procs")
      local ev = process.events()
      local out = {}
      for i = 1, 3 do
        local e = ev:receive()
        local key = (e.from == g and "good") or (e.from == b and "bad") or "raiser"
        out[key] = {kind = e.kind, value = e.result.value, err_kind = e.result.error and e.result.error:kind(),
                    err = e.result.error and e.result.error:message(), has_at = type(e.at) == "string"}
      end
      return out
    end`,
  });
  const v = await run(rt, 'app:parent');
  assert.deepEqual(v.good, { kind: 'pid.exit', value: { doubled: 42 }, has_at: true });
  assert.deepEqual(v.bad, { kind: 'pid.exit', err_kind: 'Conflict', err: 'no way', has_at: true });
  assert.equal(v.raiser.err_kind, 'Internal');
  assert.match(v.raiser.err, /raiser\.lua:1: kaput/);
});

test('linked children: LINK_DOWN when trapping links, termination otherwise; normal exit is silent', async () => {
  const rt = registry({
    failer: 'local time = require("time") return function() time.sleep("5ms") error("child broke") end',
    fine: 'return function() return 1 end',
    trapper: `return function()
      process.set_options({trap_links = true})
      process.spawn_linked("app:fine", "app:procs")
      local c = process.spawn_linked("app:failer", "app:procs")
      local e = process.events():receive()
      return {kind = e.kind, from_child = e.from == c, msg = e.result.error:message(), trap = process.get_options().trap_links}
    end`,
    victim: `return function()
      process.spawn_linked("app:failer", "app:procs")
      process.inbox():receive()  -- would wait forever; the linked failure ends us
      return "unreachable"
    end`,
  });
  const v = await run(rt, 'app:trapper');
  assert.equal(v.kind, 'pid.link.down');
  assert.equal(v.from_child, true);
  assert.match(v.msg, /child broke/);
  const r = await rt.execProcess('app:victim', 'app:procs', []);
  assert.equal(r.error?.kind, 'Canceled');
  assert.match(r.error!.message, /linked process \{app:procs\|\w+\} failed: .*child broke/);
});

test('send to an unknown PID or name returns NotFound; names resolve and are released at exit', async () => {
  const rt = registry({
    named: 'return function() process.registry.register("svc") local m = process.inbox():receive() return m:payload():data() end',
    main: `return function()
      local ok, err = process.send("{app:procs|nope}", "hi", 1)
      local ok2, err2 = process.send("no-such-name", "hi")
      local p = process.spawn_monitored("app:named", "app:procs")
      local time = require("time")
      time.sleep("1ms")
      local looked = process.registry.lookup("svc")
      assert(process.send("svc", "hello", "via name"))
      local e = process.events():receive()
      local after, lerr = process.registry.lookup("svc")
      return {ok == nil, err:kind(), ok2 == nil, err2:kind(), looked == p, e.result.value, after == nil, lerr:kind()}
    end`,
  });
  assert.deepEqual(await run(rt, 'app:main'), [true, 'NotFound', true, 'NotFound', true, 'via name', true, 'NotFound']);
});

test('cancel delivers pid.cancel and the process decides; terminate stops it', async () => {
  const rt = registry({
    polite: `return function()
      local e = process.events():receive()
      return {got = e.kind, reason = e.reason}
    end`,
    stubborn: 'return function() while true do process.inbox():receive() end end',
    boss: `return function()
      local a = process.spawn_monitored("app:polite", "app:procs")
      local b = process.spawn_monitored("app:stubborn", "app:procs")
      process.cancel(a, "shutting down")
      local ea = process.events():receive()
      process.terminate(b)
      local eb = process.events():receive()
      return {ea.result.value, eb.result.error:kind()}
    end`,
  });
  assert.deepEqual(await run(rt, 'app:boss'), [{ got: 'pid.cancel', reason: 'shutting down' }, 'Canceled']);
});

test('listen routes a topic to its own channel; glob topics; queued messages move over', async () => {
  const rt = registry({
    l: `return function()
      process.send(process.pid(), "update.a", 1)
      process.send(process.pid(), "other", "x")
      local upd = process.listen("update.*")
      process.send(process.pid(), "update.b", 2)
      local msgs = process.listen("other", {message = true})
      local a, b = upd:receive(), upd:receive()
      local m = msgs:receive()
      return {a, b, m:topic(), m:payload():data()}
    end`,
  });
  assert.deepEqual(await run(rt, 'app:l'), [1, 2, 'other', 'x']);
});

test('spawned coroutines die when main returns; a failing coroutine fails the process', async () => {
  const rt = registry({
    leaver: 'return function() coroutine.spawn(function() process.inbox():receive() end) return "done" end',
    crash: 'return function() coroutine.spawn(function() error("in coroutine") end) process.inbox():receive() end',
  });
  assert.equal(await run(rt, 'app:leaver'), 'done');
  const r = await rt.execProcess('app:crash', 'app:procs', []);
  assert.match(r.error!.message, /a coroutine failed: .*in coroutine/);
});

test('spawn errors: unknown entry, wrong kind, unknown host', async () => {
  const rt = registry({
    s: `return function()
      local _, e1 = process.spawn("app:nothing", "app:procs")
      local _, e2 = process.spawn("app:procs", "app:procs")
      local _, e3 = process.spawn("app:s", "app:nohost")
      return {e1:kind(), e2:kind(), e3:kind(), e3:message()}
    end`,
  });
  assert.deepEqual(await run(rt, 'app:s'), ['NotFound', 'Invalid', 'NotFound', 'no process.host app:nohost in the registry']);
});
