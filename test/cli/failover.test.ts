/**
 * Failover through the real binary (issue 19): three `wippy run` nodes on one PostgreSQL
 * database run 300 workflows (activities, timers, a signal each); one node is SIGKILLed mid-run.
 * Every workflow completes exactly once, no activity result is recorded twice, every signal is
 * delivered once, and the killed node's workflows finish on the other two. Side effects are
 * counted from the nodes' stdout FILES (a pipe loses lines at a SIGKILL). How long the takeover
 * took is a benchmark figure (bench/postgres.ts), never asserted here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { wfRegistry } from '../../testkit/registry';
import { freshDatabase } from '../../testkit/postgres';
import { until } from '../../testkit/wait';
import { completeLines, startWippy, type WippyRun } from '../../testkit/wippy';
import { openStore } from '../../runtime/store';
import { startRequestRow } from '../../runtime/engine/addressing';
import { sendSignal } from '../../app/control';

const N = 300;
const WORKFLOWS = {
  order: `local funcs, time = require("funcs"), require("time")
    return function(i)
      funcs.call("app:step", i, 1)
      time.sleep("200ms")
      local msg = process.inbox():receive()
      funcs.call("app:step", i, 2)
      time.sleep("100ms")
      funcs.call("app:step", i, 3)
      return {i = i, approved = msg:payload():data()}
    end`,
};
const FUNCTIONS = { step: 'return function(i, k) print("STEP " .. i .. " " .. k) return k end' };

test('3 nodes, 300 workflows, one node SIGKILLed mid-run: each completes once, every step recorded once, every signal delivered once, the killed node\'s workflows finish on the others', { timeout: 280_000 }, async () => {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  const { pg, database } = await freshDatabase('wippy_failover');
  const url = `postgresql://postgres@127.0.0.1:${pg.port}/${database}`;
  const ids = ['n1', 'n2', 'n3'];
  const nodes: WippyRun[] = ids.map((id) => startWippy(['run', fx.dir, '--db', url, '--node-id', id, '--lease', '2s', '--lease-renew', '500ms'], { stdoutFile: path.join(fx.dir, `${id}.stdout`) }));
  const owned = async (id: string): Promise<string[]> =>
    (await pg.sql(`SELECT id FROM workflows WHERE owner = '${id}' AND status = 'running' ORDER BY id`, database)).rows.map((r: { id: string }) => r.id);
  const steps = (): string[] => ids.flatMap((id) => completeLines(path.join(fx.dir, `${id}.stdout`)).filter((l) => l.startsWith('STEP ')));
  try {
    await Promise.all(nodes.map((n, i) => n.waitFor(new RegExp(`node ${ids[i]} joined`))));
    const store = openStore(url, { lock: false });
    try {
      for (let i = 1; i <= N; i++) store.addSignal(startRequestRow({ id: `o${i}`, entry: 'app:order', input: [String(i)] }, 'test', Date.now()));
      // Starts are spread: each node's poll takes a few at a time.
      await until(async () => steps().length >= N / 5 && (await owned('n1')).length >= 10, 'the nodes to be well into the work');
      // Its workflows, as it dies: none can end before the kill (each waits for its signal).
      const lost = await owned('n1');
      await nodes[0].kill();
      for (let i = 1; i <= N; i++) sendSignal(store, `o${i}`, 'approve', [`"yes ${i}"`]);
      await until(() => store.countWorkflows({}, N).counts.completed === N, 'every workflow to complete', 240_000, 250);

      for (let i = 1; i <= N; i++) {
        const w = store.getWorkflow(`o${i}`)!;
        assert.deepEqual(JSON.parse(w.result!), { i, approved: `yes ${i}` }, `o${i}`);
        const h = store.history(`o${i}`);
        const done = h.filter((r) => r.type === 'call_done').map((r) => (r as { of: number }).of);
        assert.equal(done.length, 3, `o${i}: three step results, each once: ${JSON.stringify(done)}`);
        assert.equal(new Set(done).size, 3, `o${i}`);
        assert.equal(h.filter((r) => r.type === 'signal').length, 1, `o${i}: the signal once`);
        assert.equal(h.filter((r) => r.type === 'completed').length, 1, `o${i}`);
      }
      assert.equal(store.pendingSignals().length, 0, 'every signal and start request consumed');
      // Every step ran; only a step the killed node had on its way may have run twice.
      const counts = new Map<string, number>();
      for (const l of steps()) counts.set(l, (counts.get(l) ?? 0) + 1);
      for (let i = 1; i <= N; i++) for (const k of [1, 2, 3]) assert.ok((counts.get(`STEP ${i} ${k}`) ?? 0) >= 1, `STEP ${i} ${k} ran`);
      const again = [...counts].filter(([, n]) => n > 1).map(([l]) => l);
      const lostSet = new Set(lost);
      assert.ok(again.every((l) => lostSet.has(`o${l.split(' ')[1]}`)), `repeated steps belong to the killed node's workflows: ${again.join(', ')}`);
      // The killed node's workflows were taken over and finished by the other two.
      assert.ok(lost.length >= 10);
      const finishers = await pg.sql(`SELECT DISTINCT owner FROM workflows WHERE id IN (${lost.map((x) => `'${x}'`).join(',')}) ORDER BY owner`, database);
      const by = finishers.rows.map((r: { owner: string }) => r.owner);
      assert.ok(by.length > 0 && by.every((o: string) => o === 'n2' || o === 'n3'), `finished by ${by.join(', ')}`);
    } finally {
      store.close();
    }
    for (const n of nodes.slice(1)) assert.equal(await n.stop(), 0, n.stderr());
  } finally {
    for (const n of nodes) if (n.alive) await n.kill();
  }
});

test('a node paused past its lease loses its workflows to the other node, writes nothing after, and joins again when it resumes', { timeout: 200_000 }, async () => {
  const fx = wfRegistry({
    steps: `local funcs, time = require("funcs"), require("time")
      return function(n) for i = 1, n do funcs.call("app:step", n, i) time.sleep("100ms") end return n end`,
  }, FUNCTIONS);
  const { pg, database } = await freshDatabase('wippy_pause');
  const url = `postgresql://postgres@127.0.0.1:${pg.port}/${database}`;
  const out = (id: string): string => path.join(fx.dir, `${id}.stdout`);
  const node = (id: string): WippyRun => startWippy(['run', fx.dir, '--db', url, '--node-id', id, '--lease', '1s', '--lease-renew', '250ms'], { stdoutFile: out(id) });
  const a = node('pa');
  try {
    await a.waitFor(/node pa joined/);
    const store = openStore(url, { lock: false });
    try {
      for (let i = 1; i <= 5; i++) store.addSignal(startRequestRow({ id: `w${i}`, entry: 'app:steps', input: ['30'] }, 'test', Date.now()));
      await until(() => completeLines(out('pa')).length >= 10, 'node pa to be running the workflows');
      const b = node('pb');
      try {
        await b.waitFor(/node pb joined/);
        a.proc.kill('SIGSTOP');
        const stoppedAt = completeLines(out('pa')).length;
        // pb takes every workflow once pa's lease has run out.
        await until(async () => (await pg.sql(`SELECT count(*)::int AS n FROM workflows WHERE owner = 'pb'`, database)).rows[0].n === 5, 'node pb to own all five');
        a.proc.kill('SIGCONT');
        await a.waitFor(/node pa lost its lease .*dropped its workflows .*joins again/);
        await a.waitFor(/node pa joined .* again/);
        await until(() => store.countWorkflows({}, 10).counts.completed === 5, 'all five to complete', 120_000, 100);
        for (let i = 1; i <= 5; i++) {
          const h = store.history(`w${i}`);
          const done = h.filter((r) => r.type === 'call_done').map((r) => (r as { of: number }).of);
          assert.equal(done.length, 30, `w${i}: every step result once`);
          assert.equal(new Set(done).size, 30, `w${i}`);
        }
        // After it resumed, pa ran at most the steps it had on its way when it was stopped.
        assert.ok(completeLines(out('pa')).length - stoppedAt <= 5, `pa printed ${completeLines(out('pa')).length - stoppedAt} lines after its pause`);
        assert.equal(await b.stop(), 0, b.stderr());
      } finally {
        if (b.alive) await b.kill();
      }
    } finally {
      store.close();
    }
    assert.equal(await a.stop(), 0, a.stderr());
  } finally {
    if (a.alive) { a.proc.kill('SIGCONT'); await a.kill(); }
  }
});
