// `wippy run` with services, through the real binary: the long-running mode (start, report,
// SIGINT/SIGTERM, stop in reverse order, exit 0), -x beside services, and what does not start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoJsStack } from '../helpers/cli';
import { withRegistry, wfRegistryFiles } from '../../testkit/registry';
import { wippy, startWippy, type WippyRun } from '../../testkit/wippy';

const start = (args: string[]): WippyRun => startWippy(args);

/** Index of the first stderr line matching each pattern; all must be present. */
function positions(text: string, patterns: RegExp[]): number[] {
  const lines = text.split('\n');
  return patterns.map((re) => {
    const i = lines.findIndex((l) => re.test(l));
    assert.ok(i >= 0, `no line matching ${re} in:\n${text}`);
    return i;
  });
}

const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] < x);

test('examples/services: runs until SIGINT, then stops the worker before the counter and exits 0', async () => {
  const w = start(['run', 'examples/services']);
  await w.waitFor(/^wippy: 2 services running: app:counter, app:worker \(Ctrl-C to stop\)$/m);
  w.proc.kill('SIGINT');
  assert.equal(await w.exited, 0, w.stderr());
  const err = w.stderr();
  assert.ok(increasing(positions(err, [
    /^\[info\] service app:counter running \(pid \{app:procs\|\w+\}, attempt 1\)$/,
    /^\[info\] service app:worker running/,
    /^wippy: 2 services running/,
    /^wippy: SIGINT received; stopping$/,
    /^\[info\] service app:worker stopping \(pid .*, timeout 2s\)$/,
    /^\[info\] service app:worker stopped$/,
    /^\[info\] service app:counter stopping/,
    /^\[info\] service app:counter stopped$/,
  ])), err);
  assert.equal(err.trimEnd().split('\n').pop(), 'wippy: stopped');
  assert.match(w.stdout(), /^counter: stopping after 3 hits$/m);
  assertNoJsStack(err);
});

test('examples/services -x app:report: services run beside the entry and stop before its result is printed', () => {
  const r = wippy(['run', 'examples/services', '-x', 'app:report']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), ['counter: stopping after 3 hits', '{"hits":3}']);
  assert.ok(increasing(positions(r.stderr, [
    /service app:counter running/, /service app:worker running/,
    /service app:worker stopping/, /service app:worker stopped/, /service app:counter stopping/, /service app:counter stopped/,
  ])), r.stderr);
});

const fixture = () => withRegistry({
  'registry.yaml': `namespace: app
entries:
  - name: procs
    kind: process.host
  - name: counter_main
    kind: process.lua
    source: file://counter.lua
  - name: flaky_main
    kind: process.lua
    source: file://flaky.lua
  - name: waits
    kind: process.lua
    source: file://waits.lua
  - name: fails
    kind: function.lua
    source: file://fails.lua
  - name: counter
    kind: process.service
    process: counter_main
    host: procs
    lifecycle: {auto_start: true, stop_timeout: 2s}
  - name: flaky
    kind: process.service
    process: flaky_main
    host: procs
    input: [2]
    lifecycle:
      auto_start: true
      requires: [counter]
      restart: {initial_delay: 10ms, backoff_factor: 3, jitter: 0}
`,
  'counter.lua': `return function()
  process.registry.register("counter")
  local n = 0
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select{ inbox:case_receive(), events:case_receive() }
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return n end
    else
      n = n + 1
      process.send(r.value:from(), "count", n)
    end
  end
end`,
  'flaky.lua': `return function(fails)
  process.send("counter", "hit")
  local n = process.inbox():receive():payload():data()
  if n <= fails then return nil, errors.new("run " .. n .. " failed") end
  return "fine"
end`,
  'waits.lua': 'return function() return process.inbox():receive() end',
  'fails.lua': 'return function() return nil, errors.new{kind = "Invalid", message = "no such order"} end',
});

test('a failing service is restarted with its delays shown, and SIGTERM stops the rest', async () => {
  const w = start(['run', fixture()]);
  await w.waitFor(/service app:flaky exited normally/);
  w.proc.kill('SIGTERM');
  assert.equal(await w.exited, 0, w.stderr());
  const err = w.stderr();
  assert.ok(increasing(positions(err, [
    /^\[warn\] service app:flaky failed: run 1 failed \(attempt 1\); restarting in 10ms$/,
    /^\[info\] service app:flaky running \(pid .*, attempt 2\)$/,
    /^\[warn\] service app:flaky failed: run 2 failed \(attempt 2\); restarting in 30ms$/,
    /^\[info\] service app:flaky running \(pid .*, attempt 3\)$/,
    /^\[info\] service app:flaky exited normally \(pid .*, returned "fine"\); not restarting$/,
    /^wippy: SIGTERM received/,
    /^\[info\] service app:counter stopped$/,
  ])), err);
  assert.equal(err.match(/restarting in/g)?.length, 2, 'restarted exactly twice');
});

