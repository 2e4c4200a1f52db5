// process.service supervision through a real Runtime on a fake clock: restarts with backoff,
// max_attempts, normal returns, stable_threshold, non-retryable errors, and stopping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, service, until, settle } from './harness';

const PROCS = `  - name: flaky
    kind: process.lua
    source: file://flaky.lua
  - name: broken
    kind: process.lua
    source: file://broken.lua
  - name: quick
    kind: process.lua
    source: file://quick.lua
  - name: fail_on
    kind: process.lua
    source: file://fail_on.lua
  - name: fatal
    kind: process.lua
    source: file://fatal.lua
  - name: stubborn
    kind: process.lua
    source: file://stubborn.lua
`;

const FILES = {
  // Asks the counter for its run number; fails while that is <= fails.
  'flaky.lua': `return function(fails)
  assert(process.send("counter", "hit"))
  local n = process.inbox():receive():payload():data()
  if n <= fails then return nil, errors.new{kind = "Unavailable", message = "run " .. n .. " failed"} end
  return "ok after " .. n
end`,
  'broken.lua': `return function()
  assert(process.send("counter", "hit"))
  process.inbox():receive()
  error("always broken")
end`,
  'quick.lua': 'return function(x) return {got = x} end',
  // Registers name, then fails when told to.
  'fail_on.lua': `return function(name)
  assert(process.registry.register(name))
  process.inbox():receive()
  return nil, errors.new("told to fail")
end`,
  'fatal.lua': `return function()
  assert(process.send("counter", "hit"))
  return nil, errors.new{kind = "Invalid", message = "bad config", retryable = false}
end`,
  // Never looks at its events: a CANCEL goes unanswered.
  'stubborn.lua': 'return function() while true do process.inbox():receive() end end',
};

