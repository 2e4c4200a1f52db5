// The `env` module and the env entry kinds as Wippy's: variables found by name (or id, or a
// name in the caller's namespace), memory / os / static / router storages, defaults, read-only
// storages and variables, Wippy's error values, security checks, and get_all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua, runLua } from '../helpers/lua';

const ENTRIES = `
  - { name: mem, kind: env.storage.memory }
  - { name: os, kind: env.storage.os }
  - { name: fixed, kind: env.storage.static, values: { REGION: eu, PORT: 8080 } }
  - { name: router, kind: env.storage.router, storages: [mem, os] }
  - { name: home, kind: env.variable, variable: WIPPY_TS_ENV_TEST_HOME, storage: os }
  - { name: token, kind: env.variable, variable: TOKEN, storage: mem }
  - { name: level, kind: env.variable, variable: LEVEL, storage: mem, default: info }
  - { name: locked, kind: env.variable, variable: LOCKED, storage: mem, readonly: true, default: fixed-value }
  - { name: region, kind: env.variable, variable: REGION, storage: fixed }
  - { name: routed, kind: env.variable, variable: ROUTED, storage: router }
  - { name: routed_home, kind: env.variable, variable: WIPPY_TS_ENV_TEST_ROUTED, storage: router }
  - { name: by_id, kind: env.variable, storage: mem }
  - name: other
    kind: function.lua
    source: file://other.lua
    modules: [env]
`;
const FILES = {
  'other.lua': `local env = require("env")
return { main = function(what, name, value)
  if what == "set" then return env.set(name, value) end
  local v, err = env.get(name)
  return { v = v, err = err and err:kind() }
end }`,
};
const M = { modules: ['env', 'funcs', 'security'], extraEntries: ENTRIES, extraFiles: FILES };

test('get reads a variable through its storage: os (the process environment), memory, static, router', async () => {
  process.env.WIPPY_TS_ENV_TEST_HOME = '/home/tester';
  process.env.WIPPY_TS_ENV_TEST_ROUTED = 'from-os';
  const v = await evalLua(`
    local env = require("env")
    local out = {}
    out.home = env.get("WIPPY_TS_ENV_TEST_HOME")
    out.region = env.get("REGION")
    out.set = { env.set("TOKEN", "t1") }
    out.token = env.get("TOKEN")
    env.set("TOKEN", "t2")
    out.token2 = env.get("TOKEN")
    out.routed_set = env.set("ROUTED", "r1")            -- the router writes its first storage (memory)
    out.routed = env.get("ROUTED")
    out.routed_os = env.get("WIPPY_TS_ENV_TEST_ROUTED")  -- not in memory: read from os
    return out`, M);
  assert.deepEqual(v, {
    home: '/home/tester', region: 'eu', set: [true], token: 't1', token2: 't2',
    routed_set: true, routed: 'r1', routed_os: 'from-os',
  });
});

test('a name is the variable: name, else the entry id; a bare name also finds an id in the caller namespace', async () => {
  const v = await evalLua(`
    local env = require("env")
    local funcs = require("funcs")
    assert(env.set("test:by_id", "x1"))
    local a = env.get("test:by_id")
    local b = env.get("by_id")          -- test:snippet runs in namespace test
    local c = env.get("region")         -- test:region, whose name is REGION
    local d, err = env.get("nope:region")
    return { a = a, b = b, c = c, d_kind = err:kind() }`, M);
  assert.deepEqual(v, { a: 'x1', b: 'x1', c: 'eu', d_kind: 'NotFound' });
});

