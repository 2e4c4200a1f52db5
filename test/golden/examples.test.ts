// The example workflows' golden files (examples/workflows/goldens) replay against the current code
// through the real binary, and re-recording each one from its own answers gives the same file
// back (so `wippy test --update` of unchanged code changes nothing: signals, times and uuids land
// where they were).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { GoldenSession, readGolden, planFromGolden, recordWorkflow, toGolden } from '../../app/golden';
import { wippy, ROOT } from '../../testkit/wippy';

const REG = path.join(ROOT, 'examples/workflows');
const GOLDENS = path.join(REG, 'goldens');
const files = fs.readdirSync(GOLDENS).filter((f) => f.endsWith('.golden.json')).sort();

test('every example workflow has a golden file', () => {
  const entries = new Set(files.map((f) => readGolden(path.join(GOLDENS, f)).entry));
  for (const wf of ['payment', 'saga', 'approval', 'order_processor']) assert.ok(entries.has(`app.workflows:${wf}`), `no golden for ${wf}`);
  assert.ok(files.some((f) => f.startsWith('saga-success')) && files.some((f) => f.startsWith('saga-compensation')));
  const approval = readGolden(path.join(GOLDENS, 'approval-approved.golden.json'));
  assert.ok(approval.history.some((r) => r.type === 'signal'), 'the approval golden has a signal');
});

test('wippy test replays every example golden: one ok line each, "N passed, 0 failed" last', () => {
  const r = wippy(['test', 'examples/workflows/goldens', '--registry', 'examples/workflows']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[lines.length - 1], `${files.length} passed, 0 failed`);
  for (const f of files) assert.ok(lines.some((l) => l.startsWith('ok   ') && l.includes(f)), `no ok line for ${f}`);
  assertNoJsStack(r.stdout + r.stderr);
});

test('wippy replay takes several files and exits 0 when all match', () => {
  const r = wippy(['replay', ...files.map((f) => path.join('examples/workflows/goldens', f)), '--registry', 'examples/workflows']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, files.length);
});

test('re-recording each example golden from its own answers reproduces it byte for byte', async () => {
  const session = GoldenSession.load(REG);
  for (const f of files) {
    const file = path.join(GOLDENS, f);
    const g = readGolden(file);
    const plan = planFromGolden(g, session.rt.registry);
    const r = await recordWorkflow(session.recordHost, plan);
    assert.equal(r.status, 'finished', `${f}: ${r.message}`);
    assert.deepEqual(r.liveCalls, [], `${f}: every call is answered from the recording`);
    assert.equal(r.forced, 0, `${f}: signals arrive at their recorded point`);
    assert.equal(toGolden(r.history, g.flags, { workflowId: plan.workflowId }), fs.readFileSync(file, 'utf8'), f);
  }
});
