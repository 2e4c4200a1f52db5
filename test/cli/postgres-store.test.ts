// `--db postgres://...` through the real binary: a workflow run on PostgreSQL (by --db, by
// WIPPY_DB, by the temporal.client's `store:`) and inspected with `wippy workflow`; and the
// mistakes: an unreachable server, a refused login, an unknown scheme: one line, exit status 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { wfRegistry } from '../../testkit/registry';
import { freePort, freshDatabase, PASSWORD_USER } from '../../testkit/postgres';
import { tempDir } from '../../testkit/temp';
import { completeLines, startWippy, wippy, wippyAsync } from '../../testkit/wippy';
import { readStore } from '../../testkit/store';
import { until } from '../../testkit/wait';

const WF = { steps: 'local funcs = require("funcs") return function(n) local s = 0 for i = 1, n do s = funcs.call("app:add", s, i) end return s end' };
const FNS = { add: 'return function(a, b) return a + b end' };

async function database(): Promise<{ url: string; port: number; database: string }> {
  const { pg, database: name } = await freshDatabase('wippy_cli_store');
  return { url: `postgres://postgres@127.0.0.1:${pg.port}/${name}`, port: pg.port, database: name };
}

test('a workflow runs on PostgreSQL by --db and by WIPPY_DB; wippy workflow list/show/history read it there', async () => {
  const fx = wfRegistry(WF, FNS);
  const { url } = await database();
  const r = await wippyAsync(['run', fx.dir, '--db', url, '-x', 'app:steps', '4']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), '10');
  const e = await wippyAsync(['run', fx.dir, '-x', 'app:steps', '3'], { env: { WIPPY_DB: url } });
  assert.equal(e.code, 0, e.stderr);
  assert.equal(e.stdout.trim().split('\n').pop(), '6');
  const list = wippy(['workflow', 'list', '--db', url, '--json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as Array<{ id: string; status: string }>;
  assert.deepEqual(rows.map((w) => w.status), ['completed', 'completed']);
  const hist = wippy(['workflow', 'history', rows[0].id, '--db', url]);
  assert.equal(hist.code, 0, hist.stderr);
  assert.equal((hist.stdout.match(/result of step/g) ?? []).length, 4, hist.stdout);
  const show = wippy(['workflow', 'show', rows[1].id], { env: { WIPPY_DB: url } });
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /completed/);
  // Nothing was written beside the registry or in the current folder: no SQLite file, no `postgres:` folder.
  assert.equal(fs.existsSync(path.join(fx.dir, '.wippy')), false);
  assert.equal(fs.existsSync(path.join(process.cwd(), 'postgres:')), false);
});

test('an unreachable server, a login PostgreSQL refuses, an unknown scheme: one line each, exit status 2', async () => {
  const fx = wfRegistry(WF, FNS);
  const cwd = tempDir();
  const port = await freePort();
  const { port: live, database: name } = await database();
  const { pg } = await freshDatabase('wippy_cli_roles');
  await pg.sql('DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = \'wippy_nologin\') THEN CREATE ROLE wippy_nologin NOLOGIN; END IF; END $$');
  // A role whose password the server checks (testkit/postgres.ts PASSWORD_USER): a wrong one is refused.
  await pg.sql(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PASSWORD_USER}') THEN CREATE ROLE ${PASSWORD_USER} LOGIN SUPERUSER PASSWORD 'right-one'; END IF; END $$`);
  const cases: Array<[string, string[], RegExp]> = [
    ['unreachable', ['run', fx.dir, '--db', `postgres://u:hunter2@127.0.0.1:${port}/db`, '-x', 'app:steps', '1'], /cannot reach PostgreSQL .*check the host and port/],
    ['refused login', ['run', fx.dir, '--db', `postgres://wippy_nologin@127.0.0.1:${live}/${name}`, '-x', 'app:steps', '1'], /PostgreSQL refused the login .*check the user and password/],
    ['wrong password', ['run', fx.dir, '--db', `postgres://${PASSWORD_USER}:hunter2@127.0.0.1:${live}/${name}`, '-x', 'app:steps', '1'], /PostgreSQL refused the login \(password authentication failed for user "wippy_password"\); check the user and password/],
    ['no such database', ['workflow', 'list', '--db', `postgres://postgres@127.0.0.1:${live}/nope_${process.pid}`], /nope_\d+.*createdb/],
    ['unknown scheme', ['run', fx.dir, '--db', 'mysql://u@h/db', '-x', 'app:steps', '1'], /unknown store scheme 'mysql:\/\/'/],
  ];
  for (const [what, args, msg] of cases) {
    const r = wippy(args, { cwd });
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assertNoJsStack(r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
    assert.match(r.stderr, msg, what);
    assert.ok(!r.stderr.includes('hunter2'), `${what}: the password is not shown`);
  }
  assert.deepEqual(fs.readdirSync(cwd), [], 'no folder named after the URL');
  // The right password is let in: the refusal above was the password's.
  const ok = wippy(['run', fx.dir, '--db', `postgres://${PASSWORD_USER}:right-one@127.0.0.1:${live}/${name}`, '-x', 'app:steps', '2'], { cwd });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim().split('\n').pop(), '3');
});

test('the connection lost mid-run: the node says so in one line, retries with backoff while the database refuses it, joins again and finishes every step once', async () => {
  const fx = wfRegistry({
    slow: `local funcs, time = require("funcs"), require("time")
      return function(n) for i = 1, n do funcs.call("app:tick", i) time.sleep("50ms") end return n end`,
  }, { tick: 'local ctx = require("ctx") return function(i) print("STEP " .. ctx.get("activity_id")) return i end' });
  const { url, database: name } = await database();
  const { pg } = await freshDatabase('wippy_cli_admin');
  const stdout = path.join(fx.dir, 'stdout.log');
  const run = startWippy(['run', fx.dir, '--db', url, '-x', 'app:slow', '40'], { stdoutFile: stdout });
  await until(() => completeLines(stdout).filter((l) => l.startsWith('STEP ')).length >= 3, 'a few steps');
  // The database takes no new connection for a while, and the node's connection is cut.
  await pg.sql(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await pg.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND application_name LIKE 'wippy-%'`);
  await until(() => /joining again failed .*retrying in 1s/.test(run.stderr()), 'a second failed attempt, after a longer wait');
  await pg.sql(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
  assert.equal(await run.exited, 0, run.stderr());
  assertNoJsStack(run.stderr());
  const lines = run.stderr().trim().split('\n');
  assert.equal(lines.filter((l) => /cannot reach PostgreSQL.*dropped its workflows .*joins again/.test(l)).length, 1, run.stderr());
  assert.equal(lines.filter((l) => /joined .* again \(1 workflows resumed\)/.test(l)).length, 1, run.stderr());
  assert.equal(completeLines(stdout).pop(), '40');
  const steps = completeLines(stdout).filter((l) => l.startsWith('STEP '));
  const done = readStore(url, (s) => s.history(s.listWorkflows()[0].id).filter((r) => r.type === 'call_done').length);
  assert.equal(done, 40, 'every step recorded once');
  // A step may run again only if it was cut off before its result was committed (at most one).
  assert.ok(steps.length >= 40 && steps.length <= 41, steps.join(' | '));
});