test('-x: an error result exits 1 after the services stopped', () => {
  const r = wippy(['run', fixture(), '-x', 'app:fails']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines[lines.length - 1], 'error: Invalid: no such order');
  assert.match(r.stderr, /^\[info\] service app:counter stopped$/m);
});

test('-x: a deadlocked entry is still reported while services wait beside it', () => {
  const r = wippy(['run', fixture(), '-x', 'app:waits']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: Internal: deadlock: app:waits is waiting for a message, channel or event that nothing will ever send$/m);
  assert.match(r.stderr, /^\[info\] service app:counter stopped$/m);
  assertNoJsStack(r.stderr);
});

test('nothing to start: says so and exits 0; nothing that started: exits 1', () => {
  const none = wippy(['run', 'examples/hello']);
  assert.equal(none.code, 0);
  assert.match(none.stderr, /^wippy: nothing to run in examples\/hello: no entry has lifecycle\.auto_start: true \(use -x ENTRY to run one\)$/m);

  const broken = withRegistry({
    'r.yaml': `namespace: app
entries:
  - name: procs
    kind: process.host
  - name: bad_main
    kind: process.lua
    source: file://bad.lua
  - name: bad
    kind: process.service
    process: bad_main
    host: procs
    lifecycle: {auto_start: true}
`,
    'bad.lua': 'error("missing config")\nreturn function() end',
  });
  const r = wippy(['run', broken]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^\[error\] service app:bad failed: .*bad\.lua:1: missing config \(not retryable\); not restarting$/m);
  assert.equal(r.stderr.trimEnd().split('\n').pop(), 'wippy: 0 services running; not started: app:bad (failed)');
  assertNoJsStack(r.stderr);
});

/** A service that prints when it starts, and a workflow, on one store. */
const withStore = () => withRegistry(wfRegistryFiles(
  { wf: 'return function() return "done" end' }, {},
  { hello_main: 'return function() print("service hello started") process.inbox():receive() end' },
  '  - {name: hello, kind: process.service, process: hello_main, host: procs, lifecycle: {auto_start: true}}\n',
));

test('a second wippy run on a store in use fails on its lock before anything starts (with and without -x)', async () => {
  const dir = withStore();
  const first = start(['run', dir]);
  await first.waitFor(/^wippy: 1 service running: app:hello/m);
  try {
    for (const args of [['run', dir, '-x', 'app:wf'], ['run', dir]]) {
      const r = wippy(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', `${args.join(' ')}: a service started before the lock failed`);
      assert.doesNotMatch(r.stderr, /service app:hello/, `${args.join(' ')}: a service started before the lock failed`);
      // -x of a workflow says how to start it in the running one instead (wippy workflow start).
      assert.match(r.stderr, args.includes('-x')
        ? /^error: store .*state\.db: in use by another wippy process \(pid \d+\); to start workflow app:wf in the running one: wippy workflow start app:wf --registry /m
        : /^error: store .*state\.db: in use by another wippy process \(pid \d+\); stop it first/m);
      assertNoJsStack(r.stderr);
    }
  } finally {
    first.proc.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.stderr());
  }
});

test('the summary says which services are up: one failing and waiting to restart is not "running"', async () => {
  const dir = withRegistry({
    'registry.yaml': `namespace: app
entries:
  - name: procs
    kind: process.host
  - name: ok_main
    kind: process.lua
    source: file://ok.lua
  - name: bad_main
    kind: process.lua
    source: file://bad.lua
  - name: ok
    kind: process.service
    process: ok_main
    host: procs
    lifecycle: {auto_start: true}
  - name: bad
    kind: process.service
    process: bad_main
    host: procs
    lifecycle: {auto_start: true, restart: {initial_delay: 1h, max_delay: 2h, jitter: 0}}
`,
    'ok.lua': 'return function() process.inbox():receive() end',
    'bad.lua': 'return function() return nil, errors.new("no database") end',
  });
  const w = start(['run', dir]);
  await w.waitFor(/^wippy: .*\(Ctrl-C to stop\)$/m);
  w.proc.kill('SIGTERM');
  assert.equal(await w.exited, 0, w.stderr());
  const line = w.stderr().split('\n').find((l) => l.startsWith('wippy: ') && l.endsWith('(Ctrl-C to stop)'));
  assert.equal(line, 'wippy: 1 service running: app:ok; not running: app:bad (failed: no database; restarting in 1h0m0s) (Ctrl-C to stop)');
});
