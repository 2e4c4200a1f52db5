// The crash soak (bench/soak.ts, `npm run soak` runs 200 workflows and 20 kills) in a short
// version: 12 order workflows (plus their 12 children and the root that starts them), the real
// `wippy run` SIGKILLed 3 times at random instants. Nothing may be lost or duplicated; and the
// checker itself is shown to catch a lost execution and a duplicated signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSoak, verify } from '../../bench/soak';
import { openStore } from '../../runtime/store';

const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 100_000);

test(`crash soak, short: 12 workflows, 3 SIGKILLs of wippy run (seed ${SEED}): nothing lost, nothing duplicated`, async () => {
  const r = await runSoak({ workflows: 12, kills: 3, seed: SEED, rounds: 3, cliSignalEvery: 4 });
  assert.deepEqual(r.problems, [], `seed ${SEED}, store ${r.dir}`);
  assert.equal(r.lost, 0);
  assert.equal(r.duplicated, 0);
  assert.ok(r.busyKills >= 1, 'at least one kill hit while workflows were running');
  assert.equal(r.signals.external, 12);
  assert.equal(r.signals.viaCli, 3, 'every 4th external signal went through `wippy workflow signal`');
  assert.ok(r.signals.fromProcess >= 12, 'every order got a signal from the pinger process');

  // The checker is not vacuous: without the executions' stdout every recorded activity is "lost"...
  const db = path.join(r.dir, 'soak.db');
  const stdout = fs.readFileSync(path.join(r.dir, 'stdout.log'), 'utf8').split('\n');
  const sent = new Map(openStore(db, { lock: false }).listWorkflows().filter((w) => w.entry === 'soak:order').map((w) => [w.id, 'store']));
  const noExec = verify(db, 12, 3, stdout.filter((l) => !l.startsWith('EXEC ')), sent);
  assert.equal(noExec.lost, 12 * 6, 'six recorded activities per order (a, three rounds, b, and its leaf\'s) have no execution');
  assert.equal(noExec.duplicated, 0);

  // ...and a signal recorded twice is a duplicate.
  const copy = path.join(r.dir, 'tampered.db');
  fs.copyFileSync(db, copy);
  const s = openStore(copy);
  const victim = s.listWorkflows().find((w) => w.entry === 'soak:order')!;
  const h = s.history(victim.id);
  const ext = h.find((x) => x.type === 'signal' && x.topic === 'ext')!;
  s.commit({ creates: [], appends: [{ workflowId: victim.id, index: h.length, record: ext }], updates: [], signals: [], consumed: [] });
  s.close();
  const dup = verify(copy, 12, 3, stdout, sent);
  assert.equal(dup.lost, 0);
  assert.equal(dup.duplicated, 2, dup.problems.join('\n')); // the signal twice, and records after the end
  assert.ok(dup.problems.some((p) => p.includes(`workflow ${victim.id} got its external signal 2 times`)), dup.problems.join('\n'));
  fs.rmSync(r.dir, { recursive: true, force: true });
});
