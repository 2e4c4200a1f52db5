// `wippy workflow signal|cancel|terminate` through the real binary: durable requests that a
// `wippy run` in another process applies while it runs (polling the store), or at its next start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack, jsonParseError, quotedExamples } from '../helpers/cli';
import { openStore } from '../../runtime/store';
import type { WorkflowRow } from '../../runtime/store/events';
import { DRIFT, DRIFT_CHANGED, wfRegistry, WfFixture } from '../../testkit/registry';
import { tick, until } from '../../testkit/wait';
import { wippy, startWippy, type WippyRun } from '../../testkit/wippy';

const WORKFLOWS = {
  wait: 'return function() local msg = process.inbox():receive() return {topic = msg:topic(), data = msg:payload():data()} end',
  polite: 'return function() local e = process.events():receive() return {kind = e.kind, reason = e.reason} end',
  stubborn: 'return function() process.inbox():receive() return "never" end',
  drift: DRIFT,
};
const FUNCTIONS = { step: 'return function(x) return "did " .. x end', other: 'return function(x) return x end' };

const startRun = (dir: string): WippyRun => startWippy(['run', dir]);

async function stopRun(r: WippyRun): Promise<void> {
  assert.equal(await r.stop(), 0, r.stderr());
}

function row(fx: WfFixture, id: string): WorkflowRow {
  const s = openStore(fx.db, { lock: false });
  try { return s.getWorkflow(id)!; } finally { s.close(); }
}

/** Start workflows in-process and leave them waiting in the store (no engine runs afterwards). */
async function waiting(fx: WfFixture, entries: string[]): Promise<string[]> {
  const rt = fx.open();
  const engine = rt.startWorkflows()!;
  const ids = entries.map((e) => (engine.start(e, []) as { id: string }).id);
  await tick(100);
  rt.close();
  return ids;
}

function cli(args: string[], code = 0): string {
  const r = wippy(['workflow', ...args]);
  assert.equal(r.code, code, `wippy workflow ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  assertNoJsStack(r.stderr);
  return code === 0 ? r.stdout : r.stderr;
}

test('signal with no engine running is stored; a later `wippy run` delivers it and the workflow completes', async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  const [id] = await waiting(fx, ['app:wait']);
  const out = cli(['signal', id, 'approved', '{"by": "ann"}', '--db', fx.db]);
  assert.match(out, new RegExp(`^signal "approved"\\(\\{"by": "ann"\\}\\) stored for workflow ${id} \\(app:wait\\); no \`wippy run\` is using this store now`));
  assert.equal(JSON.parse(cli(['show', id, '--json', '--db', fx.db])).pending_signals, 1);

  const run = startRun(fx.dir);
  await until(() => row(fx, id).status !== 'running', 'the workflow to finish');
  await stopRun(run);
  const done = JSON.parse(cli(['show', id, '--json', '--registry', fx.dir]));
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.result, { topic: 'approved', data: { by: 'ann' } });
  assert.equal(done.pending_signals, 0);
  assert.match(cli(['history', id, '--db', fx.db]), /signal "approved"\(\{"by": "ann"\}\) from wippy-cli/);

  // Finished: nothing more to signal, cancel or terminate.
  assert.match(cli(['signal', id, 'again', '--db', fx.db], 1), /^error: workflow .* \(app:wait\) has already completed; there is nothing to signal$/m);
  assert.match(cli(['cancel', id, '--db', fx.db], 1), /has already completed; there is nothing to cancel/);
  assert.match(cli(['terminate', id, '--db', fx.db], 1), /has already completed; there is nothing to terminate/);
});

