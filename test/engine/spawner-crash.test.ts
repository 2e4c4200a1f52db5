// A workflow started by a process through a Spawner (with_name + with_message) survives SIGKILL:
// the real binary is killed during the workflow's sleep, after its startup messages were handled,
// then started again. The startup messages are in its history once, before its first step, and
// are not delivered again; every step ran once; the result is right; the history exported as a
// golden file replays against the code. Steps are counted from stdout sent to a FILE (a pipe
// loses lines on SIGKILL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { wfRegistry } from '../../testkit/registry';
import { readStore } from '../../testkit/store';
import { until } from '../../testkit/wait';
import { wippy, startWippy, killAll, type WippyRun } from '../../testkit/wippy';

const WF = `local funcs, time, workflow = require("funcs"), require("time"), require("workflow")
return function(input)
  local ch = process.listen("add", {message = true})
  local total, len0 = input.start, workflow.history_length()
  for i = 1, 2 do
    local d = ch:receive():payload():data()
    total = funcs.call("app:step", total, d.n)
  end
  time.sleep("800ms")
  total = funcs.call("app:step", total, 100)
  return {total = total, len0 = len0}
end`;

const STEP = `local ctx = require("ctx")
return function(total, n) print("STEP " .. ctx.get("activity_id") .. " " .. n) return total + n end`;

const MAIN = `return function()
  local pid = assert(process.with_options({}):with_name("order-7"):with_message("add", {n = 2}):with_message("add", {n = 3})
    :spawn_monitored("app:adder", "app:worker", {start = 10}))
  local ev = process.events():receive()
  return ev.result.value
end`;

test('SIGKILL after the startup messages were handled: they are recorded once before the first step, the workflow completes once, its golden replays', async () => {
  const fx = wfRegistry({ adder: WF }, { step: STEP }, { main: MAIN });
  const stdout = path.join(fx.dir, 'stdout.log');
  const runs: WippyRun[] = [];
  const start = (args: string[]): WippyRun => { const r = startWippy(args, { stdoutFile: stdout }); runs.push(r); return r; };
  try {
    const r1 = start(['run', fx.dir, '--db', fx.db, '-x', 'app:main']);
    // Both steps' results committed: the run is in the 800ms sleep (a kill before a commit would rightly run a step again).
    await until(() => readStore(fx.db, (s) => s.getWorkflow('order-7') ? s.history('order-7').filter((r) => r.type === 'call_done').length : 0, 0) === 2, 'the two startup messages handled');
    await r1.kill();
    const r2 = start(['run', fx.dir, '--db', fx.db]);
    await until(() => readStore(fx.db, (s) => s.getWorkflow('order-7')?.status, undefined) === 'completed', 'completion after the restart', 20000);
    await r2.kill();
  } finally {
    await killAll(runs);
  }
  const h = readStore(fx.db, (s) => s.history('order-7'));
  assert.deepEqual(h.slice(0, 3).map((r) => r.type), ['started', 'signal', 'signal'], 'startup messages before the first step');
  assert.equal(h.filter((r) => r.type === 'signal').length, 2, 'delivered once, not again after the restart');
  assert.equal(h.filter((r) => r.type === 'started').length, 1);
  const row = readStore(fx.db, (s) => s.getWorkflow('order-7'));
  assert.deepEqual(JSON.parse(row!.result!), { total: 115, len0: 3 });
  const steps = (await import('node:fs')).readFileSync(stdout, 'utf8').split('\n').filter((l) => l.startsWith('STEP '));
  const keys = steps.map((l) => l.split(' ')[1]);
  assert.equal(new Set(keys).size, keys.length, `a step ran twice: ${steps.join(' | ')}`);
  assert.equal(keys.length, 3);

  const golden = path.join(fx.dir, 'order-7.golden.json');
  const ex = wippy(['workflow', 'export', 'order-7', '--db', fx.db, '-o', golden]);
  assert.equal(ex.code, 0, ex.stderr);
  const rp = wippy(['replay', golden, '--registry', fx.dir]);
  assert.equal(rp.code, 0, rp.stdout + rp.stderr);
});
