// The value codec: round trips through JSON text, int/float, arrays vs maps, refusals with paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lua, lauxlib, lualib, toLua } from '../../lua/vm';
import { encode, CodecError } from '../../lua/codec';
import { decode, pushJs } from '../../lua/decode';
import { evalLua, runLua } from '../helpers/lua';

function state() {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  return L;
}

/** Evaluate a Lua expression in a bare state and encode it. */
function enc(expr: string, mode: 'payload' | 'json' = 'payload'): string {
  const L = state();
  assert.equal(lauxlib.luaL_dostring(L, toLua(`return ${expr}`)), lua.LUA_OK);
  return encode(L, -1, mode);
}

/** decode JSON into Lua, then encode it back. */
function roundTrip(json: string): string {
  const L = state();
  decode(L, json);
  return encode(L, -1);
}

test('scalars encode as JSON, integers vs floats preserved', () => {
  assert.equal(enc('nil'), 'null');
  assert.equal(enc('true'), 'true');
  assert.equal(enc('42'), '42');
  assert.equal(enc('-7'), '-7');
  assert.equal(enc('2.0'), '2.0');
  assert.equal(enc('0.1'), '0.1');
  assert.equal(enc('-0.0'), '-0.0');
  assert.equal(enc('2^31'), '2147483648.0');
  assert.equal(enc('1e300'), '1e+300');
  assert.equal(enc('"héllo \\"q\\"\\n"'), '"héllo \\"q\\"\\n"');
});

test('round trips keep int/float, arrays, maps and nesting', () => {
  for (const j of ['1', '1.5', '2.0', '-0.0', '"x"', 'true', 'null', '[1,2,3]', '[]', '{}', '{"a":{"b":[1,{"c":null}]}}',
    '[[],[[]],{}]', '"\\u00e9\\ud83d\\ude00"', '{"1":"one"}']) {
    assert.equal(roundTrip(j), j.replace('\\u00e9\\ud83d\\ude00', 'é😀').replace('{"c":null}', '{}'), j);
  }
});

test('integers outside 32 bits decode as floats (Fengari integers are 32-bit)', () => {
  const L = state();
  decode(L, '3000000000');
  assert.equal(lua.lua_isinteger(L, -1), false);
  assert.equal(lua.lua_tonumber(L, -1), 3000000000);
  decode(L, '2147483647');
  assert.equal(lua.lua_isinteger(L, -1), true);
  decode(L, '1e2');
  assert.equal(lua.lua_isinteger(L, -1), false);
});

test('arrays are tables with keys exactly 1..n; anything else is an object', () => {
  assert.equal(enc('{10, 20, 30}'), '[10,20,30]');
  assert.equal(enc('{[1]=1, [3]=3}'), '{"1":1,"3":3}');
  assert.deepEqual(JSON.parse(enc('{1, 2, x = 3}')), { 1: 1, 2: 2, x: 3 });
  assert.equal(enc('{[2]="b"}'), '{"2":"b"}');
  assert.equal(enc('{[1.5]="f"}'), '{"1.5":"f"}');
  assert.equal(enc('{}'), '{}');
});

test('empty table is {} unless it came from a JSON array (the payload codec; the Lua json module writes [] as Wippy)', () => {
  const L = state();
  decode(L, '[]');
  lua.lua_setglobal(L, toLua('a'));
  assert.equal(lauxlib.luaL_dostring(L, toLua('table.insert(a, 1); table.remove(a); return a')), lua.LUA_OK);
  assert.equal(encode(L, -1), '[]');
  decode(L, '[]');
  assert.equal(encode(L, -1), '[]');
  assert.equal(enc('{}'), '{}');
});

test('refusals name the path of the offending value', () => {
  const cases: Array<[string, RegExp]> = [
    ['{a = {1, function() end}}', /cannot encode a function at value\.a\[2\]/],
    ['(function() local t = {} t.me = {t} return t end)()', /cyclic table .* at value\.me\[1\]/],
    ['{["odd key"] = coroutine.create(print)}', /cannot encode a thread at value\["odd key"\]/],
    ['{[true] = 1}', /key of type boolean/],
    ['{x = 0/0}', /NaN.* at value\.x/],
    ['{x = math.huge}', /Infinity.* at value\.x/],
    ['"\\xff\\xfe"', /not valid UTF-8 at value/],
  ];
  for (const [expr, re] of cases) {
    assert.throws(() => enc(expr), (e: unknown) => e instanceof CodecError && re.test(e.message), expr);
  }
});

test('a shared (non-cyclic) subtable is fine', () => {
  assert.equal(enc('(function() local s = {1} return {a = s, b = s} end)()'), '{"a":[1],"b":[1]}');
});

test('deep nesting is refused, not a stack overflow', () => {
  assert.throws(() => enc('(function() local t = {} local c = t for i = 1, 300 do c.n = {} c = c.n end return t end)()'), /deeper than 200/);
  const L = state();
  assert.throws(() => decode(L, '['.repeat(500) + ']'.repeat(500)), /nesting deeper/);
  assert.equal(lua.lua_gettop(L), 0, 'stack restored after a failed decode');
});

test('bad JSON is refused with an offset and the stack is unchanged', () => {
  const L = state();
  for (const bad of ['', '{', '[1,]', '{"a" 1}', 'nul', '01', '"\\x"', '[1] x', '"abc']) {
    assert.throws(() => decode(L, bad), CodecError, bad);
    assert.equal(lua.lua_gettop(L), 0);
  }
});

test('error objects travel as tagged payloads and come back as errors', async () => {
  const r = await runLua(`return {e = errors.new{kind = "NotFound", message = "gone", retryable = false}}`);
  assert.equal(r.value, '{"e":{"$error":{"kind":"NotFound","message":"gone","retryable":false}}}');
  assert.equal(enc('1', 'json'), '1');
  const L = state();
  decode(L, '{"$error":{"kind":"Invalid","message":"m"}}');
  assert.equal(lua.lua_type(L, -1), lua.LUA_TUSERDATA);
});

test('pushJs builds Lua values from JS values', () => {
  const L = state();
  pushJs(L, { a: [1, 2.5, 'x', true], b: {}, c: [], d: null });
  assert.equal(encode(L, -1), '{"a":[1,2.5,"x",true],"b":{},"c":[]}');
});
