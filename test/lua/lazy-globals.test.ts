// Lazily opened globals (lua/sandbox.ts) must behave like stock Lua 5.3: the string
// metatable, pairs/next/rawget/getmetatable on _G, a strict module, reassigned globals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

test('getmetatable("").__index is the string table even before `string` is read', async () => {
  // Common idiom to add string methods: getmetatable("").__index.trim = ...
  assert.deepEqual(await evalLua(`
    local idx = getmetatable("").__index
    return { type(idx), idx == string }`), ['table', true]);
});

test('extending strings through their metatable works before `string` is read', async () => {
  assert.deepEqual(await evalLua(`
    getmetatable("").__index.shout = function(s) return s:upper() .. "!" end
    return { ("hi"):shout() }`), ['HI!']);
});

test('a metamethod added to the string metatable survives the first string method call', async () => {
  // Python-style interpolation: "x %s" % v. Opening the string library replaces the metatable.
  assert.deepEqual(await evalLua(`
    getmetatable("").__mod = function(fmt, v) return fmt:format(v) end
    local a = "a=%d" % 1
    local ok, b = pcall(function() return "b=%d" % 2 end)
    return { a, ok, b }`), ['a=1', true, 'b=2']);
});

test('string methods work after the global `string` is reassigned before first use', async () => {
  assert.deepEqual(await evalLua(`
    string = nil
    return { ("abc"):upper() }`), ['ABC']);
});

test('pairs(_G) sees the base functions (copying _G into a sandbox env)', async () => {
  assert.deepEqual(await evalLua(`
    local env = {}
    for k, v in pairs(_G) do env[k] = v end
    local f = load("return type(print), type(pairs), type(tostring)", "x", "t", env)
    return { f() }`), ['function', 'function', 'function']);
});

test('rawget(_G, name) finds a base function', async () => {
  assert.deepEqual(await evalLua(`return { type(rawget(_G, "tostring")), type(rawget(_G, "string")) }`), ['function', 'table']);
});

test('a "strict" module that reuses an existing _G metatable still sees the base functions', async () => {
  // The pattern of Lua's etc/strict.lua: take getmetatable(_G) if there is one, replace its
  // __index/__newindex. The lazy metatable's openers are then gone, so `print` is "undeclared".
  assert.deepEqual(await evalLua(`
    local mt = getmetatable(_G)
    if mt == nil then mt = {}; setmetatable(_G, mt) end
    local declared = {}
    mt.__newindex = function(t, k, v) declared[k] = true; rawset(t, k, v) end
    mt.__index = function(t, k) if not declared[k] then error("variable '" .. k .. "' is not declared", 2) end end
    return { type(print), type(tostring) }`), ['function', 'function']);
});
