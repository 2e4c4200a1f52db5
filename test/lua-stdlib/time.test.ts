/**
 * The `time` module through the real runtime: durations, times, Go layouts, zones, sleeping and
 * 32-bit safety. Every test uses a fake clock, so `time.now()` and `time.sleep` are deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua, runLua, SnippetOptions } from '../helpers/lua';
import type { Clock } from '../../base/clock';

/** 2024-01-15T10:30:00.00025Z: the fraction is exact in binary, so the ns digits are known. */
const T0 = Date.UTC(2024, 0, 15, 10, 30, 0) + 0.25;

interface FakeClock extends Clock { timers: number[]; t: number }

/** now() is fixed; every timer fires at once (synchronously) and its ms is recorded. */
function instantClock(start = T0): FakeClock {
  const c: FakeClock = {
    t: start,
    timers: [],
    now: () => c.t,
    setTimer(ms, fn) { c.timers.push(ms); fn(); return () => {}; },
  };
  return c;
}

/** Timers fire on a later turn and move the clock forward by their ms. */
function steppingClock(start = T0): FakeClock {
  const c: FakeClock = {
    t: start,
    timers: [],
    now: () => c.t,
    setTimer(ms, fn) {
      c.timers.push(ms);
      const h = setTimeout(() => { c.t += ms; fn(); }, 0);
      return () => clearTimeout(h);
    },
  };
  return c;
}

function opts(clock: Clock = instantClock(), extra: SnippetOptions = {}): SnippetOptions {
  return { modules: ['time'], clock, ...extra };
}

/** Run a body with `time` required; fail on a Lua error. */
function run(body: string, clock?: Clock): Promise<unknown> {
  return evalLua(`local time = require("time")\n${body}`, opts(clock));
}

/** Run a body that must fail; returns the error message. */
async function fails(body: string, clock?: Clock): Promise<string> {
  const r = await runLua(`local time = require("time")\n${body}`, opts(clock));
  assert.ok(r.error, `expected an error, got ${r.value}`);
  return r.error.message;
}

// ---- durations ----

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

// ---- time values ----

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

// ---- layouts ----

test('format with Go layouts and the layout constants', async () => {
  const v = await run(`
    local t = time.date(2009, 11, 10, 23, 4, 5, 123456789)
    local ist = time.fixed_zone("IST", 5 * 3600 + 30 * 60)
    local anon = time.fixed_zone("", -7 * 3600)
    return { t:format(time.RFC1123), t:format(time.RFC1123Z), t:format(time.KITCHEN), t:format(time.RFC3339NANO),
      t:format(time.ANSIC), t:format(time.STAMP_MILLI), t:format(time.RFC822Z), t:format(time.RFC850),
      t:format(time.DATE_TIME), t:format(time.DATE_ONLY), t:format(time.TIME_ONLY), t:format(time.UNIX_DATE),
      t:format("2006-002 __2 Jan January Mon Monday 1/2/06 3:4:5 03 pm PM .000 ,000000 .999 .9"),
      t:format("Jane _2006 Monx 15h"), t:in_location(ist):format(time.RFC3339), t:in_location(ist):format("MST Z0700 -07"),
      t:in_location(anon):format("MST Z07:00:00 -070000 -07:00:00"), t:format("Z07:00 Z0700 Z07 -07:00"),
      time.date(2024, 1, 5, 0, 0, 0, 500000000):format(time.RFC3339NANO), time.date(5, 1, 5, 0, 7):format(time.STAMP .. " 2006 3PM") }`);
  assert.deepEqual(v, [
    'Tue, 10 Nov 2009 23:04:05 UTC', 'Tue, 10 Nov 2009 23:04:05 +0000', '11:04PM', '2009-11-10T23:04:05.123456789Z',
    'Tue Nov 10 23:04:05 2009', 'Nov 10 23:04:05.123', '10 Nov 09 23:04 +0000', 'Tuesday, 10-Nov-09 23:04:05 UTC',
    '2009-11-10 23:04:05', '2009-11-10', '23:04:05', 'Tue Nov 10 23:04:05 UTC 2009',
    '2009-314 314 Nov November Tue Tuesday 11/10/09 11:4:5 11 pm PM .123 ,123456 .123 .1',
    'Jane _2009 Monx 23h', '2009-11-11T04:34:05+05:30', 'IST +0530 +05',
    '-0700 -07:00:00 -070000 -07:00:00', 'Z Z Z +00:00',
    '2024-01-05T00:00:00.5Z', 'Jan  5 00:07:00 0005 12AM',
  ]);
});

