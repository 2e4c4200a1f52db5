/**
 * Many nodes on one PostgreSQL database, at the store level (runtime/store/postgres-nodes.ts):
 * the fenced commit, leases that run out, a node whose connection is gone, a clean leave, start
 * requests taken by one node only, and node ids. Each case opens two or three PgStores on one
 * fresh database, as two or three `wippy run` processes would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../base/errors';
import { openStore, PgStore } from '../../runtime/store/index';
import { START_TOPIC } from '../../runtime/store/events';
import { batch, start, throwsCode } from './suite';
import { freshDatabase, type Postgres } from '../../testkit/postgres';
import { until } from '../../testkit/wait';

async function fresh(): Promise<{ url: string; pg: Postgres; database: string }> {
  const { pg, database } = await freshDatabase('wippy_nodes');
  return { url: `postgresql://postgres@127.0.0.1:${pg.port}/${database}`, pg, database };
}

function node(url: string, id: string, leaseMs = 60_000): PgStore {
  return openStore(url, { node: { id, leaseMs, renewMs: Math.min(1000, leaseMs / 2) } }) as PgStore;
}

const step = (id: string, index: number) => batch({ appends: [{ workflowId: id, index, record: { type: 'timer', cmd: index, ms: 1, line: 'wf.lua:1' } }] });

function heartbeat(s: PgStore, limit = 100): Promise<{ err: Error | null; ids: string[] }> {
  return new Promise((resolve) => s.heartbeat(limit, (err, rows) => resolve({ err, ids: rows.map((r) => r.id) })));
}

test('postgres nodes: each node writes its own workflows; a commit touching another node\'s workflow is refused whole', async () => {
  const { url } = await fresh();
  const a = node(url, 'a');
  const b = node(url, 'b');
  try {
    a.commit(start('wa'));
    b.commit(start('wb'));
    a.commit(step('wa', 1));
    throwsCode(() => b.commit(batch({ ...step('wb', 1), appends: [...step('wb', 1).appends, ...step('wa', 2).appends] })), ErrorCode.NODE_LEASE_LOST, 'workflow wa is owned by node a, not b');
    assert.equal(b.historyLength('wb'), 1, 'nothing of the refused batch was written');
    throwsCode(() => b.commit(batch({ updates: [{ id: 'wa', status: 'completed', at: 1 }] })), ErrorCode.NODE_LEASE_LOST, 'owned by node a');
    assert.equal(a.getWorkflow('wa')?.status, 'running');
    // Neither claims the other's: both are alive.
    assert.deepEqual(a.claim(100).map((r) => r.id), []);
    assert.deepEqual(b.claim(100).map((r) => r.id), []);
    assert.deepEqual(a.nodes().map((n) => [n.id, n.workflows]), [['a', 1], ['b', 1]]);
  } finally { a.close(); b.close(); }
});

test('postgres nodes: a lease that ran out: its renewal and commits are refused, another node claims its workflows with their lengths', async () => {
  const { url } = await fresh();
  // Its renewal stops once its main thread has not run for 200 ms (stallMs), then the lease runs out.
  const a = openStore(url, { node: { id: 'a', leaseMs: 400, renewMs: 100, stallMs: 200 } }) as PgStore;
  const b = node(url, 'b');
  try {
    a.commit(start('w1'));
    a.commit(step('w1', 1));
    a.commit(start('w2'));
    // a is stuck: it renews nothing for longer than its lease.
    busy(1000);
    const claimed = b.claim(100);
    assert.deepEqual(claimed.map((r) => r.id).sort(), ['w1', 'w2']);
    assert.equal(b.historyLength('w1'), 2);
    // a comes back: nothing it sends is written, and its renewal says why.
    throwsCode(() => a.commit(step('w1', 2)), ErrorCode.NODE_LEASE_LOST, 'node a lost its lease');
    const beat = await heartbeat(a);
    assert.equal((beat.err as { code?: string } | null)?.code, ErrorCode.NODE_LEASE_LOST);
    b.commit(step('w1', 2));
    assert.equal(b.historyLength('w1'), 3);
    assert.deepEqual(b.nodes().map((n) => n.id), ['b'], 'the dead node\'s row is gone');
  } finally { a.close(); b.close(); }
});

test('postgres nodes: a node whose connection is gone (a killed process) loses its workflows at once, before its lease ends', async () => {
  const { url, pg, database } = await fresh();
  const a = node(url, 'a', 600_000);
  const b = node(url, 'b');
  try {
    a.commit(start('w1'));
    assert.deepEqual(b.claim(100).map((r) => r.id), [], 'alive: not claimable');
    await pg.sql(`SELECT pg_terminate_backend(backend_pid) FROM wippy_nodes WHERE id = 'a'`, database);
    await until(() => b.claim(100).length === 1 || b.getWorkflow('w1') === null, 'b claims w1');
    assert.deepEqual(b.nodes().map((n) => [n.id, n.workflows]), [['b', 1]]);
  } finally { a.close(); b.close(); }
});

test('postgres nodes: a clean close leaves: its workflows and start requests are anyone\'s at once; its id may join again', async () => {
  const { url } = await fresh();
  const a = node(url, 'a', 600_000);
  const b = node(url, 'b');
  a.commit(start('w1'));
  b.addSignal({ workflowId: 'w9', topic: START_TOPIC, from: 'cli', payloads: ['{"entry":"app:wf"}'], at: 1 });
  assert.deepEqual(a.pendingSignals(0).map((s) => s.workflowId), ['w9'], 'a takes the start request');
  assert.deepEqual(b.pendingSignals(0), [], 'b sees it no more');
  a.close();
  try {
    assert.deepEqual(b.claim(100).map((r) => r.id), ['w1']);
    assert.deepEqual(b.pendingSignals(0).map((s) => s.workflowId), ['w9']);
    const again = node(url, 'a');
    try { assert.deepEqual(again.nodes().map((n) => n.id), ['b', 'a']); } finally { again.close(); }
  } finally { b.close(); }
});

test('postgres nodes: a start request is taken by one node; consuming one held by another node is refused', async () => {
  const { url } = await fresh();
  const a = node(url, 'a');
  const b = node(url, 'b');
  try {
    const sids = ['s1', 's2', 's3'].map((w) => a.addSignal({ workflowId: w, topic: START_TOPIC, from: 'cli', payloads: ['{"entry":"app:wf"}'], at: 1 }));
    const [ra, rb] = [a.pendingSignals(0), b.pendingSignals(0)];
    assert.equal(ra.length + rb.length, 3);
    assert.deepEqual([...ra, ...rb].map((s) => s.id).sort((x, y) => x - y), sids);
    const held = ra[0] ?? rb[0];
    const [holder, other] = ra.length > 0 ? [a, b] : [b, a];
    throwsCode(() => other.commit(batch({ ...start(held.workflowId), consumed: [held.id] })), ErrorCode.NODE_LEASE_LOST, `start request ${held.id} is held by another node`);
    holder.commit(batch({ ...start(held.workflowId), consumed: [held.id] }));
    assert.equal(holder.getWorkflow(held.workflowId)?.status, 'running');
    // Signals to a workflow go to its owner's poll only.
    const sid = other.addSignal({ workflowId: held.workflowId, topic: 'go', from: 'x', payloads: [], at: 2 });
    assert.deepEqual(holder.pendingSignals(0).map((s) => s.id), [sid]);
    assert.deepEqual(other.pendingSignals(0), []);
    assert.deepEqual(other.signalsOf([held.workflowId]).map((s) => s.id), [sid]);
  } finally { a.close(); b.close(); }
});

test('postgres nodes: an id in use by a running node is refused with one line; the writerPid is a live node\'s', async () => {
  const { url } = await fresh();
  const a = node(url, 'same');
  try {
    throwsCode(() => node(url, 'same'), ErrorCode.STORE_LOCKED, 'node id same is in use by a running node (pid');
    const r = openStore(url, { lock: false }) as PgStore;
    try {
      assert.equal(r.writerPid(), process.pid);
      throwsCode(() => r.commit(start('x')), ErrorCode.INTERNAL, 'cannot commit');
    } finally { r.close(); }
  } finally { a.close(); }
  const r = openStore(url, { lock: false }) as PgStore;
  try { assert.equal(r.writerPid(), null); } finally { r.close(); }
});

test('postgres nodes: a signal written by anyone notifies every node at once (NOTIFY), so owners need not wait for their poll', async () => {
  const { url } = await fresh();
  const a = node(url, 'a');
  const cli = openStore(url, { lock: false });
  try {
    a.commit(start('w1'));
    let told = 0;
    a.onSignal(() => { told++; });
    cli.addSignal({ workflowId: 'w1', topic: 'go', from: 'cli', payloads: [], at: 1 });
    await until(() => told >= 1, 'the notification');
    // A commit that writes a signal row notifies too (a workflow sending to another node's workflow).
    const before = told;
    a.commit(batch({ signals: [{ workflowId: 'w1', topic: 'again', from: 'w1', payloads: [], at: 2 }] }));
    await until(() => told > before, 'the notification of a committed signal');
  } finally { a.close(); cli.close(); }
});

test('postgres nodes: a dead node\'s workflows are shared out: each live node claims its share, not all of them', async () => {
  const { url, pg, database } = await fresh();
  const a = node(url, 'a', 600_000);
  const b = node(url, 'b');
  const c = node(url, 'c');
  try {
    for (let i = 0; i < 30; i++) a.commit(start(`w${i}`));
    await pg.sql(`SELECT pg_terminate_backend(backend_pid) FROM wippy_nodes WHERE id = 'a'`, database);
    let got = 0;
    await until(() => (got = b.claim(1000).length) > 0, 'b to claim its share');
    assert.equal(got, 15, 'half of 30 for 2 live nodes');
    // The share is of what is left: c takes half of the other 15, and so on until none is left.
    assert.equal(c.claim(1000).length, 8);
    for (let k = 0; k < 10; k++) { b.claim(1000); c.claim(1000); }
    const owned = Object.fromEntries(b.nodes().map((n) => [n.id, n.workflows]));
    assert.equal(owned.b + owned.c, 30, JSON.stringify(owned));
    assert.ok(owned.c >= 8 && owned.b >= 15, JSON.stringify(owned));
  } finally { a.close(); b.close(); c.close(); }
});

/** Keep this thread busy (no timer, no I/O callback runs) for `ms`, as resuming thousands of workflows can. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* busy */ }
}

