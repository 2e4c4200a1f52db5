// Wippy's Spawner (process.with_options / with_context) starting workflows from a process, on a
// real SQLite store: ids from the name or workflow.id (also with the legacy temporal. prefix),
// startup messages recorded before the first step with the spawner as sender, the id conflict
// rules (use_existing, fail, execution_error_when_already_started), the Spawner's argument errors,
// and a workflow spawning a named child with startup messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wfRegistry } from '../../testkit/registry';
import { readStore } from '../../testkit/store';
import { startIdentity } from '../../runtime/engine/start-options';
import type { CallResult } from '../../base/payload';

/** Adds the amounts of "add" signals; replies "ok" {total} to each sender; `last` ends it. */
const ADDER = `local workflow = require("workflow")
return function(input)
  local ch = process.listen("add", {message = true})
  local total, len0 = input.start, workflow.history_length()
  while true do
    local msg = ch:receive()
    local d = msg:payload():data()
    total = total + d.n
    process.send(msg:from(), "ok", {total = total})
    if d.last then break end
  end
  return {total = total, len0 = len0}
end`;

function value(r: CallResult): unknown {
  if (r.error) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return JSON.parse(r.value ?? 'null');
}

async function runProcess(processes: Record<string, string>, workflows: Record<string, string> = { adder: ADDER }, functions: Record<string, string> = {}) {
  const fx = wfRegistry(workflows, functions, processes);
  const rt = fx.open({ virtualTime: true });
  rt.startWorkflows();
  const r = await rt.execProcess('app:main', null, []);
  rt.close();
  return { fx, r };
}

