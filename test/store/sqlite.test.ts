/**
 * SqliteStore: the shared HistoryStore contract on a real file, plus what only a file store has —
 * reopening, refusing what is not a store, unwritable places, the process lock, migrations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { ErrorCode, isWippyError } from '../../base/errors';
import { MIGRATIONS, SqliteStore, integrityCheck, openStore } from '../../runtime/store/index';
import { runMigrations } from '../../runtime/store/migrations';
import { RECORDS, batch, row, start, storeSuite, throwsCode } from './suite';
import { otherUser } from '../helpers/other-user';
import { tempDir } from '../../testkit/temp';

const STORE_MODULE = path.resolve(__dirname, '../../runtime/store/index.js');

const tmpDir = (): string => tempDir('wippy-store-');

function withDir(body: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = tmpDir();
    try { await body(dir); } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  };
}

storeSuite('sqlite', () => {
  const dir = tmpDir();
  const store = openStore(path.join(dir, 'nested', 'deeper', 'wippy.db'));
  return { store, dispose: () => { store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
});

storeSuite('sqlite :memory:', () => {
  const store = openStore(':memory:');
  return { store, dispose: () => store.close() };
});

test('sqlite: a reopened store has everything, and a failed batch left nothing', withDir((dir) => {
  const file = path.join(dir, 'w.db');
  let s = openStore(file);
  s.commit(batch({ creates: [row('w1')], appends: RECORDS.map((record, index) => ({ workflowId: 'w1', index, record })) }));
  s.commit(batch({ updates: [{ id: 'w1', status: 'completed', result: '{"ok":true}', at: 1502 }] }));
  s.commit(start('w2', { createdAt: 2000 }));
  const sig = s.addSignal({ workflowId: 'w2', topic: 'go', from: 'cli', payloads: ['1'], at: 2001 });
  assert.throws(() => s.commit(batch({ creates: [row('w3')], appends: [{ workflowId: 'w2', index: 0, record: RECORDS[0]! }] })));
  s.close();
  s.close(); // idempotent
  assert.ok(!fs.existsSync(`${file}.lock`), 'close() releases the lock');

  s = openStore(file);
  assert.deepEqual(s.history('w1'), RECORDS);
  assert.equal(s.getWorkflow('w1')!.status, 'completed');
  assert.equal(s.getWorkflow('w1')!.result, '{"ok":true}');
  assert.deepEqual(s.listWorkflows(['running']).map((w) => w.id), ['w2']);
  assert.equal(s.getWorkflow('w3'), null);
  assert.deepEqual(s.pendingSignals().map((p) => p.id), [sig]);
  assert.ok(s.addSignal({ workflowId: 'w2', topic: 'go', from: 'cli', payloads: [], at: 1 }) > sig);
  s.close();
  assert.equal(integrityCheck(file), 'ok');
}));

test('sqlite: a file that is not a SQLite database gives a clear WippyError and is left alone', withDir((dir) => {
  const file = path.join(dir, 'notes.txt');
  const text = 'these are my notes, not a database\n'.repeat(200);
  fs.writeFileSync(file, text);
  for (const open of [() => openStore(file), () => openStore(file, { lock: false }), () => integrityCheck(file)]) {
    assert.throws(open, (e: unknown) => {
      assert.ok(isWippyError(e, ErrorCode.STORE_INVALID), String(e));
      assert.ok(e.userFacing);
      assert.ok(!(e instanceof Database.SqliteError));
      assert.match(e.message, /notes\.txt: not a SQLite database \(file is not a database\)/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  }
  assert.equal(fs.readFileSync(file, 'utf8'), text);
  assert.ok(!fs.existsSync(`${file}.lock`), 'the lock is released when opening fails');
  const label = `--db ${file}`;
  throwsCode(() => openStore(file, { label }), ErrorCode.STORE_INVALID, `${label}: not a SQLite database`);
}));

test('sqlite: another application\'s database is refused, not written into', withDir((dir) => {
  const file = path.join(dir, 'app.db');
  const other = new Database(file);
  other.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
  other.close();
  throwsCode(() => openStore(file), ErrorCode.STORE_INVALID, file, 'not a wippy store', "'users'");
  const again = new Database(file);
  assert.deepEqual(again.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ['users']);
  again.close();
}));

test('sqlite: unwritable places give a clear WippyError', withDir((dir) => {
  const file = path.join(dir, 'plain-file');
  fs.writeFileSync(file, 'x');
  throwsCode(() => openStore(path.join(file, 'sub', 'w.db')), ErrorCode.STORE_INVALID, 'cannot create folder', 'ENOTDIR', 'writable location');
  throwsCode(() => openStore(dir), ErrorCode.STORE_INVALID, dir, 'is a folder');
  throwsCode(() => openStore(path.join(dir, 'missing.db'), { create: false }), ErrorCode.STORE_INVALID, 'missing.db', 'no such file');
  assert.ok(!fs.existsSync(path.join(dir, 'missing.db')));
}));

/** Open a store in a child process, as `nobody` when we are root (root ignores permissions). */
function openAsOtherUser(file: string): { code?: string; message?: string; userFacing?: boolean; ok?: boolean } {
  const other = otherUser();
  const script = `
    const { openStore } = require(${JSON.stringify(other.module('dist/runtime/store/index.js'))});
    try { const s = openStore(${JSON.stringify(file)}); s.commit({ creates: [], appends: [], updates: [], signals: [], consumed: [] }); s.close(); console.log(JSON.stringify({ ok: true })); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, userFacing: e.userFacing, name: e.name })); }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: other.root, ...other.spawn });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim()) as { code?: string; message?: string; userFacing?: boolean };
}

test('sqlite: a read-only folder or a read-only store file gives a clear WippyError', { skip: process.platform === 'win32' }, withDir((dir) => {
  fs.chmodSync(dir, 0o755);
  const ro = path.join(dir, 'ro');
  fs.mkdirSync(ro, { mode: 0o755 });
  fs.chmodSync(ro, 0o555);
  let r = openAsOtherUser(path.join(ro, 'w.db'));
  assert.equal(r.code, ErrorCode.STORE_INVALID, r.message);
  assert.ok(r.userFacing);
  assert.match(r.message!, /ro\/w\.db: cannot create lock file .*\(EACCES\); point --db at a writable location$/);

  const rw = path.join(dir, 'rw');
  fs.mkdirSync(rw);
  fs.chmodSync(rw, 0o777);
  const file = path.join(rw, 'w.db');
  openStore(file).close();
  fs.chmodSync(file, 0o444);
  r = openAsOtherUser(file);
  assert.equal(r.code, ErrorCode.STORE_INVALID, r.message);
  assert.ok(r.message!.startsWith(`store ${file}: `), r.message);
  assert.match(r.message!, /the file is read-only \(EACCES\); point --db at a writable location$/);
  assert.ok(!r.message!.includes('\n'));
}));

test('sqlite: a second locked open fails fast and names the holder; lock:false readers are fine', withDir((dir) => {
  const file = path.join(dir, 'w.db');
  const a = openStore(file);
  try {
    assert.equal(fs.readFileSync(`${file}.lock`, 'utf8').trim(), String(process.pid));
    throwsCode(() => openStore(file), ErrorCode.STORE_LOCKED, file, 'in use', 'this process');
    a.commit(start('w1'));
    const reader = openStore(file, { lock: false });
    assert.deepEqual(reader.history('w1').map((r) => r.type), ['started']);
    reader.close();
    assert.ok(fs.existsSync(`${file}.lock`), "a lock:false store's close() leaves the writer's lock");
  } finally {
    a.close();
  }
  openStore(file).close();
}));

test('sqlite: a lock held by another live process blocks; once it is killed, the stale lock is taken over', withDir(async (dir) => {
  const file = path.join(dir, 'w.db');
  const child = spawn(process.execPath, ['-e', `
    const s = require(${JSON.stringify(STORE_MODULE)}).openStore(${JSON.stringify(file)});
    console.log('ready'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    throwsCode(() => openStore(file), ErrorCode.STORE_LOCKED, file, `pid ${child.pid}`, `${file}.lock`);
  } finally {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  assert.equal(fs.readFileSync(`${file}.lock`, 'utf8').trim(), String(child.pid), 'SIGKILL leaves the lock behind');
  const s = openStore(file);
  assert.equal(fs.readFileSync(`${file}.lock`, 'utf8').trim(), String(process.pid));
  s.close();
}));