test('against a running `wippy run`: cancel reaches pid.cancel, terminate ends a running and a parked workflow, signal is delivered', async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  const [polite, stubborn, wait, drift] = await waiting(fx, ['app:polite', 'app:stubborn', 'app:wait', 'app:drift']);
  // Changed code: the running engine parks `drift` when it resumes it.
  fs.writeFileSync(path.join(fx.dir, 'wf_drift.lua'), DRIFT_CHANGED);

  const run = startRun(fx.dir);
  try {
    await until(() => run.err.join('').includes('services running'), 'wippy run to be up');
    await until(() => row(fx, drift).status === 'parked', 'drift to be parked');

    const c = cli(['cancel', polite, '--reason', 'enough', '--db', fx.db]);
    assert.match(c, new RegExp(`^cancel delivered to workflow ${polite} \\(app:polite\\) by the running wippy run \\(pid ${run.proc.pid}\\) as a pid\\.cancel event`));
    await until(() => row(fx, polite).status === 'completed', 'polite to return');
    assert.deepEqual(JSON.parse(row(fx, polite).result!), { kind: 'pid.cancel', reason: 'enough' });
    assert.match(cli(['history', polite, '--db', fx.db]), /^1 +\+\S+ +cancel requested by wippy-cli \(enough\)$/m);

    const t = cli(['terminate', stubborn, '--reason', 'stuck', '--db', fx.db]);
    assert.equal(t.trim(), `workflow ${stubborn} (app:stubborn) terminated by the running wippy run (pid ${run.proc.pid})`);
    const ts = JSON.parse(cli(['show', stubborn, '--json', '--db', fx.db]));
    assert.equal(ts.status, 'terminated');
    assert.equal(ts.error.kind, 'Canceled');
    assert.match(cli(['history', stubborn, '--db', fx.db]), /workflow terminated: stuck by wippy-cli$/m);

    const s = cli(['signal', wait, 'go', '42', '--db', fx.db]);
    assert.match(s, /^signal "go"\(42\) delivered to workflow .* by the running wippy run/);
    await until(() => row(fx, wait).status === 'completed', 'wait to complete');
    assert.deepEqual(JSON.parse(row(fx, wait).result!), { topic: 'go', data: 42 });

    const p = cli(['terminate', drift, '--db', fx.db]);
    assert.match(p, /terminated by the running wippy run/);
    const dp = JSON.parse(cli(['show', drift, '--json', '--db', fx.db]));
    assert.equal(dp.status, 'terminated');
    assert.equal(dp.parked, null);
  } finally {
    await stopRun(run);
  }
  assert.deepEqual(JSON.parse(cli(['list', '--json', '--db', fx.db])).map((w: { status: string }) => w.status),
    ['completed', 'terminated', 'completed', 'terminated']);
});

test('cancel and terminate with no engine running are applied by the next `wippy run` at start', async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  const [polite, stubborn] = await waiting(fx, ['app:polite', 'app:stubborn']);
  assert.match(cli(['cancel', polite, '--db', fx.db]), /^cancel request stored for workflow .*the next one delivers it when it starts/);
  assert.match(cli(['terminate', stubborn, '--registry', fx.dir]), /^terminate request stored for workflow/);
  assert.equal(row(fx, stubborn).status, 'running', 'nothing applies it until an engine runs');

  const run = startRun(fx.dir);
  await until(() => row(fx, polite).status !== 'running' && row(fx, stubborn).status !== 'running', 'both to end');
  await stopRun(run);
  assert.deepEqual(JSON.parse(row(fx, polite).result!), { kind: 'pid.cancel', reason: 'canceled' });
  assert.equal(row(fx, stubborn).status, 'terminated');
});

test('signal mistakes: unknown workflow is 1, bad JSON payload and reserved topic are 2, checked before the store', async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  const [id] = await waiting(fx, ['app:wait']);
  assert.match(cli(['signal', 'no-such-id', 'go', '--db', fx.db], 1), /^error: no workflow no-such-id in the store/);
  assert.match(cli(['terminate', 'no-such-id', '--db', fx.db], 1), /^error: no workflow no-such-id in the store/);
  const bad = cli(['signal', id, 'go', '1', '{bad', '--db', fx.db], 2).trim();
  assert.equal(bad, `error: payload 2 is not valid JSON: {bad (${jsonParseError('{bad')}; each payload is one JSON value; quote the whole value for the shell, e.g. '{"approved": true}')`);
  for (const ex of quotedExamples(bad)) JSON.parse(ex);
  const word = cli(['signal', id, 'go', 'yes', '--db', fx.db], 2).trim();
  assert.equal(word, `error: payload 1 is not valid JSON: yes (each payload is one JSON value; a string needs quotes, e.g. '"yes"')`);
  assert.match(cli(['signal', id, 'go', 'yes', '--db', '/nonexistent/x.db'], 2), /payload 1 is not valid JSON: yes/);
  assert.match(cli(['signal', id, '@cancel', '--db', fx.db], 2), /^error: topic "@cancel" is reserved/);
  assert.match(cli(['signal', id, '--db', fx.db], 2), /missing required argument 'topic'/);
  assert.equal(JSON.parse(cli(['show', id, '--json', '--db', fx.db])).pending_signals, 0, 'nothing was stored');
});
