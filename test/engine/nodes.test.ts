/**
 * Workflows across nodes of one PostgreSQL database (issue 19), through the Runtime API with a
 * real `wippy run` node SIGKILLed: two nodes take over its workflows (one each: claimLimit 1),
 * a parent on one node and its child on the other; a signal from a third node's API, a send from
 * the parent to the child and the child's end (`@child_done`) all cross nodes through the store;
 * a watch of another node's workflow hears its end; a terminate reaches another node's workflow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wfRegistry } from '../../testkit/registry';
import { freshDatabase } from '../../testkit/postgres';
import { until } from '../../testkit/wait';
import { startWippy, wippy } from '../../testkit/wippy';
import { readStore } from '../../testkit/store';
import type { Outcome } from '../../runtime/engine/engine';
import type { PgStore } from '../../runtime/store';

const WORKFLOWS = {
  parent: `return function()
    local child = process.spawn("app:child", "app:worker")
    local msg = process.inbox():receive()
    assert(process.send(child, "go", msg:payload():data()))
    local ev = process.events():receive()
    return {ev.kind, ev.result.value}
  end`,
  child: 'return function() local msg = process.inbox():receive() return "child got " .. msg:payload():data() end',
  sleeper: 'local time = require("time") return function() time.sleep("1h") return "woke" end',
};

const quiet = { output: { print: () => {}, log: () => {} } };

test('a killed node\'s parent and child move to two nodes; signal, send, child end and a watch cross nodes; each happens once', async () => {
  const fx = wfRegistry(WORKFLOWS);
  const { pg, database } = await freshDatabase('wippy_nodes_engine');
  const url = `postgresql://postgres@127.0.0.1:${pg.port}/${database}`;
  const a = startWippy(['run', fx.dir, '--db', url, '--node-id', 'a', '--lease', '60s']);
  await a.waitFor(/node a joined/);
  const started = wippy(['workflow', 'start', 'app:parent', '--id', 'p1', '--db', url, '--registry', fx.dir]);
  assert.equal(started.code, 0, started.stderr);
  await until(() => readStore(url, (s) => s.getWorkflow('p1/1') !== null || s.listWorkflows().length === 2, false), 'the child to exist');
  const childId = readStore(url, (s) => s.listWorkflows().find((w) => w.parent === 'p1')!.id);
  const aPid = a.proc.pid;
  await a.kill();
  // Its connection closes with it: no lease to wait for (60 s here).
  await until(async () => (await pg.sql(`SELECT 1 FROM pg_stat_activity WHERE datname = '${database}' AND application_name = 'wippy-${aPid}'`)).rowCount === 0, 'node a\'s connection to close');
  const b = fx.open({ ...quiet, db: url, node: { id: 'b' }, claimLimit: 1 });
  const c = fx.open({ ...quiet, db: url, node: { id: 'c' }, claimLimit: 1 });
  try {
    b.startWorkflows();
    c.startWorkflows();
    const owners = readStore(url, (s) => (s as PgStore).nodes().map((n) => [n.id, n.workflows]));
    assert.deepEqual(owners, [['b', 1], ['c', 1]], 'one workflow each');
    const parentEngine = b.engine!.active === 1 && b.engine!.resolveTarget('p1') ? 'b' : 'c';
    const [onParent, other] = parentEngine === 'b' ? [b, c] : [c, b];
    // A watch and a signal from the node that does not run the parent.
    const outcome = new Promise<Outcome>((resolve) => assert.ok(other.engine!.watch('p1', resolve)));
    assert.equal(other.engine!.signal('p1', 'now', '', ['"hi"']), null);
    const o = await outcome;
    assert.ok('result' in o, JSON.stringify(o));
    assert.deepEqual(JSON.parse((o as { result: { value: string } }).result.value), ['pid.exit', 'child got hi']);
    const parentHist = readStore(url, (s) => s.history('p1'));
    assert.equal(parentHist.filter((r) => r.type === 'child_done').length, 1, JSON.stringify(parentHist));
    assert.equal(parentHist.filter((r) => r.type === 'signal').length, 1);
    const childHist = readStore(url, (s) => s.history(childId));
    assert.deepEqual(childHist.filter((r) => r.type === 'signal').map((r) => (r as { topic: string }).topic), ['go']);
    assert.equal(readStore(url, (s) => s.pendingSignals().length), 0, 'every signal row consumed');
    assert.ok(onParent.engine);

    // Terminate reaches a workflow another node runs.
    const r = b.engine!.start('app:sleeper', [], { id: 's1' });
    assert.ok(!('error' in r));
    await until(() => readStore(url, (s) => s.historyLength('s1')) >= 2, 's1 to sleep');
    assert.equal(c.engine!.cancelOrTerminate('s1', 'test', true), null);
    await until(() => readStore(url, (s) => s.getWorkflow('s1')?.status) === 'terminated', 's1 to be terminated');
  } finally {
    b.close();
    c.close();
  }
  assert.deepEqual(readStore(url, (s) => (s as PgStore).nodes()), [], 'both left');
});
