// A function call is a process (SPEC section 1, as in Wippy): a PID, an inbox, events, listen,
// options, names; it spawns, monitors and links children and gets their EXIT / LINK_DOWN; what
// it spawned lives on after it returns; killing its process kills the call. Also: the same
// channel from inbox()/events()/listen(topic) on every call, process.id(), process.send's
// error usable as a string, and the virtual clock waiting for a cancel -> EXIT chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { withRegistry } from '../../testkit/registry';
import { until } from '../../testkit/wait';

function load(fns: Record<string, string>, procs: Record<string, string>, virtualTime = false): Runtime {
  const entry = (kind: string) => (n: string) => `  - name: ${n}\n    kind: ${kind}\n    source: file://${n}.lua\n    modules: [time]\n`;
  const yaml = `namespace: app\nentries:\n  - name: procs\n    kind: process.host\n${Object.keys(fns).map(entry('function.lua')).join('')}${Object.keys(procs).map(entry('process.lua')).join('')}`;
  const files: Record<string, string> = { 'r.yaml': yaml };
  for (const [n, src] of Object.entries({ ...fns, ...procs })) files[`${n}.lua`] = src;
  return Runtime.load(withRegistry(files), { output: { print: () => {}, log: () => {} }, virtualTime });
}

async function call(rt: Runtime, id: string, ...args: unknown[]): Promise<unknown> {
  const r = await rt.callFunction(id, args.map((a) => JSON.stringify(a)));
  if (r.error) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return JSON.parse(r.value!);
}

const WORKERS = {
  echo: `return function() local m = process.inbox():receive(); process.send(m:from(), "echo", m:payload():data()) end`,
  quick: 'return function(v) return v end',
  failing: 'return function() error("worker broke") end',
  waiter: 'return function() process.inbox():receive() return "released" end',
};

test('a function has a PID, an inbox and its own entry id; the same channels on every call', async () => {
  const rt = load({
    me: `return function()
      local pid, err = process.pid()
      assert(type(pid) == "string" and err == nil, "pid")
      assert(process.pid() == pid, "stable pid")
      local e = process.spawn("app:echo", "app:procs")
      process.send(e, "hi", 42)
      local m = process.inbox():receive()
      return {pid = pid, id = process.id(), topic = m:topic(), value = m:payload():data(), from_ok = m:from() == e,
        same_inbox = process.inbox() == process.inbox(), same_events = process.events() == process.events(),
        same_listen = process.listen("a") == process.listen("a"), other_listen = process.listen("a") ~= process.listen("b"),
        distinct = process.inbox() ~= process.events()}
    end`,
  }, WORKERS);
  const a = await call(rt, 'app:me') as Record<string, unknown>;
  const b = await call(rt, 'app:me') as Record<string, unknown>;
  assert.match(a.pid as string, /^\{.+\|.+\}$/);
  assert.notEqual(a.pid, b.pid, 'each call is its own process');
  assert.deepEqual({ ...a, pid: undefined }, { pid: undefined, id: 'app:me', topic: 'echo', value: 42, from_ok: true, same_inbox: true, same_events: true, same_listen: true, other_listen: true, distinct: true });
});

test('a function monitors and links children and gets their EXIT and LINK_DOWN events', async () => {
  const rt = load({
    parent: `return function()
      local ok, err = process.set_options({trap_links = true})
      assert(ok == true and err == nil)
      local events = process.events()
      local m = process.spawn_monitored("app:quick", "app:procs", "done")
      local ev = events:receive()
      local l = process.spawn_linked("app:failing", "app:procs")
      local down = events:receive()
      local bad_ok, bad = process.set_options({trap_links = "yes"})
      local un_ok, un = process.set_options({colour = 1})
      return {exit_kind = ev.kind, exit_from = ev.from == m, exit_value = ev.result.value,
        down_kind = down.kind, down_from = down.from == l, down_error = tostring(down.result.error):find("worker broke") ~= nil,
        trap = process.get_options().trap_links, bad_ok = bad_ok, bad = tostring(bad), un_ok = un_ok, un = tostring(un)}
    end`,
  }, WORKERS);
  const r = await call(rt, 'app:parent') as Record<string, unknown>;
  assert.equal(r.exit_kind, 'pid.exit');
  assert.equal(r.exit_from, true);
  assert.equal(r.exit_value, 'done');
  assert.equal(r.down_kind, 'pid.link.down');
  assert.equal(r.down_from, true);
  assert.equal(r.down_error, true);
  assert.equal(r.trap, true);
  assert.equal(r.bad_ok, false);
  assert.match(r.bad as string, /trap_links must be a boolean/);
  assert.equal(r.un_ok, false);
  assert.match(r.un as string, /option colour is not supported/);
});

test('what a function spawned lives on after it returns; its names are released', async () => {
  const rt = load({
    starter: `return function()
      local p = process.spawn_monitored("app:waiter", "app:procs")
      local ok = process.registry.register("starter-name")
      assert(ok == true, "register without a pid names the function's process")
      assert(process.registry.lookup("starter-name") == process.pid())
      return p
    end`,
    releaser: 'return function(pid) return process.send(pid, "go") end',
  }, WORKERS);
  const pid = await call(rt, 'app:starter') as string;
  assert.ok(rt.node.get(pid), 'the child is still running after the function returned');
  assert.equal(rt.node.resolve('starter-name'), null, 'the name went with the function');
  let exit: unknown;
  rt.node.watch(pid, (r) => { exit = r; });
  assert.equal(await call(rt, 'app:releaser', pid), true);
  await until(() => exit !== undefined, 'the child to exit');
  assert.deepEqual(exit, { value: '"released"' });
});

test('terminating a function\'s process ends the call with Canceled', async () => {
  const rt = load({
    victim: `return function() process.spawn("app:killer", "app:procs", process.pid()); process.inbox():receive() return "not reached" end`,
  }, { killer: 'return function(target) return process.terminate(target) end' });
  const r = await rt.callFunction('app:victim', []);
  assert.equal(r.error?.kind, 'Canceled');
  assert.match(r.error!.message, /terminated by/);
});

test('process.send\'s error reads as a string in the string library and says "not found"', async () => {
  const rt = load({
    sender: `return function()
      local ok, err = process.send("{nobody|1}", "topic")
      return {ok = ok, found = string.find(err, "not found") ~= nil, lower = err:kind() == "NotFound", len = string.len(err) > 0}
    end`,
  }, {});
  assert.deepEqual(await call(rt, 'app:sender'), { found: true, lower: true, len: true });
});

test('virtual time: the clock does not jump to a timer while a cancel -> EXIT chain is in flight', async () => {
  // The parent waits for its worker's EXIT or a 5 s timer; the worker cancels its own child and
  // waits for that child's EXIT. Nothing is blocked on time but the timer, yet the chain must win.
  const rt = load({}, {
    parent: `local time = require("time")
    return function()
      local events = process.events()
      process.spawn_monitored("app:worker", "app:procs")
      local r = channel.select{events:case_receive(), time.after("5s"):case_receive()}
      if r.channel ~= events then return "timeout" end
      return r.value.result.value
    end`,
    worker: `return function()
      local events = process.events()
      local child = process.spawn_monitored("app:sleeper", "app:procs")
      process.cancel(child)
      local ev = events:receive()
      return ev.result.value
    end`,
    sleeper: `return function()
      local ev = process.events():receive()
      return ev.kind
    end`,
  }, true);
  const r = await rt.execProcess('app:parent', 'app:procs', []);
  assert.deepEqual(r, { value: '"pid.cancel"' });
});