test('parse with several layouts; format/parse round trips', async () => {
  const v = await run(`
    local function p(layout, s)
      local t, err = time.parse(layout, s)
      if not t then return "ERR " .. err:message() end
      return t:format(time.RFC3339NANO) .. " " .. t:location():string()
    end
    local out = {
      p(time.RFC3339, "2024-12-29T15:04:05Z"), p(time.RFC3339, "2024-12-29T15:04:05-07:00"),
      p(time.RFC3339NANO, "2024-12-29T15:04:05.123456789+05:30"), p(time.RFC3339, "2024-12-29T15:04:05.5Z"),
      p(time.DATE_ONLY, "2024-12-29"), p(time.TIME_ONLY, "14:30:00"), p(time.KITCHEN, "3:04PM"), p("3:04pm", "12:30am"),
      p(time.RFC1123, "Mon, 02 Jan 2006 15:04:05 MST"), p(time.RFC1123, "Mon, 02 Jan 2006 15:04:05 UTC"),
      p(time.RFC1123Z, "Mon, 02 Jan 2006 15:04:05 -0700"), p(time.STAMP_MICRO, "Feb  3 04:05:06.789000"),
      p("January 2, 2006", "march 5, 2024"), p("02 Jan 06", "05 Mar 70"), p("02 Jan 06", "05 Mar 68"),
      p("2006-002", "2024-060"), p("2006-01-02  15", "2024-01-02 7"), p("_2 Jan", " 7 Mar"),
      p("2006-01-02 MST", "2024-06-01 GMT+3"), p("2006-01-02 15:04:05.000", "2024-06-01 10:11:12.345"),
      p(time.DATE_TIME, "2024-01-02 03:04:05.123456789"),
    }
    local t = time.date(2009, 11, 10, 23, 4, 5, 123456789)
    for _, layout in ipairs({time.RFC3339NANO, time.RFC1123Z, time.RFC822Z, time.RUBY_DATE, time.STAMP_NANO,
        "2006-01-02T15:04:05.000000000Z07:00", "Monday, January _2 2006 at 3:04:05.999999999pm -07:00:00"}) do
      local back = assert(time.parse(layout, t:format(layout)))
      out[#out + 1] = back:format(layout) == t:format(layout)
    end
    return out`);
  assert.deepEqual(v, [
    '2024-12-29T15:04:05Z UTC', '2024-12-29T15:04:05-07:00 ', '2024-12-29T15:04:05.123456789+05:30 ',
    '2024-12-29T15:04:05.5Z UTC', '2024-12-29T00:00:00Z UTC', '0000-01-01T14:30:00Z UTC', '0000-01-01T15:04:00Z UTC',
    '0000-01-01T00:30:00Z UTC', '2006-01-02T15:04:05Z MST', '2006-01-02T15:04:05Z UTC',
    '2006-01-02T15:04:05-07:00 ', '0000-02-03T04:05:06.789Z UTC',
    '2024-03-05T00:00:00Z UTC', '1970-03-05T00:00:00Z UTC', '2068-03-05T00:00:00Z UTC',
    '2024-02-29T00:00:00Z UTC', '2024-01-02T07:00:00Z UTC', '0000-03-07T00:00:00Z UTC',
    '2024-06-01T00:00:00+03:00 GMT+3', '2024-06-01T10:11:12.345Z UTC', '2024-01-02T03:04:05.123456789Z UTC',
    true, true, true, true, true, true, true,
  ]);
});

