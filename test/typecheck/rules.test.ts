// The type checker's rules (lua/typecheck/): for each, code it must accept and code it must refuse,
// with the message asserted. Unannotated code is `any` and never refused (gradual, as Wippy's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTypes } from '../../lua/typecheck';
import type { TypeUnit } from '../../registry/types';
import { stdModule } from '../../lua-stdlib';

/** The issues of one chunk, as `line:col: message`. */
function issues(source: string, more: Partial<TypeUnit> = {}, others: TypeUnit[] = []): string[] {
  const unit: TypeUnit = { id: 't:main', chunkName: 'main.lua', source, imports: {}, modules: [], ...more };
  return checkTypes([unit, ...others], (name) => stdModule(name)?.types).filter((i) => i.id === 't:main').map((i) => `${i.line}:${i.column}: ${i.message}`);
}

/** Assert `ok` has no issue and `bad` has exactly `expected`. */
function rule(ok: string, bad: string, expected: string[]): void {
  assert.deepEqual(issues(ok), [], 'the accepted code has an issue');
  assert.deepEqual(issues(bad), expected);
}

test('locals: a value must fit the annotation', () => {
  rule('local x: number = 42\nlocal s: string = "a"\nlocal i: integer = 10\nlocal b: boolean = true\nlocal a: any = {}',
    'local x: number = "hello"\nlocal s: string = 42\nlocal n: number = {}\nlocal i: integer = 1.5',
    ['1:19: local x: expected number, found string "hello"', '2:19: local s: expected string, found number 42',
      '3:19: local n: expected number, found table', '4:20: local i: expected integer, found number 1.5']);
});

test('nil only where nil is allowed', () => {
  rule('local x: number? = nil\nlocal function get(): number? return nil end\nlocal y: number? = get()',
    'local x: number = nil\nlocal function get(): number? return nil end\nlocal y: number = get()',
    ['1:19: local x: expected number, found nil', '3:19: local y: expected number, found number?']);
});

test('narrowing: a tested or defaulted optional is not nil afterwards', () => {
  assert.deepEqual(issues(`
local function f(x: number?, cfg: {timeout?: number}): number
  local d: number = x or 0
  local t: number = cfg.timeout or 30
  if x ~= nil then
    local y: number = x
  end
  if not cfg.timeout then return 0 end
  local u: number = cfg.timeout
  return d + t + u
end
local function g(v: number | string): string
  if type(v) == "number" then return "n" .. tostring(v + 1) end
  return v
end`), []);
  assert.deepEqual(issues('local function f(x: number?): number\n  return x\nend'),
    ['2:10: return value 1 of f: expected number, found number?']);
});

test('unions: the value must be one of the members', () => {
  rule('local a: number | string = 42\nlocal b: number | string = "x"\nlocal c: "fast" | "safe" = "fast"',
    'local a: number | string = true\nlocal b: number | string | boolean = {}\nlocal c: "fast" | "safe" = "slow"',
    ['1:28: local a: expected number | string, found boolean true', '2:38: local b: expected number | string | boolean, found table',
      '3:28: local c: expected "fast" | "safe", found string "slow"']);
});

test('records: required fields present and of their type; optional fields may be missing', () => {
  rule('type P = {name: string, age?: number}\nlocal p: P = {name = "a"}\nlocal q: P = {name = "b", age = 3}',
    'type P = {name: string, age?: number}\nlocal p: P = {age = 3}\nlocal q: P = {name = "b", age = "x"}',
    ['2:14: local p: field name: expected string, found nil (missing)', '3:14: local q: field age: expected number?, found string "x"']);
});

test('unknown fields of a declared table type; fields of a number', () => {
  rule('type P = {name: string}\nlocal p: P = {name = "a"}\nlocal n = p.name\nlocal s: string = "x"\nlocal u = s:upper()',
    'type P = {name: string}\nlocal p: P = {name = "a"}\nlocal n = p.nmae\nlocal x: number = 1\nlocal y = x.field',
    ['3:13: unknown field nmae: type P has no field nmae', '5:13: cannot index a value of type number (field field)']);
});

