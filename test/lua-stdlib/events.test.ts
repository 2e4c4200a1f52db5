// The `events` module as Wippy's: subscribe with system/kind patterns, send with data, receiving on
// a channel in channel.select, close, and Wippy's errors for empty arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';
import { RuntimeEventBus } from '../../runtime/events/bus';

const M = { modules: ['events', 'time'] };

test('a subscriber receives matching events with their data, in order, through channel.select', async () => {
  const v = await evalLua(`
    local events = require("events")
    local time = require("time")
    local sub, err = events.subscribe("test.*")
    assert(err == nil and sub:channel() == sub:channel())
    local ch = sub:channel()
    coroutine.spawn(function()
      time.sleep("1ms")
      events.send("test.a", "k1", "/one", {n = 1, nested = {x = "y"}})
      events.send("other.b", "k1", "/skipped")
      events.send("test.c", "k2", "/two")
    end)
    local got = {}
    for _ = 1, 2 do
      local r = channel.select{ch:case_receive(), time.after("5s"):case_receive()}
      if r.channel ~= ch then return "timeout" end
      table.insert(got, r.value)
    end
    return got`, M);
  assert.deepEqual(v, [
    { system: 'test.a', kind: 'k1', path: '/one', data: { n: 1, nested: { x: 'y' } } },
    { system: 'test.c', kind: 'k2', path: '/two' },
  ]);
});

test('a kind filter keeps only that kind; close ends the subscription and closes the channel', async () => {
  const v = await evalLua(`
    local events = require("events")
    local sub = events.subscribe("sys", "wanted")
    events.send("sys", "other", "/a")
    events.send("sys", "wanted", "/b")
    local first = sub:channel():receive()
    local closed = sub:close()
    events.send("sys", "wanted", "/c")
    local after, ok = sub:channel():receive()
    return {first.path, closed, sub:close(), after == nil, ok}`, M);
  assert.deepEqual(v, ['/b', true, true, true, false]);
});

test('empty system, kind or path: nil and an Invalid error with Wippy\'s message', async () => {
  const v = await evalLua(`
    local events = require("events")
    local out = {}
    local s, e = events.subscribe("")
    table.insert(out, {s == nil, e:kind(), e:message(), e:retryable()})
    for _, a in ipairs({{"", "k", "/p"}, {"s", "", "/p"}, {"s", "k", ""}}) do
      local ok, err = events.send(a[1], a[2], a[3])
      table.insert(out, {ok == nil, err:kind(), err:message()})
    end
    return out`, M);
  assert.deepEqual(v, [
    [true, 'Invalid', 'system pattern is required', false],
    [true, 'Invalid', 'system is required'], [true, 'Invalid', 'kind is required'], [true, 'Invalid', 'path is required'],
  ]);
});

test('the bus matches as Wippy\'s dispatcher: "*" and "" all, a trailing * by prefix, else exact', () => {
  const bus = new RuntimeEventBus();
  const got: string[] = [];
  for (const [s, k] of [['*', ''], ['a.*', ''], ['a.b', 'x*'], ['a.b', '*']]) bus.subscribe(s, k, (e) => got.push(`${s}|${k}<-${e.system}/${e.kind}`));
  bus.send({ system: 'a.b', kind: 'xy', path: '/' });
  bus.send({ system: 'ab', kind: 'z', path: '/' });
  assert.deepEqual(got, ['*|<-a.b/xy', 'a.*|<-a.b/xy', 'a.b|x*<-a.b/xy', 'a.b|*<-a.b/xy', '*|<-ab/z']);
});