test('startIdentity: id from workflow.id (canonical or temporal.), else the name, else generated; the conflict defaults', () => {
  assert.deepEqual(startIdentity(undefined, undefined), { id: undefined, useExisting: false });
  assert.deepEqual(startIdentity({}, 'n1'), { id: 'n1', useExisting: true });
  assert.deepEqual(startIdentity({ 'temporal.workflow.id': 'x' }, 'n1'), { id: 'x', useExisting: true });
  assert.deepEqual(startIdentity({ 'workflow.id': 'y', 'temporal.workflow.id': 'x' }, undefined), { id: 'y', useExisting: true });
  assert.deepEqual(startIdentity({ 'temporal.workflow.id_conflict_policy': 'fail' }, 'n'), { id: 'n', useExisting: false });
  assert.deepEqual(startIdentity({ 'workflow.id_conflict_policy': 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING' }, undefined), { id: undefined, useExisting: true });
  assert.deepEqual(startIdentity({ 'temporal.workflow.execution_error_when_already_started': true }, 'n'), { id: 'n', useExisting: false });
  assert.match((startIdentity({ 'workflow.id': '' }, undefined) as { error: { message: string } }).error.message, /workflow.id cannot be empty/);
  assert.match((startIdentity({ 'workflow.id_conflict_policy': 'sometimes' }, undefined) as { error: { message: string } }).error.message, /invalid value "sometimes"/);
});

test('with_name + with_message: the messages are in the history before the first step, from the spawner; a second spawn joins it', async () => {
  const { fx, r } = await runProcess({
    main: `return function()
      local inbox = process.inbox()
      local base = process.with_options({}):with_name("adder-1")
      local first = base:with_message("add", {n = 2}):with_message("add", {n = 3})
      local pid, err = first:spawn_monitored("app:adder", "app:worker", {start = 10})
      assert(pid, tostring(err))
      local totals = {}
      for i = 1, 2 do local m = inbox:receive() totals[i] = m:payload():data().total assert(m:from() == pid) end
      local pid2, err2 = base:with_message("add", {n = 5, last = true}):spawn("app:adder", "test", {start = 999})
      totals[3] = inbox:receive():payload():data().total
      local ev = process.events():receive()
      return {pid = pid, same = pid2 == pid, err2 = err2 == nil, totals = totals, exit = ev.kind, from = ev.from == pid,
        result = ev.result.value, me = process.pid()}
    end`,
  });
  const v = value(r) as { pid: string; same: boolean; err2: boolean; totals: number[]; exit: string; from: boolean; result: unknown; me: string };
  assert.equal(v.pid, '{app:client@app:worker|adder-1}');
  assert.deepEqual([v.same, v.err2, v.totals, v.exit, v.from], [true, true, [12, 15, 20], 'pid.exit', true]);
  // len0: started + the two startup signals were consumed before the code's first step
  assert.deepEqual(v.result, { total: 20, len0: 3 });
  const h = readStore(fx.db, (s) => s.history('adder-1'));
  assert.deepEqual(h.slice(0, 3).map((x) => x.type), ['started', 'signal', 'signal']);
  assert.deepEqual(h.slice(1, 3).map((x) => x.type === 'signal' && [x.topic, x.from, x.payloads[0]]), [['add', v.me, '{"n":2}'], ['add', v.me, '{"n":3}']]);
  assert.equal(h.filter((x) => x.type === 'started').length, 1);
});

test('conflicts: fail policy and execution_error_when_already_started return nil, err; a generated id never collides', async () => {
  const { r } = await runProcess({
    main: `return function()
      local inbox = process.inbox()
      local id = "fixed-1"
      local pid = assert(process.with_options({["temporal.workflow.id"] = id}):with_message("add", {n = 1}):spawn("app:adder", "app:worker", {start = 0}))
      inbox:receive()
      local p2, e2 = process.with_options({["temporal.workflow.id"] = id, ["temporal.workflow.execution_error_when_already_started"] = true}):spawn("app:adder", "app:worker", {start = 0})
      local p3, e3 = process.with_options({["workflow.id_conflict_policy"] = "fail"}):with_name(id):spawn("app:adder", "app:worker", {start = 0})
      local p4, e4 = process.with_options({}):spawn("app:adder", "app:worker", {start = 0})
      process.send(pid, "add", {n = 1, last = true})
      process.terminate(p4)
      return {p2 == nil, e2:kind(), tostring(e2) ~= "", p3 == nil, e3:kind(), p4 ~= nil and p4 ~= pid, e4 == nil}
    end`,
  });
  assert.deepEqual(value(r), [true, 'AlreadyExists', true, true, 'AlreadyExists', true, true]);
});

test('Spawner: immutable, with_context reaches ctx.get in the workflow and its activities, and Wippy argument errors', async () => {
  const { r } = await runProcess({
    main: `return function()
      local base = process.with_options({})
      local named = base:with_name("ctx-1")
      local errs = {}
      for _, f in ipairs({
        function() return base:with_name("") end,
        function() return base:with_message("@cancel", 1) end,
        function() return base:with_actor(nil) end,
        function() return base:spawn("app:ctxwf") end,
        function() return process.with_options({[1] = true}) end,
      }) do local ok, e = pcall(f) errs[#errs + 1] = not ok and tostring(e) or "no error" end
      local pid = assert(process.with_context({tenant = "acme"}):with_context({user = "ann"}):with_name("ctx-1"):spawn_monitored("app:ctxwf", "app:worker"))
      local ev = process.events():receive()
      return {named ~= base, tostring(base), errs, pid, ev.result.value}
    end`,
  }, { ctxwf: 'local ctx = require("ctx") local funcs = require("funcs") return function() return {ctx.get("tenant"), ctx.get("user"), funcs.call("app:who")} end' },
  { who: 'local ctx = require("ctx") return function() return ctx.get("tenant") end' });
  const v = value(r) as [boolean, string, string[], string, unknown];
  assert.equal(v[0], true);
  assert.equal(v[1], 'process.Spawner');
  assert.match(v[2][0], /name cannot be empty/);
  assert.match(v[2][1], /cannot send to @ topics/);
  assert.match(v[2][2], /actor cannot be nil/);
  assert.match(v[2][3], /spawn requires at least id and host arguments/);
  assert.match(v[2][4], /options keys must be strings/);
  assert.equal(v[3], '{app:client@app:worker|ctx-1}');
  assert.deepEqual(v[4], ['acme', 'ann', 'acme'], 'the workflow and its activities see the context');
});

test('a workflow spawns a named child with startup messages; a second child with that id is refused (recorded)', async () => {
  const fx = wfRegistry({
    adder: ADDER,
    parent: `return function()
      local sp = process.with_options({}):with_name("kid-1"):with_message("add", {n = 4})
      local pid, err = sp:spawn("app:adder", "test", {start = 1})
      local ok_msg = process.inbox():receive()
      local p2, e2 = sp:spawn("app:adder", "app:worker", {start = 1})
      process.send(pid, "add", {n = 1, last = true})
      process.inbox():receive()
      local ev = process.events():receive()
      return {pid = pid, reply = ok_msg:payload():data().total, from = ok_msg:from() == pid, e2 = e2 and e2:kind(), exit = ev.result.value}
    end`,
  });
  const rt = fx.open({ virtualTime: true });
  const eng = rt.startWorkflows()!;
  const st = eng.start('app:parent', [], { id: 'p-1' });
  assert.ok(!('error' in st));
  const out = await new Promise((res) => eng.watch('p-1', res));
  rt.close();
  assert.deepEqual(out, { result: { value: JSON.stringify({ pid: '{app:client@app:worker|kid-1}', reply: 5, from: true, e2: 'AlreadyExists', exit: { total: 6, len0: 2 } }) } });
  const kid = readStore(fx.db, (s) => s.history('kid-1'));
  assert.deepEqual(kid.slice(0, 2).map((x) => x.type === 'signal' ? x.from : x.type), ['started', '{app:client@app:worker|p-1}']);
  // the refusal is in the parent's second spawn record: a replay reads it, never decides again
  const spawns = readStore(fx.db, (s) => s.history('p-1')).filter((x) => x.type === 'spawn');
  assert.deepEqual(spawns.map((x) => x.type === 'spawn' && [x.child, x.error?.kind ?? null]), [['kid-1', null], ['kid-1', 'AlreadyExists']]);
});
