// The `sql` module on a `db.sql.sqlite` database: the shared cases (test/helpers/sql-cases.ts),
// then what only SQLite has: one connection that a transaction holds (others wait for it), a
// schema script in one execute, `:memory:` shared by every call of a run, files that cannot open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { sqlCases, sqlValue, runSqlCase, type Dialect } from '../helpers/sql-cases';
import { tempDir } from '../../testkit/temp';

const sqlite: Dialect = {
  name: 'sqlite',
  dbEntry: async () => `  - name: db\n    kind: db.sql.sqlite\n    file: ${path.join(tempDir(), 'app.db')}\n`,
};
const memory: Dialect = { name: 'sqlite', dbEntry: async () => '  - name: db\n    kind: db.sql.sqlite\n    file: ":memory:"\n' };

sqlCases(sqlite);

test('sqlite: a database-level call waits while another coroutine holds a transaction, then sees its commit', async () => {
  const v = await sqlValue(sqlite, `
    local time = require("time")
    local db = require("sql").get("app:db")
    assert(db:execute("CREATE TABLE w (x INTEGER)"))
    local order = {}
    local tx = assert(db:begin())
    coroutine.spawn(function()
      table.insert(order, "query starts")
      local rows = assert(db:query("SELECT COUNT(*) AS n FROM w"))
      table.insert(order, "query sees " .. rows[1].n)
    end)
    time.sleep("10ms")
    assert(tx:execute("INSERT INTO w (x) VALUES (1)"))
    table.insert(order, "commit")
    assert(tx:commit())
    time.sleep("10ms")
    local s = db:stats()
    return {order, s.wait_count}`);
  assert.deepEqual(v, [['query starts', 'commit', 'query sees 1'], 1]);
});

test('sqlite: execute runs a schema script of several statements when it has no parameters', async () => {
  const v = await sqlValue(sqlite, `
    local db = require("sql").get("app:db")
    local r = assert(db:execute("CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER); INSERT INTO a (x) VALUES (1); INSERT INTO a (x) VALUES (2);"))
    local _, err = db:query("SELECT 1; SELECT 2")
    return {r.rows_affected, r.last_insert_id, #assert(db:query("SELECT * FROM b")), err:kind()}`);
  assert.deepEqual(v, [2, 2, 0, 'Invalid']);
});

test('sqlite: a ":memory:" database is one database for every call of a run', async () => {
  const runs = await runSqlCase(memory, `
    local db = require("sql").get("app:db")
    assert(db:execute("CREATE TABLE m (x INTEGER)"))
    assert(db:execute("INSERT INTO m (x) VALUES (7)"))
    return true`, { more: ['return require("sql").get("app:db"):query("SELECT x FROM m")[1].x'] });
  assert.deepEqual(runs.map((r) => r.value), ['true', '7']);
});

test('sqlite: a file that cannot be opened is an error value naming the entry and the file', async () => {
  const missing = path.join(tempDir(), 'no', 'such', 'folder', 'x.db');
  const dialect: Dialect = { name: 'sqlite', dbEntry: async () => `  - name: db\n    kind: db.sql.sqlite\n    file: ${missing}\n` };
  const v = await sqlValue(dialect, `
    local db, err = require("sql").get("app:db")
    return {db == nil, err:kind(), err:message()}`);
  const [isNil, kind, message] = v as [boolean, string, string];
  assert.deepEqual([isNil, kind], [true, 'Internal']);
  assert.match(message, /^cannot open database app:db \(.*x\.db\): .*directory does not exist/);
});
