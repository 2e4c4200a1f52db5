// One registry always means one default store (README "Where workflows are stored"), through the
// real binary: every way of naming the registry and every working folder finds the same store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { withRegistry, wfRegistryFiles } from '../../testkit/registry';
import { wippy } from '../../testkit/wippy';

/** `files` moved under `src/`. */
function inSrc(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([f, text]) => [path.join('src', f), text]));
}

const HELLO = { hello: 'return function(n) return "hi " .. n end' };

/** A project folder with its registry in src/ (client app:client at registry.yaml:3, workflow app:hello) and an empty src/sub. */
function project(extra: Record<string, string> = {}): string {
  const dir = withRegistry({ ...inSrc(wfRegistryFiles(HELLO)), ...extra });
  fs.mkdirSync(path.join(dir, 'src', 'sub'));
  return dir;
}

/** Every SQLite file below `dir`, relative. */
function stores(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.db')) out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function run(cwd: string, registry: string, arg: string): void {
  const r = wippy(['run', registry, '-x', 'app:hello', JSON.stringify(arg)], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), JSON.stringify(`hi ${arg}`));
}

function listed(cwd: string, extra: string[] = [], env: Record<string, string> = {}): string[] {
  const r = wippy(['workflow', 'list', '--json', ...extra], { cwd, env });
  assert.equal(r.code, 0, `from ${cwd}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as Array<{ id: string }>).map((w) => w.id);
}

test('the default store: every path form and working folder uses .wippy/state.db beside the file declaring the client; workflow commands find it from the project and below', () => {
  const dir = project();
  const src = path.join(dir, 'src');
  run(dir, 'src', 'a');
  run(dir, 'src/registry.yaml', 'b');
  run(dir, '.', 'c');
  run(src, '.', 'd');
  run(path.join(src, 'sub'), '..', 'e');
  assert.deepEqual(stores(dir), [path.join('src', '.wippy', 'state.db')]);
  const ids = listed(dir);
  assert.equal(ids.length, 5);
  assert.deepEqual(listed(src), ids);
  assert.deepEqual(listed(path.join(src, 'sub')), ids);
  assert.deepEqual(listed(dir, ['--registry', 'src/registry.yaml']), ids);
  // show names the store it read.
  const show = wippy(['workflow', 'show', ids[0]], { cwd: path.join(src, 'sub') });
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /store:\s+store \.\.\/\.wippy\/state\.db \(temporal\.client app:client in \.\.\/registry\.yaml:3\)/);
});

for (const marker of ['.wippy.yaml', 'wippy.lock']) {
  test(`inside a project (${marker} at its root) the default store is the root's .wippy/state.db`, () => {
    const dir = project({ [marker]: marker === '.wippy.yaml' ? 'logger: {level: info}\n' : 'directories: {modules: .wippy, src: ./src}\n' });
    const src = path.join(dir, 'src');
    run(dir, 'src', 'a');
    run(src, '.', 'b');
    run(dir, '.', 'c');
    assert.deepEqual(stores(dir), [path.join('.wippy', 'state.db')]);
    assert.equal(listed(dir).length, 3);
    assert.equal(listed(path.join(src, 'sub')).length, 3);
  });
}

test('finding the store reads only temporal.client entries: broken registry files elsewhere (test fixtures) do not block it', () => {
  const dir = project({
    'test/fixtures/bad.yaml': 'not: [valid',
    'test/fixtures/dup.yaml': 'namespace: app\nentries:\n  - {name: client, kind: nosuch.kind}\n  - {name: hello, kind: function.lua}\n',
  });
  run(dir, 'src', 'a');
  const r = wippy(['workflow', 'list'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /app:hello\s+completed/);
  assert.equal(r.stderr, '');
});

test('several stores: the error names each and asks for --registry or --db; --registry picks one', () => {
  const files = wfRegistryFiles(HELLO);
  const other = files['registry.yaml'].replace('namespace: app', 'namespace: other').replace('client: app:client', 'client: other:client')
    .replace('worker: app:worker', 'worker: other:worker').replace('kind: temporal.client', 'kind: temporal.client\n    store: data/other.db');
  const dir = project({ 'other/registry.yaml': other, 'other/wf_hello.lua': files['wf_hello.lua'] });
  run(dir, 'src', 'a');
  const r = wippy(['workflow', 'list'], { cwd: dir });
  assert.equal(r.code, 2);
  assertNoJsStack(r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0], /^error: 2 workflow stores found in the registry files under .*; say which with --registry PATH .* or --db FILE:$/);
  assert.match(r.stderr, /^ {2}other\/data\/other\.db: temporal\.client other:client in other\/registry\.yaml:3$/m);
  assert.match(r.stderr, /^ {2}src\/\.wippy\/state\.db: temporal\.client app:client in src\/registry\.yaml:3$/m);
  assert.equal(listed(dir, ['--registry', 'src']).length, 1);
});

test('when no store is found it says which it looked for: a store not yet created, a project without a client', () => {
  const dir = project();
  const r = wippy(['workflow', 'list'], { cwd: path.join(dir, 'src', 'sub') });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: store \.\.\/\.wippy\/state\.db \(temporal\.client app:client in \.\.\/registry\.yaml:3\): no such file \(.*src\/\.wippy\/state\.db\); no workflow has run with this store yet/);
  const empty = withRegistry({ 'wippy.lock': '{}\n', 'src/a.yaml': 'namespace: a\nentries: []\n' });
  const n = wippy(['workflow', 'list'], { cwd: path.join(empty, 'src') });
  assert.equal(n.code, 2);
  assert.match(n.stderr, /^error: no workflow store found: no temporal\.client entry in the project at .* \(the folder holding wippy\.lock\); pass --registry PATH or --db FILE\n$/);
});

test('WIPPY_DB names the store for wippy run and wippy workflow; --db wins over it', () => {
  const dir = project();
  const envDb = path.join(dir, 'env.db');
  const flagDb = path.join(dir, 'flag.db');
  const r1 = wippy(['run', 'src', '-x', 'app:hello', '"a"'], { cwd: dir, env: { WIPPY_DB: envDb } });
  assert.equal(r1.code, 0, r1.stderr);
  const r2 = wippy(['run', 'src', '--db', flagDb, '-x', 'app:hello', '"b"'], { cwd: dir, env: { WIPPY_DB: envDb } });
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(stores(dir), ['env.db', 'flag.db']);
  const [viaEnv] = listed(dir, [], { WIPPY_DB: envDb });
  const [viaFlag] = listed(dir, ['--db', flagDb], { WIPPY_DB: envDb });
  const input = (id: string, env: Record<string, string>) => JSON.parse(wippy(['workflow', 'show', '--json', id], { cwd: dir, env }).stdout).input;
  assert.deepEqual(input(viaEnv, { WIPPY_DB: envDb }), ['a']);
  assert.deepEqual(input(viaFlag, { WIPPY_DB: flagDb }), ['b']);
  const missing = wippy(['workflow', 'list'], { cwd: dir, env: { WIPPY_DB: path.join(dir, 'none.db') } });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: WIPPY_DB=.*none\.db: no such file/);
});
