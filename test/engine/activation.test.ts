// A workflow instance driven by hand: a hand-built history in, commands and an outcome out
// (runtime/engine/hooks.ts Activation), first on the instance alone, then through the engine over
// the memory store and a virtual clock. Nothing waits on the wall clock: a one-hour sleep fires
// when the virtual clock jumps to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wfRegistry } from '../../testkit/registry';
import { WorkflowInstance } from '../../runtime/engine/instance';
import { WorkflowServices } from '../../runtime/engine/wf-services';
import { WorkflowEngine, type Outcome } from '../../runtime/engine/engine';
import { MemoryStore } from '../../runtime/store/memory';
import { VirtualClock } from '../../base/clock';
import { schedulerBusy } from '../../lua/scheduler';
import { emptyBatch } from '../../runtime/store/store';
import type { EngineHooks } from '../../runtime/engine/hooks';
import type { HistoryRecord, RecordOf } from '../../runtime/store/events';
import type { LuaEntry } from '../../registry/types';
import type { Runtime } from '../../app/runtime';

const FLOW = `local funcs = require("funcs")
local time = require("time")
return function(x)
  local a = funcs.call("app:one", x)
  time.sleep("1h")
  local b = funcs.call("app:two", a)
  return {a = a, b = b}
end`;

const T0 = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;
const started: RecordOf<'started'> = { type: 'started', at: T0, entry: 'app:flow', input: ['5'], worker: 'app:worker' };
const call0: RecordOf<'call'> = { type: 'call', cmd: 0, fn: 'app:one', args: ['5'], line: 'wf_flow.lua:4' };
const done0: RecordOf<'call_done'> = { type: 'call_done', of: 0, at: T0 + 10, value: '6', attempts: 1 };
const timer1: RecordOf<'timer'> = { type: 'timer', cmd: 1, ms: HOUR, line: 'wf_flow.lua:5' };

function fixture(): Runtime {
  return wfRegistry({ flow: FLOW }).open();
}

/** A fresh instance of app:flow on `rt`, attached to its Lua state. */
function instance(rt: Runtime, opts: { replayOnly?: boolean } = {}): WorkflowInstance {
  const hooks: EngineHooks = {
    registry: rt.registry, codec: rt.codec, output: { print: () => {}, log: () => {} },
    newUuid: () => '00000000-0000-4000-8000-000000000000',
    newRandom: (n) => new Uint8Array(n),
    resolveTarget: () => null,
    pidOf: (id) => `{app:client@app:worker|${id}}`,
  };
  const entry = rt.registry.entries.get('app:flow') as LuaEntry;
  const inst = new WorkflowInstance(hooks, 'wf-1', entry, started, opts);
  const { host, fnRef } = rt.makeEntryHost(entry, new WorkflowServices(hooks, inst), 1);
  inst.attach(host, fnRef);
  return inst;
}

test('activation: each delivered event yields the next command, complete; the last one the outcome', () => {
  const rt = fixture();
  const inst = instance(rt);
  const a1 = inst.activate([]);
  assert.deepEqual(a1.commands, [{ type: 'call', rec: call0 }]);
  assert.deepEqual(a1.reopened, [], 'a new workflow has nothing replayed to reopen');
  assert.equal(a1.outcome, null);

  const a2 = inst.activate([done0]);
  assert.deepEqual(a2.commands, [{ type: 'timer', rec: timer1, fireAt: T0 + 10 + HOUR }]);
  assert.equal(a2.reopened, null, 'reopened only once, when the replay catches up');

  const a3 = inst.activate([{ type: 'timer_fired', of: 1, at: T0 + 10 + HOUR }]);
  assert.deepEqual(a3.commands, [{ type: 'call', rec: { type: 'call', cmd: 2, fn: 'app:two', args: ['6'], line: 'wf_flow.lua:6' } }]);
  assert.equal(inst.clockMs, T0 + 10 + HOUR, 'the workflow clock is the last event');

  const a4 = inst.activate([{ type: 'call_done', of: 2, at: T0 + HOUR + 20, value: '60', attempts: 1 }]);
  assert.deepEqual(a4.commands, []);
  assert.ok(a4.outcome && 'result' in a4.outcome);
  assert.deepEqual(JSON.parse(a4.outcome.result.value!), { a: 6, b: 60 });
  assert.equal(inst.active, false);
  assert.deepEqual(inst.activate([]), { commands: [], reopened: null, outcome: null }, 'nothing happens once finished');
  rt.close();
});

