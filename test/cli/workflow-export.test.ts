// `wippy workflow export`: a golden file from the store, through the real binary. A history
// recorded by a real run that was killed with SIGKILL and restarted replays cleanly with
// `wippy replay`; so does a still-waiting one, as far as it goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { openStore } from '../../runtime/store';
import { wfRegistry } from '../../testkit/registry';
import { tick, until } from '../../testkit/wait';
import { wippy, startWippy } from '../../testkit/wippy';

const ORDER = `local funcs, time, uuid = require("funcs"), require("time"), require("uuid")
return function(order)
  local id = uuid.v4()
  local a = funcs.call("app:step", "charge", order)
  time.sleep("500ms")
  local b = funcs.call("app:step", "ship", order)
  return {id = id, steps = {a, b}}
end`;
const WAIT = 'return function() local m = process.inbox():receive() return m:topic() end';
const STEP = 'return function(name, arg) print("STEP " .. name) return name .. ":" .. tostring(arg) end';

function statuses(db: string): string[] {
  const s = openStore(db, { lock: false });
  try { return s.listWorkflows().map((r) => r.status); } finally { s.close(); }
}

test('a history from a run killed with SIGKILL and restarted exports to a golden file that replays', async () => {
  const fx = wfRegistry({ order: ORDER }, { step: STEP });
  const first = startWippy(['run', fx.dir, '-x', 'app:order', '"o-1"']);
  await until(() => first.lines().includes('STEP charge'), 'the first step');
  await first.kill();
  assert.deepEqual(statuses(fx.db), ['running']);

  const again = startWippy(['run', fx.dir]);
  await until(() => statuses(fx.db)[0] === 'completed', 'the restarted run to finish the workflow');
  assert.equal(await again.stop(), 0);

  const [{ id }] = JSON.parse(wippy(['workflow', 'list', '--json', '--db', fx.db]).stdout);
  const file = path.join(fx.dir, 'order.golden.json');
  const e = wippy(['workflow', 'export', id, '-o', file, '--registry', fx.dir]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, new RegExp(`^wrote .*order\\.golden\\.json: workflow ${id} \\(app:order, completed\\); check it with \`wippy replay .* --registry `));
  const golden = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(golden.entry, 'app:order');
  assert.equal(golden.workflow_id, id);
  assert.deepEqual(golden.input, ['o-1']);
  assert.equal(golden.history.at(-1).type, 'completed');

  const r = wippy(['replay', file, '--registry', fx.dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);

  // To stdout by default: the same text.
  const s = wippy(['workflow', 'export', id, '--db', fx.db]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout, fs.readFileSync(file, 'utf8'));
});

test('export of a waiting workflow replays as far as it goes; unknown id and unwritable file are one-line errors', async () => {
  const fx = wfRegistry({ wait: WAIT });
  const rt = fx.open();
  const w = rt.startWorkflows()!.start('app:wait', []) as { id: string };
  await tick(100);
  rt.close();
  const file = path.join(fx.dir, 'wait.golden.json');
  assert.equal(wippy(['workflow', 'export', w.id, '-o', file, '--db', fx.db]).code, 0);
  const r = wippy(['replay', file, '--registry', fx.dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);

  const missing = wippy(['workflow', 'export', 'nope-1234', '--db', fx.db]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: no workflow nope-1234 in the store/);
  const bad = wippy(['workflow', 'export', w.id, '-o', path.join(fx.dir, 'no', 'such', 'dir', 'x.json'), '--db', fx.db]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: -o .*x\.json: cannot write the golden file \(folder .*dir does not exist; create it first\)$/m);
  const folder = wippy(['workflow', 'export', w.id, '-o', fx.dir, '--db', fx.db]);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /cannot write the golden file \(it is a folder; give a file name\)$/m);
  for (const x of [missing, bad, folder]) assertNoJsStack(x.stderr);
});
