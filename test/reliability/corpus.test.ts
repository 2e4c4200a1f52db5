// The bad-input corpus, through the real `wippy` binary: broken registries (test/reliability/
// corpus/registries, plus a generated 20 MB file and a generated deeply nested one), Lua errors
// at run time (corpus/lua), values that cannot cross into or out of Lua (corpus/payloads),
// durations, and `--db` pointing at something that is not a usable store. Each case asserts the
// exact message (or a precise pattern where a count or a pid varies), the exit status, no JS
// stack, and where a store is involved that it is intact afterwards. Lua module calls with wrong
// argument types are in lua-errors.test.ts (in-process, one case per line); signals to unknown or
// finished workflows in signals.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack, jsonParseError } from '../helpers/cli';
import { integrityCheck, openStore } from '../../runtime/store';
import { otherUser } from '../helpers/other-user';
import { snapshot } from '../../testkit/store';
import { tempDir } from '../../testkit/temp';
import { pool, until } from '../../testkit/wait';
import { ROOT, wippyAsync, startWippy } from '../../testkit/wippy';

const CORPUS = path.join(ROOT, 'test/reliability/corpus');

/** A copy of a corpus folder in a temp folder (runs may write a store beside the registry). */
function copyOf(rel: string): string {
  const dir = tempDir('wippy-corpus-');
  fs.cpSync(path.join(CORPUS, rel), dir, { recursive: true });
  return dir;
}

interface Case {
  name: string;
  /** Corpus folder copied to a temp dir that becomes the cwd (`.` is the registry). */
  corpus: string;
  args: (dir: string) => string[];
  code: number;
  /** The whole of stderr (exact), or a pattern for it. */
  stderr: string | RegExp | ((dir: string) => string);
  stdout?: string;
}

async function runCase(c: Case): Promise<void> {
  const dir = copyOf(c.corpus);
  const r = await wippyAsync(c.args(dir), { cwd: dir });
  const where = `case ${c.name}: exit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`;
  assert.equal(r.code, c.code, where);
  assertNoJsStack(r.stderr);
  const expected = typeof c.stderr === 'function' ? c.stderr(dir) : c.stderr;
  if (expected instanceof RegExp) assert.match(r.stderr, expected, where);
  else assert.equal(r.stderr, expected, where);
  assert.equal(r.stdout, c.stdout ?? '', where);
  const db = path.join(dir, 'state.db');
  if (fs.existsSync(db)) assert.equal(integrityCheck(db), 'ok', `${where}\nstore integrity`);
}

const KINDS = 'function.lua, process.lua, workflow.lua, library.lua, process.host, process.service, temporal.client, temporal.worker, security.policy';

// ---------------------------------------------------------------- registries

