// Databases through the real `wippy` binary: a SQL error is one line (the error value's kind and
// the database's text), in an HTTP handler an error value it can answer with or return (a 500,
// logged, the service serving on), a store.memory lasts as long as its run, databases are services of `wippy run` (listed, started before what
// requires them, stopped after), a PostgreSQL server that cannot be reached fails its start with
// one line and what requires it is not started, and `-x` on a PostgreSQL function exits when done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { wippy, wippyAsync, startWippy } from '../../testkit/wippy';
import { registryYaml, withRegistry } from '../../testkit/registry';
import { httpEntries, startHttpRun } from '../../testkit/http';
import { until } from '../../testkit/wait';
import { freePort, freshDatabase } from '../../testkit/postgres';
import { assertNoJsStack } from '../helpers/cli';

const pgEntry = (port: number, database: string, lifecycle = '') =>
  `  - name: pg\n    kind: db.sql.postgres\n    host: 127.0.0.1\n    port: ${port}\n    database: ${database}\n    username: postgres\n    password: unused\n${lifecycle}`;

const COUNT = `return function()
  local sql = require("sql")
  return {sqlite = sql.get("app:db"):query("SELECT COUNT(*) AS n FROM hits")[1].n, pg = sql.get("app:pg"):query("SELECT COUNT(*) AS n FROM hits")[1].n}
end
`;

