// The bad-input corpus, Lua: errors at run time (corpus/lua) and values that cannot cross into or out
// of Lua (corpus/payloads), through the real binary (harness: corpus-harness.ts). Lua module calls with
// wrong argument types are in lua-errors.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonParseError } from '../helpers/cli';
import { integrityCheck, openStore } from '../../runtime/store';
import { pool } from '../../testkit/wait';
import { wippyAsync } from '../../testkit/wippy';
import { copyOf, runCase, type Case } from './corpus-harness';


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
