// Issue 13 item 1, through the real CLI: a runaway that escaped the budget (a backtracking pattern
// inside one string.find) froze the whole node and every later `wippy run` on its store, which
// also ignored SIGTERM. Now:
// - the next `wippy run` on a store holding such a workflow starts, parks it within one budget,
//   keeps a healthy workflow making steps (counted in its history), and exits 0 on SIGTERM, with
//   every record it committed still there;
// - SIGTERM is answered while service slices keep spinning into the budget;
// - a stop that cannot finish in time (a stop handler that spins under a huge --budget) ends the
//   process with one line instead of hanging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { openStore } from '../../runtime/store';
import { emptyBatch } from '../../runtime/store/store';
import { withRegistry } from '../../testkit/registry';
import { until } from '../../testkit/wait';
import { readStore } from '../../testkit/store';
import { startWippy } from '../../testkit/wippy';

const CLIENT = `  - name: client
    kind: temporal.client
  - name: worker
    kind: temporal.worker
    client: app:client
    task_queue: q
`;

function workflowRegistry(): { dir: string; db: string } {
  const dir = withRegistry({
    'registry.yaml': `namespace: app
entries:
${CLIENT}  - name: runaway
    kind: workflow.lua
    source: file://runaway.lua
    modules: [funcs]
  - name: healthy
    kind: workflow.lua
    source: file://healthy.lua
    modules: [time]
`,
    'runaway.lua': 'return function()\n  return string.find(string.rep("a", 3000), string.rep("a*", 6) .. "b")\nend\n',
    'healthy.lua': 'local time = require("time")\nreturn function()\n  for i = 1, 1e9 do time.sleep("1ms") end\nend\n',
  });
  return { dir, db: path.join(dir, '.wippy', 'state.db') };
}

/** A store where both workflows are `running`, as a node killed while the runaway spun left it. */
function seedStore(db: string): void {
  const s = openStore(db, { lock: false });
  try {
    const b = emptyBatch();
    const at = Date.now();
    for (const name of ['runaway', 'healthy']) {
      const entry = `app:${name}`;
      b.creates.push({ id: name, entry, worker: 'app:worker', status: 'running', input: [], parent: null, result: null, error: null, parked: null, createdAt: at, updatedAt: at });
      b.appends.push({ workflowId: name, index: 0, record: { type: 'started', at, entry, input: [], worker: 'app:worker' } });
    }
    s.commit(b);
  } finally {
    s.close();
  }
}

test('wippy run on a store holding a runaway workflow parks it within one budget, keeps a healthy one stepping, and exits on SIGTERM', async () => {
  const { dir, db } = workflowRegistry();
  seedStore(db);
  const run = startWippy(['run', dir, '--budget', '20000000']);
  try {
    await until(() => readStore(db, (s) => s.getWorkflow('runaway')?.status) === 'parked', 'the runaway to be parked', 60_000);
    const report = readStore(db, (s) => s.getWorkflow('runaway')!.parked!);
    assert.match(report, /^workflow runaway \(app:runaway\) was stopped in one activation:\n {2}Timeout: instruction budget exceeded in app:runaway at runaway\.lua:2: more than 20,000,000 Lua instructions ran without waiting \(an endless loop, or a call to 'find' doing too much work\?\)\nThe workflow is parked, not failed/);
    // The healthy workflow keeps making steps (one timer command and its event per step).
    const parkedAt = readStore(db, (s) => s.historyLength('healthy'));
    await until(() => readStore(db, (s) => s.historyLength('healthy')) >= parkedAt + 40, 'the healthy workflow to make 20 more steps', 60_000);
    const beforeStop = readStore(db, (s) => s.historyLength('healthy'));
    run.proc.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    const stderr = run.err.join('');
    assertNoJsStack(stderr);
    assert.match(stderr, /wippy: resumed 2 unfinished workflows\n/);
    assert.match(stderr, /wippy: SIGTERM received; stopping\nwippy: stopped\n/);
    readStore(db, (s) => {
      assert.equal(s.getWorkflow('healthy')!.status, 'running', 'it resumes at the next start');
      assert.ok(s.historyLength('healthy') >= beforeStop, 'nothing committed was lost');
      assert.equal(s.getWorkflow('runaway')!.status, 'parked');
    });
  } finally {
    await run.kill();
  }
});

function serviceRegistry(main: string, lifecycle: string, spinner = ''): string {
  return withRegistry({
    'registry.yaml': `namespace: app
entries:
  - name: procs
    kind: process.host
    lifecycle: {auto_start: true}
  - name: main
    kind: process.lua
    source: file://main.lua
    modules: [time]
  - name: svc
    kind: process.service
    process: main
    host: procs
    lifecycle: ${lifecycle}
  - name: spinner
    kind: process.lua
    source: file://spinner.lua
    modules: [time]
`,
    'main.lua': main,
    'spinner.lua': spinner || 'return function() end\n',
  });
}

test('wippy run answers SIGTERM while a service keeps spinning into the budget', async () => {
  // The service starts one spinner after another; each spins in one string.find until the budget
  // stops it, so the node is nearly always inside a slice.
  const dir = serviceRegistry(`return function()
  local events = process.events()
  while true do
    process.spawn_monitored("app:spinner", "app:procs")
    local e = events:receive()
    if e.kind == process.event.CANCEL then return "stopped" end
    print("spin")
  end
end
`, '{auto_start: true}', 'local time = require("time")\nreturn function()\n  time.sleep("1ms")\n  string.find(string.rep("a", 3000), string.rep("a*", 6) .. "b")\nend\n');
  const run = startWippy(['run', dir, '--budget', '50000000']);
  try {
    await until(() => run.lines().filter((l) => l === 'spin').length >= 3, 'three runs of the spinning service', 60_000);
    run.proc.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    const stderr = run.err.join('');
    assertNoJsStack(stderr);
    assert.match(stderr, /instruction budget exceeded in app:spinner at spinner\.lua:4/);
    assert.match(stderr, /wippy: SIGTERM received; stopping\n/);
    assert.match(stderr, /wippy: stopped\n/);
  } finally {
    await run.kill();
  }
});

test('a stop that cannot finish in time ends the process with one line', async () => {
  // On CANCEL the service spins; under a huge budget its slice outlasts stop_timeout (1s), and no
  // timer can fire while it runs: the budget hooks see the deadline (1s + 2s grace) and exit.
  const dir = serviceRegistry(`return function()
  print("up")
  local events = process.events()
  while true do
    local e = events:receive()
    if e.kind == process.event.CANCEL then
      print("spinning")
      local x = 0
      while true do x = x + 1 end
    end
  end
end
`, '{auto_start: true, stop_timeout: 1s}');
  const run = startWippy(['run', dir, '--budget', '100000000000']);
  try {
    await until(() => run.lines().includes('up'), 'the service to start', 60_000);
    run.proc.kill('SIGTERM');
    assert.equal(await run.exited, 1);
    assert.ok(run.lines().includes('spinning'), 'its stop handler was spinning');
    const stderr = run.err.join('');
    assertNoJsStack(stderr);
    assert.match(stderr, /wippy: SIGTERM received; stopping\n/);
    assert.match(stderr, /wippy: could not stop within 3s: app:main is still running Lua; exiting now \(everything committed is kept; the rest resumes at the next start\)\n$/);
  } finally {
    await run.kill();
  }
});
