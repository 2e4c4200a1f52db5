// The instance cache under load (runtime/engine/cache.ts): more concurrent workflows than live
// states, counted in Lua states built and records replayed (engine.stats), never in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wfRegistry } from '../../testkit/registry';
import { startAndWatch, checkOutcome } from '../../testkit/outcome';
import { tick } from '../../testkit/wait';
import type { WorkflowEngine } from '../../runtime/engine/engine';

const STEPS = `local funcs = require("funcs")
return function(n)
  local s = 0
  for i = 1, n do s = funcs.call("app:inc", s) end
  return s
end`;
const fns = { inc: 'return function(x) return x + 1 end' };

/** Resolves with the most live states seen at any turn until `p` settles. */
async function maxCached<T>(engine: WorkflowEngine, p: Promise<T>): Promise<{ value: T; max: number }> {
  let max = 0;
  let done = false;
  const value = p.finally(() => { done = true; });
  while (!done) { max = Math.max(max, engine.cached); await new Promise((r) => setImmediate(r)); }
  return { value: await value, max };
}

test('five times more concurrent workflows than live states: they run in waves, no state is built twice', async () => {
  const fx = wfRegistry({ steps: STEPS }, fns);
  const rt = fx.open({ cacheSize: 20 });
  const engine = rt.startWorkflows()!;
  const runs = Array.from({ length: 100 }, () => startAndWatch(engine, 'app:steps', [8]));
  const { value: outs, max } = await maxCached(engine, Promise.all(runs));
  for (const o of outs) assert.equal(checkOutcome(o), 8);
  const s = engine.stats;
  assert.equal(s.states, 100, 'one state per workflow');
  assert.equal(s.rebuilt, 0, 'no workflow was replayed');
  assert.ok(max <= 20, `at most 20 live states at once, saw ${max}`);
  assert.equal(s.queued, 0);
  rt.close();
});

test('a long workflow among busy others replays no more records than it runs live', async () => {
  const fx = wfRegistry({ steps: STEPS }, fns);
  const rt = fx.open({ cacheSize: 8 });
  const engine = rt.startWorkflows()!;
  const long = startAndWatch(engine, 'app:steps', [400]);
  // Others keep arriving while it runs: each wave wants the room it holds.
  const others: Array<Promise<unknown>> = [];
  for (let wave = 0; wave < 20; wave++) {
    for (let i = 0; i < 10; i++) others.push(startAndWatch(engine, 'app:steps', [5]));
    await tick(5);
  }
  assert.equal(checkOutcome(await long), 400);
  for (const o of await Promise.all(others)) assert.equal(checkOutcome(o as never), 5);
  // The long history is 802 records (started, 400 x call + call_done, completed); replaying it
  // whole at every step, as a plain LRU does here, is ~160,000 records.
  const s = engine.stats;
  assert.ok(s.replayedRecords <= 2 * 802 + 200 * 12, `replayed ${s.replayedRecords} records in ${s.rebuilt} replays`);
  rt.close();
});

test('idle workflows (waiting on their inbox) give their state to running ones before any running one is pushed out', async () => {
  const fx = wfRegistry({
    steps: STEPS,
    wait: 'return function() local m = process.inbox():receive() return m:topic() end',
  }, fns);
  const rt = fx.open({ cacheSize: 10 });
  const engine = rt.startWorkflows()!;
  const idle = Array.from({ length: 10 }, () => engine.start('app:wait', []) as { id: string });
  while (engine.busy) await tick(1);
  assert.equal(engine.cached, 10);
  const outs = await Promise.all(Array.from({ length: 10 }, () => startAndWatch(engine, 'app:steps', [6])));
  for (const o of outs) assert.equal(checkOutcome(o), 6);
  assert.equal(engine.stats.rebuilt, 0, 'no running workflow was pushed out');
  const woken = idle.map((r) => new Promise<unknown>((res) => engine.watch(r.id, (o) => res(checkOutcome(o)))));
  for (const r of idle) engine.signal(r.id, 'go', '', []);
  assert.deepEqual(await Promise.all(woken), idle.map(() => 'go'));
  assert.equal(engine.stats.rebuilt, 10, 'each idle one replayed once, to take its signal');
  rt.close();
});

test('a workflow that waits for room forces its way in when every live state waits for it', async () => {
  // One live state: the parent holds it while its activity waits for a child workflow, which
  // needs a state to run. Waiting for room forever would deadlock; after a while it takes it.
  const fx = wfRegistry({
    parent: 'local funcs = require("funcs") return function() return funcs.call("app:run_child") end',
    child: 'return function() return "from the child" end',
  }, {
    run_child: `return function()
      local pid = process.spawn_monitored("app:child", "app:worker")
      local ev = process.events():receive()
      return ev.result.value
    end`,
  });
  const rt = fx.open({ cacheSize: 1 });
  const engine = rt.startWorkflows()!;
  assert.equal(checkOutcome(await startAndWatch(engine, 'app:parent', [])), 'from the child');
  assert.equal(engine.stats.rebuilt, 1, 'the parent was pushed out once, and replayed for its result');
  rt.close();
});
