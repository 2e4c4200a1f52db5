// The sandbox: unsafe parts of Lua's library are absent, the budget stops runaway code, clocks
// and randomness are per execution, and errors carry file:line plus a traceback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua, runLua } from '../helpers/lua';

test('unsafe globals and library functions are absent', async () => {
  const v = await evalLua(`return {
    io = type(io), debug = type(debug), package = type(package),
    execute = type(os.execute), exit = type(os.exit), getenv = type(os.getenv), remove = type(os.remove),
    rename = type(os.rename), tmpname = type(os.tmpname),
    loadfile = type(loadfile), dofile = type(dofile), dump = type(string.dump),
    time = type(os.time), clock = type(os.clock), date = type(os.date),
  }`);
  assert.deepEqual(v, {
    io: 'nil', debug: 'nil', package: 'nil', execute: 'nil', exit: 'nil', getenv: 'nil', remove: 'nil',
    rename: 'nil', tmpname: 'nil', loadfile: 'nil', dofile: 'nil', dump: 'nil',
    time: 'function', clock: 'function', date: 'function',
  });
});

test('load accepts text and refuses binary chunks', async () => {
  const v = await evalLua(`
    local f = load("return 1 + 1")
    local g, err = load("\\27Lua\\x53\\0")
    local ok, err2 = pcall(load, "return 1", "x", "b")
    return {f(), g == nil, tostring(err):find("binary") ~= nil, ok, tostring(err2):find("text chunks") ~= nil}`);
  assert.deepEqual(v, [2, true, true, false, true]);
});

test('an endless loop is stopped by the instruction budget with a clear error', async () => {
  const r = await runLua('local n = 0\nwhile true do n = n + 1 end', { budget: 2_000_000 });
  assert.equal(r.error?.kind, 'Timeout');
  assert.match(r.error!.message, /instruction budget exceeded in test:snippet at snippet\.lua:3/);
});

test('pcall cannot swallow the budget stop', async () => {
  const r = await runLua('while true do pcall(function() while true do end end) end return "escaped"', { budget: 2_000_000 });
  assert.equal(r.error?.kind, 'Timeout');
});

test('the budget keeps working after an error caught by pcall inside a coroutine (fengari hook patch)', async () => {
  // Unpatched fengari loses its count hook after a caught error in a coroutine, so this loop
  // would run forever; patches/fengari+0.1.5.patch restores it.
  const r = await runLua(`
    local co = coroutine.create(function()
      pcall(error, "x")
      while true do end
    end)
    return coroutine.resume(co)`, { budget: 2_000_000 });
  assert.equal(r.error?.kind, 'Timeout');
});

test('budget is per activation: a script that waits often is not runaway', async () => {
  // Each sleep ends an activation; the total work is well over the budget.
  const clock = { now: () => 0, setTimer: (_ms: number, fn: () => void) => { setImmediate(fn); return () => {}; } };
  const v = await evalLua(`
    local time = require("time")
    local n = 0
    for i = 1, 20 do
      for j = 1, 50000 do n = n + 1 end
      time.sleep("1ms")
    end
    return n`, { budget: 2_000_000, clock });
  assert.equal(v, 1_000_000);
});

test('string.rep is capped so one call cannot exhaust memory', async () => {
  const r = await runLua('return #string.rep("x", 1e9)');
  assert.match(r.error!.message, /string\.rep: result would be 1000000000 bytes/);
});

test('raised errors carry file:line and a Lua traceback', async () => {
  const r = await runLua('local function inner() error("boom") end\ninner()');
  assert.equal(r.error?.kind, 'Internal');
  assert.equal(r.error?.message, 'snippet.lua:2: boom');
  assert.match(r.error!.stack!, /stack traceback:/);
  assert.match(r.error!.stack!, /snippet\.lua:2: in (local|upvalue|function) 'inner'/);
});