test('parse errors are Invalid errors with Go messages', async () => {
  const v = await run(`
    local out = {}
    for _, c in ipairs({
      {time.RFC3339, "invalid"}, {time.DATE_ONLY, "2024-02-30"}, {time.DATE_ONLY, "2024-13-01"},
      {time.DATE_ONLY, "2024-01-02 extra"}, {time.TIME_ONLY, "25:00:00"}, {time.RFC3339, "2024-01-02T03:04:05"},
      {"2006-01-02 .000", "2024-01-02 .12"}, {"Jan 2", "Foo 2"}, {"2006-002", "2023-366"},
    }) do
      local t, err = time.parse(c[1], c[2])
      out[#out + 1] = { t == nil, err:kind(), err:message() }
    end
    return out`) as Array<[boolean, string, string]>;
  for (const [isNil, kind] of v) assert.deepEqual([isNil, kind], [true, 'Invalid']);
  assert.deepEqual(v.map((r) => r[2]), [
    'parsing time "invalid" as "2006-01-02T15:04:05Z07:00": cannot parse "invalid" as "2006"',
    'parsing time "2024-02-30": day out of range',
    'parsing time "2024-13-01": month out of range',
    'parsing time "2024-01-02 extra": extra text: " extra"',
    'parsing time "25:00:00": hour out of range',
    'parsing time "2024-01-02T03:04:05" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"',
    'parsing time "2024-01-02 .12" as "2006-01-02 .000": cannot parse ".12" as ".000"',
    'parsing time "Foo 2" as "Jan 2": cannot parse "Foo 2" as "Jan"',
    'parsing time "2023-366": day-of-year out of range',
  ]);
});

// ---- zones ----

test('locations: utc, fixed zones, IANA names, Local', async () => {
  const v = await run(`
    local t = time.date(2024, 1, 15, 12, 0, 0, 0, time.utc)
    local ny, err = time.load_location("America/New_York")
    assert(ny, err)
    local summer = time.date(2024, 7, 1, 12, 0, 0, 0, ny)
    local missing, nf = time.load_location("Mars/Olympus_Mons")
    local empty, inv = time.load_location("")
    local ist = time.fixed_zone("IST", 19800)
    return { t:in_location(ny):format("15:04 MST -07:00"), summer:format("15:04 MST -07:00"), summer:utc():hour(),
      tostring(ny), ny:string(), time.utc:string(), tostring(time.localtz), missing == nil, nf:kind(), empty == nil, inv:kind(),
      time.date(2024, 1, 15, 12, 0, 0, 0, ist):format(time.RFC3339), time.date(2024, 1, 15, 12, 0, 0, 0, "Europe/Paris"):utc():hour(),
      t:in_location("Asia/Tokyo"):hour(), t["local"](t):unix() == t:unix(), t:in_local():location():string(),
      t:in_local():equal(t), t:in_local():format("-07:00"), ny == time.load_location("America/New_York"), time.utc == ist }`) as unknown[];
  const localOffset = -new Date(Date.UTC(2024, 0, 15, 12)).getTimezoneOffset();
  const sign = localOffset < 0 ? '-' : '+';
  const abs = Math.abs(localOffset);
  const localText = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  assert.deepEqual(v, [
    '07:00 EST -05:00', '12:00 EDT -04:00', 16, 'America/New_York', 'America/New_York', 'UTC', 'Local', true, 'NotFound',
    true, 'Invalid', '2024-01-15T12:00:00+05:30', 11, 21, true, 'Local', true, localText, true, false,
  ]);
  assert.match(await fails('time.date(2024, 1, 1, 0, 0, 0, 0, "Nowhere/Land")'), /time\.date: unknown time zone "Nowhere\/Land"/);
  assert.match(await fails('time.unix(1.5)'), /seconds must be a whole number/);
});

// ---- sleeping ----

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

test('module constants', async () => {
  const v = await run(`
    return { time.NANOSECOND, time.MICROSECOND, time.MILLISECOND, time.SECOND, time.MINUTE, time.HOUR,
      time.RFC3339, time.RFC3339NANO, time.DATE_TIME, time.DATE_ONLY, time.TIME_ONLY, time.KITCHEN, time.RFC1123,
      time.JANUARY, time.DECEMBER, time.SUNDAY, time.SATURDAY }`);
  assert.deepEqual(v, [1, 1e3, 1e6, 1e9, 6e10, 3.6e12, '2006-01-02T15:04:05Z07:00', '2006-01-02T15:04:05.999999999Z07:00',
    '2006-01-02 15:04:05', '2006-01-02', '15:04:05', '3:04PM', 'Mon, 02 Jan 2006 15:04:05 MST', 1, 12, 0, 6]);
});
