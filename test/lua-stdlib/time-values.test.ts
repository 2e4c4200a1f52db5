/**
 * The `time` module through the real runtime: time values (the clock, accessors, arithmetic,
 * nanosecond digits, 32-bit safety, truncate and round) and the module constants. Every test uses
 * a fake clock (time-harness.ts), so `time.now()` and `time.sleep` are deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, run } from './time-harness';

test('now() reads the execution clock, in UTC, keeping the sub-millisecond part', async () => {
  const v = await run(`
    local t = time.now()
    return { tostring(t), t:format_rfc3339(), t:unix(), t:unix_milli(), t:nanosecond(), t:location():string() }`);
  assert.deepEqual(v, ['2024-01-15T10:30:00.00025Z', '2024-01-15T10:30:00Z', 1705314600, Math.floor(T0), 250000, 'UTC']);
});

test('every Time accessor', async () => {
  const v = await run(`
    local t = time.date(2024, time.FEBRUARY, 29, 13, 4, 5, 123456789)
    local y, m, d = t:date()
    local hh, mm, ss = t:clock()
    return { t:year(), t:month(), t:day(), t:hour(), t:minute(), t:second(), t:nanosecond(), t:weekday(),
      t:year_day(), y, m, d, hh, mm, ss, t:weekday() == time.THURSDAY, t:is_zero(),
      time.date(1, 1, 1, 0, 0, 0, 0):is_zero(), time.unix(0, 0):is_zero(), time.date(2023, 12, 31):year_day() }`);
  assert.deepEqual(v, [2024, 2, 29, 13, 4, 5, 123456789, 4, 60, 2024, 2, 29, 13, 4, 5, true, false, true, false, 365]);
});

test('unix, date, add, sub, add_date and comparisons', async () => {
  const v = await run(`
    local a = time.date(2024, 1, 31, 23, 0, 0, 0, "UTC")
    local b = a:add("2h")
    local out = {
      tostring(time.unix(1703862245, 500000000)), tostring(time.unix(0, -1)), tostring(time.unix(10, 2500000000)),
      tostring(b), b:sub(a):string(), a:sub(b):string(), tostring(b - a), tostring(a + "90m"), tostring(b - "2h"),
      tostring(a:add(-time.HOUR)), tostring(a:add("-30m")), tostring(a:add(a:sub(b))),
      tostring(a:add_date(0, 1, 0)), tostring(a:add_date(1, 0, -31)), tostring(time.date(2024, 13, 1)),
      tostring(time.date(2024, 3, 0)), a:before(b), a:after(b), a:equal(a:add(0)), a == a:add("0s"), a < b, b <= a,
      a ~= b, time.since(a):string(), time["until"](a):string(), "at " .. a,
    }
    return out`);
  assert.deepEqual(v, [
    '2023-12-29T15:04:05.5Z', '1969-12-31T23:59:59.999999999Z', '1970-01-01T00:00:12.5Z',
    '2024-02-01T01:00:00Z', '2h0m0s', '-2h0m0s', '2h0m0s', '2024-02-01T00:30:00Z', '2024-01-31T23:00:00Z',
    '2024-01-31T22:00:00Z', '2024-01-31T22:30:00Z', '2024-01-31T21:00:00Z',
    '2024-03-02T23:00:00Z', '2024-12-31T23:00:00Z', '2025-01-01T00:00:00Z',
    '2024-02-29T00:00:00Z', true, false, true, true, true, false,
    true, '-396h29m59.99975s', '396h29m59.99975s', 'at 2024-01-31T23:00:00Z',
  ]);
});

test('nanosecond digits survive add and sub (no float rounding of unix nanoseconds)', async () => {
  const v = await run(`
    local t = time.unix(1700000000, 123456789)
    local u = t:add(1)
    local later = t:add("2000h"):add(7)
    local far = t:add("87600h"):add(7)
    return { t:nanosecond(), u:nanosecond(), u:sub(t):nanoseconds(), t:sub(u):nanoseconds(),
      later:sub(t):string(), far:nanosecond(), far:add("-87600h"):add(-7):equal(t),
      t:add(999999999):nanosecond(), t:add(999999999):second(), math.type(t:unix_nano()),
      string.format("%.0f", t:unix_micro()), time.unix(0, 123456789):unix_nano() }`);
  assert.deepEqual(v, [123456789, 123456790, 1, -1, '2000h0m0.000000007s', 123456796, true, 123456788, 21, 'float',
    '1700000000123456', 123456789]);
});

test('32-bit safety: values past 2^31 come back as correct floats', async () => {
  const v = await run(`
    local t = time.unix(2^31 + 5, 0)
    local now = time.now()
    local d = time.parse_duration("1h")
    return { t:unix(), math.type(t:unix()), tostring(t), math.type(now:unix()), now:unix_milli(), math.type(now:unix_milli()),
      now:unix_micro(), now:unix_nano() / 1e9, math.type(now:unix_nano()), time.date(2100, 1, 1):unix(),
      time.HOUR, math.type(time.HOUR), time.SECOND, math.type(time.SECOND), d:nanoseconds(), d:microseconds(),
      time.unix(0, 0):add(5e9 * time.SECOND):unix() }`) as unknown[];
  assert.deepEqual(v.slice(0, 4), [2 ** 31 + 5, 'float', '2038-01-19T03:14:13Z', 'integer']);
  assert.deepEqual(v.slice(4, 6), [1705314600000, 'float']);
  assert.equal(v[6], 1705314600000250);
  assert.ok(Math.abs((v[7] as number) - 1705314600.00025) < 1e-6);
  assert.deepEqual(v.slice(8), ['float', 4102444800, 3.6e12, 'float', 1e9, 'integer', 3.6e12, 3.6e9, 5e9]);
});

test('Time truncate and round count from the zero time, as Go does', async () => {
  const v = await run(`
    local t = time.parse("2006 Jan 02 15:04:05", "2012 Dec 07 12:15:30.918273645")
    local z = time.date(0, 0, 0, 12, 15, 30, 918273645)
    local out = {}
    for _, u in ipairs({"1ns", "1us", "1ms", "1s", "2s", "1m", "10m", "1h"}) do
      out[#out + 1] = t:truncate(u):format("15:04:05.999999999") .. "|" .. z:round(u):format("15:04:05.999999999")
    end
    out[#out + 1] = time.date(2024, 1, 17, 15, 0, 0):truncate(7 * 24 * time.HOUR):format("Monday 2006-01-02")
    out[#out + 1] = tostring(t:round(0))
    return out`);
  assert.deepEqual(v, [
    '12:15:30.918273645|12:15:30.918273645', '12:15:30.918273|12:15:30.918274', '12:15:30.918|12:15:30.918',
    '12:15:30|12:15:31', '12:15:30|12:15:30', '12:15:00|12:16:00', '12:10:00|12:20:00', '12:00:00|12:00:00',
    'Monday 2024-01-15', '2012-12-07T12:15:30.918273645Z',
  ]);
});

test('module constants', async () => {
  const v = await run(`
    return { time.NANOSECOND, time.MICROSECOND, time.MILLISECOND, time.SECOND, time.MINUTE, time.HOUR,
      time.RFC3339, time.RFC3339NANO, time.DATE_TIME, time.DATE_ONLY, time.TIME_ONLY, time.KITCHEN, time.RFC1123,
      time.JANUARY, time.DECEMBER, time.SUNDAY, time.SATURDAY }`);
  assert.deepEqual(v, [1, 1e3, 1e6, 1e9, 6e10, 3.6e12, '2006-01-02T15:04:05Z07:00', '2006-01-02T15:04:05.999999999Z07:00',
    '2006-01-02 15:04:05', '2006-01-02', '15:04:05', '3:04PM', 'Mon, 02 Jan 2006 15:04:05 MST', 1, 12, 0, 6]);
});