test('os.time/os.date read the execution clock; math.random is per state', async () => {
  const clock = { now: () => 86_400_000 * 366, setTimer: () => () => {} };
  const v = await evalLua(`
    math.randomseed(42)
    local a, b = math.random(1, 1000000), math.random()
    math.randomseed(42)
    return {os.time(), os.date("!%Y-%m-%d"), a == math.random(1, 1000000), b == math.random(), math.random(5, 5)}`, { clock });
  assert.deepEqual(v, [31622400, '1971-01-02', true, true, 5]);
});

test('blocking calls work inside coroutine.wrap and coroutine.resume', async () => {
  const v = await evalLua(`
    local time = require("time")
    local gen = coroutine.wrap(function()
      for i = 1, 3 do time.sleep("1ms") coroutine.yield(i) end
    end)
    local co = coroutine.create(function(x) time.sleep("1ms") return x * 2 end)
    local ok, doubled = coroutine.resume(co, 21)
    return {gen(), gen(), gen(), ok, doubled, coroutine.status(co)}`);
  assert.deepEqual(v, [1, 2, 3, true, 42, 'dead']);
});

test('yield at the top of main is an error, not a hang', async () => {
  const r = await runLua('coroutine.yield(1)');
  assert.match(r.error!.message, /outside a coroutine/);
});

test('require is limited to modules and imports, with a message that says what to add', async () => {
  const r = await runLua('return require("uuid")', { modules: ['json'] });
  assert.match(r.error!.message, /module 'uuid' is not available to test:snippet: add it to the entry's modules: \[json, uuid\]/);
  const r2 = await runLua('return require("os")', { modules: ['json'] });
  assert.match(r2.error!.message, /module 'os' is not available/);
});

test('a script whose memory grows without bound is stopped with a clear error; the runtime keeps going', async () => {
  const r = await runLua(`
    local t = {}
    local i = 0
    while true do
      i = i + 1
      t[i] = {i, "some text " .. i, {nested = i}}
    end`, { memoryLimit: 48 * 2 ** 20 });
  assert.match(r.error!.message, /memory limit exceeded in test:snippet at snippet\.lua:\d+: the heap grew by \d+ MiB in one activation/);
  const ok = await runLua('return 1 + 1');
  assert.equal(ok.value, '2');
});

test('libraries open on first use: the same tables through require and globals; a strict _G still sees them', async () => {
  const v = await evalLua(`
    local e1 = require("errors")
    local same = e1 == errors
    -- an error object made by the host before the script ever touched "errors" has its methods
    local funcs = require("funcs")
    local _, err = funcs.call("no:such")
    setmetatable(_G, { __index = function(_, k) error("undefined global " .. k, 2) end })
    local ok = pcall(function() return undefined_thing end)
    return { same, err:kind(), type(os.time), type(process.send), type(channel.new), type(coroutine.spawn),
             math.type(math.floor(2.5)), utf8.char(233), table.concat({"a", "b"}), ok }`);
  assert.deepEqual(v, [true, 'NotFound', 'function', 'function', 'function', 'function', 'integer', 'é', 'ab', false]);
});

test('lazily opened globals behave like ordinary ones: set to nil stays nil, strings have methods before `string` is read', async () => {
  assert.deepEqual(await evalLua(`
    local up = ("abc"):upper()           -- string methods before the global is touched
    local same = getmetatable("").__index == string
    print = nil; tostring = nil
    local gone = print == nil and tostring == nil
    local n = 0
    for k in pairs(string) do n = n + 1 end
    return {up, same, gone, n > 10, type(pairs), string.dump == nil}`), ['ABC', true, true, true, 'function', true]);
});

test('table.create(narray, nhash) gives a new empty table (Wippy\'s Lua); a negative size is an argument error', async () => {
  const v = await evalLua(`
    local t = table.create(3, 0)
    t[#t + 1] = "a"
    local u = table.create(2)
    local ok, err = pcall(table.create, -1)
    return {#t, t[1], next(u) == nil, t ~= u, ok, tostring(err):match("size must not be negative") ~= nil}`);
  assert.deepEqual(v, [1, 'a', true, true, false, true]);
});