const REGISTRY_CASES: Case[] = [
  {
    name: 'broken YAML', corpus: 'registries/broken-yaml', args: () => ['run', '.'], code: 2,
    stderr: 'error: registry.yaml:5:5: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n',
  },
  {
    name: 'unknown kind', corpus: 'registries/unknown-kind', args: () => ['run', '.', '-x', 'app:charge'], code: 2,
    stderr: `error: registry.yaml:4: entry app:charge, field kind: unknown kind functon.lua (did you mean function.lua?); valid kinds: ${KINDS}\n`,
  },
  {
    name: 'wrong field types (one line each)', corpus: 'registries/wrong-types', args: () => ['run', '.'], code: 2,
    stderr: [
      'error: registry.yaml:6: entry app:f, field modules: expected a list of strings, got a string "json"; write modules: [json]',
      'registry.yaml:10: entry app:h, field lifecycle.auto_start: expected true or false, got a string "yes"',
      'registry.yaml:11: entry app:h, field lifecycle.restart.max_attempts: expected a whole number >= 0 (0 = unlimited), got a number 1.5',
      'registry.yaml:14: entry app:w, field client: expected a reference like app:name or name, got a number 42',
      'registry.yaml:15: entry app:w, field task_queue: expected a non-empty string, got a list',
      '',
    ].join('\n'),
  },
  {
    name: 'a cycle in requires', corpus: 'registries/requires-cycle', args: () => ['run', '.'], code: 2,
    stderr: 'error: registry.yaml:12: entry app:a, field lifecycle.requires: requires cycle: app:a -> app:b -> app:c -> app:a; an entry cannot depend on itself, directly or through others\n',
  },
  {
    name: 'a source outside the registry (file://../x.lua)', corpus: 'registries/escape', args: () => ['run', 'reg', '-x', 'app:f'], code: 2,
    stderr: (dir) => `error: reg/registry.yaml:5: entry app:f, field source: ../outside.lua escapes the registry root ${fs.realpathSync(dir)}/reg (resolved to ${fs.realpathSync(dir)}/outside.lua); keep sources inside the registry folder\n`,
  },
  {
    name: 'a Lua syntax error', corpus: 'registries/lua-syntax', args: () => ['run', '.', '-x', 'app:bad'], code: 2,
    stderr: "error: registry.yaml:5: entry app:bad, field source: Lua syntax error: bad.lua:5: unexpected symbol near 'end'\n",
  },
  {
    name: 'durations "1d", "-5s" and "" in a registry', corpus: 'registries/durations', args: () => ['run', '.'], code: 2,
    stderr: [
      'error: registry.yaml:13: entry app:s, field lifecycle.stable_threshold: invalid duration "": it is empty; write a number with a unit, e.g. "1h30m", "10s" or "500ms"',
      'registry.yaml:14: entry app:s, field lifecycle.restart.initial_delay: invalid duration "1d": "d" (days) is not a unit; write hours instead, e.g. "24h"',
      'registry.yaml:14: entry app:s, field lifecycle.restart.max_delay: invalid duration "-5s": durations must be positive or zero (e.g. "1h30m", "10s" or "500ms")',
      '',
    ].join('\n'),
  },
  {
    name: 'the same id in two files', corpus: 'registries/duplicate-id', args: () => ['run', '.'], code: 2,
    stderr: 'error: b.yaml:3: entry app:h: duplicate id app:h: already declared at a.yaml:3; rename one of them\n',
  },
  {
    name: 'a file that is not a map', corpus: 'registries/not-a-map', args: () => ['run', '.'], code: 2,
    stderr: 'error: registry.yaml:1: expected a map with namespace and entries, got a list\n',
  },
  {
    name: 'a YAML alias bomb', corpus: 'registries/yaml-alias-bomb', args: () => ['run', '.'], code: 2,
    stderr: 'error: registry.yaml: invalid YAML: Excessive alias count indicates a resource exhaustion attack\n',
  },
  {
    // Looking the entry point up in a returned table runs its __index: it used to panic Fengari.
    name: 'a module table whose __index raises', corpus: 'registries/entry-lookup-raises', args: () => ['run', '.', '-x', 'app:f'], code: 1,
    stderr: "error: Invalid: app:f: f.lua: looking up its entry point 'main' failed: f.lua:2: no field main\n",
  },
];

test('registry corpus: each mistake is one line with file, line and field; exit 2; nothing starts', async () => {
  await pool(REGISTRY_CASES, 3, runCase);
});

