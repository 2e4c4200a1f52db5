// Process functions (Wippy's processfunc): funcs.call / funcs.async on a `process.lua` entry with
// `meta.default_host` runs it as a process on that host; its exit is the call's result (value, or
// its error with the process's own message); a process entry without a default host is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { withRegistry } from '../../testkit/registry';
import { until } from '../../testkit/wait';

function load(): Runtime {
  const yaml = `namespace: app
entries:
  - name: procs
    kind: process.host
  - name: echo
    kind: process.lua
    meta: {default_host: app:procs}
    source: file://echo.lua
  - name: broken
    kind: process.lua
    meta: {default_host: app:procs}
    source: file://broken.lua
  - name: stubborn
    kind: process.lua
    meta: {default_host: app:procs}
    source: file://stubborn.lua
  - name: hostless
    kind: process.lua
    source: file://echo.lua
  - name: caller
    kind: function.lua
    source: file://caller.lua
    modules: [funcs]
`;
  return Runtime.load(withRegistry({
    'r.yaml': yaml,
    'echo.lua': 'return function(a, b) return {a = a, b = b, pid = type(process.pid())} end',
    'broken.lua': 'return function() error("intentional process error") end',
    'stubborn.lua': 'return function() local ev = process.events():receive() return ev.kind end',
    'caller.lua': `local funcs = require("funcs")
return function(mode)
  if mode == "call" then return funcs.call("app:echo", "x", 2)
  elseif mode == "error" then local v, err = funcs.call("app:broken") return {v = v, text = tostring(err)}
  elseif mode == "async" then
    local f, err = funcs.async("app:echo", "y")
    local p, ok = f:response():receive()
    return {err = err, ok = ok, data = p:data()}
  elseif mode == "hostless" then local v, err = funcs.call("app:hostless") return {text = tostring(err)}
  end
end`,
  }), { output: { print: () => {}, log: () => {} } });
}

async function run(rt: Runtime, mode: string): Promise<unknown> {
  const r = await rt.callFunction('app:caller', [JSON.stringify(mode)]);
  if (r.error) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return JSON.parse(r.value!);
}

test('funcs.call on a process entry with a default host returns the process\'s result (one without is no function)', async () => {
  const rt = load();
  assert.deepEqual(await run(rt, 'call'), { a: 'x', b: 2, pid: 'string' });
  const r = await run(rt, 'hostless') as { text: string };
  assert.match(r.text, /app:hostless is a process\.lua entry, not a function\.lua/);
});

test('the process\'s error reaches the caller with its own message', async () => {
  const r = await run(load(), 'error') as { text: string };
  assert.match(r.text, /intentional process error/);
});

test('funcs.async on a process function: the future yields the process\'s result', async () => {
  assert.deepEqual(await run(load(), 'async'), { ok: true, data: { a: 'y', pid: 'string' } });
});

test('canceling a process function call sends the process a cancel event', async () => {
  const rt = load();
  let result: unknown;
  const cancel = rt.functions.call({ id: 'app:stubborn', args: [] }, (r) => { result = r; });
  await until(() => rt.node.size === 1, 'the process to start');
  cancel();
  await until(() => result !== undefined, 'the call to end');
  assert.deepEqual(result, { value: '"pid.cancel"' });
});