test('sqlite: stale lock files (dead pid, unreadable pid) are taken over', withDir((dir) => {
  const file = path.join(dir, 'w.db');
  fs.writeFileSync(`${file}.lock`, '999999\n');
  let s = openStore(file);
  assert.equal(fs.readFileSync(`${file}.lock`, 'utf8').trim(), String(process.pid));
  s.close();
  assert.ok(!fs.existsSync(`${file}.lock`));

  // Garbage just written may be a lock being created: held. Old garbage: stale.
  fs.writeFileSync(`${file}.lock`, '');
  throwsCode(() => openStore(file), ErrorCode.STORE_LOCKED, 'starting up');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(`${file}.lock`, old, old);
  s = openStore(file);
  s.close();
  // Our own pid left by an earlier life of this pid (containers reuse pid 1): not held, so stale.
  fs.writeFileSync(`${file}.lock`, `${process.pid}\n`);
  openStore(file).close();
}));

test('sqlite: migrations are recorded once, in order; a newer store is refused', withDir((dir) => {
  const file = path.join(dir, 'w.db');
  const s = openStore(file);
  assert.deepEqual(s.appliedMigrations(), MIGRATIONS.map((m) => m.name));
  s.close();
  const db = new Database(file);
  const rows = db.prepare('SELECT name, applied_at FROM migrations ORDER BY rowid').all() as Array<{ name: string; applied_at: number }>;
  assert.deepEqual(rows.map((r) => r.name), MIGRATIONS.map((m) => m.name));
  assert.ok(rows.every((r) => typeof r.applied_at === 'number' && Math.abs(r.applied_at - Date.now()) < 60_000));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.deepEqual(runMigrations(db, 'x'), [], 'nothing left to apply');
  // A newer wippy adds a migration; this one must refuse the store rather than guess.
  assert.deepEqual(runMigrations(db, 'x', [...MIGRATIONS, { name: '9999_future', sql: 'CREATE TABLE future (x)' }]), ['9999_future']);
  db.close();
  throwsCode(() => openStore(file), ErrorCode.STORE_INVALID, file, 'written by a newer wippy', '9999_future');
  assert.ok(!fs.existsSync(`${file}.lock`));
}));

