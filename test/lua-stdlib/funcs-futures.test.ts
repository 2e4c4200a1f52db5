// funcs.async futures as Wippy has them: `:response()` / `:channel()` (the same channel every
// call, usable in channel.select, yielding one payload or the error itself), `:result()`,
// `:error()`, `:is_complete()`, `:cancel()`; `funcs.async` of a malformed id is `nil, err`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { withRegistry } from '../../testkit/registry';

function load(): Runtime {
  const fns: Record<string, string> = {
    slow: `local time = require("time")
return function(ms, v) time.sleep(ms * 1000000) return {value = v} end`,
    failing: 'return function(msg) return nil, errors.new({kind = "NotFound", message = msg}) end',
    futures: `local funcs = require("funcs")
return function(mode)
  if mode == "basic" then
    local f = funcs.async("app:slow", 10, "a")
    local before = {complete = f:is_complete(), r = select("#", f:result()), rv = f:result(), ev = f:error()}
    local ch = f:response()
    local same = ch == f:response() and ch == f:channel()
    local p, ok = ch:receive()
    local rv, rerr = f:result()
    local e, has = f:error()
    return {pending_complete = before.complete, pending_result_nil = before.rv == nil, pending_error_nil = before.ev == nil,
      same = same, ok = ok, data = p:data().value, complete = f:is_complete(),
      result_data = rv:data().value, result_err_nil = rerr == nil, has_error = has, error_nil = e == nil}
  elseif mode == "error" then
    local f = funcs.async("app:failing", "gone")
    local v, ok = f:channel():receive()
    local rv, rerr = f:result()
    local e, has = f:error()
    return {ok = ok, is_error = errors.is(v, errors.NOT_FOUND), result_nil = rv == nil, result_kind = rerr:kind(),
      has = has, error_kind = e:kind(), error_text = tostring(e)}
  elseif mode == "select" then
    local slow = funcs.async("app:slow", 200, "slow")
    local fast = funcs.async("app:slow", 5, "fast")
    local r = channel.select{slow:channel():case_receive(), fast:channel():case_receive()}
    return {fast_first = r.channel == fast:channel(), value = r.value:data().value}
  elseif mode == "invalid" then
    local f1, e1 = funcs.async("")
    local f2, e2 = funcs.async("nonamespace")
    local f3, e3 = funcs.new():async("")
    return {nil1 = f1 == nil, k1 = e1:kind(), nil2 = f2 == nil, k2 = e2:kind(), nil3 = f3 == nil, k3 = e3:kind(), retry = e1:retryable()}
  elseif mode == "cancel" then
    local f = funcs.async("app:slow", 100, "x")
    f:cancel()
    local rv, rerr = f:result()
    return {canceled = f:is_canceled(), result_nil = rv == nil, kind = rerr:kind()}
  end
end`,
  };
  const entries = Object.keys(fns).map((n) => `  - name: ${n}\n    kind: function.lua\n    source: file://${n}.lua\n    modules: [funcs, time]\n`).join('');
  const files: Record<string, string> = { 'r.yaml': `namespace: app\nentries:\n${entries}` };
  for (const [n, src] of Object.entries(fns)) files[`${n}.lua`] = src;
  return Runtime.load(withRegistry(files), { output: { print: () => {}, log: () => {} }, virtualTime: true });
}

async function run(rt: Runtime, mode: string): Promise<Record<string, unknown>> {
  const r = await rt.callFunction('app:futures', [JSON.stringify(mode)]);
  if (r.error) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return JSON.parse(r.value!);
}

test('a future: pending state, one channel (also :channel()), a payload on success, result() and error(); cancel', async () => {
  const rt = load();
  assert.deepEqual(await run(rt, 'cancel'), { canceled: true, result_nil: true, kind: 'Canceled' });
  assert.deepEqual(await run(rt, 'basic'), {
    pending_complete: false, pending_result_nil: true, pending_error_nil: true, same: true, ok: true, data: 'a',
    complete: true, result_data: 'a', result_err_nil: true, has_error: false, error_nil: true,
  });
});

test('a failed call: the channel yields the error itself with ok = true; result() nil, err; error() err, true', async () => {
  const r = await run(load(), 'error');
  assert.equal(r.ok, true);
  assert.equal(r.is_error, true);
  assert.equal(r.result_nil, true);
  assert.equal(r.result_kind, 'NotFound');
  assert.equal(r.has, true);
  assert.equal(r.error_kind, 'Internal');
  assert.match(r.error_text as string, /async call failed/);
  assert.match(r.error_text as string, /gone/);
});

test('futures in channel.select: the first to finish wins and its channel compares equal', async () => {
  assert.deepEqual(await run(load(), 'select'), { fast_first: true, value: 'fast' });
});

test('funcs.async of an empty or namespace-less id returns nil, Invalid (not retryable)', async () => {
  assert.deepEqual(await run(load(), 'invalid'), { nil1: true, k1: 'Invalid', nil2: true, k2: 'Invalid', nil3: true, k3: 'Invalid', retry: false });
});
