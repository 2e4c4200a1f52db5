import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, WippyError } from '../../base/errors';
import { dependenciesOf, entriesOfKind, getEntry, loadRegistry, resolveRef, startOrder } from '../../registry';
import { GOOD, tree } from './helpers';

const reg = loadRegistry(GOOD);

test('resolveRef: bare names join the namespace, full ids stay', () => {
  assert.equal(resolveRef('worker', 'app'), 'app:worker');
  assert.equal(resolveRef('worker', 'app.api'), 'app.api:worker');
  assert.equal(resolveRef('app.lib:util', 'app'), 'app.lib:util');
  assert.equal(resolveRef('other:x', 'app.api'), 'other:x');
});

test('getEntry returns typed entries and refuses missing ids with a suggestion', () => {
  assert.equal(getEntry(reg, 'app:charge').kind, 'function.lua');
  assert.equal(getEntry(reg, 'app:worker', 'temporal.worker').taskQueue, 'orders');
  assert.throws(() => getEntry(reg, 'app:chrage'), (e: unknown) => {
    assert.ok(e instanceof WippyError);
    assert.equal(e.code, ErrorCode.ENTRY_NOT_FOUND);
    assert.equal(e.userFacing, true);
    assert.equal(e.message, 'no entry app:chrage in the registry (did you mean app:charge?)');
    return true;
  });
  assert.throws(() => getEntry(reg, 'charge'), { code: ErrorCode.ENTRY_NOT_FOUND, message: 'no entry charge in the registry (ids are namespace:name; did you mean app:charge?)' });
  assert.throws(() => getEntry(reg, 'app:charge', 'workflow.lua'), {
    code: ErrorCode.ENTRY_NOT_FOUND,
    message: 'app:charge is a function.lua entry, not a workflow.lua; workflow.lua entries: app:order',
  });
});

test('entriesOfKind is sorted by id and typed', () => {
  assert.deepEqual(entriesOfKind(reg, 'function.lua').map((e) => e.id), ['app:charge', 'app:quick']);
  assert.deepEqual(entriesOfKind(reg, 'temporal.client').map((e) => e.store.endsWith('.db')), [true, true]);
  assert.deepEqual(entriesOfKind(reg, 'library.lua').map((e) => e.id), ['app.lib:util']);
});

test('startOrder: dependencies first (requires, host, client), transitive, no repeats', () => {
  assert.deepEqual(dependenciesOf(getEntry(reg, 'app:svc')), ['app:worker', 'app.infra:temporal', 'app:processes']);
  assert.deepEqual(startOrder(reg, ['app:svc']), ['app.infra:temporal', 'app:worker', 'app:processes', 'app:svc']);
  assert.deepEqual(startOrder(reg, ['app:processes', 'app:worker', 'app:svc']), ['app:processes', 'app.infra:temporal', 'app:worker', 'app:svc']);
  assert.deepEqual(startOrder(reg, []), []);
  assert.throws(() => startOrder(reg, ['app:nope']), { code: ErrorCode.ENTRY_NOT_FOUND });
});

test('startOrder is deterministic for a diamond', () => {
  const dir = tree({
    'r.yaml': [
      'namespace: app', 'entries:',
      '  - {name: top, kind: process.host, lifecycle: {requires: [left, right]}}',
      '  - {name: left, kind: process.host, lifecycle: {requires: [base]}}',
      '  - {name: right, kind: process.host, lifecycle: {depends_on: [base]}}',
      '  - {name: base, kind: process.host}',
      '',
    ].join('\n'),
  });
  const r = loadRegistry(dir);
  const order = startOrder(r, ['app:top']);
  assert.deepEqual(order, ['app:base', 'app:left', 'app:right', 'app:top']);
  assert.deepEqual(startOrder(r, ['app:top']), order);
});

test('startOrder refuses a cycle in a hand-built registry', () => {
  const a = getEntry(reg, 'app:processes', 'process.host');
  const loop = { ...a, id: 'x:a', lifecycle: { ...a.lifecycle, requires: ['x:a'] } };
  const r = { ...reg, entries: new Map([['x:a', loop]]) };
  assert.throws(() => startOrder(r, ['x:a']), { code: ErrorCode.REGISTRY_INVALID, message: 'requires cycle: x:a -> x:a' });
});