test('calling what is not a function', () => {
  rule('local function f() end\nf()\nlocal g: (number) -> number = function(x: number): number return x end\nlocal r = g(1)',
    'local x: number = 1\nlocal a = x()\nlocal s: string = "s"\nlocal b = s()\nlocal t: boolean = true\nlocal c = t()',
    ['2:11: cannot call x: it is a value of type number, not a function', '4:11: cannot call s: it is a value of type string, not a function',
      '6:11: cannot call t: it is a value of type boolean, not a function']);
});

test('argument count and argument types of typed functions', () => {
  rule(`local function add(a: number, b: number): number return a + b end
local function opt(a: number, b: number?): number return a end
local function sum(...: number): number return 0 end
local function untyped(a, b) return a end
local r = add(1, 2) + opt(1) + sum() + sum(1, 2, 3)
untyped(1)
untyped(1, 2, 3)`, `local function add(a: number, b: number): number return a + b end
local x = add(1)
local y = add(1, 2, 3)
local function greet(name: string): string return "hi " .. name end
local z = greet(42)
local function sum(...: number): number return 0 end
local w = sum(1, "2")`, ['2:11: too few arguments to add: expected 2, found 1', '3:21: too many arguments to add: expected 2, found 3',
    '5:17: argument 1 (name) of greet: expected string, found number 42', '7:18: argument 2 of sum: expected number, found string "2"']);
});

test('returns: types, count, and no path to the end without a value', () => {
  rule(`local function a(): number return 1 end
local function b(): number? end
local function c(x: boolean): number
  if x then return 1 else error("no") end
end
local function d(): (number, string?) return 1 end
local function e(): number while true do end end`, `local function a(): number return "oops" end
local function b(): number end
local function c(x: boolean): number
  if x then return 1 end
end
local function d(): number return 1, 2 end
local function e(): (number, string) return 1 end`, [
    '1:35: return value 1 of a: expected number, found string "oops"',
    '2:1: b is declared to return number, but can reach its end without returning a value',
    '3:1: c is declared to return number, but can reach its end without returning a value',
    '6:38: d returns 2 values, but is declared to return 1',
    '7:38: e returns 1 value, but is declared to return string as value 2']);
});

test('arithmetic and concatenation on values that cannot take part', () => {
  rule('local a = 1 + 2\nlocal b = "10" + 1\nlocal c = "x" .. 1\nlocal t = {}\nlocal d = #t + 1',
    'local a = "a" + "b"\nlocal b = "hello" + 42\nlocal c = true + false\nlocal d = "x" .. true\nlocal e = -"y"',
    ['1:11: invalid operand of \'+\': expected number, found string "a"', '2:11: invalid operand of \'+\': expected number, found string "hello"',
      '3:11: invalid operand of \'+\': expected number, found boolean true', '4:11: invalid operand of \'..\': expected string or number, found boolean true',
      '5:11: invalid operand of unary \'-\': expected number, found string "y"']);
});

test('maps and arrays: elements and values of their declared type', () => {
  rule('local m: {[string]: number} = {a = 1, b = 2}\nlocal l: {string} = {"a", "b"}\nlocal e: {integer} = {}\nlocal v: number? = m.a',
    'local m: {[string]: number} = {a = "x"}\nlocal l: {string} = {"a", 2}\nl[1] = 3',
    ['1:31: local m: field a: expected number, found string "x"', '2:21: local l: element 2: expected string, found number 2',
      '3:8: assignment to an element of {string}: expected string, found number 3']);
});

test('function types, casts, generics and intersections', () => {
  rule(`type Named = {name: string}
type Aged = {age: number}
local p: Named & Aged = {name = "a", age = 1}
local f: (number) -> number = function(x: number): number return x * 2 end
local x: any = 42
local y: number = x as number
local function id<T>(v: T): T return v end
local n: number = id(1)
type Box<T> = {value: T}
local b: Box<string> = {value = "x"}`, `type Named = {name: string}
type Aged = {age: number}
local p: Named & Aged = {name = "a"}
local f: (number) -> number = 5
type Box<T> = {value: T}
local b: Box<string> = {value = 1}`, ['3:25: local p: field age: expected number, found nil (missing)',
    '4:31: local f: expected (number) -> number, found number 5', '6:24: local b: field value: expected string, found number 1']);
});

