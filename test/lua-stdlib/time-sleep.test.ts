/**
 * The `time` module through the real runtime: sleeping and timers (sleep, after, timer, ticker),
 * inside pcall, coroutines and select. Every test uses a fake clock (time-harness.ts), so
 * `time.now()` and `time.sleep` are deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantClock, steppingClock, run } from './time-harness';

test('sleep waits through services.sleep for the parsed milliseconds; zero does not wait', async () => {
  const clock = instantClock();
  const v = await run(`
    time.sleep("1.5s")
    time.sleep(250 * time.MILLISECOND)
    time.sleep(time.parse_duration("2s"))
    time.sleep("10us")
    time.sleep(0)
    time.sleep("0s")
    time.sleep(time.parse_duration("1s") - time.parse_duration("2s"))
    return select("#", time.sleep("1ms"))`, clock);
  assert.equal(v, 0);
  assert.deepEqual(clock.timers, [1500, 250, 2000, 0.01, 1]);
});

test('sleep on a clock that moves: since() sees exactly the time slept', async () => {
  const clock = steppingClock();
  const v = await run(`
    local start = time.now()
    time.sleep("2s")
    time.sleep("1500ms")
    return { time.since(start):string(), time.now():sub(start):seconds(), tostring(time.now()) }`, clock);
  assert.deepEqual(v, ['3.5s', 3.5, '2024-01-15T10:30:03.50025Z']);
  assert.deepEqual(clock.timers, [2000, 1500]);
});

test('sleep works inside pcall and inside coroutine.wrap', async () => {
  const clock = steppingClock();
  const v = await run(`
    local ok, err = pcall(time.sleep, "1s")
    local bad, msg = pcall(time.sleep, "1d")
    local f = coroutine.wrap(function(x)
      time.sleep("2s")
      local y = coroutine.yield(x + 1)
      time.sleep("3s")
      return y * 10
    end)
    local a = f(1)
    local b = f(5)
    local co = coroutine.create(function() time.sleep("4s"); return "done" end)
    local cok, cv = coroutine.resume(co)
    return { ok, err == nil, bad, msg:match("24h") ~= nil, a, b, cok, cv, coroutine.status(co) }`, clock);
  assert.deepEqual(v, [true, true, false, true, 2, 50, true, 'done', 'dead']);
  assert.deepEqual(clock.timers, [1000, 2000, 3000, 4000]);
});

test('time.after races a channel in select: both branches', async () => {
  const v = await run(`
    local fast = channel.new(1)
    fast:send("message")
    local r1 = channel.select{ fast:case_receive(), time.after("50ms"):case_receive() }
    local never = channel.new()
    local timeout = time.after("5ms")
    local r2 = channel.select{ never:case_receive(), timeout:case_receive() }
    return { r1.value, r2.channel == timeout, getmetatable(r2.value).__name, r2.ok }`, steppingClock());
  assert.deepEqual(v, ['message', true, 'Time', true]);
});

test('time.timer fires once, can be stopped and reset; time.ticker ticks until stopped', async () => {
  const v = await run(`
    local t = time.timer("5ms")
    local fired = t:response():receive()
    local stopped_after_fire = t:stop()
    local t2 = time.timer("1h")
    local stopped = t2:stop()
    local r = channel.select{ t2:channel():case_receive(), default = true }
    local t3 = time.timer("1h")
    t3:reset("2ms")
    local reset_fired = t3:channel():receive()
    local tk = time.ticker("2ms")
    local ticks = 0
    for i = 1, 3 do tk:response():receive() ticks = ticks + 1 end
    tk:stop()
    local late = channel.select{ tk:response():case_receive(), time.after("10ms"):case_receive() }
    return { getmetatable(fired).__name, stopped_after_fire, stopped, r.default, getmetatable(reset_fired).__name, ticks,
             late.channel ~= tk:response() }`, steppingClock());
  assert.deepEqual(v, ['Time', false, true, true, 'Time', 3, true]);
});

test('a bad duration for after/timer/ticker is a clear error', async () => {
  await assert.rejects(run('return time.after("1d")'), /24h/);
  await assert.rejects(run('return time.ticker(0)'), /ticker interval must be positive/);
});
