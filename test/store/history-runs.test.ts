// History runs (runtime/store/sqlite.ts): several records share a row, yet an append index that
// is already taken (inside an earlier run, or twice in one batch) fails the batch with INTERNAL,
// as in the memory store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../base/errors';
import { openStore } from '../../runtime/store/index';
import { MemoryStore } from '../../runtime/store/memory';
import type { HistoryStore } from '../../runtime/store/store';
import { RECORDS, batch, row, throwsCode } from './suite';

function overlapAcrossCommits(s: HistoryStore): void {
  s.commit(batch({ creates: [row('w1')], appends: [0, 1, 2].map((index) => ({ workflowId: 'w1', index, record: RECORDS[index]! })) }));
  // Index 1 is inside the run [0, 3): a second writer.
  throwsCode(() => s.commit(batch({ appends: [{ workflowId: 'w1', index: 1, record: RECORDS[3]! }] })), ErrorCode.INTERNAL, 'w1');
  assert.deepEqual(s.history('w1'), RECORDS.slice(0, 3));
}

function overlapInOneBatch(s: HistoryStore): void {
  s.commit(batch({ creates: [row('w1')], appends: [] }));
  throwsCode(() => s.commit(batch({ appends: [0, 1, 1].map((index) => ({ workflowId: 'w1', index, record: RECORDS[index]! })) })), ErrorCode.INTERNAL, 'w1');
  assert.deepEqual(s.history('w1'), []);
}

test('memory store refuses an index inside an earlier commit (reference behaviour)', () => {
  const s = new MemoryStore();
  try { overlapAcrossCommits(s); } finally { s.close(); }
});

test('sqlite store refuses an index inside an earlier run', () => {
  const s = openStore(':memory:');
  try { overlapAcrossCommits(s); } finally { s.close(); }
});

test('sqlite store refuses a repeated index within one batch', () => {
  const s = openStore(':memory:');
  try { overlapInOneBatch(s); } finally { s.close(); }
});
