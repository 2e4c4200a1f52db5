/**
 * The speed-ups in patches/fengari+0.1.5.patch must not change what Lua code sees:
 * - string keys hash to one char per byte (was hex digits), so string order follows the bytes
 *   (unpatched, "\n" < "a" was false);
 * - library names and other cached literals share one TString across states (no copy per
 *   state): each state's tables stay its own;
 * - to_luastring has an ASCII fast path: non-ASCII text still becomes UTF-8.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { lua, lauxlib, lualib, to_luastring, to_jsstring } from 'fengari';
import { evalLua } from '../helpers/lua';

test('string comparison follows byte order (was broken for bytes below 0x10)', async () => {
  const v = await evalLua(`return {
    "\\n" < "a", "\\1" < "\\0\\0", "\\255" > "\\127", "a" < "ab", "" < "\\0",
    "Z" < "a", "\\15" < "\\16", "é" > "z"
  }`);
  assert.deepEqual(v, [true, false, true, true, true, true, true, true]);
});

test('table.sort on strings with control characters sorts by bytes', async () => {
  const v = await evalLua(`local t = {"b", "\\t", "a", "\\n", "A", "\\1"}
    table.sort(t)
    local out = {}
    for i, s in ipairs(t) do out[i] = string.byte(s) end
    return out`);
  assert.deepEqual(v, [1, 9, 10, 65, 97, 98]);
});

test('long and non-ASCII keys index tables correctly', async () => {
  const v = await evalLua(`local t = {}
    local long = string.rep("x", 20000) .. "y"
    t[long] = 1; t["é"] = 2; t[string.rep("x", 20000) .. "z"] = 3
    return { t[string.rep("x", 20000) .. "y"], t["é"], t[long:sub(1, 20000) .. "z"], #long }`);
  assert.deepEqual(v, [1, 2, 3, 20001]);
});

test('two states that share library name strings keep separate tables', () => {
  const mk = () => {
    const L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(L);
    return L;
  };
  const a = mk();
  const b = mk();
  assert.equal(lauxlib.luaL_dostring(a, to_luastring('string.upper = nil; x = 1')), lua.LUA_OK);
  assert.equal(lauxlib.luaL_dostring(b, to_luastring('return tostring(string.upper ~= nil) .. tostring(x)')), lua.LUA_OK);
  assert.equal(to_jsstring(lua.lua_tostring(b, -1)), 'truenil');
});

test('to_luastring still encodes non-ASCII text as UTF-8', () => {
  assert.deepEqual([...to_luastring('aé€😀')], [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual([...to_luastring('abc', true)], [0x61, 0x62, 0x63]);
});

test('states that load one compiled chunk share its prototype but each gets its own _ENV and closures', async () => {
  const { compile, loadChunk } = await import('../../lua/chunks');
  const chunk = compile('local function k() return 42 end\nreturn function() return x, k end', 'shared.lua');
  const mk = (x: number) => {
    const L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(L);
    lua.lua_pushinteger(L, x);
    lua.lua_setglobal(L, to_luastring('x'));
    loadChunk(L, chunk);
    lua.lua_call(L, 0, 1);
    return L;
  };
  const a = mk(1);
  const b = mk(2);
  const ask = (L: unknown) => {
    lua.lua_pushvalue(L, -1);
    lua.lua_call(L, 0, 2);
    const x = lua.lua_tointeger(L, -2);
    lua.lua_call(L, 0, 1);
    const k = lua.lua_tointeger(L, -1);
    lua.lua_pop(L, 1);
    return [x, k];
  };
  assert.deepEqual(ask(a), [1, 42]);
  assert.deepEqual(ask(b), [2, 42]);
  // Two evaluations of a closure expression in one state are two functions (no closure cache
  // that could hand one state's closure to another).
  assert.equal(lauxlib.luaL_dostring(a, to_luastring('local fs = {} for i = 1, 2 do fs[i] = function() return 1 end end return fs[1] ~= fs[2]')), lua.LUA_OK);
  assert.equal(lua.lua_toboolean(a, -1), true);
});

test('a compile error still names the chunk and line', async () => {
  const { compile, CompileError } = await import('../../lua/chunks');
  assert.throws(() => compile('local x = \n\n = 3', 'bad.lua'), (e: unknown) => e instanceof CompileError && /bad\.lua:3:/.test(e.message));
});

test('a string constant longer than 512 bytes compiles (the long-key charge reaches the parser\'s state)', async () => {
  // Before the fix: every chunk with such a literal failed to load ("The list argument must be
  // an instance of ... ArrayBufferView"): the compiler called the table charge without a state.
  const long = 'x'.repeat(600), huge = 'y'.repeat(70_000);
  const v = await evalLua(`local a = "${long}"\nlocal b = [[${huge}]]\nlocal c = "${long}"\nreturn {#a, #b, a == c}`);
  assert.deepEqual(v, [600, 70_000, true]);
});
