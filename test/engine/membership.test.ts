// The node heartbeat (runtime/engine/membership.ts) against a fake membership: claims are adopted
// with their signals, a refused renewal is one loss, and a renewal that never comes back (a hung
// connection) is a loss once a whole lease has passed, never twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeHeartbeat } from '../../runtime/engine/membership';
import type { Membership } from '../../runtime/store/store';
import type { WorkflowRow } from '../../runtime/store/events';
import { ErrorCode, WippyError } from '../../base/errors';
import { until } from '../../testkit/wait';

function fake(answer: (done: (err: Error | null, rows: WorkflowRow[]) => void) => void): Membership & { beats: number } {
  const m = {
    nodeId: 'n1', renewMs: 10, leaseMs: 60, beats: 0,
    claim: () => [],
    heartbeat(_limit: number, done: (err: Error | null, rows: WorkflowRow[]) => void) { m.beats++; answer(done); },
    signalsOf: () => [],
    onSignal: () => {},
  };
  return m;
}

const row = (id: string): WorkflowRow => ({ id, entry: 'app:wf', worker: 'app:w', status: 'running', input: [], parent: null, result: null, error: null, parked: null, createdAt: 1, updatedAt: 1 });

test('heartbeat: claimed rows are adopted, then their signals; a refused renewal is reported once and the beat stops', async () => {
  let n = 0;
  const m = fake((done) => { n++; if (n === 1) done(null, [row('a'), row('b')]); else if (n === 2) done(null, []); else done(new WippyError(ErrorCode.NODE_LEASE_LOST, 'lost'), []); });
  const adopted: string[][] = [];
  const signals: string[][] = [];
  const lost: string[] = [];
  const hb = new NodeHeartbeat(m, { adopt: (rows) => { const ids = rows.map((r) => r.id).filter((id) => id !== 'b'); adopted.push(ids); return ids; }, adoptSignals: (ids) => signals.push(ids), lost: (e) => lost.push(e.message) });
  hb.start();
  await until(() => lost.length === 1, 'the loss');
  const beats = m.beats;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(m.beats, beats, 'no renewal after the loss');
  assert.deepEqual(adopted, [['a']]);
  assert.deepEqual(signals, [['a']], 'the signals of what was actually resumed');
  assert.deepEqual(lost, ['lost']);
});

test('heartbeat: a renewal with no answer for a whole lease is a loss (a hung connection), reported once', async () => {
  const m = fake(() => { /* never answers */ });
  const lost: Error[] = [];
  const hb = new NodeHeartbeat(m, { adopt: () => [], adoptSignals: () => {}, lost: (e) => lost.push(e) });
  hb.start();
  await until(() => lost.length > 0, 'the loss');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(lost.length, 1);
  assert.equal((lost[0] as WippyError).code, ErrorCode.NODE_LEASE_LOST);
  assert.match(lost[0].message, /did not answer a lease renewal within the lease/);
  assert.equal(m.beats, 1, 'one renewal on its way at a time');
  hb.stop();
});
