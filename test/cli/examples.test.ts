// The seed's workflow examples through the real binary, each on its own store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { wfRegistry } from '../../testkit/registry';
import { tempDir } from '../../testkit/temp';
import { wippy } from '../../testkit/wippy';

const db = () => path.join(tempDir(), 'state.db');
const lastLine = (s: string) => s.trim().split('\n').pop()!;

test('payment: charge, sleep 24h (virtual time), check status', () => {
  const r = wippy(['run', 'examples/workflows', '--db', db(), '--virtual-time', '-x', 'app.workflows:payment', '{"amount": 42, "card": "4242"}']);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(lastLine(r.stdout));
  assert.match(v.charge, /^ch_[0-9a-f]{8}$/);
  assert.equal(v.status, 'settled');
});

test('saga: success, and compensation when the payment fails', () => {
  const ok = wippy(['run', 'examples/workflows', '--db', db(), '-x', 'app.workflows:saga', '{"items": ["book"], "amount": 30, "order": "o-1"}']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(lastLine(ok.stdout)), { inventory: { id: 'res-1', items: ['book'] }, payment: { id: 'pay-30', amount: 30 }, shipping: { id: 'ship-o-1' } });
  const bad = wippy(['run', 'examples/workflows', '--db', db(), '-x', 'app.workflows:saga', '{"items": ["book"], "amount": 3000, "order": "o-1"}']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim(), 'error: Internal: amount over the card limit');
});

test('starting with process.spawn and process.send from a process', () => {
  const r = wippy(['run', 'examples/workflows', '--db', db(), '--virtual-time', '-x', 'app:starter', '{"order_id": "o-7", "amount": 12}']);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(lastLine(r.stdout));
  assert.equal(v.order, 'o-7');
  assert.equal(v.status, 'approved');
});

test('a named workflow started with startup messages, joined by a second start, its EXIT awaited (Spawner)', () => {
  const store = db();
  const r = wippy(['run', 'examples/workflows', '--db', store, '--virtual-time', '-x', 'app.named:checkout', '"o-9"']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(lastLine(r.stdout)), {
    cart: '{app:temporal_client@app:temporal_worker|cart-o-9}', joined: true,
    result: { customer: 'ann', items: ['book', 'pen', 'lamp'], total: 60 },
  });
  const again = wippy(['run', 'examples/workflows', '--db', store, '--virtual-time', '-x', 'app.named:checkout', '"o-9"']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /workflow cart-o-9 already exists \(it has completed; a store keeps one run per workflow id/);
});

test('-x on a workflow that gets parked prints the report and exits 3; the store keeps it parked', () => {
  const fx = wfRegistry({ spin: 'return function() local n = 0 while true do n = n + 1 end end' });
  const r = wippy(['run', fx.dir, '--budget', '1000000', '-x', 'app:spin']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /workflow .* \(app:spin\) was stopped in one activation:/);
  assert.match(r.stderr, /instruction budget exceeded in app:spin at wf_spin\.lua:1/);
  assert.match(r.stderr, /parked, not failed/);
  assertNoJsStack(r.stderr);
});
