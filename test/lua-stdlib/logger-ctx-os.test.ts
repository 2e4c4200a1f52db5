// logger (levels, fields, with, named), ctx (errors as Wippy's; values reach nested calls) and
// os.platform, as Wippy's suites check them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua, runLua } from '../helpers/lua';
import { withRegistry } from '../../testkit/registry';
import { Runtime } from '../../app/runtime';

test('logger: levels, fields, with() and named() children, called with : or .', async () => {
  const dir = withRegistry({
    'registry.yaml': `namespace: test
entries:
  - name: log
    kind: function.lua
    source: file://log.lua
    modules: [logger]
`,
    'log.lua': `local logger = require("logger")
return { main = function()
  logger:info("plain")
  logger.warn("dotted", {n = 1})
  local svc = logger:named("svc"):with({env = "prod"})
  svc:named("h"):error("failed", {env = "dev", data = {a = true}})
  svc:debug("dbg")
  return true
end }`,
  });
  const logs: unknown[] = [];
  const rt = Runtime.load(dir, { output: { print: () => {}, log: (l, m, f) => logs.push([l, m, f ?? null]) } });
  const r = await rt.callFunction('test:log', []);
  assert.equal(r.error, undefined);
  assert.deepEqual(logs, [
    ['info', 'plain', null],
    ['warn', 'dotted', { n: 1 }],
    ['error', 'failed', { logger: 'svc.h', env: 'dev', data: { a: true } }],
    ['debug', 'dbg', { logger: 'svc', env: 'prod' }],
  ]);
});

test('ctx.get: missing key NotFound and empty key Invalid, neither retryable (false, not nil)', async () => {
  const v = await evalLua(`
    local ctx = require("ctx")
    local a, e1 = ctx.get("nope")
    local b, e2 = ctx.get("")
    return {a == nil, e1:kind(), e1:retryable(), b == nil, e2:kind(), e2:retryable()}`, { modules: ['ctx'] });
  assert.deepEqual(v, [true, 'NotFound', false, true, 'Invalid', false]);
});

test('ctx values set with with_context reach calls nested below the callee; the nearer value wins', async () => {
  const v = await evalLua(`
    local funcs = require("funcs")
    return funcs.new():with_context({a = "outer", b = "outer"}):call("test:middle")`, {
    modules: ['funcs'],
    extraEntries: `
  - name: middle
    kind: function.lua
    source: file://middle.lua
    modules: [funcs]
  - name: leaf
    kind: function.lua
    source: file://leaf.lua
    modules: [ctx]
`,
    extraFiles: {
      'middle.lua': `local funcs = require("funcs")
return { main = function() return funcs.new():with_context({b = "middle"}):call("test:leaf") end }`,
      'leaf.lua': `local ctx = require("ctx")
return { main = function() return {ctx.get("a"), ctx.get("b")} end }`,
    },
  });
  assert.deepEqual(v, ['outer', 'middle']);
});

test('os.platform is "wippy"', async () => {
  assert.equal(await evalLua('return os.platform', { modules: [] }), 'wippy');
});

test('os may be listed in modules (as Wippy registries do): no warning, require("os") is the global os', async () => {
  const r = await runLua('local o = require("os") return {o == os, type(o.time), type(o.date)}', { modules: ['time', 'os'] });
  assert.equal(r.error, undefined);
  assert.deepEqual(JSON.parse(r.value!), [true, 'function', 'function']);
  assert.deepEqual(r.logs.filter((l) => /not provided/.test(l)), []);
});
