// examples/orders through the real `wippy run` on loopback: POST /orders starts an order workflow,
// POST /orders/{id}/approve signals it, GET /orders/{id} reads its state; its activities call a
// payment API (a local server this test runs) through http_client and write their rows to the
// example's SQLite database (orders.db) through `sql`. Then the crash test: `wippy run` SIGKILLed
// while orders are in flight and restarted, and every order completes exactly once, each payment
// call counted once per completed activity and each activity's row written once (read from the
// SQLite file after the run; both idempotent by activity_id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { ROOT } from '../../testkit/wippy';
import { tempDir } from '../../testkit/temp';
import { localServer, startHttpRun, type LocalServer } from '../../testkit/http';
import { until, pool } from '../../testkit/wait';
import { wippy } from '../../testkit/wippy';

/** A copy of examples/orders on free ports, its activities calling `payments`, without the stand-in API. */
function orderApp(payments: LocalServer): string {
  const dir = tempDir('wippy-orders-');
  fs.cpSync(path.join(ROOT, 'examples', 'orders'), dir, { recursive: true, filter: (src) => !path.basename(src).startsWith('.') });
  const yaml = path.join(dir, '_index.yaml');
  const text = fs.readFileSync(yaml, 'utf8')
    .replace('addr: "127.0.0.1:8091"', 'addr: "127.0.0.1:0"')
    .replace(/addr: "127\.0\.0\.1:8092"\n    lifecycle:\n      auto_start: true/, 'addr: "127.0.0.1:0"');
  assert.ok(!text.includes(':8092"'), 'the stand-in payment API is left out');
  fs.writeFileSync(yaml, text);
  fs.writeFileSync(path.join(dir, 'config.lua'), `return {payment_url = "${payments.url}"}\n`);
  return dir;
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, init);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const post = (url: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> => json(url, { method: 'POST', body });

/** The payment API's answer: an id per order and operation (the same for a repeated call, as a real one keeps it per idempotency key), after `delayMs(path)`. */
function paymentApi(delayMs: (path: string) => number = () => 0): Promise<LocalServer> {
  return localServer((r) => ({ body: { id: `${r.path.slice(1)}-${JSON.parse(r.body).order}` }, delayMs: delayMs(r.path) }));
}

test('examples/orders: create, read, approve, read; bad input is answered, not crashed on', async () => {
  const payments = await paymentApi();
  const dir = orderApp(payments);
  const { run, base } = await startHttpRun(dir);
  try {
    assert.deepEqual(await post(`${base}/orders`, '{"id": "o-1", "amount": 30, "item": "book"}'), { status: 201, body: { id: 'o-1' } });
    const generated = await post(`${base}/orders`, '{"amount": 5}');
    assert.equal(generated.status, 201);
    assert.match(String(generated.body.id), /^[0-9a-f]{8}-/);
    const running = await json(`${base}/orders/o-1`);
    assert.equal(running.status, 200);
    assert.equal(running.body.status, 'running');
    // The same id again joins the running order.
    assert.equal((await post(`${base}/orders`, '{"id": "o-1", "amount": 30}')).status, 201);

    const malformed = await post(`${base}/orders`, '{"id": "o-2", "amount": ');
    assert.equal(malformed.status, 400);
    assert.match(String(malformed.body.error), /^the body is not valid JSON: /);
    assert.deepEqual(await post(`${base}/orders`, '{"amount": -1}'), { status: 400, body: { error: 'amount must be a positive number' } });
    assert.deepEqual(await json(`${base}/orders/none`), { status: 404, body: { error: 'no order none' } });
    assert.deepEqual(await post(`${base}/orders/none/approve`, ''), { status: 404, body: { error: 'no order none' } });

    assert.deepEqual(await post(`${base}/orders/o-1/approve`, '{"by": "ann"}'), { status: 202, body: { id: 'o-1', approved_by: 'ann' } });
    await until(async () => (await json(`${base}/orders/o-1`)).body.status === 'completed', 'o-1 to complete');
    assert.deepEqual(await json(`${base}/orders/o-1`), {
      status: 200,
      body: {
        id: 'o-1', status: 'completed',
        result: { id: 'o-1', status: 'completed', amount: 30, reservation: 'reserve-o-1', payment: 'charge-o-1', approved_by: 'ann' },
        stored: { reservation: 'reserve-o-1', payment: 'charge-o-1' },
      },
    });
    assert.deepEqual(await post(`${base}/orders/o-1/approve`, ''), { status: 409, body: { id: 'o-1', status: 'completed', error: 'order o-1 is completed' } });
    assert.deepEqual(await post(`${base}/orders`, '{"id": "o-1", "amount": 30}'), { status: 409, body: { id: 'o-1', error: 'order o-1 already exists' } });
    // The payment API saw o-1 reserved and charged, each with the activity's key.
    const o1 = payments.requests.filter((r) => JSON.parse(r.body).order === 'o-1');
    assert.deepEqual(o1.map((r) => [r.path, r.headers['idempotency-key']]), [['/reserve', 'order-o-1:0'], ['/charge', 'order-o-1:1']]);
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
    await payments.close();
  }
});

test('examples/orders crash test: wippy run SIGKILLed mid-flow and restarted; every order completes once, each payment call counted once, each row written once', async () => {
  const N = 24;
  // Before the kill the API holds every charge (never answered by the first run): each charge
  // activity that reached it has written its row and has no recorded result, so the restarted
  // run runs it again. After the kill every call is answered within 30 ms.
  let killed = false;
  const payments = await paymentApi((p) => (p === '/charge' && !killed ? 600_000 : 30));
  const dir = orderApp(payments);
  const ids = Array.from({ length: N }, (_, i) => `c-${i}`);
  /** Retry a request until the node answers (it is down between the kill and the restart). */
  const retry = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try { return await fn(); } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
  };
  let base = '';
  let held = 0;
  let { run, base: b0 } = await startHttpRun(dir);
  base = b0;
  try {
    // Half the orders created and approved, the rest created; kill once some charges are being made.
    await pool(ids, 8, async (id) => {
      const r = await post(`${base}/orders`, JSON.stringify({ id, amount: 10 }));
      assert.equal(r.status, 201, JSON.stringify(r.body));
    });
    await pool(ids.slice(0, N / 2), 8, async (id) => { assert.equal((await post(`${base}/orders/${id}/approve`, '{"by": "first"}')).status, 202); });
    await until(() => payments.requests.filter((r) => r.path === '/charge').length >= 3, 'some charges to be in flight');
    await run.kill();
    killed = true;
    held = payments.requests.filter((r) => r.path === '/charge').length;

    ({ run, base } = await startHttpRun(dir)); // a new port: the old one may linger
    // The other half approved against the restarted node; a repeated approve is answered too.
    await pool(ids.slice(N / 2), 8, async (id) => { assert.equal((await retry(() => post(`${base}/orders/${id}/approve`, '{"by": "second"}'))).status, 202); });
    await until(async () => {
      const states = await Promise.all(ids.map((id) => json(`${base}/orders/${id}`)));
      return states.every((s) => s.body.status === 'completed');
    }, 'every order to complete', 60_000);
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
    await payments.close();
  }
  // Exactly one workflow per order, each completed once.
  const list = wippy(['workflow', 'list', '--json', '--registry', dir]);
  assert.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as Array<{ id: string; status: string }>;
  assert.deepEqual(rows.map((r) => r.id).sort(), ids.map((id) => `order-${id}`).sort());
  assert.ok(rows.every((r) => r.status === 'completed'), JSON.stringify(rows));
  // Each order: one reserve key and one charge key (a re-run repeats the key, the API counts it once).
  for (const id of ids) {
    const calls = payments.requests.filter((r) => JSON.parse(r.body).order === id);
    const keys = (p: string): string[] => [...new Set(calls.filter((r) => r.path === p).map((r) => String(r.headers['idempotency-key'])))];
    assert.deepEqual(keys('/reserve'), [`order-${id}:0`], id);
    assert.deepEqual(keys('/charge'), [`order-${id}:1`], id);
  }
  // The held charges ran again after the restart (so their rows below were inserted by two runs of
  // those activities): every order charged by the restarted run, plus the held calls.
  assert.ok(held >= 3);
  assert.ok(payments.requests.filter((r) => r.path === '/charge').length >= N + held);
  // The database: exactly one row per order in each table, keyed by its activity's id (the key
  // is not the order id, so a re-run under a new activity id would show as a second row).
  const db = new Database(path.join(dir, 'orders.db'), { readonly: true });
  try {
    const rows = (table: string): string[] => (db.prepare(`SELECT order_id, activity_id FROM ${table} ORDER BY order_id`).all() as Array<{ order_id: string; activity_id: string }>)
      .map((r) => `${r.order_id} ${r.activity_id}`);
    const sorted = [...ids].sort();
    assert.deepEqual(rows('orders'), sorted.map((id) => `${id} order-${id}:0`));
    assert.deepEqual(rows('charges'), sorted.map((id) => `${id} order-${id}:1`));
    const filled = (sqlText: string): unknown[] => (db.prepare(sqlText).all() as Array<{ v: unknown }>).map((r) => r.v);
    assert.deepEqual(filled('SELECT reservation AS v FROM orders ORDER BY order_id'), sorted.map((id) => `reserve-${id}`));
    assert.deepEqual(filled('SELECT payment AS v FROM charges ORDER BY order_id'), sorted.map((id) => `charge-${id}`));
  } finally {
    db.close();
  }
});
