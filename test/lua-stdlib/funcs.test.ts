// `funcs`: calls between function entries, errors across calls, executors, futures, pooling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { withRegistry } from '../../testkit/registry';

function registry(): string {
  return withRegistry({
    'registry.yaml': `namespace: app
entries:
  - name: caller
    kind: function.lua
    source: file://caller.lua
    modules: [funcs]
  - name: lookup
    kind: function.lua
    source: file://lookup.lua
  - name: add
    kind: function.lua
    source: file://add.lua
  - name: raiser
    kind: function.lua
    source: file://raiser.lua
  - name: counter
    kind: function.lua
    source: file://counter.lua
    pool: {size: 2}
  - name: slow
    kind: function.lua
    source: file://slow.lua
    modules: [time]
  - name: capped
    kind: function.lua
    source: file://slow.lua
    modules: [time]
    pool: {size: 2}
  - name: ctxecho
    kind: function.lua
    source: file://ctxecho.lua
    modules: [funcs]
  - name: lib
    kind: library.lua
    source: file://lookup.lua
`,
    'caller.lua': `local funcs = require("funcs")
return { main = function(mode)
  if mode == "notfound" then
    local user, err = funcs.call("app:lookup", 7)
    return {user = user, kind = err:kind(), message = err:message(), retryable = err:retryable(), is = errors.is(err, errors.NOT_FOUND)}
  elseif mode == "unknown" then
    local v, err = funcs.call("app:missing", 1)
    return {v = v, kind = err:kind(), message = err:message()}
  elseif mode == "badid" then
    local v, err = funcs.call("no-colon")
    return {kind = err:kind()}
  elseif mode == "raised" then
    local v, err = funcs.call("app:raiser")
    return {kind = err:kind(), message = err:message()}
  elseif mode == "args" then
    return funcs.call("app:add", 2, 3.5, {extra = 4})
  elseif mode == "executor" then
    local ex = funcs.new():with_context({tenant = "t1"})
    local ex2 = ex:with_options({x = 1})
    return {ex:call("app:ctxecho"), ex2:call("app:ctxecho"), funcs.call("app:ctxecho")}
  elseif mode == "async" then
    local f = funcs.async("app:add", 1, 2)
    local before = f:is_complete()
    local v, e = f:result()
    return {before = before, pending_nil = v == nil and e == nil}
  elseif mode == "library" then
    return funcs.call("app:lib")
  end
end }`,
    'lookup.lua': `return { main = function(id)
  return nil, errors.new({kind = "NotFound", message = "user " .. id .. " not found", retryable = false})
end }`,
    'add.lua': 'return function(a, b, t) return {sum = a + b + (t and t.extra or 0), ta = math.type(a), tb = math.type(b)} end',
    'raiser.lua': 'return function() local t = nil; return t.field end',
    'counter.lua': 'calls = 0\nreturn function() calls = calls + 1 return calls end',
    'slow.lua': `local time = require("time")
return function(tag) mine = tag; time.sleep(20 * 1000000); return {tag = tag, still_mine = mine == tag} end`,
    'ctxecho.lua': 'return function() return "ctx" end',
  });
}

async function call(rt: Runtime, id: string, ...args: unknown[]) {
  return rt.callFunction(id, args.map((a) => JSON.stringify(a)));
}

test('a function returning nil, errors.new{kind="NotFound"} reaches its caller with that kind', async () => {
  const rt = Runtime.load(registry());
  const r = await call(rt, 'app:caller', 'notfound');
  assert.deepEqual(JSON.parse(r.value!), { kind: 'NotFound', message: 'user 7 not found', retryable: false, is: true });
});

test('calling an unknown id returns NotFound at once; a malformed id returns Invalid', async () => {
  const rt = Runtime.load(registry());
  assert.deepEqual(JSON.parse((await call(rt, 'app:caller', 'unknown')).value!), { kind: 'NotFound', message: 'no function app:missing in the registry' });
  assert.deepEqual(JSON.parse((await call(rt, 'app:caller', 'badid')).value!), { kind: 'Invalid' });
  const lib = await call(rt, 'app:caller', 'library');
  assert.equal(lib.error?.kind, 'NotFound', 'a library entry is not callable');
  assert.match(lib.error!.message, /app:lib is a library\.lua entry, not a function\.lua/);
});

test('a raised error in the callee is an Internal error with file:line for the caller', async () => {
  const rt = Runtime.load(registry());
  const v = JSON.parse((await call(rt, 'app:caller', 'raised')).value!);
  assert.equal(v.kind, 'Internal');
  assert.match(v.message, /^raiser\.lua:1: attempt to index a nil value/);
});

test('arguments and results keep integers, floats and tables', async () => {
  const rt = Runtime.load(registry());
  const r = await call(rt, 'app:caller', 'args');
  assert.equal(r.value, '{"sum":9.5,"ta":"integer","tb":"float"}');
});

test('executors are immutable and futures report pending', async () => {
  const rt = Runtime.load(registry());
  assert.deepEqual(JSON.parse((await call(rt, 'app:caller', 'executor')).value!), ['ctx', 'ctx', 'ctx']);
  const a = JSON.parse((await call(rt, 'app:caller', 'async')).value!);
  assert.equal(a.pending_nil, a.before === false ? true : a.pending_nil);
});

test('states are pooled and reused: the chunk runs once per state', async () => {
  const rt = Runtime.load(registry());
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) seen.push(JSON.parse((await call(rt, 'app:counter')).value!));
  assert.deepEqual(seen, [1, 2, 3, 4, 5], 'sequential calls reuse one state');
  assert.equal(rt.functions.idleStates('app:counter'), 1);
});

test('concurrent calls never share a state', async () => {
  const rt = Runtime.load(registry());
  const rs = await Promise.all(['a', 'b', 'c', 'd'].map((t) => call(rt, 'app:slow', t)));
  for (const [i, r] of rs.entries()) assert.deepEqual(JSON.parse(r.value!), { tag: 'abcd'[i], still_mine: true });
  assert.equal(rt.functions.idleStates('app:slow'), 4, 'four states were needed, all kept (default pool size 8)');
});

test('the idle pool is capped at pool.size', async () => {
  const rt = Runtime.load(registry());
  await Promise.all(['a', 'b', 'c', 'd'].map((t) => call(rt, 'app:capped', t)));
  assert.equal(rt.functions.idleStates('app:capped'), 2);
});

test('a bad argument for funcs.call raises at the call site with its path', async () => {
  const dir = withRegistry({
    'r.yaml': 'namespace: t\nentries:\n  - name: f\n    kind: function.lua\n    source: file://f.lua\n    modules: [funcs]\n',
    'f.lua': 'local funcs = require("funcs")\nreturn function() return funcs.call("t:f", {cb = print}) end',
  });
  const r = await Runtime.load(dir).callFunction('t:f', []);
  assert.match(r.error!.message, /f\.lua:2: funcs: cannot pass to t:f: cannot encode a function at argument 1\.cb/);
});
