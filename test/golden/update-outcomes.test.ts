// `wippy test --update` keeps what a golden says happened: a golden exported from a real run (a
// service running) recorded a send to that service as delivered and a child workflow's result;
// re-recording (no service runs, the child's function now returns something else) keeps both,
// since neither is a function call being re-run. When the code changes those steps themselves,
// they are decided again and every step whose outcome changed is listed, with the workflow's end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { openStore } from '../../runtime/store';
import { readGolden } from '../../app/golden';
import type { HistoryRecord, RecordOf } from '../../runtime/store/events';
import { wfRegistry } from '../../testkit/registry';
import { wippy } from '../../testkit/wippy';

const WF = `local funcs, workflow = require("funcs"), require("workflow")
return function(id)
  local sent = process.send("audit", "order", id)
  local child = workflow.exec("app:child", id)
  return {sent = sent == true, child = child}
end`;

const CHILD = `local funcs = require("funcs")
return function(id) return funcs.call("app:stamp", id) end`;

// The service the workflow sends to: registered as "audit" while `wippy run` runs.
const AUDIT = `return function()
  process.registry.register("audit")
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select({inbox:case_receive(), events:case_receive()})
    if r.channel == events and r.value.kind == process.event.CANCEL then return "stopped" end
  end
end`;

const find = <T extends HistoryRecord['type']>(h: HistoryRecord[], type: T) => h.find((r) => r.type === type) as RecordOf<T>;

test('--update keeps recorded sends and child results, and lists every step whose outcome changed', () => {
  const fx = wfRegistry({ order: WF, child: CHILD }, {
    stamp: 'return function(id) return "v1:" .. id end',
    note: 'return function(id) return "noted " .. id end',
  }, { audit: AUDIT });
  fs.appendFileSync(path.join(fx.dir, 'registry.yaml'), `  - name: audit_service
    kind: process.service
    process: app:audit
    host: app:procs
    lifecycle: {auto_start: true}
`);
  const run = wippy(['run', fx.dir, '-x', 'app:order', '"o-1"']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').pop()!), { sent: true, child: 'v1:o-1' });
  const s = openStore(fx.db, { lock: false });
  const id = s.listWorkflows().find((r) => r.entry === 'app:order')!.id;
  s.close();
  const golden = path.join(fx.dir, 'goldens', 'order.golden.json');
  fs.mkdirSync(path.dirname(golden));
  const exp = wippy(['workflow', 'export', id, '-o', golden, '--db', fx.db]);
  assert.equal(exp.code, 0, exp.stderr);
  const recorded = readGolden(golden).history;
  assert.equal(find(recorded, 'send').error, undefined, 'the real run delivered the send');

  // 1. A new step at the end; the child's function now answers v2. Sends and children are kept.
  const wf = path.join(fx.dir, 'wf_order.lua');
  fs.writeFileSync(path.join(fx.dir, 'fn_stamp.lua'), 'return function(id) return "v2:" .. id end');
  fs.writeFileSync(wf, WF.replace('  return {', '  funcs.call("app:note", id)\n  return {'));
  const up = wippy(['test', path.dirname(golden), '--registry', fx.dir, '--update']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assertNoJsStack(up.stdout + up.stderr);
  assert.match(up.stdout, /^updated .*order\.golden\.json \(3 steps\); it had failed: non-determinism/);
  assert.match(up.stdout, /note: a new call ran the real function \(no recorded result matched\): funcs\.call app:note\("o-1"\)/);
  assert.ok(!up.stdout.includes('outcome changed'), up.stdout);
  const h1 = readGolden(golden).history;
  assert.equal(find(h1, 'send').error, undefined, 'the send is still delivered, as recorded (no service ran)');
  assert.equal(find(h1, 'child_done').value, '"v1:o-1"', 'the child kept its recorded result');
  assert.equal(find(h1, 'child_done').at, find(recorded, 'child_done').at);
  assert.deepEqual(JSON.parse(find(h1, 'completed').value), { sent: true, child: 'v1:o-1' });

  // 2. The send's payload and the child's input change: both are decided again, and listed.
  fs.writeFileSync(wf, WF.replace('process.send("audit", "order", id)', 'process.send("audit", "order", id .. "!")')
    .replace('workflow.exec("app:child", id)', 'workflow.exec("app:child", id .. "!")'));
  const up2 = wippy(['test', path.dirname(golden), '--registry', fx.dir, '--update']);
  assert.equal(up2.code, 0, up2.stdout + up2.stderr);
  const notes = up2.stdout.split('\n').filter((l) => l.includes('note: outcome changed: '));
  assert.deepEqual(notes.map((l) => l.replace(/^ +note: outcome changed: /, '')), [
    'step 0 process.send audit "order"("o-1!")  at wf_order.lua:3: delivered -> error NotFound: no process or workflow audit',
    'step 1 workflow.exec app:child("o-1!")  at wf_order.lua:4: child result "v1:o-1" -> child result "v2:o-1!"',
    'the workflow\'s end: completed: {"sent":true,"child":"v1:o-1"} -> completed: {"sent":false,"child":"v2:o-1!"}',
  ], up2.stdout);
  assert.equal(wippy(['test', path.dirname(golden), '--registry', fx.dir]).code, 0);
});
