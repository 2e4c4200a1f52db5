/**
 * The SQL tests that run against both databases: one list of Lua cases, run by
 * test/lua-stdlib/sql-sqlite.test.ts on a SQLite file and by sql-postgres.test.ts on a private
 * PostgreSQL server (testkit/postgres.ts).
 *
 * A case is a Lua body run as the function `app:case` of a registry whose `app:db` is the
 * database under test, with `D` (the dialect: `D.name`, `D.serial`, `D.blob`, `D.real`) and
 * `Q(sql)` (turns `?` into `$1, $2...` for PostgreSQL) defined before it; its JSON result is
 * compared with the expected value, which may depend on the dialect.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { withRegistry } from '../../testkit/registry';
import type { CallResult } from '../../base/payload';

export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** The YAML list item of the `db` entry (a fresh database each time it is called). */
  dbEntry(): Promise<string>;
}

const PRELUDE: Record<Dialect['name'], string> = {
  sqlite: 'local D = {name = "sqlite", serial = "INTEGER PRIMARY KEY", blob = "BLOB", real = "REAL"}',
  postgres: 'local D = {name = "postgres", serial = "SERIAL PRIMARY KEY", blob = "BYTEA", real = "DOUBLE PRECISION"}',
};

const Q_FN = `local function Q(s)
  if D.name ~= "postgres" then return s end
  local n = 0
  return (s:gsub("%?", function() n = n + 1 return "$" .. n end))
end`;

export interface CaseRun extends CallResult {
  logs: string[];
}

/**
 * Run `body` (and then each of `more`, as further calls of other functions in the same runtime:
 * `app:case2`...) with `app:db` from `dialect`; `entries`: more YAML list items.
 */
export async function runSqlCase(dialect: Dialect, body: string, opts: { more?: string[]; entries?: string; files?: Record<string, string>; modules?: string[]; virtualTime?: boolean } = {}): Promise<CaseRun[]> {
  const modules = opts.modules ?? ['sql', 'time', 'json'];
  const bodies = [body, ...(opts.more ?? [])];
  const files: Record<string, string> = { ...opts.files };
  let entries = await dialect.dbEntry();
  bodies.forEach((b, i) => {
    const name = i === 0 ? 'case' : `case${i + 1}`;
    files[`${name}.lua`] = `${PRELUDE[dialect.name]}\n${Q_FN}\nreturn { main = function(...)\n${b}\nend }\n`;
    entries += `  - name: ${name}\n    kind: function.lua\n    source: file://${name}.lua\n    modules: [${modules.join(', ')}]\n`;
  });
  const dir = withRegistry({ 'registry.yaml': `namespace: app\nentries:\n${entries}${opts.entries ?? ''}`, ...files });
  const logs: string[] = [];
  const rt = Runtime.load(dir, { virtualTime: opts.virtualTime, output: { print: () => {}, log: (l, m) => logs.push(`${l}: ${m}`) } });
  try {
    const out: CaseRun[] = [];
    for (let i = 0; i < bodies.length; i++) out.push({ ...(await rt.callFunction(i === 0 ? 'app:case' : `app:case${i + 1}`, [])), logs });
    return out;
  } finally {
    rt.close();
  }
}

/** The value of a case that must succeed. */
export async function sqlValue(dialect: Dialect, body: string, opts: Parameters<typeof runSqlCase>[2] = {}): Promise<unknown> {
  const runs = await runSqlCase(dialect, body, opts);
  const last = runs[runs.length - 1];
  for (const r of runs) if (r.error) throw new Error(`Lua error: ${r.error.kind}: ${r.error.message}`);
  return JSON.parse(last.value ?? 'null');
}

