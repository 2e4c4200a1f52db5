/**
 * Line numbers: runtime errors in typed code name the line of the original source;
 * unparsable annotations raise TypeSyntaxError naming the offending line; plain Lua syntax
 * errors are left to Fengari, whose message still names the right line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripTypes, TypeSyntaxError } from '../../lua/typestrip';
import { ErrorCode, WippyError } from '../../base/errors';
import { runLua } from './harness';

/** 1-based line of the first line containing `marker`. */
function lineOf(src: string, marker: string): number {
  const idx = src.indexOf(marker);
  assert.ok(idx >= 0, `marker ${marker} not found`);
  return src.slice(0, idx).split('\n').length;
}

const TYPED_PROGRAM = `-- runtime errors must report the original line numbers
export type Config = {
  name: string,
  limits: {
    max: number,
    min: number?,
  },
  hook: ((cfg: Config) -> boolean)?,
}
local function check(
  cfg: Config,
  strict: boolean?
): (boolean, string?)
  if cfg.limits.max < 0 then
    error("negative max") -- MARK_ERROR
  end
  return true, nil
end
local function index(t: {[string]: any}?, k: string): any
  local v = (t :: {[string]: any})[k] -- MARK_INDEX
  return v
end
local mode = ...
if mode == "error" then check({name = "x", limits = {max = -1}} as Config) end
if mode == "index" then index(nil, "k") end
if mode == "line" then return debug.getinfo(1, "l").currentline end -- MARK_LINE
return "no error"
`;

function runMode(mode: string): string {
  const src = stripTypes(TYPED_PROGRAM, 'prog.lua').replace('local mode = ...', `local mode = "${mode}"`);
  const r = runLua(src, 'prog.lua');
  assert.ok(r.compiled, r.value);
  return r.value;
}

test('error() in typed code reports the line of the original source', () => {
  assert.match(runMode('error'), new RegExp(`^prog\\.lua:${lineOf(TYPED_PROGRAM, 'MARK_ERROR')}: negative max$`));
});

test('a runtime fault in typed code reports the line of the original source', () => {
  const msg = runMode('index');
  assert.match(msg, new RegExp(`^prog\\.lua:${lineOf(TYPED_PROGRAM, 'MARK_INDEX')}: attempt to index a nil value`));
});

test('debug.getinfo currentline in typed code is the original line', () => {
  assert.equal(runMode('line'), String(lineOf(TYPED_PROGRAM, 'MARK_LINE')));
});

test('runtime error lines hold with \\r\\n, \\r and \\n\\r line endings too', () => {
  const want = new RegExp(`^prog\\.lua:${lineOf(TYPED_PROGRAM, 'MARK_ERROR')}: negative max$`);
  for (const eol of ['\r\n', '\r', '\n\r']) {
    const src = TYPED_PROGRAM.replace('local mode = ...', 'local mode = "error"').replace(/\n/g, eol);
    const r = runLua(stripTypes(src, 'prog.lua'), 'prog.lua');
    assert.match(r.value, want, JSON.stringify(eol));
  }
});

interface BadCase { src: string; line: number; what: RegExp }
const BAD: BadCase[] = [
  { src: 'local x: = 1', line: 1, what: /cannot parse type annotation after ':': expected a type near '='/ },
  { src: 'local a = 1\nlocal b = 2\nfunction f(a: number, b: {x: number,, y})\nend', line: 3, what: /expected a type near ','/ },
  { src: 'type T = {\n  x: number,\n  y: string', line: 3, what: /cannot parse type declaration: expected '}' near '<eof>'/ },
  { src: 'local ok = true\nlocal v = ok as {a: }', line: 2, what: /cannot parse type after 'as': expected a type near '}'/ },
  { src: '\n\nfunction f<T(x) end', line: 3, what: /cannot parse generic parameters after '<': expected '>' near '\('/ },
  { src: 'local y = z ::\n\n', line: 3, what: /cannot parse type after '::': expected a type near '<eof>'/ },
  { src: 'local function g():\n  -- nothing here\nend', line: 3, what: /cannot parse return type annotation after ':': expected a type near 'end'/ },
  { src: 'local t: Array<number = {}', line: 1, what: /expected '>' near '='/ },
  { src: 'type = 5\ntype Foo', line: 2, what: /expected '=' near '<eof>'/ },
  { src: 'interface I\n  function m(a: number):\nend', line: 3, what: /cannot parse interface declaration: expected a type near 'end'/ },
  { src: 'local x: {[string] number}', line: 1, what: /expected ':' near 'number'/ },
  { src: 'for k: , v in pairs({}) do end', line: 1, what: /after ':': expected a type near ','/ },
  { src: 'local f = function(...: ) end', line: 1, what: /after ':': expected a type near '\)'/ },
  { src: 'local cb: (a: number) = nil', line: 1, what: /expected '->' near '='/ },
];

