// Types as runtime values: `type T = ...` makes T a value whose `T:is(v)` returns `v, nil` or
// `nil, err`, err naming the path of the first mismatch (lua/typevalues.ts, lua/typevalue-emit.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua, runLua } from '../helpers/lua';
import { prepareSource } from '../../lua/chunks';

/** Lua that runs `T:is(v)` for each case and returns "ok" or the error text. */
const cases = (decls: string, calls: string[]): string => `
  ${decls}
  local out = {}
  local function r(v, err) out[#out + 1] = err == nil and (v ~= nil and "ok" or "nil value") or tostring(err) end
  ${calls.map((c) => `r(${c})`).join('\n  ')}
  return out`;

test('records: required and optional fields, the first mismatch named by its path', async () => {
  const v = await evalLua(cases(`
    type Point = {x: number, y: number}
    type Opt = {age?: number, name: string}
    type Nested = {meta: {active: boolean}, tags: {string}}`, [
    'Point:is({x = 1, y = 2})', 'Point:is({x = 1})', 'Point:is({x = 1, y = "2"})', 'Point:is(5)',
    'Opt:is({name = "a"})', 'Opt:is({name = "a", age = "old"})',
    'Nested:is({meta = {active = true}, tags = {"a"}})', 'Nested:is({meta = {active = "yes"}, tags = {}})',
    'Nested:is({meta = {active = true}, tags = {"a", 2}})',
  ]));
  assert.deepEqual(v, [
    'ok', 'y: missing required field, expected number', 'y: expected number, got string "2"',
    'expected {x: number, y: number}, got number 5',
    'ok', 'age: expected number, got string "old"',
    'ok', 'meta.active: expected boolean, got string "yes"', 'tags[2]: expected string, got number 2',
  ]);
});

test('maps, arrays, unions, literals and function types', async () => {
  const v = await evalLua(cases(`
    type Scores = {[string]: number}
    type Nums = {number}
    type Id = number | string
    type Mode = "fast" | "safe"
    type Three = 3
    type Pred = (number) -> boolean
    type MaybeN = number | nil`, [
    'Scores:is({a = 1})', 'Scores:is({a = "x"})', 'Nums:is({1, 2})', 'Nums:is({1, "x"})',
    'Id:is(1)', 'Id:is("a")', 'Id:is(true)', 'Mode:is("fast")', 'Mode:is("slow")', 'Three:is(3)', 'Three:is(4)',
    'Pred:is(function() end)', 'Pred:is({})', 'MaybeN:is(nil)', 'MaybeN:is("x")',
  ]));
  assert.deepEqual(v, [
    'ok', 'a: expected number, got string "x"', 'ok', '[2]: expected number, got string "x"',
    'ok', 'ok', 'expected number | string, got true', 'ok', 'expected "fast" | "safe", got string "slow"',
    'ok', 'expected 3, got number 4', 'ok', 'expected function, got table', 'nil value', 'expected number | nil, got string "x"',
  ]);
});

test('annotations constrain values: @min, @max, @min_len, @max_len, @pattern', async () => {
  const v = await evalLua(cases(`
    type Score = number @min(0) @max(100)
    type Name = string @min_len(2) @max_len(4)
    type Email = string @pattern("^.+@.+\\\\..+$")
    type Tags = {string} @min_len(1)`, [
    'Score:is(50)', 'Score:is(-1)', 'Score:is(101)', 'Name:is("a")', 'Name:is("abcde")',
    'Email:is("a@b.co")', 'Email:is("nope")', 'Tags:is({})',
  ]));
  assert.deepEqual(v, [
    'ok', 'value -1 is below the minimum 0', 'value 101 is above the maximum 100',
    'length 1 is below the minimum length 2', 'length 5 is above the maximum length 4',
    'ok', '"nope" does not match the pattern "^.+@.+\\\\..+$"', 'length 0 is below the minimum length 1',
  ]);
});

test('generic aliases, typeof aliases, aliases of aliases, forward and recursive references', async () => {
  const v = await evalLua(cases(`
    local sample: {name: string, age: number} = {name = "Ada", age = 3}
    type Sample = typeof(sample)
    type Box<T> = {value: T}
    type StrBox = Box<string>
    type Holder = {item: Later}
    type Later = {id: ID}
    type ID = string @min_len(2)
    type Node = {value: number, next: Node?}`, [
    'Sample:is({name = "Bo", age = 1})', 'Sample:is({name = 1, age = 1})',
    'StrBox:is({value = "x"})', 'StrBox:is({value = 1})',
    'Holder:is({item = {id = "ab"}})', 'Holder:is({item = {id = "a"}})',
    'Node:is({value = 1, next = {value = 2}})', 'Node:is({value = 1, next = {value = "2"}})',
  ]));
  assert.deepEqual(v, [
    'ok', 'name: expected string, got number 1', 'ok', 'value: expected string, got number 1',
    'ok', 'item.id: length 1 is below the minimum length 2',
    'ok', 'next.value: expected number, got string "2"',
  ]);
});

test('a library exports its types as values; another entry validates with them', async () => {
  const r = await runLua(`
    local lib = require("lib")
    local a, aerr = lib.Config:is(lib.make("h", 80))
    local b, berr = lib.Config:is({host = "h"})
    return {a ~= nil, aerr == nil, b == nil, tostring(berr), tostring(lib.Config)}`, {
    extraEntries: `    imports: {lib: test:lib}
  - name: lib
    kind: library.lua
    source: file://lib.lua
`,
    extraFiles: { 'lib.lua': `type Config = {host: string, port: number}
local function make(host: string, port: number): Config return {host = host, port = port} end
return { Config = Config, make = make }
` },
  });
  assert.equal(r.error, undefined);
  assert.deepEqual(JSON.parse(r.value!), [true, true, true, 'port: missing required field, expected number', '{host: string, port: number}']);
});

test('the primitive type values validate too: integer:is, number:is, boolean:is, string:is', async () => {
  const v = await evalLua(cases('', [
    'integer:is(3)', 'integer:is(3.5)', 'number:is("1")', 'boolean:is(false)', 'string:is("s")', 'string:is(1)',
  ]));
  assert.deepEqual(v, ['ok', 'expected integer, got number 3.5', 'expected number, got string "1"', 'ok', 'ok', 'expected string, got number 1']);
});

test('a type declaration keeps every line of the source where it was; a block declares its type names at its first', () => {
  const src = 'local a = 1\ntype P = {\n  x: number,\n  y: number\n}\nlocal b = a + 1 type Q = number\nreturn P, b, Q\n';
  const out = prepareSource(src, 't.lua');
  assert.equal(out.split('\n').length, src.split('\n').length);
  assert.match(out.split('\n')[1], /^local P,Q;P=__wt\.rec\("x",__wt\.number,"y",__wt\.number\)$/);
  assert.deepEqual(out.split('\n').slice(2, 5).map((l) => l.length), [12, 11, 1]);
  assert.ok(out.split('\n').slice(2, 5).every((l) => /^ *$/.test(l)));
  assert.match(out.split('\n')[5], /^local b = a \+ 1 Q=__wt\.number  $/);
  assert.equal(out.split('\n')[6], 'return P, b, Q');
});