test('sqlite: integrityCheck reports ok on a sound store and a clear error otherwise', withDir((dir) => {
  const file = path.join(dir, 'w.db');
  const s = new SqliteStore(file);
  s.commit(start('w1'));
  assert.equal(integrityCheck(file), 'ok', 'works beside an open writer');
  s.close();
  throwsCode(() => integrityCheck(path.join(dir, 'none.db')), ErrorCode.STORE_INVALID, 'none.db', 'no such file');
}));

/** A store file as an older wippy left it: its first `applied` migrations and one workflow row (left open). */
function olderStore(file: string, applied: number, w: { id: string; status: string; result: string | null; createdAt: number; updatedAt: number }): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  runMigrations(db, 'old', MIGRATIONS.slice(0, applied));
  db.prepare(`INSERT INTO workflows (id, entry, worker, status, input, parent, result, error, parked, created_at, updated_at)
    VALUES (?, 'app:wf', 'app:worker', ?, '[]', NULL, ?, NULL, NULL, ?, ?)`).run(w.id, w.status, w.result, w.createdAt, w.updatedAt);
  return db;
}

test('sqlite: a store written before 0002 (one row per record, clustered table) upgrades with its history intact', withDir((dir) => {
  const file = path.join(dir, 'old.db');
  const db = olderStore(file, 1, { id: 'w1', status: 'running', result: null, createdAt: 1, updatedAt: 1 });
  const ins = db.prepare('INSERT INTO history (workflow_id, idx, type, data) VALUES (?, ?, ?, ?)');
  // Inserted out of order: the upgrade must keep index order.
  for (const i of [2, 0, 1]) ins.run('w1', i, RECORDS[i].type, JSON.stringify(RECORDS[i]));
  db.close();

  const s = openStore(file);
  try {
    assert.deepEqual(s.appliedMigrations(), MIGRATIONS.map((m) => m.name));
    assert.deepEqual(s.history('w1'), RECORDS.slice(0, 3));
    // New appends after the upgrade share rows and read back after the old ones.
    s.commit(batch({ appends: [{ workflowId: 'w1', index: 3, record: RECORDS[3] }, { workflowId: 'w1', index: 4, record: RECORDS[4] }] }));
    assert.deepEqual(s.history('w1'), RECORDS.slice(0, 5));
  } finally { s.close(); }
  assert.equal(integrityCheck(file), 'ok');
}));

