/**
 * PgStore: the shared HistoryStore contract on a real PostgreSQL server (testkit/postgres.ts),
 * plus what only a server store has (many nodes: postgres-nodes.test.ts): the asynchronous commit, refusing a newer schema or another
 * application's tables, and one-line failures for a server that is not there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../base/errors';
import { openStore, PgStore } from '../../runtime/store/index';
import { PG_MIGRATIONS } from '../../runtime/store/postgres-schema';
import { RECORDS, batch, start, storeSuite, throwsCode } from './suite';
import { freePort, freshDatabase } from '../../testkit/postgres';

async function freshUrl(): Promise<string> {
  const { pg, database } = await freshDatabase('wippy_store');
  return `postgresql://postgres@127.0.0.1:${pg.port}/${database}`;
}

storeSuite('postgres', async () => {
  const store = openStore(await freshUrl());
  return { store, dispose: () => store.close() };
});

test('postgres: commitAsync applies batches in order and calls back once each is durable; a failed one leaves nothing', async () => {
  const url = await freshUrl();
  const s = openStore(url) as PgStore;
  try {
    const done: Array<string | null> = [];
    const wait = (b: Parameters<PgStore['commitAsync']>[0]): Promise<void> => new Promise((resolve) => {
      s.commitAsync(b, (err) => { done.push(err ? err.message : null); resolve(); });
    });
    const all = [
      wait(start('w1')),
      wait(batch({ appends: RECORDS.slice(1, 4).map((record, i) => ({ workflowId: 'w1', index: i + 1, record })) })),
      wait(batch({ appends: [{ workflowId: 'w1', index: 2, record: RECORDS[2]! }] })),
      wait(batch({ appends: [{ workflowId: 'w1', index: 4, record: RECORDS[4]! }] })),
    ];
    await Promise.all(all);
    assert.equal(done[0], null);
    assert.equal(done[1], null);
    assert.match(done[2] ?? '', /record 2 .*two writers/);
    assert.equal(done[3], null);
    assert.equal(s.historyLength('w1'), 5);
    assert.deepEqual(s.history('w1').slice(1), RECORDS.slice(1, 5));
  } finally { s.close(); }
  // Another connection reads the same (the commits are in the database, not in this process).
  const r = openStore(url, { lock: false });
  try { assert.deepEqual(r.history('w1').slice(1), RECORDS.slice(1, 5)); } finally { r.close(); }
});

test('postgres: a database of a newer schema version is refused; another application\'s tables are left alone', async () => {
  const url = await freshUrl();
  const newer = new PgStore(url, { migrations: [...PG_MIGRATIONS, { name: '9999_future', sql: 'CREATE TABLE future (x INT)' }] });
  newer.close();
  throwsCode(() => openStore(url, { label: '--db NEW' }), ErrorCode.STORE_INVALID, '--db NEW', 'newer wippy', '9999_future');
  const { pg, database } = await freshDatabase('wippy_other');
  await pg.sql('CREATE TABLE history (x INT)', database);
  throwsCode(() => openStore(`postgresql://postgres@127.0.0.1:${pg.port}/${database}`), ErrorCode.STORE_INVALID, "table 'history'", 'not a wippy store');
  // Migrations are recorded by name, in order.
  const s = openStore(await freshUrl()) as PgStore;
  try { assert.deepEqual(s.appliedMigrations(), PG_MIGRATIONS.map((m) => m.name)); } finally { s.close(); }
});

test('postgres: no server, no such database, an unknown scheme: one line each, no password shown', async () => {
  const port = await freePort();
  throwsCode(() => openStore(`postgres://u:secret@127.0.0.1:${port}/x`), ErrorCode.BAD_ARGUMENT, 'cannot reach PostgreSQL', 'u:***@');
  assert.throws(() => openStore(`postgres://u:secret@127.0.0.1:${port}/x`), (e: Error) => !e.message.includes('secret'));
  const { pg } = await freshDatabase('wippy_unused');
  throwsCode(() => openStore(`postgres://postgres@127.0.0.1:${pg.port}/no_such_db`), ErrorCode.BAD_ARGUMENT, 'no_such_db', 'createdb');
  throwsCode(() => openStore('mysql://x@y/z', { label: '--db mysql://x@y/z' }), ErrorCode.BAD_ARGUMENT, "unknown store scheme 'mysql://'");
});

test('postgres: the history lengths a writer reads with its open workflows are right, and read again after a commit', async () => {
  const s = openStore(await freshUrl());
  try {
    s.commit(start('a'));
    s.commit(batch({ appends: [{ workflowId: 'a', index: 1, record: RECORDS[1]! }] }));
    s.commit(start('b'));
    assert.deepEqual(s.listWorkflows(['running']).map((w) => w.id), ['a', 'b']);
    assert.equal(s.historyLength('a'), 2);
    assert.equal(s.historyLength('b'), 1);
    s.listWorkflows(['running']);
    s.commit(batch({ appends: [{ workflowId: 'a', index: 2, record: RECORDS[2]! }] }));
    assert.equal(s.historyLength('a'), 3, 'a commit since the listing: read again');
    s.listWorkflows(['running']);
    assert.equal(s.historyLength('nope'), 0);
  } finally { s.close(); }
});