test('a 20 MB registry file with a mistake after the huge part: reported with its line', async () => {
  const dir = tempDir('wippy-corpus-');
  const big = 'x'.repeat(20 * 1024 * 1024);
  fs.writeFileSync(path.join(dir, 'registry.yaml'),
    `namespace: app\nmeta: {comment: "${big}"}\nentries:\n  - name: h\n    kind: process.host\n  - name: s\n    kind: proces.service\n`);
  const r = await wippyAsync(['run', '.'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `error: registry.yaml:7: entry app:s, field kind: unknown kind proces.service (did you mean process.service?); valid kinds: ${KINDS}\n`);
  assert.equal(r.stdout, '');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('YAML nested 50,000 levels deep: a one-line YAML error with its position, not a crash', async () => {
  const dir = tempDir('wippy-corpus-');
  fs.writeFileSync(path.join(dir, 'registry.yaml'),
    `namespace: app\nentries:\n  - name: h\n    kind: process.host\n    meta: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
  const r = await wippyAsync(['run', '.'], { cwd: dir });
  assert.equal(r.code, 2);
  assertNoJsStack(r.stderr);
  // The parser's own recursion limit is what stops it; the column depends on the JS stack size.
  assert.match(r.stderr, /^error: registry\.yaml:5:\d+: invalid YAML: Maximum call stack size exceeded\n$/);
});

// ---------------------------------------------------------------- Lua at run time

const TB = '(stack traceback:\\n(\\t.*\\n)+)?'; // a Lua traceback may follow the one-line message
const luaCase = (name: string, flags: string[], entry: string, code: number, first: string | RegExp): Case => ({
  name, corpus: 'lua', code,
  args: (dir) => ['run', '.', '--db', path.join(dir, 'state.db'), ...flags, '-x', entry, JSON.stringify(name)],
  stderr: first instanceof RegExp ? first : new RegExp(`^${escapeRe(first)}\\n${TB}$`),
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const LUA_CASES: Case[] = [
  luaCase('raise', [], 'app:lua', 1, 'error: Internal: cases.lua:2: boom'),
  luaCase('recursion', [], 'app:lua', 1, 'error: Internal: cases.lua:3: stack overflow'),
  luaCase('recursion', [], 'app:wlua', 1, 'error: Internal: cases.lua:3: stack overflow'),
  luaCase('metamethod_recursion', [], 'app:lua', 1, 'error: Internal: cases.lua:4: JS stack overflow'),
  luaCase('endless', ['--budget', '2000000'], 'app:lua', 1,
    'error: Timeout: instruction budget exceeded in app:lua at cases.lua:5: more than 2,000,000 Lua instructions ran without waiting (an endless loop?)'),
  luaCase('endless', ['--budget', '2000000'], 'app:wlua', 3,
    /^\[error\] workflow (\S+) \(app:wlua\) was stopped in one activation:\n {2}Timeout: instruction budget exceeded in app:wlua at cases\.lua:5: more than 2,000,000 Lua instructions ran without waiting \(an endless loop\?\)\nThe workflow is parked, not failed: fix the code and restart `wippy run`\.\nerror: workflow \1 \(app:wlua\) was stopped in one activation:\n/),
  // `s = s .. s` reaches gigabytes in a few dozen instructions, before any hook could stop it.
  luaCase('doubling', [], 'app:lua', 1,
    'error: Internal: cases.lua:6: string length overflow: the result would be 134217728 bytes, more than the 67108864-byte limit'),
  luaCase('concat_table', [], 'app:lua', 1,
    'error: Internal: cases.lua:9: string length overflow: the result would be 68157440 bytes, more than the 67108864-byte limit'),
  // A million distinct 100 KB strings: their bytes live outside the JS heap and still count.
  luaCase('strings', ['--max-memory', '64'], 'app:lua', 1,
    /^error: Internal: memory limit exceeded in app:lua at cases\.lua:7: the heap grew by \d+ MiB in one activation \(limit 64 MiB; a huge string or table\?\)\n$/),
  // Reading an error value runs its __tostring: it used to panic Fengari and kill the process.
  luaCase('bad_tostring', [], 'app:lua', 1, 'error: Internal: (error object is a table value whose __tostring or __index failed)'),
  luaCase('bad_tostring', [], 'app:wlua', 1, 'error: Internal: (error object is a table value whose __tostring or __index failed)'),
];

test('Lua corpus: run-time errors are one line with file:line (plus the Lua traceback), never a crash', async () => {
  await pool(LUA_CASES, 3, runCase);
});

// ---------------------------------------------------------------- payloads

const payload = (name: string, entry: string, args: string[], code: number, stderr: string | RegExp, stdout?: string): Case => ({
  name, corpus: 'payloads', code, stderr, stdout,
  args: (dir) => ['run', '.', '--db', path.join(dir, 'state.db'), '-x', entry, ...args],
});
const deepArg = `${'['.repeat(250)}${']'.repeat(250)}`;
const cannotReturn = (what: string) => `error: Internal: cannot return this value: ${what}\n`;

const PAYLOAD_CASES: Case[] = [
  payload('result: a cycle', 'app:value', ['"cycle"'], 1, cannotReturn('cannot encode a cyclic table (it contains itself) at result.self')),
  payload('result: a function', 'app:value', ['"fn"'], 1, cannotReturn('cannot encode a function at result.cb')),
  payload('result: nested 300 deep', 'app:value', ['"deep"'], 1,
    cannotReturn(`value is nested deeper than 200 levels at result${'.n'.repeat(17)}...${'.n'.repeat(15)}`)),
  payload('result: invalid UTF-8', 'app:value', ['"utf8"'], 1, cannotReturn('string is not valid UTF-8 at result.name')),
  payload('result: NaN', 'app:value', ['"nan"'], 1, cannotReturn('cannot encode NaN (JSON has no NaN or infinity) at result.ratio')),
  payload('result: infinity', 'app:value', ['"inf"'], 1, cannotReturn('cannot encode Infinity (JSON has no NaN or infinity) at result[3]')),
  payload('result: a coroutine', 'app:value', ['"thread"'], 1, cannotReturn('cannot encode a thread at result')),
  payload('result: a boolean key', 'app:value', ['"boolkey"'], 1, cannotReturn('cannot encode a table key of type boolean (keys must be strings or numbers) at result')),
  payload('argument: nested 250 deep', 'app:echo', [deepArg], 2,
    'error: argument 1 cannot be passed to Lua: it is nested deeper than 200 levels (the limit for values that cross into Lua)\n'),
  payload('argument: 1e400', 'app:echo', ['{"amount": [1, 1e400]}'], 2,
    'error: argument 1 cannot be passed to Lua: the number at value.amount[2] is too large (JSON numbers must fit a 64-bit float)\n'),
  payload('argument: NaN', 'app:echo', ['NaN'], 2,
    'error: argument 1 is not valid JSON: NaN (each argument is one JSON value; a string needs quotes, e.g. \'"NaN"\')\n'),
  payload('argument: not JSON', 'app:echo', ['1', '{"a": 1'], 2,
    `error: argument 2 is not valid JSON: {"a": 1 (${jsonParseError('{"a": 1')}; each argument is one JSON value; quote the whole value for the shell, e.g. '{"approved": true}')\n`),
  payload('an argument comes back unchanged', 'app:echo', ['{"a":[1,2.5,"x",true,{}],"b":[],"c":-0.0}'], 0, '', '{"a":[1,2.5,"x",true,{}],"b":[],"c":-0.0}\n'),
];

test('payload corpus: values Lua cannot hold are refused with their path, before anything starts', async () => {
  await pool(PAYLOAD_CASES, 3, runCase);
});

test('a workflow given an argument Lua cannot hold is refused before it is recorded', async () => {
  const dir = copyOf('payloads');
  const db = path.join(dir, 'state.db');
  const r = await wippyAsync(['run', '.', '--db', db, '-x', 'app:wecho', deepArg], { cwd: dir });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'error: argument 1 cannot be passed to Lua: it is nested deeper than 200 levels (the limit for values that cross into Lua)\n');
  assert.ok(!fs.existsSync(db), 'the store was not even opened');
});

test('10 MB values: a function result and a workflow result (recorded in the store)', async () => {
  const dir = copyOf('payloads');
  const db = path.join(dir, 'state.db');
  const fn = await wippyAsync(['run', '.', '--db', db, '-x', 'app:value', '"big"'], { cwd: dir });
  assert.equal(fn.code, 0, fn.stderr);
  assert.equal(fn.stdout.length, 10 * 1024 * 1024 + 3); // the quoted string and a newline
  const wf = await wippyAsync(['run', '.', '--db', db, '-x', 'app:wvalue', '"big"'], { cwd: dir });
  assert.equal(wf.code, 0, wf.stderr);
  assert.equal(wf.stdout, fn.stdout);
  assert.equal(integrityCheck(db), 'ok');
  const s = openStore(db, { lock: false });
  try {
    const [row] = s.listWorkflows();
    assert.equal(row.status, 'completed');
    assert.equal(row.result!.length, 10 * 1024 * 1024 + 2);
  } finally {
    s.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a workflow whose result cannot be encoded fails (recorded), it is not parked or lost', async () => {
  const dir = copyOf('payloads');
  const db = path.join(dir, 'state.db');
  const r = await wippyAsync(['run', '.', '--db', db, '-x', 'app:wvalue', '"cycle"'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, cannotReturn('cannot encode a cyclic table (it contains itself) at result.self'));
  assert.equal(integrityCheck(db), 'ok');
  const s = openStore(db, { lock: false });
  try {
    const [row] = s.listWorkflows();
    assert.equal(row.status, 'failed');
    assert.equal(row.error!.message, 'cannot return this value: cannot encode a cyclic table (it contains itself) at result.self');
  } finally {
    s.close();
  }
});

// ---------------------------------------------------------------- --db

/** A store with one completed workflow in it (made through the binary). */
async function storeWithOneWorkflow(dir: string, db: string): Promise<void> {
  const r = await wippyAsync(['run', '.', '--db', db, '-x', 'app:wecho', '"kept"'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
}

test('--db at a file that is not SQLite, or at a folder: one line, exit 1, the file left as it was', async () => {
  const dir = copyOf('payloads');
  const notDb = path.join(dir, 'notes.txt');
  fs.writeFileSync(notDb, 'these are my notes, not a database\n'.repeat(100));
  const before = fs.readFileSync(notDb);
  const r = await wippyAsync(['run', '.', '--db', notDb, '-x', 'app:echo', '1'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: store ${notDb}: not a SQLite database (file is not a database); point --db at another file or move this one away\n`);
  assert.equal(r.stdout, '');
  assert.deepEqual(fs.readFileSync(notDb), before);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('notes.txt')), ['notes.txt'], 'no -wal, -shm or lock left beside it');

  const folder = path.join(dir, 'afolder');
  fs.mkdirSync(folder);
  const f = await wippyAsync(['run', '.', '--db', folder, '-x', 'app:echo', '1'], { cwd: dir });
  assert.equal(f.code, 1);
  assert.equal(f.stderr, `error: store ${folder}: is a folder; point --db at a file inside it\n`);
});

test('--db at a read-only store file or in a read-only folder: one line, exit 1, the store intact', { skip: process.platform === 'win32' }, async () => {
  // Root ignores file permissions: run the binary as `nobody` then, from a copy it can read.
  const other = otherUser();
  const asUser = { ...other.spawn, wippy: other.wippy };
  const base = tempDir('wippy-ro-');
  fs.chmodSync(base, 0o755);
  fs.cpSync(path.join(CORPUS, 'payloads'), base, { recursive: true });
  const db = path.join(base, 'store', 'state.db');
  await storeWithOneWorkflow(base, db);
  const before = snapshot(db);
  for (const f of fs.readdirSync(base, { recursive: true }) as string[]) fs.chmodSync(path.join(base, f), fs.statSync(path.join(base, f)).isDirectory() ? 0o755 : 0o644);
  fs.chmodSync(db, 0o444);
  const ro = await wippyAsync(['run', '.', '--db', db, '-x', 'app:echo', '1'], { cwd: base, ...asUser });
  assert.equal(ro.code, 1, ro.stderr);
  assert.equal(ro.stderr, `error: store ${db}: the file is read-only (EACCES); point --db at a writable location\n`);
  fs.chmodSync(path.dirname(db), 0o555);
  const inRo = path.join(path.dirname(db), 'new.db');
  const nf = await wippyAsync(['run', '.', '--db', inRo, '-x', 'app:echo', '1'], { cwd: base, ...asUser });
  assert.equal(nf.code, 1, nf.stderr);
  assert.equal(nf.stderr, `error: store ${inRo}: cannot create lock file ${inRo}.lock (EACCES); point --db at a writable location\n`);
  fs.chmodSync(path.dirname(db), 0o755);
  fs.chmodSync(db, 0o644);
  assert.equal(integrityCheck(db), 'ok');
  assert.equal(snapshot(db), before);
});

test('two wippy run on one store: the second says who holds it and exits 1; the first carries on', async () => {
  const dir = copyOf('payloads');
  fs.writeFileSync(path.join(dir, 'waiter.lua'), 'return function() return process.inbox():receive():payload():data() end\n');
  fs.appendFileSync(path.join(dir, 'registry.yaml'),
    '  - name: waiter\n    kind: workflow.lua\n    source: file://waiter.lua\n    meta: {temporal: {workflow: {worker: app:worker}}}\n');
  const db = path.join(dir, 'state.db');
  const first = startWippy(['run', dir, '--db', db, '-x', 'app:waiter']);
  try {
    await until(() => fs.existsSync(`${db}.lock`) && openStore(db, { lock: false }).listWorkflows().length === 1, 'the first run to start its workflow');
    const before = snapshot(db);
    const second = await wippyAsync(['run', '.', '--db', db, '-x', 'app:echo', '1'], { cwd: dir });
    assert.equal(second.code, 1);
    assert.equal(second.stderr, `error: store ${db}: in use by another wippy process (pid ${first.proc.pid}); stop it first, or delete ${db}.lock if no wippy is running\n`);
    assert.equal(snapshot(db), before, 'the second run wrote nothing');
    // The first one is unaffected: it takes a signal and finishes its workflow.
    const [row] = openStore(db, { lock: false }).listWorkflows();
    const sig = await wippyAsync(['workflow', 'signal', row.id, 'go', '"still here"', '--db', db]);
    assert.equal(sig.code, 0, sig.stderr);
    assert.equal(await first.exited, 0, first.err.join(''));
    assert.equal(first.lines().at(-1), '"still here"');
  } finally {
    first.proc.kill('SIGKILL');
  }
  assert.equal(integrityCheck(db), 'ok');
});