test('sqlite: a store written before 0003 upgrades; its rows read back without wall-clock times, new writes get them (virtual marked)', withDir((dir) => {
  const file = path.join(dir, 'old.db');
  olderStore(file, 2, { id: 'old', status: 'completed', result: '1', createdAt: 1000, updatedAt: 2000 }).close();

  const s = openStore(file, { virtualTime: true });
  try {
    assert.deepEqual(s.appliedMigrations(), MIGRATIONS.map((m) => m.name));
    const old = s.getWorkflow('old')!;
    assert.equal(old.wall, undefined);
    assert.deepEqual([old.createdAt, old.updatedAt], [1000, 2000]);
    s.commit(start('new', { createdAt: 5e12, updatedAt: 5e12 }));
    const fresh = s.getWorkflow('new')!;
    assert.equal(fresh.wall?.virtual, true);
    assert.ok(fresh.wall!.createdAt < 5e12, 'a machine-clock time, not the workflow clock');
  } finally { s.close(); }
  assert.equal(integrityCheck(file), 'ok');
}));

test('sqlite: a store written before 0004 upgrades; pending signals keep their ids and the id counter goes on', withDir((dir) => {
  const file = path.join(dir, 'old.db');
  const db = olderStore(file, 3, { id: 'w1', status: 'running', result: null, createdAt: 1, updatedAt: 1 });
  const ins = db.prepare("INSERT INTO signals (workflow_id, topic, from_pid, payloads, at) VALUES ('w1', ?, 'x', '[]', 1)");
  for (const t of ['a', 'b', 'c']) ins.run(t);
  db.prepare('DELETE FROM signals WHERE topic <> ?').run('b'); // a and c delivered: the counter is at 3
  db.close();

  const s = openStore(file);
  try {
    assert.deepEqual(s.appliedMigrations(), MIGRATIONS.map((m) => m.name));
    assert.deepEqual(s.pendingSignals().map((p) => [p.id, p.topic]), [[2, 'b']]);
    assert.equal(s.addSignal({ workflowId: 'w1', topic: 'd', from: 'x', payloads: [], at: 2 }), 4);
    assert.equal(s.addSignal({ workflowId: 'none', topic: '@start', from: 'x', payloads: ['{"entry":"app:wf"}'], at: 2 }), 5);
  } finally { s.close(); }
  assert.equal(integrityCheck(file), 'ok');
}));
