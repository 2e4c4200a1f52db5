// The `sql` module on a `db.sql.postgres` database, against a private PostgreSQL server this test
// process starts (testkit/postgres.ts; the Debian package postgresql must be installed: a missing
// one fails these tests, it never skips them). The shared cases (test/helpers/sql-cases.ts), then
// what only PostgreSQL has: its value types as Wippy's Go driver gives them, `$n` placeholders,
// isolation levels, a pool connection given back, a server that cannot be reached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlCases, sqlValue, type Dialect } from '../helpers/sql-cases';
import { freePort, freshDatabase } from '../../testkit/postgres';

function pgEntry(database: string, port: number, more = ''): string {
  return `  - name: db\n    kind: db.sql.postgres\n    host: 127.0.0.1\n    port: ${port}\n    database: ${database}\n` +
    `    username: postgres\n    password: unused\n    pool: {max_open: 1}\n${more}`;
}

const postgres: Dialect = {
  name: 'postgres',
  dbEntry: async () => {
    const { pg, database } = await freshDatabase();
    return pgEntry(database, pg.port);
  },
};

sqlCases(postgres);

test('postgres: values come back as Wippy\'s Go driver gives them: int8, numeric text, bool, RFC 3339 times, json text', async () => {
  const v = await sqlValue(postgres, `
    local db = require("sql").get("app:db")
    local r = assert(db:query([[SELECT 9007199254740993::int8 AS big, 12::int2 AS small, 1.25::numeric AS num, true AS yes,
      '2024-03-04 05:06:07.89+02'::timestamptz AS tz, '2024-03-04 05:06:07'::timestamp AS ts, '2024-03-04'::date AS d,
      '{"a": [1, 2]}'::jsonb AS j, 'x'::bytea AS b, ARRAY[1,2] AS arr, NULL::text AS nothing]]))[1]
    return {small = {r.small, math.type(r.small)}, big = math.type(r.big), num = r.num, yes = r.yes, tz = r.tz, ts = r.ts, d = r.d,
      j = r.j, b = r.b, arr = r.arr, nothing = r.nothing == nil}`);
  assert.deepEqual(v, {
    small: [12, 'integer'], big: 'float', num: '1.25', yes: true, tz: '2024-03-04T03:06:07Z', ts: '2024-03-04T05:06:07Z',
    d: '2024-03-04T00:00:00Z', j: '{"a": [1, 2]}', b: 'x', arr: '{1,2}', nothing: true,
  });
});

test('postgres: RETURNING gives the new id (last_insert_id is 0, as with lib/pq); an integer parameter keeps its digits', async () => {
  const v = await sqlValue(postgres, `
    local db = require("sql").get("app:db")
    assert(db:execute("CREATE TABLE r (id SERIAL PRIMARY KEY, n BIGINT)"))
    local rows = assert(db:query("INSERT INTO r (n) VALUES ($1) RETURNING id", {2147483647}))
    local ex = assert(db:execute("INSERT INTO r (n) VALUES ($1)", {-2147483648}))
    local back = assert(db:query("SELECT n FROM r ORDER BY id"))
    return {rows[1].id, ex.last_insert_id, back[1].n, back[2].n}`);
  assert.deepEqual(v, [1, 0, 2147483647, -2147483648]);
});

test('postgres: write_committed is refused (Invalid), the other isolation levels begin', async () => {
  const v = await sqlValue(postgres, `
    local sql = require("sql")
    local db = sql.get("app:db")
    local out = {}
    for _, level in ipairs({"default", "read_uncommitted", "read_committed", "repeatable_read", "serializable"}) do
      local tx, err = db:begin({isolation = level})
      table.insert(out, err == nil)
      if tx then tx:rollback() end
    end
    local tx, err = db:begin({isolation = sql.isolation.WRITE_COMMITTED})
    local _, bad = db:begin({isolation = "sometimes"})
    return {out, tx == nil, err:kind(), err:message(), bad:message()}`);
  assert.deepEqual(v, [[true, true, true, true, true], true, 'Invalid', 'isolation level write_committed is not supported by PostgreSQL', 'invalid isolation level: sometimes']);
});

test('postgres: a server that cannot be reached is an Unavailable, retryable error value', async () => {
  const { pg } = await freshDatabase();
  const port = await freePort();
  assert.notEqual(port, pg.port);
  const dialect: Dialect = { name: 'postgres', dbEntry: async () => pgEntry('postgres', port) };
  const v = await sqlValue(dialect, `
    local db = assert(require("sql").get("app:db"))
    local rows, err = db:query("SELECT 1")
    return {rows == nil, err:kind(), err:retryable(), err:message()}`);
  const [isNil, kind, retryable, message] = v as [boolean, string, boolean, string];
  assert.deepEqual([isNil, kind, retryable], [true, 'Unavailable', true]);
  assert.match(message, /ECONNREFUSED/);
});

test('postgres: *_env fields name an env.variable of the registry (as in Wippy), else a variable of the environment', async () => {
  const { pg, database } = await freshDatabase();
  process.env.WIPPY_TEST_PG_DB = database;
  const dialect: Dialect = {
    name: 'postgres',
    dbEntry: async () => `  - {name: vars, kind: env.storage.static, values: {PG_PORT: "${pg.port}"}}\n` +
      '  - {name: pg_port, kind: env.variable, variable: PG_PORT, storage: vars}\n' +
      '  - name: db\n    kind: db.sql.postgres\n    host: 127.0.0.1\n    port_env: PG_PORT\n' +
      '    database_env: WIPPY_TEST_PG_DB\n    username: postgres\n    password: unused\n    options: {application_name: wippy_test, sslmode: disable}\n',
  };
  const v = await sqlValue(dialect, `
    local db = require("sql").get("app:db")
    local r = assert(db:query("SELECT current_database() AS db, current_setting('application_name') AS app"))[1]
    return {r.db, r.app}`);
  assert.deepEqual(v, [database, 'wippy_test']);
});

test('postgres: under --virtual-time the clock does not jump while a query waits for the server', async () => {
  const v = await sqlValue(postgres, `
    local time = require("time")
    local db = require("sql").get("app:db")
    local order = {}
    coroutine.spawn(function()
      time.sleep("10s")
      table.insert(order, "slept")
    end)
    assert(db:query("SELECT pg_sleep(0.3)"))
    table.insert(order, "queried")
    time.sleep("20s")
    return order`, { virtualTime: true });
  assert.deepEqual(v, ['queried', 'slept']);
});