test('activation: a replayed history emits nothing live and reopens what it left open, with its retry', () => {
  const rt = fixture();
  const waitingOnTimer = instance(rt);
  const a = waitingOnTimer.activate([call0, done0, timer1]);
  assert.deepEqual(a.commands, []);
  assert.deepEqual(a.reopened, [{ rec: timer1, live: false, fireAt: T0 + 10 + HOUR, retry: undefined }]);
  assert.equal(waitingOnTimer.pos, 4);

  const retrying = instance(rt);
  const failed: RecordOf<'attempt_failed'> = { type: 'attempt_failed', of: 0, at: T0 + 5, attempt: 2, error: { kind: 'Internal', message: 'boom' }, due: T0 + 4005 };
  const b = retrying.activate([call0, failed]);
  assert.deepEqual(b.commands, []);
  assert.deepEqual(b.reopened, [{ rec: call0, live: false, retry: { attempt: 2, due: T0 + 4005 } }]);
  rt.close();
});

test('activation: a history the code no longer matches parks with its divergence, emitting nothing', () => {
  const rt = fixture();
  const inst = instance(rt);
  const act = inst.activate([{ ...call0, fn: 'app:other' }, done0]);
  assert.deepEqual(act.commands, []);
  assert.equal(act.reopened, null);
  assert.ok(act.outcome && 'parked' in act.outcome);
  assert.equal(act.outcome.divergence?.tier, 'target');
  assert.match(act.outcome.parked, /recorded: {2}funcs\.call app:other\(5\) {2}at wf_flow\.lua:4/);
  assert.match(act.outcome.parked, /attempted: funcs\.call app:one\(5\) {2}at wf_flow\.lua:4/);

  // Replay-only (golden): a step past the recording is an extra step, not a live command.
  const golden = instance(rt, { replayOnly: true });
  const g = golden.activate([call0, done0]);
  assert.deepEqual(g.commands, []);
  assert.ok(g.outcome && 'parked' in g.outcome);
  assert.equal(g.outcome.divergence?.tier, 'extra');
  rt.close();
});

/** An engine over a memory store holding `history` for workflow wf-1, on a virtual clock. */
function engineOver(rt: Runtime, history: HistoryRecord[], clock: VirtualClock) {
  const store = new MemoryStore('activation test', { virtualTime: true });
  const batch = emptyBatch();
  batch.creates.push({ id: 'wf-1', entry: 'app:flow', worker: 'app:worker', status: 'running', input: ['5'], parent: null, result: null, error: null, parked: null, createdAt: T0, updatedAt: T0 });
  history.forEach((record, index) => batch.appends.push({ workflowId: 'wf-1', index, record }));
  store.commit(batch);
  const calls: string[] = [];
  const engine = new WorkflowEngine({
    registry: rt.registry, store, clock, node: rt.node, codec: rt.codec,
    output: { print: () => {}, log: () => {} },
    call: (req, done) => { calls.push(`${req.id}(${req.args.join(', ')})`); done({ value: '60' }); return () => {}; },
    makeHost: (e, s, seed) => rt.makeEntryHost(e, s, seed),
  });
  clock.addBusyProbe(() => engine.busy);
  clock.addBusyProbe(schedulerBusy);
  const outcome = new Promise<Outcome>((res) => { engine.resumeAll(); engine.watch('wf-1', res); });
  return { store, engine, calls, outcome };
}

test('engine over a memory store: a resumed history re-arms its timer, the virtual clock fires it an hour on, the workflow completes', async () => {
  const clock = new VirtualClock(T0 + 20);
  const rt = wfRegistry({ flow: FLOW }).open({ clock });
  const { store, engine, calls, outcome } = engineOver(rt, [started, call0, done0], clock);
  const o = await outcome;
  assert.ok('result' in o);
  assert.deepEqual(JSON.parse(o.result.value!), { a: 6, b: 60 });
  assert.deepEqual(calls, ['app:two(6)'], 'the recorded call is not run again');
  const h = store.history('wf-1');
  assert.deepEqual(h.map((r) => r.type), ['started', 'call', 'call_done', 'timer', 'timer_fired', 'call', 'call_done', 'completed']);
  assert.deepEqual(h[3], timer1);
  assert.equal((h[4] as RecordOf<'timer_fired'>).at, T0 + 10 + HOUR, 'fired at its due time on the virtual clock');
  assert.equal(store.getWorkflow('wf-1')!.status, 'completed');
  engine.close();
  rt.close();
});

test('engine over a memory store: a mismatched history parks the workflow and runs nothing', async () => {
  const clock = new VirtualClock(T0 + 20);
  const rt = wfRegistry({ flow: FLOW }).open({ clock });
  const { store, engine, calls, outcome } = engineOver(rt, [started, { ...call0, fn: 'app:other' }, done0], clock);
  const o = await outcome;
  assert.ok('parked' in o);
  assert.match(o.parked, /differs: {3}target \(app:other -> app:one\)/);
  assert.deepEqual(calls, []);
  assert.equal(store.getWorkflow('wf-1')!.status, 'parked');
  assert.equal(store.history('wf-1').length, 3, 'nothing appended');
  engine.close();
  rt.close();
});
