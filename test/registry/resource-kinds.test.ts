// The database and store entry kinds (db.sql.sqlite, db.sql.postgres, store.memory, store.sql):
// Wippy's fields and defaults, their mistakes one line each, and their place in start-up order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadRegistry, startOrder, type Entry } from '../../registry';
import { loadFails, tree } from './helpers';

const reg = (lines: string[]): string => tree({ 'registry.yaml': `${['namespace: app', 'entries:', ...lines].join('\n')}\n` });
const entry = (dir: string, id: string): Entry => loadRegistry(dir).entries.get(id)!;

test('db.sql.sqlite: a relative file is anchored to the declaring file\'s folder; ":memory:" stays', () => {
  const dir = tree({
    'sub/registry.yaml': 'namespace: app\nentries:\n  - {name: db, kind: db.sql.sqlite, file: data/app.db}\n  - {name: mem, kind: db.sql.sqlite, file: ":memory:"}\n',
  });
  const r = loadRegistry(dir);
  assert.equal(r.warnings.length, 0);
  assert.deepEqual(r.unsupported.size, 0);
  const db = r.entries.get('app:db');
  assert.ok(db?.kind === 'db.sql.sqlite');
  assert.equal(db.file, path.join(dir, 'sub', 'data', 'app.db'));
  assert.equal((r.entries.get('app:mem') as { file: string }).file, ':memory:');
});

test('db.sql.postgres: fields as written, *_env instead of a value, pool and options; the defaults', () => {
  const e = entry(reg([
    '  - name: pg', '    kind: db.sql.postgres', '    host_env: PGHOST', '    port: 5433', '    database: app', '    username: u',
    '    password_env: PGPASS', '    options: {sslmode: disable, statement_timeout: 5000}', '    pool: {max_open: 4, max_lifetime: 10m}',
  ]), 'app:pg');
  assert.ok(e.kind === 'db.sql.postgres');
  assert.deepEqual(
    { host: e.host, port: e.port, database: e.database, username: e.username, password: e.password, env: e.env, options: e.options, maxOpen: e.maxOpen, maxLifetimeMs: e.maxLifetimeMs },
    { host: '', port: 5433, database: 'app', username: 'u', password: '', env: { host: 'PGHOST', password: 'PGPASS' }, options: { sslmode: 'disable', statement_timeout: '5000' }, maxOpen: 4, maxLifetimeMs: 600_000 },
  );
});

test('db.sql.postgres and db.sql.sqlite: each missing field is one line with an example', () => {
  const e = loadFails(reg(['  - {name: pg, kind: db.sql.postgres, host: h}', '  - {name: lite, kind: db.sql.sqlite}', '  - {name: p2, kind: db.sql.postgres, host: h, port: 70000, database: d, username: u, password: p}']));
  const lines = e.message.split('\n');
  assert.deepEqual(lines.map((l) => l.replace(/^.*?entry /, '')), [
    'app:pg, field database: missing required field database (e.g. database: app (or database_env: NAME))',
    'app:pg, field username: missing required field username (e.g. username: app (or username_env: NAME))',
    'app:pg, field password: missing required field password (e.g. password: secret (or password_env: NAME))',
    'app:pg, field port: missing required field port (e.g. port: 5432 (or port_env: NAME))',
    'app:lite, field file: missing required field file (e.g. file: data/app.db, or file: ":memory:")',
    'app:p2, field port: expected a port number from 1 to 65535, got a number 70000',
  ]);
});

test('store.memory: Wippy\'s defaults (10000 keys, cleanup every 5m); store.sql: default column names', () => {
  const dir = reg([
    '  - {name: cache, kind: store.memory}',
    '  - {name: db, kind: db.sql.sqlite, file: x.db}',
    '  - {name: kv, kind: store.sql, database: db, table_name: kv_store}',
  ]);
  const cache = entry(dir, 'app:cache');
  assert.ok(cache.kind === 'store.memory');
  assert.deepEqual([cache.maxSize, cache.cleanupIntervalMs], [10_000, 300_000]);
  const kv = entry(dir, 'app:kv');
  assert.ok(kv.kind === 'store.sql');
  assert.deepEqual([kv.database, kv.table, kv.idColumn, kv.payloadColumn, kv.expireColumn], ['app:db', 'kv_store', 'key', 'value', 'expires_at']);
});

test('store.sql: its database must be a db.sql entry, its names plain identifiers; each mistake one line', () => {
  const e = loadFails(reg([
    '  - {name: cache, kind: store.memory, max_size: -1}',
    '  - {name: a, kind: store.sql, database: cache, table_name: kv}',
    '  - {name: b, kind: store.sql, database: nothing, table_name: "kv; DROP TABLE x"}',
    '  - {name: c, kind: store.sql, table_name: select, id_column_name: "2key"}',
  ]));
  assert.deepEqual(e.message.split('\n').map((l) => l.replace(/^.*?entry /, '')), [
    'app:cache, field max_size: expected a whole number >= 0 (0 = the default, 10000), got a number -1',
    'app:a, field database: app:cache is a store.memory entry, expected a db.sql.sqlite or db.sql.postgres',
    'app:b, field database: no entry app:nothing ("nothing" is looked up in the entry\'s own namespace); the registry has no db.sql.sqlite or db.sql.postgres entries',
    'app:b, field table_name: "kv; DROP TABLE x" is not a usable name: letters, digits and _ (starting with a letter, at most 63), not an SQL keyword',
    'app:c, field database: missing required field database (e.g. database: app:db (a db.sql.sqlite or db.sql.postgres entry))',
    'app:c, field table_name: "select" is not a usable name: letters, digits and _ (starting with a letter, at most 63), not an SQL keyword',
    'app:c, field id_column_name: "2key" is not a usable name: letters, digits and _ (starting with a letter, at most 63), not an SQL keyword',
  ]);
});

test('a service may require a database; a store.sql starts after its database', () => {
  const dir = reg([
    '  - {name: db, kind: db.sql.sqlite, file: x.db}',
    '  - {name: kv, kind: store.sql, database: db, table_name: kv}',
    '  - {name: procs, kind: process.host, lifecycle: {requires: [kv]}}',
  ]);
  const r = loadRegistry(dir);
  assert.equal(r.warnings.length, 0);
  assert.deepEqual(startOrder(r, ['app:procs']), ['app:db', 'app:kv', 'app:procs']);
});