test('wippy run -x: a SQL error returned by the function is one line with its kind and the database\'s text', () => {
  const dir = withRegistry({
    'registry.yaml': 'namespace: app\nentries:\n  - {name: db, kind: db.sql.sqlite, file: data.db}\n  - {name: bad, kind: function.lua, source: "file://bad.lua", modules: [sql]}\n',
    'bad.lua': 'return function()\n  local rows, err = require("sql").get("app:db"):query("SELEC 1")\n  if err then return nil, err end\n  return rows\nend\n',
  });
  const r = wippy(['run', dir, '-x', 'app:bad']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: Invalid: near "SELEC": syntax error\n');
  assert.equal(r.stdout, '');
});

test('wippy run: SQLite and PostgreSQL databases are services, started before the service that requires them and stopped after it', async () => {
  const { pg, database } = await freshDatabase('wippy_cli');
  await pg.sql('CREATE TABLE hits (n INTEGER)', database);
  const dir = withRegistry({
    'registry.yaml': `namespace: app
entries:
  - name: db
    kind: db.sql.sqlite
    file: data/app.db
    lifecycle: {auto_start: true}
${pgEntry(pg.port, database, '    lifecycle: {auto_start: true}\n')}
  - {name: procs, kind: process.host}
  - name: writer_main
    kind: process.lua
    source: file://writer.lua
    modules: [sql]
  - name: writer
    kind: process.service
    process: writer_main
    host: procs
    lifecycle: {auto_start: true, requires: [db, pg]}
`,
    'writer.lua': `return function()
  local sql = require("sql")
  assert(sql.get("app:db"):execute("CREATE TABLE IF NOT EXISTS hits (n INTEGER)"))
  assert(sql.get("app:db"):execute("INSERT INTO hits (n) VALUES (1)"))
  assert(sql.get("app:pg"):execute("INSERT INTO hits (n) VALUES ($1)", {1}))
  print("written")
  process.inbox():receive()
end
`,
  });
  // data/ does not exist: SQLite needs the folder, as Wippy's does.
  fs.mkdirSync(`${dir}/data`);
  const w = startWippy(['run', dir]);
  await w.waitFor(/^wippy: 3 services running: app:db, app:pg, app:writer \(Ctrl-C to stop\)$/m);
  await until(() => w.lines().includes('written'), 'the writer service to write to both databases');
  assert.equal(await w.stop(), 0, w.stderr());
  assert.equal(w.stderr().trimEnd().split('\n').pop(), 'wippy: stopped');
  assertNoJsStack(w.stderr());
  assert.deepEqual(w.lines(), ['written']);
  // -x on a registry with a PostgreSQL pool (and no services): prints the result and exits (idle
  // connections do not hold the process).
  const reader = withRegistry({
    'registry.yaml': `namespace: app\nentries:\n  - {name: db, kind: db.sql.sqlite, file: ${dir}/data/app.db}\n${pgEntry(pg.port, database)}` +
      '  - {name: count, kind: function.lua, source: "file://count.lua", modules: [sql]}\n',
    'count.lua': COUNT,
  });
  const r = await wippyAsync(['run', reader, '-x', 'app:count']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { sqlite: 1, pg: 1 });
});

test('wippy run: a PostgreSQL server that cannot be reached fails its start in one line; what requires it is not started', async () => {
  const port = await freePort();
  const dir = withRegistry({
    'registry.yaml': `namespace: app
entries:
${pgEntry(port, 'nothing', '    lifecycle: {auto_start: true}\n')}
  - {name: procs, kind: process.host}
  - {name: main, kind: process.lua, source: "file://main.lua", modules: [sql]}
  - name: user
    kind: process.service
    process: main
    host: procs
    lifecycle: {auto_start: true, requires: [pg]}
`,
    'main.lua': 'return function() process.inbox():receive() end\n',
  });
  const r = await wippyAsync(['run', dir]);
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  assert.match(lines[0], new RegExp(`^\\[error\\] app:pg did not start: cannot reach database app:pg: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`));
  assert.equal(lines[lines.length - 1], 'wippy: 0 services running; not started: app:pg (failed), app:user (needs app:pg)');
  assertNoJsStack(r.stderr);
});

test('wippy run: in an HTTP handler a SQL error is a value (kind, message, retryable) the handler answers with; one it returns is a 500 with a logged line, and the service keeps serving', async () => {
  const dir = withRegistry({
    'registry.yaml': registryYaml('app', [
      { name: 'db', kind: 'db.sql.sqlite', more: ['file: data.db'] },
      ...httpEntries('app', [
        { name: 'put', method: 'POST', path: '/items/{id}', file: 'put.lua', modules: ['sql'] },
        { name: 'broken', method: 'GET', path: '/broken', file: 'broken.lua', modules: ['sql'] },
      ]),
    ]),
    'put.lua': `local http = require("http")
local sql = require("sql")
return function()
  local req, res = http.request(), http.response()
  local db = assert(sql.get("app:db"))
  assert(db:execute("CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY)"))
  local r, err = db:execute("INSERT INTO items (id) VALUES (?)", {req:param("id")})
  db:release()
  if err then
    res:set_status(http.STATUS.CONFLICT)
    return res:write_json({kind = err:kind(), message = err:message(), retryable = err:retryable()})
  end
  res:write_json({rows = r.rows_affected})
end
`,
    'broken.lua': 'return function()\n  return require("sql").get("app:db"):query("SELECT x FROM nowhere")\nend\n',
  });
  const { run, base } = await startHttpRun(dir);
  try {
    const first = await fetch(`${base}/items/a`, { method: 'POST' });
    assert.deepEqual([first.status, await first.json()], [200, { rows: 1 }]);
    const again = await fetch(`${base}/items/a`, { method: 'POST' });
    assert.equal(again.status, 409);
    const err = (await again.json()) as { kind: string; message: string; retryable: boolean };
    assert.equal(err.kind, 'Conflict');
    assert.equal(err.retryable, false);
    assert.match(err.message, /UNIQUE constraint failed: items\.id/);
    const broken = await fetch(`${base}/broken`);
    assert.deepEqual([broken.status, await broken.text()], [500, 'Invalid: no such table: nowhere\n']);
    const after = await fetch(`${base}/items/b`, { method: 'POST' });
    assert.equal(after.status, 200, 'still serving');
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
  }
  assert.deepEqual(run.stderr().split('\n').filter((l) => l.startsWith('[error]')), [
    '[error] http.service app:gateway: GET /broken: handler app:broken failed: Invalid: no such table: nowhere',
  ]);
  assertNoJsStack(run.stderr());
});

test('wippy run: a store.memory lives as long as its run: a value one call sets, a later call reads (after a release); the next run starts empty', async () => {
  const dir = withRegistry({
    'registry.yaml': 'namespace: app\nentries:\n  - {name: mem, kind: store.memory, lifecycle: {auto_start: true}}\n' +
      '  - {name: write, kind: function.lua, source: "file://write.lua", modules: [store]}\n' +
      '  - {name: read, kind: function.lua, source: "file://read.lua", modules: [store]}\n' +
      '  - {name: both, kind: function.lua, source: "file://both.lua", modules: [funcs]}\n',
    'write.lua': 'return function()\n  local s = require("store").get("app:mem")\n  assert(s:set("k", {n = 42}))\n  s:release()\n  return true\nend\n',
    'read.lua': 'return function()\n  local s = require("store").get("app:mem")\n  local v, err = s:get("k")\n  s:release()\n  if err then return nil, err end\n  return v\nend\n',
    'both.lua': 'local funcs = require("funcs")\nreturn function()\n  assert(funcs.call("app:write"))\n  return funcs.call("app:read")\nend\n',
  });
  const both = await wippyAsync(['run', dir, '-x', 'app:both']);
  assert.equal(both.code, 0, both.stderr);
  assert.deepEqual(JSON.parse(both.stdout), { n: 42 });
  // Wippy's store:persist_read reads what persist_write set: in a later run there is nothing.
  const read = await wippyAsync(['run', dir, '-x', 'app:read']);
  assert.equal(read.code, 1);
  assert.equal(read.stderr, 'error: NotFound: key not found\n');
});
