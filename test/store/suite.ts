/**
 * The HistoryStore contract, as one suite run against every implementation (memory.test.ts,
 * sqlite.test.ts, postgres.test.ts): whatever the engine may rely on is asserted here, once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isWippyError } from '../../base/errors';
import { START_TOPIC, type HistoryRecord, type WorkflowRow } from '../../runtime/store/events';
import { emptyBatch } from '../../runtime/store/store';
import type { Batch, HistoryStore } from '../../runtime/store/store';

export interface Fixture {
  store: HistoryStore;
  /** Done with the fixture: close the store and remove its files. */
  dispose(): void;
}

export function row(id: string, over: Partial<WorkflowRow> = {}): WorkflowRow {
  return {
    id, entry: 'app:wf', worker: 'app:worker', status: 'running', input: ['1', '{"a":[1,2]}'],
    parent: null, result: null, error: null, parked: null, createdAt: 1000, updatedAt: 1000, ...over,
  };
}

/** A row as read back, without the store's own wall-clock stamps. */
export function withoutWall(r: WorkflowRow | null): WorkflowRow | null {
  if (r === null) return null;
  const { wall: _wall, ...rest } = r;
  return rest;
}

export function batch(b: Partial<Batch>): Batch {
  return { ...emptyBatch(), ...b };
}

/** A started workflow: its row plus the `started` record at index 0. */
export function start(id: string, over: Partial<WorkflowRow> = {}): Batch {
  const r = row(id, over);
  return batch({
    creates: [r],
    appends: [{ workflowId: id, index: 0, record: { type: 'started', at: r.createdAt, entry: r.entry, input: r.input, worker: r.worker } }],
  });
}

export const RECORDS: HistoryRecord[] = [
  { type: 'started', at: 1000, entry: 'app:wf', input: ['1', '"x"'], worker: 'app:worker' },
  { type: 'call', cmd: 0, fn: 'app:f', args: ['{"b":1,"a":2}', '1.5', 'null'], line: 'wf.lua:3' },
  { type: 'call_done', of: 0, at: 1001.25, value: '"héllo \\u0000 ✓"', attempts: 1 },
  { type: 'uuid', cmd: 1, version: 7, value: '0190b6d4-0000-7000-8000-000000000000', line: 'wf.lua:4' },
  { type: 'timer', cmd: 2, ms: 500, line: 'wf.lua:5' },
  { type: 'timer_fired', of: 2, at: 1501 },
  { type: 'completed', at: 1502, value: '{"ok":true}' },
];

