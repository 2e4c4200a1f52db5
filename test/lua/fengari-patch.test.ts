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
