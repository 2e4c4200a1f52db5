/**
 * The `time` module through the real runtime: durations (parsing, Go format, getters, arithmetic,
 * truncate and round, bad input). Every test uses a fake clock (time-harness.ts), so `time.now()`
 * and `time.sleep` are deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, fails } from './time-harness';

test('parse_duration reads Go strings, numbers (ns) and Durations; string() is Go format', async () => {
  const v = await run(`
    local out = {}
    for _, s in ipairs({"1h30m", "1.5s", "500ms", "300us", "300µs", "10ns", "0", "0s", "90s", "2h45m30.5s", "+5s", ".5s"}) do
      local d = assert(time.parse_duration(s))
      out[#out + 1] = d:string()
    end
    out[#out + 1] = tostring(time.parse_duration(1500000000))
    out[#out + 1] = tostring(time.parse_duration(time.parse_duration("2m")))
    out[#out + 1] = tostring(time.parse_duration(5 * time.MINUTE))
    out[#out + 1] = tostring(time.parse_duration(1.9))
    return out`);
  assert.deepEqual(v, [
    '1h30m0s', '1.5s', '500ms', '300µs', '300µs', '10ns', '0s', '0s', '1m30s', '2h45m30.5s', '5s', '500ms',
    '1.5s', '2m0s', '5m0s', '1ns',
  ]);
});

test('Duration getters are float totals in their unit (Go: hours() is the total in hours)', async () => {
  const v = await run(`
    local d = time.parse_duration("1h30m45s500ms")
    return { d:hours(), d:minutes(), d:seconds(), d:milliseconds(), d:microseconds(), d:nanoseconds(),
      math.type(d:seconds()), math.type(d:nanoseconds()), time.parse_duration("1500us"):milliseconds() }`);
  assert.deepEqual(v, [5445.5 / 3600, 5445.5 / 60, 5445.5, 5445500, 5445500000, 5445500000000, 'float', 'float', 1.5]);
});

test('Duration arithmetic and comparison operators', async () => {
  const v = await run(`
    local h = time.parse_duration("1h")
    local m = time.parse_duration("30m")
    return {
      tostring(h + m), tostring(h - m), tostring(m - h), tostring(h * 2), tostring(3 * m), tostring(h / 4),
      h / m, tostring(-m), tostring(h + "15m"), tostring(h + time.MINUTE), tostring(h * 1.5),
      h == time.parse_duration("60m"), h ~= m, m < h, h <= h, h > m, m < time.HOUR, time.HOUR <= h,
      "took " .. m, tostring((m - h):abs()) }`);
  assert.deepEqual(v, [
    '1h30m0s', '30m0s', '-30m0s', '2h0m0s', '1h30m0s', '15m0s', 2, '-30m0s', '1h15m0s', '1h1m0s', '1h30m0s',
    true, true, true, true, true, true, true, 'took 30m0s', '30m0s',
  ]);
});

test('Duration truncate and round follow Go (examples from the Go documentation)', async () => {
  const v = (await run(`
    local d = time.parse_duration("1h15m30.918273645s")
    local out = {}
    for _, u in ipairs({"1ns", "1us", "1ms", "1s", "2s", "1m", "10m", "1h"}) do
      out[#out + 1] = d:round(u):string() .. "|" .. d:truncate(time.parse_duration(u)):string()
    end
    out[#out + 1] = (-d):round("1s"):string() .. "|" .. (-d):truncate("1m"):string() .. "|" .. d:round(0):string()
    return out`)) as string[];
  assert.deepEqual(v, [
    '1h15m30.918273645s|1h15m30.918273645s', '1h15m30.918274s|1h15m30.918273s', '1h15m30.918s|1h15m30.918s',
    '1h15m31s|1h15m30s', '1h15m30s|1h15m30s', '1h16m0s|1h15m0s', '1h20m0s|1h10m0s', '1h0m0s|1h0m0s',
    '-1h15m31s|-1h15m0s|1h15m30.918273645s',
  ]);
});

test('bad durations: parse_duration returns nil, Invalid error quoting the input', async () => {
  const v = await run(`
    local out = {}
    for _, x in ipairs({"1d", "-5s", "", "abc", "10", "5 s", "3w", -5, {}, true}) do
      local d, err = time.parse_duration(x)
      out[#out + 1] = { d == nil, err:kind(), err:retryable(), err:message() }
    end
    return out`) as Array<[boolean, string, boolean, string]>;
  for (const [isNil, kind, retryable] of v) assert.deepEqual([isNil, kind, retryable], [true, 'Invalid', false]);
  const msgs = v.map((r) => r[3]);
  assert.match(msgs[0], /"1d".*"d" \(days\) is not a unit.*"24h"/);
  assert.match(msgs[1], /"-5s".*positive or zero/);
  assert.match(msgs[2], /invalid duration "": it is empty/);
  assert.match(msgs[3], /"abc".*expected a number/);
  assert.match(msgs[4], /"10".*missing unit/);
  assert.match(msgs[5], /"5 s"/);
  assert.match(msgs[6], /"3w".*unknown unit "w"/);
  assert.match(msgs[7], /-5.*positive or zero/);
  assert.match(msgs[8], /\(table\).*expected a Duration, a string like "1h30m" or a number of nanoseconds/);
  assert.match(msgs[9], /\(boolean\)/);
});

test('bad durations elsewhere are raised errors naming the function and quoting the input', async () => {
  assert.match(await fails('time.sleep("1d")'), /^snippet\.lua:\d+: time\.sleep: invalid duration "1d": .*"24h"/);
  assert.match(await fails('time.sleep("-5s")'), /time\.sleep: invalid duration "-5s": durations must be positive or zero/);
  assert.match(await fails('time.sleep("")'), /time\.sleep: invalid duration "": it is empty/);
  assert.match(await fails('time.sleep("abc")'), /time\.sleep: invalid duration "abc"/);
  assert.match(await fails('time.sleep(-1)'), /time\.sleep: invalid duration -1/);
  assert.match(await fails('time.sleep({})'), /time\.sleep: invalid duration \(table\)/);
  assert.match(await fails('time.sleep()'), /time\.sleep: invalid duration \(no value\)/);
  assert.match(await fails('time.now():add("1d")'), /Time:add: invalid duration "1d".*"24h"/);
  assert.match(await fails('time.now():add("-1d")'), /Time:add: invalid duration "-1d"/);
  assert.match(await fails('time.now():truncate(true)'), /Time:truncate: invalid duration \(boolean\)/);
  assert.match(await fails('local d = time.parse_duration("1s") * time.parse_duration("1s")'), /cannot multiply a Duration by a Duration/);
  assert.match(await fails('local x = time.now() + time.now()'), /cannot add two Times/);
  assert.match(await fails('local x = time.parse_duration("1s") + "1d"'), /cannot add a Duration and a string \(invalid duration "1d"/);
  assert.match(await fails('local x = time.now() < 5'), /cannot compare a Time with a number/);
  assert.match(await fails('local x = time.now():sub("1h")'), /Time:sub: expected a Time .*t:add\(-d\)/);
  assert.match(await fails('local x = time.parse_duration("1s") / 0'), /cannot divide a Duration by zero/);
  assert.match(await fails('local x = time.parse_duration("1s") * math.huge'), /duration out of range: Infinity nanoseconds/);
  assert.match(await fails('local x = time.parse_duration("1s") < "1d"'), /cannot compare a Duration and a string \(invalid duration "1d"/);
});
