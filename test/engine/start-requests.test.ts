// Start requests (`@start` rows, as `wippy workflow start` writes them) taken by an engine: at its
// start and by its poll; one it cannot honour is consumed and dropped with one warning line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wfRegistry } from '../../testkit/registry';
import { until } from '../../testkit/wait';
import { openStore } from '../../runtime/store';
import { startRequestRow } from '../../runtime/engine/addressing';

const WF = { echo: 'return function(x) return {got = x} end' };

function request(db: string, id: string, entry: string, input: string[]): void {
  const s = openStore(db, { lock: false });
  try { s.addSignal(startRequestRow({ id, entry, input }, 'test', Date.now())); } finally { s.close(); }
}

test('start requests: taken at start-up and by the poll; an unknown entry or a taken id is dropped with one warning', async () => {
  const fx = wfRegistry(WF);
  const logs: string[] = [];
  const quiet = { print: () => {}, log: (level: string, m: string) => { logs.push(`[${level}] ${m}`); } };
  // Create the store, then leave a request in it for the next start.
  fx.open().close();
  request(fx.db, 'a', 'app:echo', ['1']);
  const rt = fx.open({ output: quiet });
  const engine = rt.startWorkflows()!;
  engine.pollSignals(20);
  const store = openStore(fx.db, { lock: false });
  try {
    await until(() => store.getWorkflow('a')?.status === 'completed', 'a to complete');
    assert.equal(store.getWorkflow('a')!.result, '{"got":1}');
    request(fx.db, 'b', 'app:echo', ['"two"']);
    request(fx.db, 'c', 'app:missing', []);
    request(fx.db, 'a', 'app:echo', ['3']);
    await until(() => store.getWorkflow('b')?.status === 'completed' && store.pendingSignals().length === 0, 'b to complete and every request to be taken');
    assert.equal(store.getWorkflow('c'), null);
    assert.equal(store.getWorkflow('a')!.result, '{"got":1}', 'the first run of a is kept');
    assert.deepEqual(logs, [
      '[warn] dropped the start of workflow c requested by test: no workflow.lua entry app:missing',
      '[warn] dropped the start of workflow a requested by test: workflow a already exists (it has completed; a store keeps one run per workflow id: choose another id)',
    ]);
  } finally {
    store.close();
    rt.close();
  }
});