test('a service that fails twice then succeeds restarts exactly twice, with growing delays', async () => {
  const h = harness(PROCS + service('svc', 'flaky', {
    input: [2],
    lifecycle: ['restart: {initial_delay: 100ms, backoff_factor: 2, max_delay: 10s, jitter: 0}'],
  }), FILES);
  h.helper('t:counter', 'counter');
  const report = await h.lifecycle.start();
  assert.deepEqual(report.failed, []);
  const sup = h.services.get('t:svc')!;

  await until(() => h.clock.pending().length === 1, 'first restart scheduled');
  assert.equal(sup.state, 'Failed');
  assert.equal(sup.status().restartInMs, 100);
  assert.equal(h.clock.fireNext(), 100);
  await until(() => h.clock.pending().length === 1, 'second restart scheduled');
  assert.equal(h.clock.fireNext(), 200);
  await until(() => sup.state === 'Exited', 'third run exits normally');

  await settle();
  assert.deepEqual(h.clock.requested, [100, 200], 'two restarts, delays 100ms then 200ms');
  assert.deepEqual(h.clock.pending(), [], 'no restart after the normal return');
  assert.equal(sup.status().runs, 3);
  assert.equal(sup.status().value, '"ok after 3"');
  assert.equal(await h.ask('counter', 'get'), 3, 'the Lua side saw three runs');
  const lines = h.logs.filter((l) => l.includes('t:svc'));
  assert.deepEqual(lines.filter((l) => l.includes('restarting in')).map((l) => l.replace(/^.*\(attempt/, '(attempt')), [
    '(attempt 1); restarting in 100ms',
    '(attempt 2); restarting in 200ms',
  ]);
  assert.ok(lines.includes('[warn] service t:svc failed: Unavailable: run 1 failed (attempt 1); restarting in 100ms'), lines.join('\n'));
  assert.match(lines.find((l) => l.includes('running') && l.includes('attempt 3'))!, /^\[info\] service t:svc running \(pid \{t:procs\|\w+\}, attempt 3\)$/);
  assert.match(lines[lines.length - 1], /^\[info\] service t:svc exited normally \(pid .*, returned "ok after 3"\); not restarting$/);
  await h.lifecycle.stop();
  await h.cleanup();
});

test('max_attempts: 3 with an always-failing service: three runs, then Failed and reported', async () => {
  const h = harness(PROCS + service('svc', 'broken', {
    lifecycle: ['restart: {initial_delay: 100ms, backoff_factor: 2, jitter: 0.1, max_attempts: 3}'],
  }), FILES, () => 0); // jitter at its low end: 0.9x
  h.helper('t:counter', 'counter');
  await h.lifecycle.start();
  const sup = h.services.get('t:svc')!;
  for (let i = 0; i < 2; i++) {
    await until(() => h.clock.pending().length === 1, `restart ${i + 1} scheduled`);
    h.clock.fireNext();
  }
  await until(() => sup.state === 'Failed' && sup.status().restartInMs === null, 'given up');
  await settle();
  assert.deepEqual(h.clock.requested, [90, 180], 'delays 100ms and 200ms, less 10% jitter');
  assert.deepEqual(h.clock.pending(), []);
  assert.equal(sup.status().runs, 3);
  assert.equal(await h.ask('counter', 'get'), 3);
  assert.match(sup.status().lastError!.message, /broken\.lua:4: always broken/);
  const last = h.logs.filter((l) => l.includes('t:svc')).pop()!;
  assert.equal(last, '[error] service t:svc failed: Internal: broken.lua:4: always broken (attempt 3 of 3, giving up); not restarting');
  await h.lifecycle.stop();
  await h.cleanup();
});

test('a normal return is final, even one that happens before spawn returns', async () => {
  const h = harness(PROCS + service('svc', 'quick', { input: [{ a: 1 }], lifecycle: ['restart: {initial_delay: 1ms}'] }), FILES);
  await h.lifecycle.start();
  const sup = h.services.get('t:svc')!;
  await settle();
  assert.equal(sup.state, 'Exited');
  assert.equal(sup.status().value, '{"got":{"a":1}}');
  assert.equal(sup.status().runs, 1);
  assert.deepEqual(h.clock.requested, []);
  assert.deepEqual(h.logs.filter((l) => l.includes('t:svc')).map((l) => l.replace(/\{t:procs\|\w+\}/, 'PID')), [
    '[info] service t:svc starting',
    '[info] service t:svc running (pid PID, attempt 1)',
    '[info] service t:svc exited normally (pid PID, returned {"got":{"a":1}}); not restarting',
  ]);
  await h.lifecycle.stop();
});

test('a run that lasted stable_threshold resets the attempt count', async () => {
  const h = harness(PROCS + service('svc', 'fail_on', {
    input: ['svc'],
    lifecycle: ['stable_threshold: 1s', 'restart: {initial_delay: 100ms, backoff_factor: 2, jitter: 0, max_attempts: 2}'],
  }), FILES);
  await h.lifecycle.start();
  const sup = h.services.get('t:svc')!;
  const failNow = () => assert.equal(h.rt.node.send('', 'svc', 'fail', []), null);

  failNow(); // run 1 fails at once: attempt 1 of 2
  await until(() => h.clock.pending().length === 1, 'restart after run 1');
  h.clock.fireNext();
  h.clock.advance(1000); // run 2 lasts the threshold: the count starts again
  failNow();
  await until(() => h.clock.pending().length === 1, 'restart after run 2');
  assert.equal(sup.status().counted, 1);
  h.clock.fireNext();
  failNow(); // run 3 fails at once: attempt 2 of 2, give up
  await until(() => sup.state === 'Failed' && sup.status().restartInMs === null, 'given up after run 3');
  assert.deepEqual(h.clock.requested, [100, 100], 'the delay went back to initial_delay');
  assert.equal(sup.status().runs, 3);
  assert.match(h.logs[h.logs.length - 1], /\(attempt 2 of 2, giving up\)/);
  await h.lifecycle.stop();
});

test('without a stable run, the same sequence gives up after two runs', async () => {
  const h = harness(PROCS + service('svc', 'fail_on', {
    input: ['svc'],
    lifecycle: ['stable_threshold: 1s', 'restart: {initial_delay: 100ms, jitter: 0, max_attempts: 2}'],
  }), FILES);
  await h.lifecycle.start();
  const sup = h.services.get('t:svc')!;
  h.rt.node.send('', 'svc', 'fail', []);
  await until(() => h.clock.pending().length === 1, 'restart after run 1');
  h.clock.fireNext();
  h.clock.advance(999);
  h.rt.node.send('', 'svc', 'fail', []);
  await until(() => sup.state === 'Failed' && sup.status().restartInMs === null, 'given up after run 2');
  assert.equal(sup.status().runs, 2);
  await h.lifecycle.stop();
});

test('an error with retryable = false is terminal', async () => {
  const h = harness(PROCS + service('svc', 'fatal', { lifecycle: ['restart: {initial_delay: 10ms, max_attempts: 0}'] }), FILES);
  h.helper('t:counter', 'counter');
  await h.lifecycle.start();
  const sup = h.services.get('t:svc')!;
  await until(() => sup.state === 'Failed', 'failed');
  await settle();
  assert.deepEqual(h.clock.requested, []);
  assert.equal(sup.status().runs, 1);
  assert.equal(await h.ask('counter', 'get'), 1);
  assert.equal(h.logs[h.logs.length - 1], '[error] service t:svc failed: Invalid: bad config (not retryable); not restarting');
  await h.lifecycle.stop();
  await h.cleanup();
});

test('stop: CANCEL first, terminate when stop_timeout passes', async () => {
  const h = harness(PROCS + service('svc', 'stubborn', { lifecycle: ['stop_timeout: 5s'] }), FILES);
  await h.lifecycle.start();
  const sup = h.services.get('t:svc')!;
  const pid = sup.status().pid!;
  let stopped = false;
  const stopping = h.lifecycle.stop().then(() => { stopped = true; });
  await until(() => sup.state === 'Stopping', 'stopping');
  await settle();
  assert.equal(stopped, false, 'still waiting: the process ignores CANCEL');
  assert.deepEqual(h.clock.pending(), [5000]);
  h.clock.fireNext();
  await stopping;
  assert.equal(sup.state, 'Stopped');
  assert.equal(h.rt.node.get(pid), undefined, 'the process is gone');
  assert.deepEqual(h.logs.filter((l) => l.includes('t:svc')).slice(-3).map((l) => l.replace(/\{t:procs\|\w+\}/, 'PID')), [
    '[info] service t:svc stopping (pid PID, timeout 5s)',
    '[warn] service t:svc did not stop within 5s; terminating PID',
    '[info] service t:svc stopped (terminated)',
  ]);
});

test('stop during a backoff delay cancels the pending restart', async () => {
  const h = harness(PROCS + service('svc', 'fail_on', { input: ['svc'], lifecycle: ['restart: {initial_delay: 1s, jitter: 0}'] }), FILES);
  await h.lifecycle.start();
  const sup = h.services.get('t:svc')!;
  h.rt.node.send('', 'svc', 'fail', []);
  await until(() => h.clock.pending().length === 1, 'restart scheduled');
  await h.lifecycle.stop();
  assert.equal(sup.state, 'Stopped');
  assert.deepEqual(h.clock.pending(), []);
  assert.equal(h.logs[h.logs.length - 1], '[info] service t:svc stopped (pending restart canceled)');
});

test('a service stopped while Running gets CANCEL and exits as Stopped, not restarted', async () => {
  const h = harness(PROCS + service('svc', 'counter', { input: ['svc'], lifecycle: ['stop_timeout: 3s'] }), FILES);
  await h.lifecycle.start();
  const sup = h.services.get('t:svc')!;
  assert.equal(sup.state, 'Running');
  await h.lifecycle.stop();
  assert.equal(sup.state, 'Stopped');
  assert.deepEqual(h.clock.pending(), [], 'the stop timeout was cleared');
  assert.equal(h.rt.node.size, 0);
  assert.equal(h.logs[h.logs.length - 1], '[info] service t:svc stopped');
});
