// The bad-input corpus, stores: `--db` at something that is not a usable store, and two runs on one
// store, through the real binary (harness: corpus-harness.ts). Signals to unknown or finished
// workflows are in signals.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { integrityCheck, openStore } from '../../runtime/store';
import { otherUser } from '../helpers/other-user';
import { snapshot } from '../../testkit/store';
import { tempDir } from '../../testkit/temp';
import { until } from '../../testkit/wait';
import { wippyAsync, startWippy } from '../../testkit/wippy';
import { CORPUS, copyOf } from './corpus-harness';

// ---------------------------------------------------------------- --db

/** A store with one completed workflow in it (made through the binary). */
async function storeWithOneWorkflow(dir: string, db: string): Promise<void> {
  const r = await wippyAsync(['run', '.', '--db', db, '-x', 'app:wecho', '"kept"'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
}

test('--db at a file that is not SQLite, or at a folder: one line, exit 1, the file left as it was', async () => {
  const dir = copyOf('payloads');
  const notDb = path.join(dir, 'notes.txt');
  fs.writeFileSync(notDb, 'these are my notes, not a database\n'.repeat(100));
  const before = fs.readFileSync(notDb);
  const r = await wippyAsync(['run', '.', '--db', notDb, '-x', 'app:echo', '1'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: store ${notDb}: not a SQLite database (file is not a database); point --db at another file or move this one away\n`);
  assert.equal(r.stdout, '');
  assert.deepEqual(fs.readFileSync(notDb), before);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('notes.txt')), ['notes.txt'], 'no -wal, -shm or lock left beside it');

  const folder = path.join(dir, 'afolder');
  fs.mkdirSync(folder);
  const f = await wippyAsync(['run', '.', '--db', folder, '-x', 'app:echo', '1'], { cwd: dir });
  assert.equal(f.code, 1);
  assert.equal(f.stderr, `error: store ${folder}: is a folder; point --db at a file inside it\n`);
});

test('--db at a read-only store file or in a read-only folder: one line, exit 1, the store intact', { skip: process.platform === 'win32' }, async () => {
  // Root ignores file permissions: run the binary as `nobody` then, from a copy it can read.
  const other = otherUser();
  const asUser = { ...other.spawn, wippy: other.wippy };
  const base = tempDir('wippy-ro-');
  fs.chmodSync(base, 0o755);
  fs.cpSync(path.join(CORPUS, 'payloads'), base, { recursive: true });
  const db = path.join(base, 'store', 'state.db');
  await storeWithOneWorkflow(base, db);
  const before = snapshot(db);
  for (const f of fs.readdirSync(base, { recursive: true }) as string[]) fs.chmodSync(path.join(base, f), fs.statSync(path.join(base, f)).isDirectory() ? 0o755 : 0o644);
  fs.chmodSync(db, 0o444);
  const ro = await wippyAsync(['run', '.', '--db', db, '-x', 'app:echo', '1'], { cwd: base, ...asUser });
  assert.equal(ro.code, 1, ro.stderr);
  assert.equal(ro.stderr, `error: store ${db}: the file is read-only (EACCES); point --db at a writable location\n`);
  fs.chmodSync(path.dirname(db), 0o555);
  const inRo = path.join(path.dirname(db), 'new.db');
  const nf = await wippyAsync(['run', '.', '--db', inRo, '-x', 'app:echo', '1'], { cwd: base, ...asUser });
  assert.equal(nf.code, 1, nf.stderr);
  assert.equal(nf.stderr, `error: store ${inRo}: cannot create lock file ${inRo}.lock (EACCES); point --db at a writable location\n`);
  fs.chmodSync(path.dirname(db), 0o755);
  fs.chmodSync(db, 0o644);
  assert.equal(integrityCheck(db), 'ok');
  assert.equal(snapshot(db), before);
});

test('two wippy run on one store: the second says who holds it and exits 1; the first carries on', async () => {
  const dir = copyOf('payloads');
  fs.writeFileSync(path.join(dir, 'waiter.lua'), 'return function() return process.inbox():receive():payload():data() end\n');
  fs.appendFileSync(path.join(dir, 'registry.yaml'),
    '  - name: waiter\n    kind: workflow.lua\n    source: file://waiter.lua\n    meta: {temporal: {workflow: {worker: app:worker}}}\n');
  const db = path.join(dir, 'state.db');
  const first = startWippy(['run', dir, '--db', db, '-x', 'app:waiter']);
  try {
    await until(() => fs.existsSync(`${db}.lock`) && openStore(db, { lock: false }).listWorkflows().length === 1, 'the first run to start its workflow');
    const before = snapshot(db);
    const second = await wippyAsync(['run', '.', '--db', db, '-x', 'app:echo', '1'], { cwd: dir });
    assert.equal(second.code, 1);
    assert.equal(second.stderr, `error: store ${db}: in use by another wippy process (pid ${first.proc.pid}); stop it first, or delete ${db}.lock if no wippy is running\n`);
    assert.equal(snapshot(db), before, 'the second run wrote nothing');
    // The first one is unaffected: it takes a signal and finishes its workflow.
    const [row] = openStore(db, { lock: false }).listWorkflows();
    const sig = await wippyAsync(['workflow', 'signal', row.id, 'go', '"still here"', '--db', db]);
    assert.equal(sig.code, 0, sig.stderr);
    assert.equal(await first.exited, 0, first.err.join(''));
    assert.equal(first.lines().at(-1), '"still here"');
  } finally {
    first.proc.kill('SIGKILL');
  }
  assert.equal(integrityCheck(db), 'ok');
});
