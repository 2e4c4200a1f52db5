// The crash soak (testkit/soak/, `npm run soak` runs 1,000 workflows and 20 kills) in a short
// version: 12 order workflows (plus their 12 children and the root that starts them; orders 3, 6,
// 9 and 12 retry an activity with a long backoff), the real `wippy run` SIGKILLed 3 times at
// random instants. Nothing may be lost or duplicated; and the checker itself is shown to catch a
// lost execution, a duplicated signal, an attempt past maximum_attempts and a finished attempt
// that ran again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSoak, SoakRuns } from '../../testkit/soak/run';
import { verify, readRuns } from '../../testkit/soak/verify';
import { tempDir, keepTemp } from '../../testkit/temp';
import { openStore } from '../../runtime/store';

const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 100_000);

test(`crash soak, short: 12 workflows, 3 SIGKILLs of wippy run (seed ${SEED}): nothing lost, nothing duplicated`, async () => {
  const r = await runSoak({ workflows: 12, kills: 3, seed: SEED, rounds: 3, cliSignalEvery: 4 });
  if (r.problems.length) keepTemp(r.dir); // named in the failure below, for a post-mortem
  assert.deepEqual(r.problems, [], `seed ${SEED}, store ${r.dir}`);
  assert.equal(r.lost, 0);
  assert.equal(r.duplicated, 0);
  assert.ok(r.busyKills >= 1, 'at least one kill hit while workflows were running');
  assert.equal(r.signals.external, 12);
  assert.equal(r.signals.viaCli, 3, 'every 4th external signal went through `wippy workflow signal`');
  assert.ok(r.signals.fromProcess >= 12, 'every order got a signal from the pinger process');

  // The checker is not vacuous: without the executions' stdout every recorded activity is "lost"...
  const db = path.join(r.dir, 'soak.db');
  const runs = readRuns(r.dir);
  assert.ok(runs.length >= 4, 'a run per start, read back from its stdout file');
  const sent = new Map(openStore(db, { lock: false }).listWorkflows().filter((w) => w.entry === 'soak:order').map((w) => [w.id, 'store']));
  const noExec = verify(db, 12, 3, runs.map((x) => ({ ...x, lines: x.lines.filter((l) => !l.startsWith('EXEC ')) })), sent);
  assert.equal(noExec.lost, 12 * 6 + 4, 'six recorded activities per order (a, three rounds, b, and its leaf\'s) and 4 retried ones have no execution');
  assert.equal(noExec.duplicated, 0);

  // ...an attempt past maximum_attempts, or a finished (recorded) attempt run again, is a duplicate.
  const s0 = openStore(db, { lock: false });
  const order3 = s0.listWorkflows().find((w) => w.entry === 'soak:order' && w.input[0] === '3')!;
  const retryCall = s0.history(order3.id).find((x) => x.type === 'call' && x.args[0] === '"retry"')!;
  const finalLengths = new Map(s0.listWorkflows().map((w) => [w.id, s0.historyLength(w.id)]));
  s0.close();
  assert.ok(retryCall.type === 'call');
  const key = `${order3.id}:${retryCall.cmd}`;
  const extra = { lines: [`EXEC ${key} ${order3.id} retry 3 1`, `EXEC ${key} ${order3.id} retry 3 4`], startLengths: finalLengths };
  const over = verify(db, 12, 3, [...runs, extra], sent);
  assert.equal(over.lost, 0, over.problems.join('\n'));
  assert.deepEqual(over.problems.map((p) => p.replace(/ \(.*?\):/, ':')), [
    `duplicated: activity ${key}: attempt 1 ran again in run ${runs.length + 1}, after its failure was recorded`,
    `duplicated: activity ${key}: attempt 4 ran (maximum_attempts 3)`,
    `duplicated: activity ${key}: attempt 4 ran, but only 3 are recorded`,
  ]);

  // ...and a signal recorded twice is a duplicate.
  const copy = path.join(r.dir, 'tampered.db');
  fs.copyFileSync(db, copy);
  const s = openStore(copy);
  const victim = s.listWorkflows().find((w) => w.entry === 'soak:order')!;
  const h = s.history(victim.id);
  const ext = h.find((x) => x.type === 'signal' && x.topic === 'ext')!;
  s.commit({ creates: [], appends: [{ workflowId: victim.id, index: h.length, record: ext }], updates: [], signals: [], consumed: [] });
  s.close();
  const dup = verify(copy, 12, 3, runs, sent);
  assert.equal(dup.lost, 0);
  assert.equal(dup.duplicated, 2, dup.problems.join('\n')); // the signal twice, and records after the end
  assert.ok(dup.problems.some((p) => p.includes(`workflow ${victim.id} got its external signal 2 times`)), dup.problems.join('\n'));
});

test('the soak reads what a run printed from a file: every line written before a SIGKILL is there', async () => {
  // A pipe loses the lines Node still queues for it when the process is killed (~2,000 of 200,000
  // arrive), which the checker took for lost executions; a file gets every line written.
  const dir = tempDir();
  const driver = new SoakRuns(dir, path.join(dir, 'none.db'), ['-e']);
  const run = driver.start(['for (let i = 0; i < 200000; i++) process.stdout.write(`EXEC ${i}\\n`); process.kill(process.pid, "SIGKILL")']);
  await run.exited;
  const [only] = readRuns(dir);
  assert.equal(only.lines.length, 200000);
  assert.equal(only.lines[199999], 'EXEC 199999');
});
