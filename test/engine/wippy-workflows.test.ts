// Wippy's workflow behaviours on a real SQLite store: processes monitoring/linking workflow PIDs
// (EXIT, LINK_DOWN, nothing after unmonitor/unlink), workflow.info / history_length /
// history_size, the legacy temporal.activity.retry_policy key, a missing activity (NotFound,
// Wippy's retryable flag, not retried), a time.Time in a result, Wippy's texts for link/monitor
// inside a workflow, and a child without a worker on its parent's queue or a task queue name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wfRegistry } from '../../testkit/registry';
import { runWf, valueOf } from '../../testkit/outcome';
import { readStore } from '../../testkit/store';
import type { CallResult } from '../../base/payload';

/** Waits for a "stop" signal, then ends with an error (or returns when the signal says ok). */
const WAITER = `return function()
  local m = process.inbox():receive()
  if m:payload():data() == "ok" then return "done" end
  return nil, errors.new{kind = "Internal", message = "asked to fail"}
end`;

function value(r: CallResult): unknown {
  if (r.error) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return JSON.parse(r.value ?? 'null');
}

async function exec(workflows: Record<string, string>, main: string, functions: Record<string, string> = {}): Promise<unknown> {
  const fx = wfRegistry(workflows, functions, { main });
  const rt = fx.open({ virtualTime: true });
  rt.startWorkflows();
  const r = await rt.execProcess('app:main', null, []);
  rt.close();
  return value(r);
}

test('a process monitors and links a running workflow: EXIT, LINK_DOWN on an error end, EXIT on a normal end; after unmonitor/unlink nothing', async () => {
  const v = await exec({ waiter: WAITER }, `local time = require("time")
    return function()
      process.set_options({trap_links = true})
      local ev = process.events()
      local a = process.spawn("app:waiter", "app:worker")
      local b = process.spawn("app:waiter", "app:worker")
      local r = {process.monitor(a), process.link(a), process.monitor(b), process.link(b)}
      r[#r + 1] = process.unmonitor(b)
      r[#r + 1] = process.unlink(b)
      local c = process.spawn("app:waiter", "app:worker")
      r[#r + 1] = process.link(c)
      process.send(b, "stop", "fail")
      process.send(a, "stop", "fail")
      process.send(c, "stop", "ok")
      local kinds = {}
      local deadline = time.after("10s")
      while true do
        local s = channel.select{ev:case_receive(), deadline:case_receive()}
        if s.channel == deadline then break end
        local res = s.value.result
        kinds[#kinds + 1] = (s.value.from == a and "a " or s.value.from == c and "c " or "b ") .. s.value.kind .. " " .. (res.error and res.error:message() or res.value)
      end
      local _, nf = process.monitor("{app:client@app:worker|nope}")
      table.sort(kinds)
      return {r, kinds, nf:kind()}
    end`);
  assert.deepEqual(v, [[true, true, true, true, true, true, true], ['a pid.exit asked to fail', 'a pid.link.down asked to fail', 'c pid.exit done'], 'NotFound']);
});

test('a linked workflow that fails kills a process that does not trap links; spawn_linked links too', async () => {
  const fx = wfRegistry({ waiter: WAITER }, {}, {
    main: `return function()
      local a = process.spawn_linked("app:waiter", "app:worker")
      process.send(a, "stop", "fail")
      process.inbox():receive()
      return "not killed"
    end`,
  });
  const rt = fx.open({ virtualTime: true });
  rt.startWorkflows();
  const r = await rt.execProcess('app:main', null, []);
  rt.close();
  assert.equal(r.error?.kind, 'Canceled');
  assert.match(r.error!.message, /linked process \{app:client@app:worker\|.*\} failed: asked to fail/);
});

test('workflow.info, history_length and history_size count the records consumed so far', async () => {
  const fx = wfRegistry({
    info: `local workflow = require("workflow") local time = require("time")
      return function()
        local n0, e0 = workflow.history_length()
        local s0 = workflow.history_size()
        time.sleep("1s")
        local i = workflow.info()
        return {n0 = n0, e0 = e0 == nil, s0_pos = s0 > 0, grew = i.history_length > n0 and i.history_size > s0,
          n1 = i.history_length, id = i.workflow_id, run = i.run_id ~= "", type = i.workflow_type, queue = i.task_queue, ns = i.namespace, attempt = i.attempt}
      end`,
  });
  const rt = fx.open({ virtualTime: true });
  const o = await valueOf(runWf(rt, 'app:info'));
  rt.close();
  const v = o as Record<string, unknown>;
  assert.deepEqual({ ...v, id: typeof v.id }, { n0: 1, e0: true, s0_pos: true, grew: true, n1: 3, id: 'string', run: true, type: 'app:info', queue: 'test', ns: 'default', attempt: 1 });
});