test('postgres nodes: the lease is renewed beside a busy main thread; a main thread stalled past stallMs gives it up', async () => {
  const { url } = await fresh();
  const a = openStore(url, { node: { id: 'a', leaseMs: 600, renewMs: 150 } }) as PgStore;
  const b = node(url, 'b');
  const c = openStore(url, { node: { id: 'c', leaseMs: 600, renewMs: 150, stallMs: 800 } }) as PgStore;
  try {
    a.commit(start('wa'));
    c.commit(start('wc'));
    let cLost: Error | null = null;
    c.onLost((e) => { cLost = e; });
    // Both main threads (this one) are busy for 2.5 s, four times a's lease: a's lease holds,
    // c's stamp is older than its stallMs, so its renewals stop and its lease runs out.
    busy(2500);
    assert.deepEqual(b.claim(100).map((r) => r.id), ['wc']);
    a.commit(step('wa', 1));
    assert.equal(a.historyLength('wa'), 2, 'a kept its workflow and its commits');
    await until(() => cLost !== null, 'c to hear that its lease is lost');
    assert.match(String(cLost), /event loop has not run for \d+s; it gives its lease up/);
    throwsCode(() => c.commit(step('wc', 1)), ErrorCode.NODE_LEASE_LOST, 'node c');
  } finally { a.close(); b.close(); c.close(); }
});