for (const c of BAD) {
  test(`TypeSyntaxError at line ${c.line}: ${JSON.stringify(c.src).slice(0, 50)}`, () => {
    assert.throws(() => stripTypes(c.src, 'bad.lua'), (e: unknown) => {
      assert.ok(e instanceof TypeSyntaxError, `not a TypeSyntaxError: ${String(e)}`);
      assert.ok(e instanceof WippyError && e.code === ErrorCode.REGISTRY_INVALID);
      assert.equal(e.line, c.line);
      assert.equal(e.chunkName, 'bad.lua');
      assert.ok(e.message.startsWith(`bad.lua:${c.line}: `), e.message);
      assert.match(e.message, c.what);
      return true;
    });
  });
}

test('TypeSyntaxError shows a chunk name the way Lua does (no leading @ or =)', () => {
  assert.throws(() => stripTypes('local x: = 1', '@src/a.lua'), /^TypeSyntaxError: src\/a\.lua:1: /);
  assert.throws(() => stripTypes('local x: = 1', '@src/a.lua'), (e: unknown) => e instanceof TypeSyntaxError && e.chunkName === '@src/a.lua');
});

test('a plain Lua syntax error is left to Fengari, with the right line, types before it stripped', () => {
  const src = 'local x: number = 1\nlocal y = = 2\nlocal z: string = "a"';
  const out = stripTypes(src, 'syn.lua');
  assert.equal(out.split('\n')[0], 'local x         = 1');
  const r = runLua(out, 'syn.lua');
  assert.equal(r.compiled, false);
  assert.match(r.value, /^syn\.lua:2: /);
});

test('a lexical error inside an annotation is left to Fengari (unfinished string)', () => {
  const src = 'local a: number = 1\nlocal s: "open = 2\n';
  const out = stripTypes(src, 'lex.lua');
  const r = runLua(out, 'lex.lua');
  assert.equal(r.compiled, false);
  assert.match(r.value, /^lex\.lua:2: /);
});

test('as / :: that cannot be casts are not errors of ours', () => {
  assert.equal(stripTypes('local x = 1 as', 'a.lua'), 'local x = 1 as');
  assert.equal(stripTypes('f(as)\nas = 2\nlocal t = {as = as}', 'a.lua'), 'f(as)\nas = 2\nlocal t = {as = as}');
  assert.equal(stripTypes('local z = typeof(1)', 'a.lua'), 'local z = typeof(1)');
});

test('absurd nesting cannot overflow the stack: a type error for types, Fengari for expressions', () => {
  const deepType = `local x: ${'{'.repeat(50000)}number${'}'.repeat(50000)}`;
  assert.throws(() => stripTypes(deepType, 'deep.lua'), /deep\.lua:1: cannot parse type annotation after ':': nested too deeply/);
  const deepExpr = `local x: number = ${'('.repeat(50000)}1${')'.repeat(50000)}`;
  const out = stripTypes(deepExpr, 'deep.lua');
  assert.ok(out.startsWith('local x         = ('));
  assert.match(runLua(out, 'deep.lua').value, /^deep\.lua:1: /);
  const fine = `local x: ${'{'.repeat(150)}number${'}'.repeat(150)} = ${'('.repeat(150)}1${')'.repeat(150)}\nreturn x`;
  assert.equal(runLua(stripTypes(fine, 'deep.lua')).value, '1');
});