test('temporal.activity.retry_policy is honoured; a missing activity is NotFound, retryable as in Wippy, and not retried', async () => {
  const fx = wfRegistry({
    acts: `local funcs = require("funcs")
      return function()
        local ex = funcs.new():with_options({["temporal.activity.retry_policy"] = {maximum_attempts = 1}})
        local _, e1 = ex:call("app:crash")
        local _, e2 = ex:call("app:missing_activity")
        local _, e3 = funcs.call("app:missing_activity")
        return {e1:kind(), e1:message():find("runtime activity crash") ~= nil, e2:kind(), e2:retryable(), e3:kind(), e3:retryable()}
      end`,
  }, { crash: 'return function() error("runtime activity crash") end' });
  const rt = fx.open({ virtualTime: true });
  assert.deepEqual(await valueOf(runWf(rt, 'app:acts')), ['Internal', true, 'NotFound', true, 'NotFound', true]);
  rt.close();
  const h = readStore(fx.db, (s) => s.history(s.listWorkflows()[0].id));
  assert.equal(h.filter((x) => x.type === 'attempt_failed').length, 0, 'nothing retried');
});

test('a time.Time in a result crosses as its RFC 3339 text (other userdata is still refused)', async () => {
  const fx = wfRegistry({
    stamp: 'local time = require("time") return function() return {at = time.unix(1700000000, 5)} end',
    bad: 'return function() return {co = coroutine.create(function() end)} end',
  });
  const rt = fx.open({ virtualTime: true });
  assert.deepEqual(await valueOf(runWf(rt, 'app:stamp')), { at: '2023-11-14T22:13:20.000000005Z' });
  const bad = await runWf(rt, 'app:bad');
  rt.close();
  assert.ok('result' in bad && bad.result.error);
  assert.match(bad.result.error!.message, /cannot encode a thread at result\.co/);
});

test("inside a workflow link/monitor return nil, err with Wippy's texts", async () => {
  const fx = wfRegistry({
    links: `return function()
      local me = process.pid()
      local out = {}
      for _, f in ipairs({process.link, process.monitor, process.unmonitor, process.unlink}) do
        local ok, err = f(me)
        out[#out + 1] = (ok == nil) and err:message() or "ok"
      end
      return out
    end`,
  });
  const rt = fx.open({ virtualTime: true });
  assert.deepEqual(await valueOf(runWf(rt, 'app:links')), [
    "process.link not supported in workflow context: Temporal doesn't support bidirectional linking",
    'process.monitor not supported in workflow context: child workflows are automatically monitored',
    'process.unmonitor not supported in workflow context',
    'process.unlink not supported in workflow context',
  ]);
  rt.close();
});

test("a child workflow without a worker runs on its parent's; a spawn's host may be a task queue name", async () => {
  const fx = wfRegistry({
    parent: `local workflow = require("workflow")
      return function()
        local a = workflow.exec("app:orphan", 1)
        local pid = process.spawn("app:orphan", "test", 2)
        local ev = process.events():receive()
        local _, err = process.spawn("app:orphan", "no-such-queue", 3)
        local ev2 = process.events():receive()
        return {a, ev.result.value, ev.from == pid, pid, ev2.result.error ~= nil}
      end`,
  });
  const files = (await import('node:fs')).readFileSync(`${fx.dir}/registry.yaml`, 'utf8');
  (await import('node:fs')).writeFileSync(`${fx.dir}/registry.yaml`, `${files}  - name: orphan\n    kind: workflow.lua\n    source: file://orphan.lua\n`);
  (await import('node:fs')).writeFileSync(`${fx.dir}/orphan.lua`, 'return function(x) return x * 10 end');
  const rt = fx.open({ virtualTime: true });
  const v = await valueOf(runWf(rt, 'app:parent')) as unknown[];
  rt.close();
  assert.deepEqual(v.slice(0, 3), [10, 20, true]);
  assert.match(String(v[3]), /^\{app:client@app:worker\|/);
  assert.equal(v[4], true);
});
