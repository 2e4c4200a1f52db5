// The `store` module on every store kind: `store.memory`, and `store.sql` over SQLite and over
// PostgreSQL (a bytea and a jsonb payload column; a private server from testkit/postgres.ts). The
// same cases run on each; then what only one kind has (a size bound, rows in a table that outlive
// the run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runSqlCase, sqlValue, type Dialect } from '../helpers/sql-cases';
import { tempDir } from '../../testkit/temp';
import { freshDatabase } from '../../testkit/postgres';

interface Target {
  name: string;
  dialect: Dialect;
  /** YAML list items: the `kv` store (and what it needs besides `db`). */
  store: string;
  /** Lua run first in every case (creates the table). */
  setup: string;
}

const table = (payload: string, expires: string) =>
  `assert(require("sql").get("app:db"):execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value ${payload}, expires_at ${expires})"))`;

const sqliteFile: Dialect = { name: 'sqlite', dbEntry: async () => `  - name: db\n    kind: db.sql.sqlite\n    file: ${path.join(tempDir(), 'kv.db')}\n` };
const pgDb: Dialect = {
  name: 'postgres',
  dbEntry: async () => {
    const { pg, database } = await freshDatabase('wippy_kv');
    return `  - name: db\n    kind: db.sql.postgres\n    host: 127.0.0.1\n    port: ${pg.port}\n    database: ${database}\n    username: postgres\n    password: unused\n`;
  },
};
const memoryOnly: Dialect = { name: 'sqlite', dbEntry: async () => '  - name: db\n    kind: db.sql.sqlite\n    file: ":memory:"\n' };
const sqlStore = '  - name: kv\n    kind: store.sql\n    database: app:db\n    table_name: kv\n';

const TARGETS: Target[] = [
  { name: 'store.memory', dialect: memoryOnly, store: '  - name: kv\n    kind: store.memory\n    max_size: 100\n', setup: '' },
  { name: 'store.sql on SQLite', dialect: sqliteFile, store: sqlStore, setup: table('BLOB', 'DATETIME') },
  { name: 'store.sql on PostgreSQL (bytea)', dialect: pgDb, store: sqlStore, setup: table('BYTEA', 'TIMESTAMP') },
  { name: 'store.sql on PostgreSQL (jsonb)', dialect: pgDb, store: sqlStore, setup: table('JSONB', 'TIMESTAMPTZ') },
];

function run(t: Target, body: string, virtualTime = false): Promise<unknown> {
  return sqlValue(t.dialect, `${t.setup}\nlocal store = require("store")\n${body}`, { entries: t.store, modules: ['store', 'sql', 'time', 'json'], virtualTime });
}

for (const t of TARGETS) {
  test(`${t.name}: set and get strings, numbers, booleans and tables; a get returns a copy; set overwrites`, async () => {
    const v = await run(t, `
      local s = assert(store.get("app:kv"))
      assert(s:set("a:str", "hello") == true)
      assert(s:set("a:int", 12345))
      assert(s:set("a:float", 2.5))
      assert(s:set("a:bool", false))
      assert(s:set("a:tbl", {name = "x", items = {1, 2, 3}, nested = {deep = true}}))
      local t1 = s:get("a:tbl")
      t1.name = "changed"
      assert(s:set("a:str", "again"))
      local out = {}
      for _, k in ipairs({"a:str", "a:int", "a:float", "a:bool"}) do table.insert(out, (s:get(k))) end
      local t2 = s:get("a:tbl")
      return {out, math.type(out[2]), t2.name, #t2.items, t2.nested.deep}`);
    assert.deepEqual(v, [['again', 12345, 2.5, false], 'integer', 'x', 3, true]);
  });

  test(`${t.name}: a missing key is NotFound on get, false on has and delete; delete removes`, async () => {
    const v = await run(t, `
      local s = store.get("app:kv")
      local val, err = s:get("nope")
      assert(s:set("k", "v"))
      local had = s:has("k")
      local del, derr = s:delete("k")
      local again = s:delete("k")
      return {val == nil, err:kind(), err:message(), err:retryable(), tostring(err), s:has("nope"), had, del, derr == nil, again, s:has("k")}`);
    assert.deepEqual(v, [true, 'NotFound', 'key not found', false, 'store get: key not found', false, true, true, true, false, false]);
  });

  test(`${t.name}: a key set with a TTL (seconds) is gone once it passes; one without stays`, async () => {
    const v = await run(t, `
      local time = require("time")
      local s = store.get("app:kv")
      assert(s:set("short", "v", 1))
      assert(s:set("long", "v"))
      local before = {s:has("short"), (s:get("short"))}
      time.sleep("1500ms")
      local _, err = s:get("short")
      return {before, s:has("short"), err:kind(), s:has("long"), (s:get("long"))}`, true);
    assert.deepEqual(v, [[true, 'v'], false, 'NotFound', true, 'v']);
  });

  test(`${t.name}: bad input: empty key, nil value, a function value; a released store refuses everything`, async () => {
    const v = await run(t, `
      local s = store.get("app:kv")
      local out = {}
      local function add(first, err) table.insert(out, {tostring(first), err:kind(), err:message()}) end
      add(s:get(""))
      add(s:set("k", nil))
      add(s:set("k", function() end))
      add(s:has(""))
      local str = tostring(s)
      local ok, raised = pcall(s.set, s, "k", 1, "soon")
      assert(s:release() == true and s:release() == true)
      add(s:get("k"))
      add(s:set("k", 1))
      add(s:has("k"))
      add(s:delete("k"))
      return {out = out, before = str, after = tostring(s), raised = {ok, tostring(raised)}}`);
    const r = v as { out: unknown[][]; before: string; after: string; raised: [boolean, string] };
    assert.deepEqual(r.out, [
      ['nil', 'Invalid', 'key is required'], ['nil', 'Invalid', 'value is required'], ['nil', 'Internal', r.out[2][2]],
      ['false', 'Invalid', 'key is required'],
      ['nil', 'Invalid', 'store is released'], ['nil', 'Invalid', 'store is released'], ['false', 'Invalid', 'store is released'], ['nil', 'Invalid', 'store is released'],
    ]);
    assert.match(String(r.out[2][2]), /function/);
    assert.deepEqual([r.before, r.after], ['store.Store{}', 'store.Store{released}']);
    assert.deepEqual(r.raised, [false, "bad argument #4 to '?' (number expected, got string)"]);
  });
}

