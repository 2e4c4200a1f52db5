// Crash recovery through the real binary: `wippy run` is killed with SIGKILL during a sleep,
// between steps, and while a signal is being delivered, then started again. The workflow must
// finish exactly once, every recorded step must have run once, recorded uuids and times must be
// the same after every restart, and the signal must arrive. Then a retrying activity: killed
// during its backoff twice, it continues with the next attempt at the recorded due time.
// Executions are counted from the runs' stdout sent to a FILE (a pipe loses lines on SIGKILL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { openStore } from '../../runtime/store';
import type { HistoryRecord, RecordOf } from '../../runtime/store/events';
import { wfRegistry } from '../../testkit/registry';
import { tick, until } from '../../testkit/wait';
import { wippy, startWippy, killAll, type WippyRun } from '../../testkit/wippy';

const WF = `local funcs, time, uuid = require("funcs"), require("time"), require("uuid")
return function(order)
  local id = uuid.v4()
  local t0 = time.now():unix_nano()
  local a = funcs.call("app:step", "charge", order)
  time.sleep("600ms")
  local b = funcs.call("app:step", "check", order)
  local msg = process.inbox():receive()
  local c = funcs.call("app:step", "ship", msg:payload():data())
  return {id = id, t0 = t0, steps = {a, b, c}, signal = msg:topic()}
end`;

// Each step prints a line with its idempotency key: the test counts executions from stdout.
const STEP = `local ctx = require("ctx")
return function(name, arg) print("STEP " .. ctx.get("activity_id") .. " " .. name) return name .. ":" .. tostring(arg) end`;

test('SIGKILL during a sleep, between steps and during signal delivery: the workflow completes exactly once', async () => {
  const fx = wfRegistry({ order: WF }, { step: STEP });
  const stdout = path.join(fx.dir, 'stdout.log'); // every run appends here; runs never overlap
  const start = (args: string[]): WippyRun => startWippy(args, { stdoutFile: stdout });
  const status = () => {
    const s = openStore(fx.db, { lock: false });
    try { return s.listWorkflows(); } finally { s.close(); }
  };

  // 1. Start with -x and kill it during the 600ms sleep (after the first step printed).
  const r1 = start(['run', fx.dir, '-x', 'app:order', '"o-1"']);
  await until(() => r1.lines().some((l) => l.includes(' charge')), 'the first step');
  await tick(150);
  await r1.kill();
  const [wf] = status();
  assert.equal(wf.status, 'running');
  const before = openStore(fx.db, { lock: false });
  const recordedUuid = before.history(wf.id).find((r) => r.type === 'uuid');
  const startedAt = (before.history(wf.id)[0] as RecordOf<'started'>).at;
  before.close();
  assert.ok(recordedUuid && recordedUuid.type === 'uuid');

  // 2. Restart (resume mode); kill it once the second step ran, while it waits for the signal.
  const r2 = start(['run', fx.dir]);
  await until(() => r2.lines().some((l) => l.includes(' check')), 'the second step after restart');
  await tick(100);
  await r2.kill();

  // 3. Restart; send the signal the way `wippy workflow signal` does (into the store), then kill
  //    right away, while it is being delivered.
  const r3 = start(['run', fx.dir]);
  await tick(400);
  const s = openStore(fx.db, { lock: false });
  s.addSignal({ workflowId: wf.id, topic: 'approved', from: '', payloads: ['"yes"'], at: Date.now() });
  s.close();
  await tick(60);
  await r3.kill();

  // 4. Restart and let it finish (it may already have finished before the last kill).
  const r4 = start(['run', fx.dir]);
  await until(() => r4.err.join('').includes('wippy:'), 'the run to be up');
  await until(() => status()[0].status !== 'running', 'completion', 20000);
  r4.proc.kill('SIGINT');
  assert.equal(await r4.exited, 0);
  const all = r4.lines();

  const rows = status();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].status, 'completed');
  const result = JSON.parse(rows[0].result!);
  assert.equal(result.id, recordedUuid.value, 'the uuid recorded before the first crash survived every restart');
  assert.equal(result.t0, startedAt * 1e6, 'time.now() replayed from the recorded start');
  assert.deepEqual(result.steps, ['charge:o-1', 'check:o-1', 'ship:yes']);
  assert.equal(result.signal, 'approved');

  // Every step ran exactly once (each activity_id printed once), and the history has each once.
  const steps = all.filter((l) => l.startsWith('STEP '));
  const keys = steps.map((l) => l.split(' ')[1]);
  assert.equal(new Set(keys).size, keys.length, `a step ran twice: ${steps.join(' | ')}`);
  assert.equal(keys.length, 3);
  const h = openStore(fx.db, { lock: false });
  const hist = h.history(wf.id);
  h.close();
  assert.equal(hist.filter((r) => r.type === 'call_done').length, 3);
  assert.equal(hist.filter((r) => r.type === 'signal').length, 1, 'the signal was delivered once');
  assert.equal(hist.filter((r) => r.type === 'completed').length, 1);
});

