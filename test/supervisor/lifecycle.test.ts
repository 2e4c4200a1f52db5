// The lifecycle manager: dependency order on start and stop, failed dependencies, starters for
// other kinds (what a temporal engine would register), a stop that arrives during start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, service, until } from './harness';
import type { Entry, ServiceEntry } from '../../registry/types';
import type { Starter } from '../../app/supervisor';

const MEMBER = `  - name: member
    kind: process.lua
    source: file://member.lua
  - name: unloadable
    kind: process.lua
    source: file://unloadable.lua
`;
const FILES = {
  // Tells the recorder "log" when it starts and when it is asked to stop.
  'member.lua': `return function(name)
  assert(process.send("log", "event", "start " .. name))
  local events = process.events()
  while true do
    local ev = events:receive()
    if ev.kind == process.event.CANCEL then
      assert(process.send("log", "event", "stop " .. name))
      return name
    end
  end
end`,
  'unloadable.lua': 'error("cannot load this")\nreturn function() end',
};

test('dependencies start first and stop last, whatever the declaration order', async () => {
  const h = harness(MEMBER
    + service('api', 'member', { input: ['api'], lifecycle: ['requires: [worker]'] })
    + service('worker', 'member', { input: ['worker'], lifecycle: ['requires: [db]'] })
    + service('db', 'member', { input: ['db'] }), FILES);
  h.helper('t:recorder', 'log');
  const report = await h.lifecycle.start();
  assert.deepEqual(report.order, ['t:procs', 't:db', 't:worker', 't:api']);
  assert.deepEqual(report.started, ['t:procs', 't:db', 't:worker', 't:api']);
  assert.deepEqual(h.lifecycle.running(), ['t:db', 't:worker', 't:api'], 'the host is not listed');
  await h.lifecycle.stop();
  assert.deepEqual(await h.ask('log', 'get'), ['start db', 'start worker', 'start api', 'stop api', 'stop worker', 'stop db']);
  assert.deepEqual(h.services.statuses().map((s) => `${s.id} ${s.state}`).sort(), ['t:api Stopped', 't:db Stopped', 't:worker Stopped']);
  assert.deepEqual(h.lifecycle.running(), []);
  await h.cleanup();
});

test('a dependency that fails to start: its dependants are not started, the others are', async () => {
  const h = harness(MEMBER
    + service('bad', 'unloadable')
    + service('needs_bad', 'member', { input: ['needs_bad'], lifecycle: ['requires: [bad]'] })
    + service('needs_needs', 'member', { input: ['needs_needs'], lifecycle: ['requires: [needs_bad]'] })
    + service('other', 'member', { input: ['other'] }), FILES);
  h.helper('t:recorder', 'log');
  const report = await h.lifecycle.start();
  assert.deepEqual(report.started, ['t:procs', 't:other']);
  assert.equal(report.failed.length, 1);
  assert.equal(report.failed[0].id, 't:bad');
  assert.match(report.failed[0].error, /cannot load this/);
  assert.deepEqual(report.skipped, [
    { id: 't:needs_bad', dependency: 't:bad' },
    { id: 't:needs_needs', dependency: 't:needs_bad' },
  ]);
  assert.equal(h.services.get('t:bad')!.state, 'Failed');
  assert.equal(h.services.get('t:needs_bad'), undefined, 'never even supervised');
  assert.ok(h.logs.includes('[warn] t:needs_bad not started: it requires t:bad, which did not start'), h.logs.join('\n'));
  assert.ok(h.logs.some((l) => /^\[error\] t:bad did not start: .*cannot load this/.test(l)), h.logs.join('\n'));
  assert.deepEqual(h.clock.requested, [], 'a load failure is not retried');
  await h.lifecycle.stop();
  assert.deepEqual(await h.ask('log', 'get'), ['start other', 'stop other']);
  await h.cleanup();
});

