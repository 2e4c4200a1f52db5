/**
 * The `time` module through the real runtime: Go layouts (format, parse, round trips, parse
 * errors) and zones. Every test uses a fake clock (time-harness.ts), so `time.now()` and
 * `time.sleep` are deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, fails } from './time-harness';

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