test('store.get: an empty id is Invalid, an unknown one Internal (Wippy\'s), a database Invalid; none is retryable', async () => {
  const v = await run(TARGETS[0], `
    local out = {}
    for _, id in ipairs({"", "app:nope", "app:db"}) do
      local s, err = store.get(id)
      table.insert(out, {s == nil, err:kind(), err:retryable(), err:message()})
    end
    return out`);
  assert.deepEqual(v, [
    [true, 'Invalid', false, 'resource id is required'],
    [true, 'Internal', false, 'no store app:nope in the registry'],
    [true, 'Invalid', false, 'resource is not a store: app:db is a db.sql.sqlite entry'],
  ]);
});

test('store.memory: max_size bounds the keys (Unavailable, retryable "store is full"); overwriting a held key is fine', async () => {
  const t: Target = { ...TARGETS[0], store: '  - name: kv\n    kind: store.memory\n    max_size: 2\n' };
  const v = await run(t, `
    local s = store.get("app:kv")
    assert(s:set("a", 1)); assert(s:set("b", 2))
    local ok, err = s:set("c", 3)
    local over = s:set("a", 10)
    assert(s:delete("b"))
    local room = s:set("c", 3)
    return {ok == nil, err:kind(), err:retryable(), err:message(), over, room, (s:get("a"))}`);
  assert.deepEqual(v, [true, 'Unavailable', true, 'store is full', true, true, 10]);
});

test('store.sql: the rows are the application\'s table (JSON payload, NULL or a time to expire) and outlive the run', async () => {
  const t = TARGETS[1];
  const file = path.join(tempDir(), 'kv.db');
  const dialect: Dialect = { name: 'sqlite', dbEntry: async () => `  - name: db\n    kind: db.sql.sqlite\n    file: ${file}\n` };
  const opts = { entries: t.store, modules: ['store', 'sql'] };
  await sqlValue(dialect, `${t.setup}
    local s = require("store").get("app:kv")
    assert(s:set("persist:table", {name = "test", items = {1, 2, 3}}))
    assert(s:set("persist:ttl", "x", 3600))
    return true`, opts);
  const v = await sqlValue(dialect, `
    local s = require("store").get("app:kv")
    local rows = assert(require("sql").get("app:db"):query("SELECT key, CAST(value AS TEXT) AS value, expires_at FROM kv ORDER BY key"))
    local t = s:get("persist:table")
    return {rows[1].key, rows[1].value, rows[1].expires_at == nil, rows[2].key, type(rows[2].expires_at), t.name, #t.items}`, opts) as unknown[];
  assert.deepEqual(JSON.parse(v[1] as string), { name: 'test', items: [1, 2, 3] });
  assert.deepEqual([...v.slice(0, 1), ...v.slice(2)], ['persist:table', true, 'persist:ttl', 'string', 'test', 3]);
});

test('sql and store are refused in a workflow: the registry says to call a function that uses them', async () => {
  const runs = runSqlCase(TARGETS[0].dialect, 'return true', {
    entries: '  - name: wf\n    kind: workflow.lua\n    source: file://case.lua\n    modules: [sql, store]\n',
  });
  await assert.rejects(runs, (e: Error) => {
    assert.match(e.message, /field modules\[0\]: module sql is not allowed in a workflow: .* do this work in a function\.lua activity and call it with funcs\.call/);
    assert.match(e.message, /field modules\[1\]: module store is not allowed in a workflow/);
    return true;
  });
});
