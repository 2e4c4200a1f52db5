// A golden exported from a real run on a SQLite store replays cleanly: the run is killed with
// SIGKILL during a sleep and again while waiting for a signal, restarted, signalled through the
// store, and finishes. The workflow uses everything the recording must carry: a uuid, the clock,
// math.random (seeded from the workflow id) and its own PID (both passed to a function), so the
// replay must use the recorded workflow id. Exported with toGolden and, when present, with
// `wippy workflow export` (the two must agree).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { openStore } from '../../runtime/store';
import { toGolden, readGolden } from '../../app/golden';
import { wfRegistry } from '../../testkit/registry';
import { tick, until } from '../../testkit/wait';
import { wippy, startWippy } from '../../testkit/wippy';

const WF = `local funcs, time, uuid = require("funcs"), require("time"), require("uuid")
return function(order)
  local id = uuid.v4()
  local t0 = time.now():unix_nano()
  local a = funcs.call("app:step", "charge", {order = order, lucky = math.random(1000000), me = process.pid()})
  time.sleep("600ms")
  local b = funcs.call("app:step", "check", order)
  local msg = process.inbox():receive()
  local c = funcs.call("app:step", "ship", msg:payload():data())
  return {id = id, t0 = t0, steps = {a, b, c}, signal = msg:topic()}
end`;
const STEP = 'return function(name, arg) print("STEP " .. name) return name .. ":" .. (type(arg) == "table" and tostring(arg.lucky) or tostring(arg)) end';

test('a history from a real run (SIGKILL twice, restarts, a signal) exports to a golden that replays', async () => {
  const fx = wfRegistry({ order: WF }, { step: STEP });
  const rows = () => { const s = openStore(fx.db, { lock: false }); try { return s.listWorkflows(); } finally { s.close(); } };

  // Progress is read from the store (not stdout), so a slow machine cannot miss a step.
  const done = () => {
    const [row] = rows();
    if (!row) return 0;
    const st = openStore(fx.db, { lock: false });
    try { return st.history(row.id).filter((r) => r.type === 'call_done').length; } finally { st.close(); }
  };
  const r1 = startWippy(['run', fx.dir, '-x', 'app:order', '"o-1"']);
  await until(() => done() >= 1, 'the first step');
  await tick(100);
  await r1.kill(); // most likely during the 600ms sleep
  const [{ id }] = rows();

  const r2 = startWippy(['run', fx.dir]);
  await until(() => done() >= 2, 'the second step after a restart');
  await tick(100);
  await r2.kill(); // waiting for the signal

  const s = openStore(fx.db, { lock: false });
  s.addSignal({ workflowId: id, topic: 'approved', from: '', payloads: ['"yes"'], at: Date.now() });
  s.close();
  const r3 = startWippy(['run', fx.dir]);
  await until(() => rows()[0].status !== 'running', 'completion');
  assert.equal(await r3.stop(), 0);
  assert.equal(rows()[0].status, 'completed');

  const store = openStore(fx.db, { lock: false });
  const history = store.history(id);
  store.close();
  const types = history.map((r) => r.type);
  assert.deepEqual(types.filter((t) => t === 'call_done' || t === 'signal' || t === 'uuid' || t === 'timer_fired'), ['uuid', 'call_done', 'timer_fired', 'call_done', 'signal', 'call_done']);
  const file = path.join(fx.dir, 'goldens', 'order.golden.json');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, toGolden(history, {}, { workflowId: id }));

  const r = wippy(['replay', file, '--registry', fx.dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok {3}.*order\.golden\.json \(5 steps\)$/m);
  const t = wippy(['test', path.dirname(file), '--registry', fx.dir, '--update']);
  assert.equal(t.code, 0, t.stdout);
  assert.equal(t.stdout.trim().split('\n').pop(), '1 passed, 0 failed');

  // The recorded workflow id matters: with another one, math.random and process.pid() differ.
  const g = readGolden(file);
  fs.writeFileSync(file, toGolden(g.history, g.flags, { workflowId: `${id}-other` }));
  const other = wippy(['replay', file, '--registry', fx.dir]);
  assert.equal(other.code, 1);
  assert.match(other.stdout, /differs: +arguments \(arguments\[2\]\.lucky: /);
  assertNoJsStack(other.stdout + other.stderr);

  // `wippy workflow export` (when this build has it) writes the same file.
  if (wippy(['workflow', 'export', '--help']).code === 0) {
    const viaCli = path.join(fx.dir, 'goldens', 'cli.golden.json');
    const e = wippy(['workflow', 'export', id, '-o', viaCli, '--db', fx.db]);
    assert.equal(e.code, 0, e.stderr);
    assert.deepEqual(readGolden(viaCli).history, g.history);
    assert.equal(readGolden(viaCli).workflowId, id);
    assert.equal(wippy(['replay', viaCli, '--registry', fx.dir]).code, 0);
  }
});