// Every attempt fails; maximum_attempts = 3 with a 1h backoff (x2), so each kill lands in a backoff.
const RETRY_WF = `local funcs = require("funcs")
return function()
  local f = funcs.new():with_options({["activity.retry_policy"] = {maximum_attempts = 3, initial_interval = "1h", maximum_interval = "4h"}})
  local v, err = f:call("app:flaky")
  return {v = v, err = err and err:message()}
end`;
const FLAKY = `local ctx = require("ctx")
return function()
  local n = ctx.get("attempt")
  print("EXEC " .. ctx.get("activity_id") .. " " .. n)
  return nil, errors.new{kind = "Unavailable", message = "down at " .. n}
end`;

test('SIGKILL during a retry backoff, twice: the next attempt runs at its recorded due time, numbered on; maximum_attempts is never exceeded', async () => {
  const fx = wfRegistry({ retry: RETRY_WF }, { flaky: FLAKY });
  const stdout = path.join(fx.dir, 'stdout.log');
  const history = (): HistoryRecord[] => {
    const s = openStore(fx.db, { lock: false });
    try { const [row] = s.listWorkflows(); return row ? s.history(row.id) : []; } finally { s.close(); }
  };
  const failed = () => history().filter((r): r is RecordOf<'attempt_failed'> => r.type === 'attempt_failed');

  const live: WippyRun[] = [];
  const start = (args: string[]): WippyRun => { const r = startWippy(args, { stdoutFile: stdout }); live.push(r); return r; };
  try {
    // 1. Attempt 1 fails; once its failure is recorded, the run waits 1h: kill it then.
    const r1 = start(['run', fx.dir, '-x', 'app:retry']);
    await until(() => failed().length === 1, 'the first failed attempt to be recorded');
    await r1.kill();
    // 2. A restart resumes the backoff (1h left): nothing runs. Kill it again.
    const r2 = start(['run', fx.dir]);
    await until(() => r2.err.join('').includes('wippy: resumed 1 unfinished workflow'), 'the resume');
    await tick(300);
    await r2.kill();
    assert.deepEqual(r2.lines().map((l) => l.split(' ')[2]), ['1'], 'only attempt 1 ran so far');
    // 3. With --virtual-time the clock jumps to each due time: attempts 2 and 3 run, then it fails.
    const r3 = start(['run', fx.dir, '--virtual-time']);
    await until(() => history().some((r) => r.type === 'completed'), 'the workflow to end', 20_000);
    r3.proc.kill('SIGINT');
    assert.equal(await r3.exited, 0, r3.err.join(''));
  } finally {
    await killAll(live);
  }

  const execs = live[2].lines().filter((l) => l.startsWith('EXEC '));
  assert.deepEqual(execs.map((l) => l.split(' ')[2]), ['1', '2', '3'], `three attempts in all: ${execs.join(' | ')}`);
  assert.equal(new Set(execs.map((l) => l.split(' ')[1])).size, 1, 'one activity id');
  const h = history();
  const [f1, f2] = failed();
  assert.deepEqual(failed().map((f) => [f.attempt, f.due - f.at]), [[1, 3_600_000], [2, 7_200_000]]);
  assert.equal(f2.at, f1.due, 'attempt 2 ran at the due time recorded before the crashes');
  const done = h.find((r): r is RecordOf<'call_done'> => r.type === 'call_done')!;
  assert.equal(done.attempts, 3);
  assert.equal(done.at, f2.due);
  assert.deepEqual(done.error && [done.error.kind, done.error.message], ['Unavailable', 'down at 3']);
  const end = h.at(-1)!;
  assert.equal(end.type, 'completed');
  assert.deepEqual(end.type === 'completed' && JSON.parse(end.value), { err: 'down at 3' });

  const shown = wippy(['workflow', 'history', workflowIdOf(fx.db), '--db', fx.db]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /attempt 1 of step 0 failed: Unavailable: down at 1 \(next attempt in 1h\)/);
  assert.match(shown.stdout, /result of step 0: error Unavailable: down at 3 \(after 3 attempts\)/);
});

function workflowIdOf(db: string): string {
  const s = openStore(db, { lock: false });
  try { return s.listWorkflows()[0].id; } finally { s.close(); }
}
