// Crash recovery through the real binary: `wippy run` is killed with SIGKILL during a sleep,
// between steps, and while a signal is being delivered, then started again. The workflow must
// finish exactly once, every recorded step must have run once, recorded uuids and times must be
// the same after every restart, and the signal must arrive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import { WIPPY } from '../helpers/cli';
import { wfRegistry, tick } from '../helpers/workflows';
import { openStore } from '../../runtime/store';
import type { RecordOf } from '../../runtime/store/events';

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

interface Run { proc: ChildProcess; out: string[]; err: string[]; exited: Promise<number | null> }

function start(args: string[]): Run {
  const proc = spawn(process.execPath, [WIPPY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  proc.stdout!.on('data', (d) => out.push(...String(d).split('\n').filter(Boolean)));
  proc.stderr!.on('data', (d) => err.push(String(d)));
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  return { proc, out, err, exited };
}

async function until(cond: () => boolean, what: string, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(20);
  }
}

async function kill(r: Run): Promise<void> {
  r.proc.kill('SIGKILL');
  await r.exited;
}

test('SIGKILL during a sleep, between steps and during signal delivery: the workflow completes exactly once', async () => {
  const fx = wfRegistry({ order: WF }, { step: STEP });
  const all: string[] = [];
  const status = () => {
    const s = openStore(fx.db, { lock: false });
    try { return s.listWorkflows(); } finally { s.close(); }
  };

  // 1. Start with -x and kill it during the 600ms sleep (after the first step printed).
  const r1 = start(['run', fx.dir, '-x', 'app:order', '"o-1"']);
  await until(() => r1.out.some((l) => l.includes(' charge')), 'the first step');
  await tick(150);
  await kill(r1);
  all.push(...r1.out);
  const [wf] = status();
  assert.equal(wf.status, 'running');
  const before = openStore(fx.db, { lock: false });
  const recordedUuid = before.history(wf.id).find((r) => r.type === 'uuid');
  const startedAt = (before.history(wf.id)[0] as RecordOf<'started'>).at;
  before.close();
  assert.ok(recordedUuid && recordedUuid.type === 'uuid');

  // 2. Restart (resume mode); kill it once the second step ran, while it waits for the signal.
  const r2 = start(['run', fx.dir]);
  await until(() => r2.out.some((l) => l.includes(' check')), 'the second step after restart');
  await tick(100);
  await kill(r2);
  all.push(...r2.out);

  // 3. Restart; send the signal the way `wippy workflow signal` does (into the store), then kill
  //    right away, while it is being delivered.
  const r3 = start(['run', fx.dir]);
  await tick(400);
  const s = openStore(fx.db, { lock: false });
  s.addSignal({ workflowId: wf.id, topic: 'approved', from: '', payloads: ['"yes"'], at: Date.now() });
  s.close();
  await tick(60);
  await kill(r3);
  all.push(...r3.out);

  // 4. Restart and let it finish (it may already have finished before the last kill).
  const r4 = start(['run', fx.dir]);
  await until(() => r4.err.join('').includes('wippy:'), 'the run to be up');
  await until(() => status()[0].status !== 'running', 'completion', 20000);
  r4.proc.kill('SIGINT');
  assert.equal(await r4.exited, 0);
  all.push(...r4.out);

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