test('defaults, empty values and read-only storages and variables, with Wippy error values', async () => {
  const v = await evalLua(`
    local env = require("env")
    local function e(err) return { kind = err:kind(), msg = err:message(), retryable = err:retryable(), str = tostring(err) } end
    local out = {}
    out.level = env.get("LEVEL")                         -- unset: its default
    env.set("LEVEL", "debug"); out.level2 = env.get("LEVEL")
    env.set("LEVEL", ""); out.level3 = env.get("LEVEL")  -- empty counts as unset
    env.set("TOKEN", "")
    local v1, e1 = env.get("TOKEN"); out.empty = { v1 == nil, e(e1) }
    local v2, e2 = env.get("NOT_DECLARED"); out.missing = { v2 == nil, e(e2) }
    local v3, e3 = env.get(""); out.empty_key = { v3 == nil, e(e3) }
    local v4, e4 = env.set("", "value"); out.set_empty_key = { v4 == nil, e(e4) }
    local v5, e5 = env.set("WIPPY_TS_ENV_TEST_HOME", "x"); out.os_readonly = { v5 == nil, e(e5) }
    local v6, e6 = env.set("REGION", "us"); out.static_readonly = { v6 == nil, e(e6) }
    local v7, e7 = env.set("LOCKED", "x"); out.var_readonly = { v7 == nil, e(e7), env.get("LOCKED") }
    local v8, e8 = env.set("NOT_DECLARED", "x"); out.set_missing = { v8 == nil, e(e8) }
    out.raises = { pcall(env.get, {}) == false, pcall(env.set, "TOKEN", {}) == false, pcall(env.set, "TOKEN") == false }
    return out`, M);
  const err = (kind: string, msg: string, ctx?: string) => ({ kind, msg, retryable: false, str: ctx ? `${ctx}: ${msg}` : msg });
  assert.deepEqual(v, {
    level: 'info', level2: 'debug', level3: 'info',
    empty: [true, err('NotFound', 'environment variable not found', 'get environment variable failed')],
    missing: [true, err('NotFound', 'environment variable not found', 'get environment variable failed')],
    empty_key: [true, err('Invalid', 'empty key')],
    set_empty_key: [true, err('Invalid', 'empty key')],
    os_readonly: [true, err('PermissionDenied', 'storage is read-only', 'set environment variable failed')],
    static_readonly: [true, err('PermissionDenied', 'storage is read-only', 'set environment variable failed')],
    var_readonly: [true, err('PermissionDenied', 'environment variable is read-only', 'set environment variable failed'), 'fixed-value'],
    set_missing: [true, err('NotFound', 'environment variable not found', 'set environment variable failed')],
    raises: [true, true, true],
  });
});

test('get_all lists every storage: the process environment, memory and static values', async () => {
  process.env.WIPPY_TS_ENV_TEST_HOME = '/home/tester';
  const v = await evalLua(`
    local env = require("env")
    env.set("TOKEN", "t9")
    local all, err = env.get_all()
    return { err = err == nil, home = all.WIPPY_TS_ENV_TEST_HOME, token = all.TOKEN, region = all.REGION, port = all.PORT,
             path = all.PATH ~= nil }`, M);
  assert.deepEqual(v, { err: true, home: '/home/tester', token: 't9', region: 'eu', port: '8080', path: true });
});

test('memory storage values live as long as the runtime: one call sets, another reads', async () => {
  const v = await evalLua(`
    local funcs = require("funcs")
    local ok = funcs.call("test:other", "set", "TOKEN", "shared")
    local r = funcs.call("test:other", "get", "TOKEN")
    return { ok = ok, v = r.v }`, M);
  assert.deepEqual(v, { ok: true, v: 'shared' });
});

test('with an actor and a scope, env.get/env.set must be allowed; get_all keeps only readable names', async () => {
  const policies = `
  - name: read_token
    kind: security.policy
    policy: { actions: env.get, resources: [TOKEN, REGION], effect: allow }
  - name: checker
    kind: function.lua
    source: file://checker.lua
    modules: [env]`;
  const files = {
    ...FILES,
    'checker.lua': `local env = require("env")
return { main = function()
  local t, e1 = env.get("TOKEN")
  local l, e2 = env.get("LEVEL")
  local s, e3 = env.set("TOKEN", "x")
  local all = env.get_all()
  local n = 0; for _ in pairs(all) do n = n + 1 end
  return { token = t, level_err = e2:kind(), level_msg = e2:message(), set_err = e3:message(), all = n, region = all.REGION }
end }`,
  };
  const v = await evalLua(`
    local env = require("env")
    local funcs = require("funcs")
    local security = require("security")
    env.set("TOKEN", "t1")                               -- no actor here: allowed (Wippy's non-strict mode)
    local scope = security.new_scope({ security.policy("test:read_token") })
    local r, err = funcs.new():with_actor(security.new_actor("bob")):with_scope(scope):call("test:checker")
    assert(err == nil, tostring(err))
    return r`, { ...M, extraEntries: `${ENTRIES}${policies}`, extraFiles: files });
  assert.deepEqual(v, {
    token: 't1', level_err: 'PermissionDenied', level_msg: 'not allowed to access environment variable: LEVEL',
    set_err: 'not allowed to set environment variable: TOKEN', all: 2, region: 'eu',
  });
});

test('without any env entries: get is NotFound, get_all an empty table', async () => {
  const r = await runLua(`
    local env = require("env")
    local v, err = env.get("PATH")
    local all = env.get_all()
    return { v == nil, err:kind(), next(all) == nil }`, { modules: ['env'] });
  assert.equal(r.error, undefined);
  assert.deepEqual(JSON.parse(r.value!), [true, 'NotFound', true]);
});
