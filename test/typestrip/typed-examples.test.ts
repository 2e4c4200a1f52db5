// The typed versions of the example workflows (examples/workflows/typed) run, and their recorded
// histories replay against the typed code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Runtime } from '../../app/runtime';
import { openStore } from '../../runtime/store';
import { toGolden, fromGolden, replayGolden } from '../../app/golden';
import { mailboxCodec } from '../../lua-stdlib/process';
import { tempDir } from '../../testkit/temp';
import { wippy } from '../../testkit/wippy';

const REG = path.resolve(__dirname, '../../../examples/workflows');

test('typed workflows and a typed function run through the CLI', () => {
  const db = path.join(tempDir(), 'state.db');
  const pay = wippy(['run', REG, '--db', db, '--virtual-time', '-x', 'app.typed:payment', '{"amount": 42, "card": "4242"}']);
  assert.equal(pay.code, 0, pay.stderr);
  assert.equal(JSON.parse(pay.stdout.trim().split('\n').pop()!).status, 'settled');
  const saga = wippy(['run', REG, '--db', db, '-x', 'app.typed:saga', '{"items": [], "amount": 3, "order": "o"}']);
  assert.equal(saga.code, 1);
  assert.equal(saga.stderr.trim(), 'error: Internal: nothing to reserve');
  const total = wippy(['run', REG, '-x', 'app.typed:total', '[{"qty": 2, "price": 1.5}, {"qty": 1, "price": 0.25}]']);
  assert.equal(total.stdout.trim(), '"3.25"');
});

test('the typed approval workflow takes a signal, and its history replays against the typed code', async () => {
  const db = path.join(tempDir(), 'state.db');
  const rt = Runtime.load(REG, { db, output: { print: () => {}, log: () => {} } });
  const engine = rt.startWorkflows()!;
  const r = engine.start('app.typed:approval', ['{"order_id": "o-9"}']) as { id: string; pid: string };
  const done = new Promise<any>((res) => engine.watch(r.id, res));
  assert.equal(rt.node.send('', r.pid, 'decision', ['{"approved": true}']), null);
  const o = await done;
  assert.deepEqual(JSON.parse(o.result.value), { order: 'o-9', decision: 'approved' });
  rt.close();

  const store = openStore(db, { lock: false });
  const golden = fromGolden(toGolden(store.history(r.id)));
  store.close();
  const rt2 = Runtime.load(REG, { output: { print: () => {}, log: () => {} } });
  const env = { registry: rt2.registry, codec: mailboxCodec, makeHost: rt2.makeEntryHost.bind(rt2) };
  assert.deepEqual(replayGolden(env, golden, 'approval'), { ok: true, steps: golden.history.length - 1, finished: true });
  // Lines in the recorded history are those of the typed source.
  const call = golden.history.find((x) => x.type === 'call' && x.fn === 'app.orders:fulfill');
  assert.equal(call && 'line' in call ? call.line : '', 'typed/approval.lua:19');
});
