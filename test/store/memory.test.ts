/** MemoryStore: the shared HistoryStore contract, plus what only an in-memory store has. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../base/errors';
import { MemoryStore } from '../../runtime/store/memory';
import { start, storeSuite, throwsCode } from './suite';

storeSuite('memory', () => {
  const store = new MemoryStore();
  return { store, dispose: () => store.close() };
});

test('memory: a closed store refuses to be used', () => {
  const s = new MemoryStore();
  s.commit(start('w1'));
  s.close();
  throwsCode(() => s.history('w1'), ErrorCode.INTERNAL, 'close');
  throwsCode(() => s.commit(start('w2')), ErrorCode.INTERNAL, 'close');
});

test('memory: two stores share nothing', () => {
  const a = new MemoryStore();
  const b = new MemoryStore();
  a.commit(start('w1'));
  assert.equal(b.getWorkflow('w1'), null);
});