test('readonly fields and tables are not written', () => {
  rule('local r: readonly {number} = {1, 2}\nlocal v = r[1]\nlocal c: {readonly id: string} = {id = "a"}\nlocal i = c.id',
    'local r: readonly {number} = {1, 2}\nr[1] = 5\nlocal c: {readonly id: string} = {id = "a"}\nc.id = "b"',
    ['2:1: cannot assign to an element of readonly {number}', '4:1: cannot assign to readonly field id of {readonly id: string}']);
});

test('unannotated code is any and is never refused', () => {
  assert.deepEqual(issues(`local x = 1
x = "now a string"
local t = {}
t.anything = t.missing
local function f(a, b) return a + b end
local r = f(1) .. f("a", "b", "c")
local obj = setmetatable({}, {__call = function() return 1 end})
local y = obj()
local M = {}
function M:go(n: number): number return n end
local z = M:go(1, 2, 3)`), []);
});

test('an imported library exports its types: calls into it are checked', () => {
  const lib: TypeUnit = { id: 't:lib', chunkName: 'lib.lua', imports: {}, modules: [], source: `type Config = {host: string, port: number}
local function make(host: string, port: number): Config return {host = host, port = port} end
return { make = make, Config = Config }` };
  const use = 'local lib = require("lib")\nlocal c = lib.make("h", 1)\nlocal ok, err = lib.Config:is(c)\nlocal h: string = c.host';
  assert.deepEqual(issues(use, { imports: { lib: 't:lib' } }, [lib]), []);
  assert.deepEqual(issues('local lib = require("lib")\nlocal c = lib.make("h", "80")\nlocal p: string = c.port\nlocal x: lib.Config = {host = "h"}',
    { imports: { lib: 't:lib' } }, [lib]), [
    '2:25: argument 2 (port) of lib.make: expected number, found string "80"',
    '3:19: local p: expected string, found number',
    '4:23: local x: field port: expected number, found nil (missing)']);
});

test('a chunk the parser cannot read is left to the compile check, not reported here', () => {
  assert.deepEqual(issues('local x: number = = 1'), []);
  assert.deepEqual(issues('local x = "unclosed'), []);
});

test('standard modules publish their signatures: results and arguments are checked', () => {
  const mods = { modules: ['base64', 'json', 'uuid', 'hash'] };
  const ok = `local base64 = require("base64")
local json = require("json")
local s: string = base64.encode("x")
local d: string, err = base64.decode(s)
local j: string = json.encode({a = 1})
local v: any = json.decode(j)
local u: string = require("uuid").v4()
local h: string = require("hash").sha256("x")
local other = base64.not_listed_here(1, 2)`;
  assert.deepEqual(issues(ok, mods), []);
  assert.deepEqual(issues('local base64 = require("base64")\nlocal n: number = base64.encode("x")\nlocal e = base64.encode(42)', mods), [
    '2:19: local n: expected number, found string', '3:25: argument 1 (data) of base64.encode: expected string, found number 42']);
  // Not listed in modules: require gives any.
  assert.deepEqual(issues('local base64 = require("base64")\nlocal n: number = base64.encode("x")'), []);
});

test('every published module signature parses', async () => {
  const { STDLIB } = await import('../../lua-stdlib');
  const { moduleSignature } = await import('../../lua/typecheck');
  const published = STDLIB.filter((m) => m.types !== undefined);
  assert.ok(published.length >= 4);
  for (const m of published) assert.equal(moduleSignature(m.types!)?.k, 'record', m.name);
});

test('a failure of the checker itself is a warning on that entry, never a refusal', () => {
  const unit: TypeUnit = { id: 't:main', chunkName: 'main.lua', source: 'local j = require("json")\nlocal x: number = "s"', imports: {}, modules: ['json'] };
  const got = checkTypes([unit], () => { throw new Error('boom'); });
  assert.equal(got.length, 1);
  assert.equal(got[0].warning, true);
  assert.match(got[0].message, /^the type checker failed on this entry and did not check it \(a bug in wippy, please report it\): boom$/);
});