export function throwsCode(fn: () => unknown, code: ErrorCode, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isWippyError(e), `expected a WippyError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of parts) assert.ok(e.message.includes(p), `"${e.message}" should include "${p}"`);
    assert.ok(!e.message.includes('\n'), `one-line message: ${e.message}`);
    return true;
  });
}

export function storeSuite(name: string, make: () => Fixture | Promise<Fixture>): void {
  const withStore = (title: string, body: (s: HistoryStore) => void): void => {
    test(`${name}: ${title}`, async () => {
      const f = await make();
      try { body(f.store); } finally { f.dispose(); }
    });
  };

  withStore('create + append across commits reads back in index order, payloads byte for byte', (s) => {
    s.commit(batch({ creates: [row('w1')], appends: RECORDS.slice(0, 3).map((record, index) => ({ workflowId: 'w1', index, record })) }));
    s.commit(batch({ appends: RECORDS.slice(3).map((record, i) => ({ workflowId: 'w1', index: i + 3, record })).reverse() }));
    assert.deepEqual(s.history('w1'), RECORDS);
    assert.equal(s.historyLength('w1'), RECORDS.length);
    assert.deepEqual(withoutWall(s.getWorkflow('w1')), row('w1'));
    assert.deepEqual(s.history('nope'), []);
    assert.equal(s.historyLength('nope'), 0);
    assert.equal(s.getWorkflow('nope'), null);
  });

  withStore('stored history cannot be changed through the objects passed in or read out', (s) => {
    const rec = { type: 'call', cmd: 0, fn: 'app:f', args: ['1'], line: 'x:1' } as HistoryRecord & { args: string[] };
    const b = start('w1');
    b.appends.push({ workflowId: 'w1', index: 1, record: rec });
    s.commit(b);
    rec.args.push('2');
    b.creates[0]!.input.push('99');
    (s.history('w1')[1] as { args: string[] }).args.push('3');
    s.getWorkflow('w1')!.input.push('98');
    assert.deepEqual((s.history('w1')[1] as { args: string[] }).args, ['1']);
    assert.deepEqual(s.getWorkflow('w1')!.input, row('w1').input);
  });

  withStore('updates: status, result, error, parked; an omitted field is kept, null clears it', (s) => {
    s.commit(start('w1'));
    s.commit(batch({ updates: [{ id: 'w1', status: 'parked', parked: 'step 3: recorded call app:f, attempted app:g', at: 2000 }] }));
    let w = s.getWorkflow('w1')!;
    assert.equal(w.status, 'parked');
    assert.equal(w.parked, 'step 3: recorded call app:f, attempted app:g');
    assert.equal(w.updatedAt, 2000);
    assert.equal(w.createdAt, 1000);
    s.commit(batch({ updates: [{ id: 'w1', status: 'running', parked: null, at: 2100 }] }));
    assert.equal(s.getWorkflow('w1')!.parked, null);
    const error = { kind: 'INTERNAL', message: 'boom', retryable: false, details: { n: [1, 2] } };
    s.commit(batch({ updates: [{ id: 'w1', status: 'failed', error, at: 2200 }] }));
    w = s.getWorkflow('w1')!;
    assert.deepEqual([w.status, w.error, w.result], ['failed', error, null]);
    s.commit(batch({ updates: [{ id: 'w1', status: 'completed', result: '{"v":1}', error: null, at: 2300 }] }));
    w = s.getWorkflow('w1')!;
    assert.deepEqual([w.status, w.error, w.result, w.updatedAt], ['completed', null, '{"v":1}', 2300]);
  });

  withStore('rows keep the workflow clock as given and the wall-clock times the store wrote them at', (s) => {
    const before = Date.now();
    s.commit(start('w1', { createdAt: 5e12, updatedAt: 5e12 })); // a workflow clock far ahead (virtual time)
    s.commit(batch({ updates: [{ id: 'w1', status: 'completed', result: '1', at: 5e12 + 86_400_000 }] }));
    const after = Date.now();
    const w = s.getWorkflow('w1')!;
    assert.deepEqual([w.createdAt, w.updatedAt], [5e12, 5e12 + 86_400_000]);
    assert.ok(w.wall, 'wall-clock times are kept');
    assert.ok(before <= w.wall.createdAt && w.wall.createdAt <= w.wall.updatedAt && w.wall.updatedAt <= after, JSON.stringify(w.wall));
    assert.equal(w.wall.virtual, false);
    assert.deepEqual(s.listWorkflows()[0]!.wall, w.wall);
  });

  withStore('signals: add, pending (afterId), consume in the same batch as their history record', (s) => {
    s.commit(start('w1'));
    s.commit(start('w2', { createdAt: 1001 }));
    const a = s.addSignal({ workflowId: 'w1', topic: 'go', from: '{app:client|0.1}', payloads: ['"a"', '{"x":1}'], at: 3000 });
    s.commit(batch({ signals: [{ workflowId: 'w2', topic: 'ping', from: 'w1', payloads: [], at: 3001 }] }));
    const c = s.addSignal({ workflowId: 'w1', topic: 'go', from: 'cli', payloads: ['2'], at: 3002 });
    const pending = s.pendingSignals();
    assert.equal(pending.length, 3);
    assert.deepEqual(pending.map((p) => p.topic), ['go', 'ping', 'go']);
    assert.deepEqual(pending[0], { id: a, workflowId: 'w1', topic: 'go', from: '{app:client|0.1}', payloads: ['"a"', '{"x":1}'], at: 3000 });
    assert.ok(pending[0]!.id < pending[1]!.id && pending[1]!.id < c);
    assert.deepEqual(s.pendingSignals(pending[1]!.id).map((p) => p.id), [c]);
    assert.deepEqual(s.pendingSignals(c), []);

    const first = pending[0]!;
    s.commit(batch({
      appends: [{ workflowId: 'w1', index: 1, record: { type: 'signal', at: 3100, topic: first.topic, from: first.from, payloads: first.payloads, signal: first.id } }],
      consumed: [first.id],
    }));
    assert.deepEqual(s.pendingSignals().map((p) => p.id), [pending[1]!.id, c]);
    assert.equal(s.history('w1')[1]!.type, 'signal');
    s.commit(batch({ consumed: [first.id] })); // already gone: a no-op
    const d = s.addSignal({ workflowId: 'w2', topic: 'late', from: 'cli', payloads: [], at: 3200 });
    assert.ok(d > c, 'ids are never reused');
  });

  withStore('listWorkflows: all or by status, oldest first', (s) => {
    s.commit(start('b', { createdAt: 20 }));
    s.commit(batch({ ...start('a', { createdAt: 10 }), creates: [row('a', { createdAt: 10 }), row('c', { createdAt: 20, status: 'parked' })] }));
    s.commit(start('d', { createdAt: 5, status: 'completed' }));
    assert.deepEqual(s.listWorkflows().map((w) => w.id), ['d', 'a', 'b', 'c']);
    assert.deepEqual(s.listWorkflows(['running']).map((w) => w.id), ['a', 'b']);
    assert.deepEqual(s.listWorkflows(['running', 'parked']).map((w) => w.id), ['a', 'b', 'c']);
    assert.deepEqual(s.listWorkflows(['failed']), []);
    assert.deepEqual(s.listWorkflows([]), []);
  });

  withStore('a duplicate append index throws INTERNAL and the whole batch is rolled back', (s) => {
    s.commit(start('w1'));
    const sig = s.addSignal({ workflowId: 'w1', topic: 't', from: 'x', payloads: [], at: 1 });
    const before = { wf: s.listWorkflows(), h: s.history('w1'), p: s.pendingSignals() };
    throwsCode(() => s.commit(batch({
      creates: [row('w2')],
      appends: [
        { workflowId: 'w2', index: 0, record: RECORDS[0]! },
        { workflowId: 'w1', index: 1, record: RECORDS[1]! },
        { workflowId: 'w1', index: 0, record: RECORDS[1]! },
      ],
      updates: [{ id: 'w1', status: 'completed', result: '1', at: 5 }],
      signals: [{ workflowId: 'w1', topic: 'u', from: 'y', payloads: [], at: 2 }],
      consumed: [sig],
    })), ErrorCode.INTERNAL, 'w1', 'record 0', 'two writers');
    assert.deepEqual({ wf: s.listWorkflows(), h: s.history('w1'), p: s.pendingSignals() }, before);
    assert.equal(s.getWorkflow('w2'), null);
    // The store is still usable and the same indexes are free.
    s.commit(batch({ appends: [{ workflowId: 'w1', index: 1, record: RECORDS[1]! }] }));
    assert.equal(s.history('w1').length, 2);
  });

  withStore('a failing update or signal rolls back the appends before it', (s) => {
    s.commit(start('w1'));
    throwsCode(() => s.commit(batch({
      appends: [{ workflowId: 'w1', index: 1, record: RECORDS[1]! }],
      updates: [{ id: 'ghost', status: 'completed', at: 5 }],
    })), ErrorCode.INTERNAL, 'ghost', 'no such workflow');
    throwsCode(() => s.commit(batch({
      appends: [{ workflowId: 'w1', index: 1, record: RECORDS[1]! }],
      signals: [{ workflowId: 'ghost', topic: 't', from: 'x', payloads: [], at: 1 }],
    })), ErrorCode.INTERNAL, 'ghost');
    assert.equal(s.history('w1').length, 1);
    assert.deepEqual(s.pendingSignals(), []);
  });

  withStore('bugs fail loudly: duplicate create, append or signal to an unknown workflow', (s) => {
    s.commit(start('w1'));
    throwsCode(() => s.commit(batch({ creates: [row('w1')] })), ErrorCode.INTERNAL, 'w1', 'already exists');
    throwsCode(() => s.commit(batch({ appends: [{ workflowId: 'ghost', index: 0, record: RECORDS[0]! }] })), ErrorCode.INTERNAL, 'ghost', 'no such workflow');
    throwsCode(() => s.addSignal({ workflowId: 'ghost', topic: 't', from: 'x', payloads: [], at: 1 }), ErrorCode.INTERNAL, 'ghost');
    assert.deepEqual(s.listWorkflows().map((w) => w.id), ['w1']);
  });

  withStore('a start request (@start) may name a workflow that does not exist yet; it is consumed in the commit that creates it', (s) => {
    const id = s.addSignal({ workflowId: 'new', topic: START_TOPIC, from: 'wippy-cli', payloads: ['{"entry":"app:wf"}', '1'], at: 5 });
    assert.deepEqual(s.pendingSignals().map((p) => [p.id, p.workflowId, p.topic, p.payloads]), [[id, 'new', START_TOPIC, ['{"entry":"app:wf"}', '1']]]);
    // Any other topic needs the workflow, or a start requested for it (its row then comes after the start's).
    throwsCode(() => s.addSignal({ workflowId: 'other', topic: 'go', from: 'x', payloads: [], at: 1 }), ErrorCode.INTERNAL, 'other');
    const early = s.addSignal({ workflowId: 'new', topic: 'go', from: 'x', payloads: [], at: 1 });
    assert.ok(early > id);
    s.commit({ ...start('new'), consumed: [id] });
    assert.deepEqual(s.pendingSignals().map((p) => [p.id, p.topic]), [[early, 'go']]);
    s.commit({ ...emptyBatch(), consumed: [early] });
    assert.deepEqual(s.pendingSignals(), []);
    assert.equal(s.getWorkflow('new')?.status, 'running');
    const next = s.addSignal({ workflowId: 'new', topic: 'go', from: 'x', payloads: [], at: 1 });
    assert.ok(next > id, 'ids are never reused');
  });

  withStore('an empty batch is fine', (s) => {
    s.commit(emptyBatch());
    assert.deepEqual(s.listWorkflows(), []);
  });
}