/** Register the shared cases for `dialect` (a promise: PostgreSQL starts on first use). */
export function sqlCases(dialect: Dialect): void {
  const d = dialect.name;
  const pg = d === 'postgres';

  test(`${d}: query returns rows keyed by column, integers as integers, floats, NULL columns absent`, async () => {
    const v = await sqlValue(dialect, `
      local sql = require("sql")
      local db, err = sql.get("app:db")
      assert(err == nil, tostring(err))
      assert(db:execute("CREATE TABLE people (id " .. D.serial .. ", name TEXT, score " .. D.real .. ", age INTEGER)"))
      assert(db:execute(Q"INSERT INTO people (name, score, age) VALUES (?, ?, ?)", {"ann", 1.5, 41}))
      assert(db:execute(Q"INSERT INTO people (name, score, age) VALUES (?, ?, ?)", {"bob", 2, sql.NULL}))
      local rows = assert(db:query("SELECT id, name, score, age FROM people ORDER BY id"))
      local none = assert(db:query(Q"SELECT name FROM people WHERE name = ?", {"nobody"}))
      local r1, r2 = rows[1], rows[2]
      return {n = #rows, none = #none, ids = {math.type(r1.id), r2.id - r1.id}, name = r1.name, score = {r1.score, math.type(r2.score)},
        age = {r1.age, math.type(r1.age), r2.age == nil}, type = db:type()}`);
    assert.deepEqual(v, { n: 2, none: 0, ids: ['integer', 1], name: 'ann', score: [1.5, 'float'], age: [41, 'integer', true], type: d });
  });

  test(`${d}: execute reports rows affected (and SQLite's last insert id); a schema change has none`, async () => {
    const v = await sqlValue(dialect, `
      local db = require("sql").get("app:db")
      local c = assert(db:execute("CREATE TABLE t (id " .. D.serial .. ", name TEXT)"))
      local a = assert(db:execute(Q"INSERT INTO t (name) VALUES (?)", {"x"}))
      local b = assert(db:execute(Q"INSERT INTO t (name) VALUES (?)", {"y"}))
      local u = assert(db:execute(Q"UPDATE t SET name = ? WHERE name <> ?", {"z", "nothing"}))
      local del = assert(db:execute(Q"DELETE FROM t WHERE name = ?", {"none"}))
      return {c.rows_affected, a.rows_affected, b.last_insert_id - a.last_insert_id, u.rows_affected, del.rows_affected, math.type(u.rows_affected), a.last_insert_id}`);
    assert.deepEqual(v, [0, 1, pg ? 0 : 1, 2, 0, 'integer', pg ? 0 : 1]);
  });

  test(`${d}: parameters: holes and sql.NULL bind NULL, sql.as coerces, bytes survive (NUL and 0xFF)`, async () => {
    const v = await sqlValue(dialect, `
      local sql = require("sql")
      local db = sql.get("app:db")
      assert(db:execute("CREATE TABLE v (k INTEGER, i INTEGER, f " .. D.real .. ", t TEXT, b " .. D.blob .. ")"))
      assert(db:execute(Q"INSERT INTO v (k, i, f, t, b) VALUES (?, ?, ?, ?, ?)", {1, sql.as.int(42.9), sql.as.float(3), sql.as.text(7), sql.as.binary("a\\0\\255")}))
      assert(db:execute(Q"INSERT INTO v (k, i, f, t, b) VALUES (?, ?, ?, ?, ?)", {2, nil, sql.NULL, sql.as.null(), sql.NULL}))
      local r = assert(db:query("SELECT k, i, f, t, b FROM v ORDER BY k"))
      local b = r[1].b
      return {i = r[1].i, f = {r[1].f, math.type(r[1].f)}, t = r[1].t, b = {#b, b:byte(1), b:byte(2), b:byte(3)},
        nulls = {r[2].i == nil, r[2].f == nil, r[2].t == nil, r[2].b == nil}, tostr = tostring(sql.NULL)}`);
    assert.deepEqual(v, { i: 42, f: [3, 'float'], t: '7', b: [3, 97, 0, 255], nulls: [true, true, true, true], tostr: 'sql.NULL' });
  });

  test(`${d}: prepared statements run many times; a closed one is Invalid, closing twice too`, async () => {
    const v = await sqlValue(dialect, `
      local db = require("sql").get("app:db")
      assert(db:execute("CREATE TABLE s (name TEXT, value INTEGER)"))
      local ins = assert(db:prepare(Q"INSERT INTO s (name, value) VALUES (?, ?)"))
      for i = 1, 3 do assert(ins:execute({"item" .. i, i * 100})) end
      local closed, cerr = ins:close()
      local sel = assert(db:prepare(Q"SELECT name FROM s WHERE value > ? ORDER BY value"))
      local a = assert(sel:query({150}))
      local b = assert(sel:query({250}))
      sel:close()
      local _, e1 = sel:query({1})
      local _, e2 = ins:execute({"x", 1})
      local _, e3 = ins:close()
      local _, bad = db:prepare("SELEKT nothing")
      return {closed, cerr == nil, #a, b[1].name, e1:kind(), e1:message(), e2:kind(), e3:message(), bad:kind()}`);
    assert.deepEqual(v, [true, true, 2, 'item3', 'Invalid', 'statement is closed', 'Invalid', 'statement is already closed', 'Invalid']);
  });

  test(`${d}: transactions commit, roll back, and keep savepoints; an ended one is Invalid`, async () => {
    const v = await sqlValue(dialect, `
      local sql = require("sql")
      local db = sql.get("app:db")
      assert(db:execute("CREATE TABLE tx (name TEXT)"))
      local t1 = assert(db:begin())
      local ty = t1:db_type()
      assert(t1:execute(Q"INSERT INTO tx (name) VALUES (?)", {"kept"}))
      local committed = t1:commit()
      local t2 = assert(db:begin({isolation = sql.isolation.SERIALIZABLE}))
      assert(t2:execute(Q"INSERT INTO tx (name) VALUES (?)", {"dropped"}))
      local inside = assert(t2:query("SELECT COUNT(*) AS n FROM tx"))[1].n
      local rolled = t2:rollback()
      local t3 = assert(db:begin())
      assert(t3:execute(Q"INSERT INTO tx (name) VALUES (?)", {"base"}))
      local sp = t3:savepoint("sp1")
      assert(t3:execute(Q"INSERT INTO tx (name) VALUES (?)", {"undone"}))
      local back = t3:rollback_to("sp1")
      local rel = t3:release("sp1")
      local _, badname = t3:savepoint("two words")
      local stmt = assert(t3:prepare(Q"INSERT INTO tx (name) VALUES (?)"))
      assert(stmt:execute({"via stmt"}))
      assert(t3:commit())
      local _, after = stmt:execute({"late"})
      local _, e1 = t1:query("SELECT 1")
      local _, e2 = t1:commit()
      local names = {}
      for _, r in ipairs(assert(db:query("SELECT name FROM tx ORDER BY name"))) do table.insert(names, r.name) end
      return {ty, committed, inside, rolled, sp, back, rel, badname:kind(), after:kind(), e1:kind(), e1:message(), e1:retryable(), e2:kind(), names}`);
    assert.deepEqual(v, [d, true, 2, true, true, true, true, 'Invalid', 'Invalid', 'Invalid', 'transaction is not active', false, 'Invalid', ['base', 'kept', 'via stmt']]);
  });

  test(`${d}: a read-only transaction reads and refuses writes`, async () => {
    const v = await sqlValue(dialect, `
      local db = require("sql").get("app:db")
      assert(db:execute("CREATE TABLE ro (x INTEGER)"))
      local tx = assert(db:begin({read_only = true}))
      local rows, qerr = tx:query("SELECT COUNT(*) AS n FROM ro")
      local _, werr = tx:execute("INSERT INTO ro (x) VALUES (1)")
      tx:rollback()
      assert(db:execute("INSERT INTO ro (x) VALUES (2)"))
      return {rows[1].n, qerr == nil, werr ~= nil, werr and werr:kind()}`);
    // SQLite: query_only refuses the write (SQLITE_READONLY); PostgreSQL: 25006 read_only_sql_transaction.
    assert.deepEqual(v, [0, true, true, pg ? 'Invalid' : 'PermissionDenied']);
  });

  test(`${d}: SQL errors are error values with a kind and the database's text, never a raise`, async () => {
    const v = await sqlValue(dialect, `
      local sql = require("sql")
      local db = sql.get("app:db")
      assert(db:execute("CREATE TABLE u (k TEXT PRIMARY KEY)"))
      assert(db:execute(Q"INSERT INTO u (k) VALUES (?)", {"a"}))
      local out = {}
      local function add(r, err) table.insert(out, {r == nil, err:kind(), err:retryable(), err:message()}) end
      add(db:query("SELEC nonsense"))
      add(db:query("SELECT * FROM no_such_table"))
      add(db:execute(Q"INSERT INTO u (k) VALUES (?)", {"a"}))
      add(db:query("SELECT 1", "not a table"))
      add(db:execute(Q"INSERT INTO u (k) VALUES (?)", {{nested = true}}))
      local s = tostring(select(2, db:query("SELEC nonsense")))
      return {out = out, tostr = s}`);
    const out = (v as { out: Array<[boolean, string, boolean, string]> }).out;
    assert.deepEqual(out.map((o) => o.slice(0, 3)), [[true, 'Invalid', false], [true, 'Invalid', false], [true, 'Conflict', false], [true, 'Invalid', false], [true, 'Invalid', false]]);
    assert.match(out[0][3], /syntax error/);
    assert.match(out[1][3], /no_such_table/);
    assert.match(out[2][3], pg ? /duplicate key/ : /UNIQUE constraint failed/);
    assert.equal(out[3][3], 'parameters must be a table, got string');
    assert.match(out[4][3], /^parameter 1 is a table: a parameter is a string, number, boolean, nil, sql\.NULL or an sql\.as value$/);
    assert.match((v as { tostr: string }).tostr, /^query: .*syntax error/);
  });

  test(`${d}: sql.get: empty id Invalid, unknown id NotFound (with a did-you-mean), another kind Invalid; a wrong argument type raises`, async () => {
    const v = await sqlValue(dialect, `
      local sql = require("sql")
      local out = {}
      for _, id in ipairs({"", "app:dbb", "app:case"}) do
        local db, err = sql.get(id)
        table.insert(out, {db == nil, err:kind(), err:retryable(), err:message()})
      end
      local ok, raised = pcall(sql.get, {})
      local db = sql.get("app:db")
      local ok2, raised2 = pcall(db.query, db, nil)
      return {out = out, raised = {ok, tostring(raised), ok2, tostring(raised2)}}`);
    assert.deepEqual(v, {
      out: [
        [true, 'Invalid', false, 'resource id is required'],
        [true, 'NotFound', false, 'no database app:dbb in the registry (did you mean app:db?)'],
        [true, 'Invalid', false, 'resource is not a database: app:case is a function.lua entry'],
      ],
      // Called through pcall, a function has no name in Lua's message ('?').
      raised: [false, "bad argument #1 to '?' (string expected, got table)", false, "bad argument #2 to '?' (string expected, got nil)"],
    });
  });

  test(`${d}: a transaction left open when its function returns is rolled back and its connection released`, async () => {
    const runs = await runSqlCase(dialect, `
      local db = require("sql").get("app:db")
      assert(db:execute("CREATE TABLE leak (x INTEGER)"))
      local tx = assert(db:begin())
      assert(tx:execute("INSERT INTO leak (x) VALUES (1)"))
      return "returned without commit"`, {
      more: [`
        local db = require("sql").get("app:db")
        -- SQLite has one connection and PostgreSQL's pool here one too: an unreleased transaction would hold it forever.
        local rows = assert(db:query("SELECT COUNT(*) AS n FROM leak"))
        return rows[1].n`],
    });
    assert.deepEqual(runs.map((r) => r.error ?? JSON.parse(r.value!)), ['returned without commit', 0]);
  });

  test(`${d}: a process that fails with a transaction open has it rolled back when it exits`, async () => {
    const v = await sqlValue(dialect, `
      local db = require("sql").get("app:db")
      assert(db:execute("CREATE TABLE crash (x INTEGER)"))
      local pid = process.spawn_monitored("app:crasher", "app:procs")
      local ev = process.events():receive()
      local rows = assert(db:query("SELECT COUNT(*) AS n FROM crash"))
      return {ev.kind, ev.result.error ~= nil, rows[1].n}`, {
      entries: '  - {name: procs, kind: process.host}\n  - {name: crasher, kind: process.lua, source: "file://crasher.lua", modules: [sql]}\n',
      files: { 'crasher.lua': 'return function()\n  local tx = assert(require("sql").get("app:db"):begin())\n  assert(tx:execute("INSERT INTO crash (x) VALUES (1)"))\n  error("crash with the transaction open")\nend\n' },
    });
    assert.deepEqual(v, ['pid.exit', true, 0]);
  });

  test(`${d}: db:stats() has Wippy's fields; release returns true and is safe twice`, async () => {
    const v = await sqlValue(dialect, `
      local db = require("sql").get("app:db")
      assert(db:query("SELECT 1 AS one"))
      local s = assert(db:stats())
      local keys = {}
      for k, val in pairs(s) do table.insert(keys, k .. ":" .. type(val)) end
      table.sort(keys)
      local a, aerr = db:release()
      local b = db:release()
      return {keys, s.max_open_connections >= 1, a, aerr == nil, b}`);
    assert.deepEqual(v, [[
      'idle:number', 'in_use:number', 'max_idle_closed:number', 'max_idle_time_closed:number', 'max_lifetime_closed:number',
      'max_open_connections:number', 'open_connections:number', 'wait_count:number', 'wait_duration:string',
    ], true, true, true, true]);
  });
}