const TEMPORAL = `  - name: temporal
    kind: temporal.client
    store: ":memory:"
  - name: orders
    kind: temporal.worker
    client: temporal
    task_queue: orders
    lifecycle:
      auto_start: true
`;

test('other kinds plug in with register(kind, starter), and take part in the ordering', async () => {
  const h = harness(MEMBER + TEMPORAL + service('svc', 'member', { input: ['svc'], lifecycle: ['requires: [orders]'] }), FILES);
  h.helper('t:recorder', 'log');
  const calls: string[] = [];
  const recording = (tag: string): Starter<Entry> => ({
    start: async (e) => { calls.push(`start ${tag} ${e.id}`); },
    stop: async (e, timeoutMs) => { calls.push(`stop ${tag} ${e.id} ${timeoutMs}`); },
  });
  h.lifecycle.register('temporal.client', recording('client')).register('temporal.worker', recording('worker'));
  h.services.supervisorFor(h.rt.registry.entries.get('t:svc') as ServiceEntry)
    .onChange((s) => { if (s.state === 'Running' || s.state === 'Stopped') calls.push(`${s.state} ${s.id}`); });

  const report = await h.lifecycle.start();
  assert.deepEqual(report.order, ['t:temporal', 't:orders', 't:procs', 't:svc']);
  assert.deepEqual(h.lifecycle.running(), ['t:temporal', 't:orders', 't:svc']);
  await h.lifecycle.stop();
  assert.deepEqual(calls, [
    'start client t:temporal', 'start worker t:orders', 'Running t:svc',
    'Stopped t:svc', 'stop worker t:orders 10000', 'stop client t:temporal 10000',
  ]);
  await h.cleanup();
});

test('a temporal.worker starts the workflow engine; its dependants start after it', async () => {
  const h = harness(MEMBER + TEMPORAL + service('svc', 'member', { input: ['svc'], lifecycle: ['requires: [orders]'] }), FILES);
  h.helper('t:recorder', 'log');
  const report = await h.lifecycle.start();
  assert.deepEqual(report.started, ['t:temporal', 't:orders', 't:procs', 't:svc']);
  assert.deepEqual(h.lifecycle.running(), ['t:orders', 't:svc']);
  assert.ok(h.rt.engine, 'the engine runs once a worker started');
  await h.lifecycle.stop();
  h.rt.close();
  await h.cleanup();
});

test('a failing starter of another kind blocks its dependants', async () => {
  const h = harness(MEMBER + TEMPORAL + service('svc', 'member', { input: ['svc'], lifecycle: ['requires: [orders]'] }), FILES);
  h.lifecycle.register('temporal.worker', { start: async () => { throw new Error('cannot reach the store'); }, stop: async () => {} });
  const report = await h.lifecycle.start();
  assert.deepEqual(report.failed, [{ id: 't:orders', error: 'cannot reach the store' }]);
  assert.deepEqual(report.skipped, [{ id: 't:svc', dependency: 't:orders' }]);
  await h.lifecycle.stop();
});

test('a stop during start lets the current entry finish, starts nothing more, stops what started', async () => {
  const h = harness(MEMBER + TEMPORAL + service('svc', 'member', { input: ['svc'], lifecycle: ['requires: [orders]'] }), FILES);
  let release!: () => void;
  const calls: string[] = [];
  h.lifecycle.register('temporal.worker', {
    start: () => new Promise<void>((r) => { release = () => { calls.push('worker up'); r(); }; }),
    stop: async () => { calls.push('worker down'); },
  });
  const starting = h.lifecycle.start();
  await until(() => release !== undefined, 'the worker is starting');
  const stopping = h.lifecycle.stop();
  release();
  const report = await starting;
  await stopping;
  assert.deepEqual(report.skipped, [{ id: 't:procs' }, { id: 't:svc' }]);
  assert.deepEqual(calls, ['worker up', 'worker down']);
  assert.equal(h.services.get('t:svc'), undefined);
});
