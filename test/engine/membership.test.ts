// The node heartbeat (runtime/engine/membership.ts) against a fake membership: claims are adopted
// with their signals, a refused renewal is one loss, a loss the store reports by itself (its lease
// renewal beside the main thread stopped) is one loss too, and one renewal is on its way at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeHeartbeat } from '../../runtime/engine/membership';
import type { Membership } from '../../runtime/store/store';
import type { WorkflowRow } from '../../runtime/store/events';
import { ErrorCode, WippyError } from '../../base/errors';
import { until } from '../../testkit/wait';

function fake(answer: (done: (err: Error | null, rows: WorkflowRow[]) => void) => void): Membership & { beats: number; fail(e: Error): void } {
  let told: ((e: Error) => void) | null = null;
  const m = {
    nodeId: 'n1', renewMs: 10, leaseMs: 60, beats: 0,
    onLost: (fn: (e: Error) => void) => { told = fn; },
    fail: (e: Error) => told?.(e),
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

test('heartbeat: a loss the store reports by itself stops the beat and is reported once; a renewal with no answer is not asked again', async () => {
  const m = fake(() => { /* never answers */ });
  const lost: Error[] = [];
  const hb = new NodeHeartbeat(m, { adopt: () => [], adoptSignals: () => {}, lost: (e) => lost.push(e) });
  hb.start();
  await until(() => m.beats === 1, 'the first renewal');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(m.beats, 1, 'one renewal on its way at a time');
  m.fail(new WippyError(ErrorCode.NODE_LEASE_LOST, 'its event loop has not run'));
  m.fail(new WippyError(ErrorCode.NODE_LEASE_LOST, 'again'));
  assert.deepEqual(lost.map((e) => e.message), ['its event loop has not run']);
  hb.stop();
});
