// Durable signals at the edges: a signal written by another process (`wippy workflow signal`)
// while this engine accepts one of its own (process.send from a process), signals to unknown and
// finished workflows (refused with one line, store unchanged), and a payload Lua cannot hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoJsStack } from '../helpers/cli';
import { openStore } from '../../runtime/store';
import { runWf, valueOf } from '../../testkit/outcome';
import { wfRegistry } from '../../testkit/registry';
import { snapshot } from '../../testkit/store';
import { tick } from '../../testkit/wait';
import { wippyAsync } from '../../testkit/wippy';

const TWO = `return function()
  local inbox = process.inbox()
  local a = inbox:receive()
  local b = inbox:receive()
  local got = {a:topic(), b:topic()}
  table.sort(got)
  return got
end`;

test('a signal stored by another process is not skipped when this engine stores one of its own right after', { timeout: 15_000 }, async () => {
  // The engine polls the signals table for ids above the last one it saw. Its own signal (here
  // from engine.signal, as process.send from a process does) gets a larger id than the other
  // process's row that the poll has not read yet; that row must still be delivered.
  const fx = wfRegistry({ two: TWO });
  const rt = fx.open();
  const keepAlive = setInterval(() => {}, 1000); // the engine's poll timer does not hold the process
  try {
    const done = runWf(rt, 'app:two');
    await tick(50);
    const [row] = openStore(fx.db, { lock: false }).listWorkflows();
    const other = openStore(fx.db, { lock: false });
    other.addSignal({ workflowId: row.id, topic: 'from-cli', from: 'wippy-cli', payloads: ['1'], at: Date.now() });
    other.close();
    assert.equal(rt.engine!.signal(row.id, 'from-process', '{app:procs|1}', ['2']), null);
    assert.deepEqual(await valueOf(done), ['from-cli', 'from-process']);
    const h = openStore(fx.db, { lock: false }).history(row.id);
    assert.equal(h.filter((r) => r.type === 'signal').length, 2, 'each signal delivered once');
  } finally {
    clearInterval(keepAlive);
    rt.close();
  }
});

test('wippy workflow signal to an unknown or a finished workflow: one line, exit 1, store unchanged', async () => {
  const fx = wfRegistry({ quick: 'return function() return "done" end' });
  const rt = fx.open();
  let id: string;
  try {
    assert.equal(await valueOf(runWf(rt, 'app:quick')), 'done');
    id = openStore(fx.db, { lock: false }).listWorkflows()[0].id;
  } finally {
    rt.close();
  }
  const before = snapshot(fx.db);
  const unknown = await wippyAsync(['workflow', 'signal', 'no-such-workflow', 'go', '1', '--db', fx.db]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'error: no workflow no-such-workflow in the store; `wippy workflow list` shows the ids\n');
  const finished = await wippyAsync(['workflow', 'signal', id, 'go', '1', '--db', fx.db]);
  assert.equal(finished.code, 1);
  assert.equal(finished.stderr, `error: workflow ${id} (app:quick) has already completed; there is nothing to signal\n`);
  for (const r of [unknown, finished]) { assertNoJsStack(r.stderr); assert.equal(r.stdout, ''); }
  assert.equal(snapshot(fx.db), before);
});

test('process.send from Lua to an unknown or a finished workflow returns nil, err and records nothing', async () => {
  const fx = wfRegistry({
    quick: 'return function() return "done" end',
    sender: `return function(target)
      local ok, err = process.send(target, "go", 1)
      return {ok = ok == true, err = err and err:message()}
    end`,
  });
  const rt = fx.open();
  try {
    assert.equal(await valueOf(runWf(rt, 'app:quick')), 'done');
    const finished = openStore(fx.db, { lock: false }).listWorkflows()[0];
    const toFinished = await valueOf(runWf(rt, 'app:sender', `{app:client@app:worker|${finished.id}}`)) as { ok: boolean; err: string };
    assert.deepEqual(toFinished, { ok: false, err: `no process or workflow {app:client@app:worker|${finished.id}}` });
    const toUnknown = await valueOf(runWf(rt, 'app:sender', '{app:client@app:worker|nope}')) as { ok: boolean; err: string };
    assert.deepEqual(toUnknown, { ok: false, err: 'no process or workflow {app:client@app:worker|nope}' });
    assert.equal(openStore(fx.db, { lock: false }).pendingSignals().length, 0);
  } finally {
    rt.close();
  }
});

test('signal payloads Lua cannot hold: wippy workflow signal refuses them; one already stored fails the reader with a located Lua error', { timeout: 20_000 }, async () => {
  const fx = wfRegistry({ reader: 'return function()\n  local m = process.inbox():receive()\n  return m:payload():data()\nend' });
  const rt = fx.open();
  const keepAlive = setInterval(() => {}, 1000);
  try {
    const done = runWf(rt, 'app:reader');
    await tick(50);
    const [row] = openStore(fx.db, { lock: false }).listWorkflows();
    const before = snapshot(fx.db);
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
    const refused = await Promise.all([deep, '{"n": 1e999}'].map((p) => wippyAsync(['workflow', 'signal', row.id, 'go', p, '--db', fx.db, '--no-wait'])));
    assert.deepEqual(refused.map((r) => [r.code, r.stderr]), [
      [2, 'error: payload 1 cannot be passed to Lua: it is nested deeper than 200 levels (the limit for values that cross into Lua)\n'],
      [2, 'error: payload 1 cannot be passed to Lua: the number at value.n is too large (JSON numbers must fit a 64-bit float)\n'],
    ]);
    assert.equal(snapshot(fx.db), before, 'nothing was stored');
    // Written straight into the store (an older wippy, another tool): the reader gets a Lua error
    // at its line, not an "internal error in a runtime binding".
    const other = openStore(fx.db, { lock: false });
    other.addSignal({ workflowId: row.id, topic: 'go', from: '', payloads: [deep], at: Date.now() });
    other.close();
    const o = await done;
    assert.ok('result' in o && o.result.error, JSON.stringify(o));
    assert.equal(o.result.error!.message, 'wf_reader.lua:3: msg:payload(): cannot decode the payload: invalid JSON: nesting deeper than 200 at offset 201');
  } finally {
    clearInterval(keepAlive);
    rt.close();
  }
});
