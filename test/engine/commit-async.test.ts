// The group commit with a store that answers later (commitAsync, as the PostgreSQL store's): a
// turn hands its batch over and goes on; what waited for it, and the workflows it woke, run only
// once that batch is durable, in commit order; a turn with nothing to write while a commit is on
// its way waits behind it (no activation of a workflow whose records are not in yet); the
// synchronous path is taken when the store has no commitAsync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from '../../runtime/engine/commit';
import { MemoryStore } from '../../runtime/store/memory';
import type { Batch } from '../../runtime/store/store';
import { until } from '../../testkit/wait';

/**
 * Let the turn scheduled so far run: the group commit's flush is a setImmediate, and immediates
 * run in FIFO order. (A timer is not enough: on a loaded machine it can fire before the check phase.)
 */
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

function harness(async: boolean) {
  const events: string[] = [];
  const held: Array<{ batch: Batch; done: (err: Error | null) => void }> = [];
  const store = new MemoryStore('commit-async test');
  if (async) {
    (store as MemoryStore & { commitAsync: unknown }).commitAsync = (batch: Batch, done: (err: Error | null) => void) => {
      events.push(`commit ${batch.appends.map((a) => `${a.workflowId}:${a.index}`).join(',')}`);
      held.push({ batch, done });
    };
  }
  const gc = new GroupCommit({
    store,
    newTurn: () => {},
    resident: () => true,
    committed: (id, n) => events.push(`committed ${id}<${n}`),
    activate: (id) => events.push(`activate ${id}`),
  });
  const release = (): void => {
    const h = held.shift()!;
    store.commit(h.batch);
    h.done(null);
  };
  return { gc, events, held, release, store };
}

const started = (id: string) => ({ workflowId: id, index: 0, record: { type: 'started' as const, at: 1, entry: 'app:wf', input: [], worker: 'app:worker' } });
const row = (id: string) => ({ id, entry: 'app:wf', worker: 'app:worker', status: 'running' as const, input: [], parent: null, result: null, error: null, parked: null, createdAt: 1, updatedAt: 1 });

test('an asynchronous store: activations and what waited run when the batch is durable, in order; an empty turn waits behind the commit on its way', async () => {
  const { gc, events, held, release } = harness(true);
  gc.open.creates.push(row('a'));
  gc.open.appends.push(started('a'));
  gc.onCommit(() => events.push('after a'));
  gc.wake('a');
  await nextTurn();
  assert.deepEqual(events, ['commit a:0'], 'handed over; nothing ran yet');
  assert.equal(gc.busy, true, 'a commit on its way keeps a virtual clock waiting');
  // A turn with nothing to write: its wake waits behind the commit on its way.
  gc.wake('b');
  await nextTurn();
  assert.deepEqual(events, ['commit a:0']);
  release();
  assert.deepEqual(events, ['commit a:0', 'committed a<1', 'after a', 'activate a', 'activate b']);
  assert.equal(held.length, 0);
  await until(() => !gc.busy, 'the commit to be idle');
});

test('two batches on their way: each one\'s waiters run after its own answer, in commit order', async () => {
  const { gc, events, release } = harness(true);
  gc.open.creates.push(row('a'));
  gc.open.appends.push(started('a'));
  gc.onCommit(() => events.push('after 1'));
  await nextTurn();
  gc.open.creates.push(row('b'));
  gc.open.appends.push(started('b'));
  gc.onCommit(() => events.push('after 2'));
  await nextTurn();
  assert.deepEqual(events, ['commit a:0', 'commit b:0']);
  release();
  assert.deepEqual(events.slice(2), ['committed a<1', 'after 1']);
  release();
  assert.deepEqual(events.slice(4), ['committed b<1', 'after 2']);
});

test('a synchronous store: commit, then what waited, in the same turn', async () => {
  const { gc, events, store } = harness(false);
  gc.open.creates.push(row('a'));
  gc.open.appends.push(started('a'));
  gc.onCommit(() => events.push('after a'));
  gc.wake('a');
  gc.flush();
  assert.deepEqual(events, ['committed a<1', 'after a', 'activate a']);
  assert.equal(store.historyLength('a'), 1);
});
