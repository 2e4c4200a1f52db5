/**
 * `time`: times, durations, zones, Go layouts and sleeping, modelled on Go's time package as
 * Wippy exposes it.
 *
 * Owns: the module table (functions and constants) and the method tables of Time, Duration and
 * Location. The pieces live beside it: values.ts (userdata, duration input, operators) and
 * channels.ts (`time.after`, `time.timer`, `time.ticker`); Go's time package itself, with no Lua
 * in it, is gotime/: calendar.ts (instants, zones, calendar arithmetic), layout.ts (Go layouts,
 * format and parse), duration.ts (units, Duration.String()).
 *
 * Invariants:
 * - The current time is read only through `services.now()` and waiting only through
 *   `services.sleep()`, so a workflow's recorded or virtual clock replaces both. Nothing here
 *   reads Date.now() or sets a timer.
 * - `time.now()`, `time.unix()`, `time.date()` and `time.parse()` give UTC times unless a zone is
 *   asked for, so the same code prints the same text on every machine (Go would use Local).
 *   The "Local" zone (`t:in_local()`) uses the host's zone rules: display only, never the clock.
 * - Numbers that can pass 2^31 (unix_milli/micro/nano, Duration getters, constants) are pushed
 *   as floats: Fengari integers are 32-bit. `t:unix()` is an integer while it fits.
 * - `time.sleep` of zero or a negative Duration returns at once; a malformed duration anywhere
 *   is a raised error quoting the input, while `parse`/`parse_duration` return `nil, err`
 *   (kind Invalid).
 *
 * `time.after(d)`, `time.timer(d)` and `time.ticker(d)` (channels) live in channels.ts.
 *
 * Lua keywords: Go's `Local()` and `Until()` are spelled `t:in_local()` and `time["until"](t)`;
 * `t["local"](t)` exists as an alias.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, raise, checkText, pushLazyModule,
  typeError, hostOf, waitFor, pushError, pushNumber, methodsClass
} from '../../lua/api';
import {
  addDate, addNanos, compare, diffNanos, fromCivil, ianaZone, instant, LOCAL, roundTime, TimeValue, truncateTime, UTC,
  wall, Wall, ZERO_MS, Zone, zoneName,
} from './gotime/calendar';
import { formatWall, LAYOUTS, MONTHS, parseTime, TimeParseError, WEEKDAYS } from './gotime/layout';
import { durationString, UNITS_NS } from './gotime/duration';
import { timeChannelFunctions } from './channels';
import {
  checkDuration, checkTime, durationArg, durationCompare, DURATION_MT, LOCATION_MT, operators,
  pushDuration, pushLocation, pushTime, readDuration, testLocation, testTime, timeCompare, TIME_MT,
} from './values';
import { registerTimeTypes, type TimeTypeName } from './values';
import { ErrorKind } from '../../base/errors';

function checkWhole(L: LuaState, arg: number, what: string): number {
  const n = lauxlib.luaL_checknumber(L, arg) as number;
  if (!Number.isInteger(n)) lauxlib.luaL_argerror(L, arg, lstr(`${what} must be a whole number`));
  return n;
}

function optWhole(L: LuaState, arg: number, what: string): number {
  return lua.lua_isnoneornil(L, arg) ? 0 : checkWhole(L, arg, what);
}

/** A zone from its name, or a message saying why not. */
function zoneByName(name: string): Zone | string {
  if (name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  if (name === '') return 'empty time zone name: use "UTC", "Local" or an IANA name such as "Europe/Paris"';
  return ianaZone(name) ?? `unknown time zone ${JSON.stringify(name)}: use "UTC", "Local" or an IANA name such as "America/New_York"`;
}

/** A Location userdata or a zone name at idx; `def` when absent. */
function zoneArg(L: LuaState, idx: number, fn: string, def: Zone | null): Zone {
  if (def && lua.lua_isnoneornil(L, idx)) return def;
  const z = testLocation(L, idx);
  if (z) return z;
  if (lua.lua_type(L, idx) !== lua.LUA_TSTRING) typeError(L, idx, 'Location or zone name');
  const r = zoneByName(checkText(L, idx));
  if (typeof r === 'string') raise(L, `${fn}: ${r}`);
  return r as Zone;
}

function nowTime(L: LuaState): TimeValue {
  return { ...instant(hostOf(L).services.now(), 0), zone: UTC };
}

const self = (L: LuaState): TimeValue => checkTime(L, 1);
const rfc3339 = (t: TimeValue, layout: string): string => formatWall(wall(t), layout);

function field(get: (w: Wall) => number): LuaFn {
  return (L) => { lua.lua_pushinteger(L, get(wall(self(L)))); return 1; };
}

function predicate(test: (c: number) => boolean): LuaFn {
  return (L) => { lua.lua_pushboolean(L, test(compare(self(L), checkTime(L, 2)))); return 1; };
}

const inZone = (zone: Zone): LuaFn => (L) => pushTime(L, { ...self(L), zone });

const timeMethods: Record<string, LuaFn> = {
  unix: (L) => { pushNumber(L, Math.floor(self(L).ms / 1000)); return 1; },
  unix_milli: (L) => { lua.lua_pushnumber(L, self(L).ms); return 1; },
  unix_micro: (L) => { const t = self(L); lua.lua_pushnumber(L, t.ms * 1000 + Math.floor(t.ns / 1000)); return 1; },
  unix_nano: (L) => { const t = self(L); lua.lua_pushnumber(L, t.ms * 1e6 + t.ns); return 1; },
  add: (L) => pushTime(L, addNanos(self(L), durationArg(L, 2, 'Time:add', true))),
  sub: (L) => {
    const t = self(L);
    const other = testTime(L, 2);
    if (!other) raise(L, 'Time:sub: expected a Time (to go back in time use t:add(-d) or t:add("-1h"))');
    return pushDuration(L, diffNanos(t, other as TimeValue));
  },
  add_date: (L) => pushTime(L, addDate(self(L), checkWhole(L, 2, 'years'), checkWhole(L, 3, 'months'), checkWhole(L, 4, 'days'))),
  before: predicate((c) => c < 0),
  after: predicate((c) => c > 0),
  equal: predicate((c) => c === 0),
  is_zero: (L) => { const t = self(L); lua.lua_pushboolean(L, t.ms === ZERO_MS && t.ns === 0); return 1; },
  year: field((w) => w.year),
  month: field((w) => w.month),
  day: field((w) => w.day),
  hour: field((w) => w.hour),
  minute: field((w) => w.minute),
  second: field((w) => w.second),
  nanosecond: field((w) => w.nanosecond),
  weekday: field((w) => w.weekday),
  year_day: field((w) => w.yday),
  date: (L) => {
    const w = wall(self(L));
    lua.lua_pushinteger(L, w.year); lua.lua_pushinteger(L, w.month); lua.lua_pushinteger(L, w.day);
    return 3;
  },
  clock: (L) => {
    const w = wall(self(L));
    lua.lua_pushinteger(L, w.hour); lua.lua_pushinteger(L, w.minute); lua.lua_pushinteger(L, w.second);
    return 3;
  },
  format: (L) => { pushText(L, formatWall(wall(self(L)), checkText(L, 2))); return 1; },
  format_rfc3339: (L) => { pushText(L, rfc3339(self(L), LAYOUTS.RFC3339)); return 1; },
  string: (L) => { pushText(L, rfc3339(self(L), LAYOUTS.RFC3339NANO)); return 1; },
  utc: inZone(UTC),
  in_local: inZone(LOCAL),
  local: inZone(LOCAL),
  in_location: (L) => pushTime(L, { ...self(L), zone: zoneArg(L, 2, 'Time:in_location', null) }),
  location: (L) => pushLocation(L, self(L).zone),
  truncate: (L) => pushTime(L, truncateTime(self(L), durationArg(L, 2, 'Time:truncate', true))),
  round: (L) => pushTime(L, roundTime(self(L), durationArg(L, 2, 'Time:round', true))),
};

function inUnit(unit: number): LuaFn {
  return (L) => { lua.lua_pushnumber(L, checkDuration(L, 1) / unit); return 1; };
}

const durationMethods: Record<string, LuaFn> = {
  hours: inUnit(UNITS_NS.HOUR),
  minutes: inUnit(UNITS_NS.MINUTE),
  seconds: inUnit(UNITS_NS.SECOND),
  milliseconds: inUnit(UNITS_NS.MILLISECOND),
  microseconds: inUnit(UNITS_NS.MICROSECOND),
  nanoseconds: inUnit(1),
  string: (L) => { pushText(L, durationString(checkDuration(L, 1))); return 1; },
  abs: (L) => pushDuration(L, Math.abs(checkDuration(L, 1))),
  /** Go's Duration.Truncate: toward zero to a multiple of m; m <= 0 leaves d. */
  truncate: (L) => {
    const d = checkDuration(L, 1);
    const m = durationArg(L, 2, 'Duration:truncate', true);
    return pushDuration(L, m <= 0 ? d : d - (d % m));
  },
  /** Go's Duration.Round: to the nearest multiple of m, halves away from zero. */
  round: (L) => {
    const d = checkDuration(L, 1);
    const m = durationArg(L, 2, 'Duration:round', true);
    if (m <= 0) return pushDuration(L, d);
    const r = Math.abs(d % m);
    const down = Math.abs(d) - r;
    const mag = r + r < m ? down : down + m;
    return pushDuration(L, d < 0 ? -mag : mag);
  },
};

const locationMethods: Record<string, LuaFn> = {
  string: (L) => { pushText(L, zoneName(checkLocation(L))); return 1; },
};

function checkLocation(L: LuaState): Zone {
  const z = testLocation(L, 1);
  if (!z) typeError(L, 1, 'Location');
  return z as Zone;
}

function pushInvalid(L: LuaState, message: string, kind: string = ErrorKind.Invalid): number {
  lua.lua_pushnil(L);
  pushError(L, { kind, message, retryable: false });
  return 2;
}

const functions: Record<string, LuaFn> = {
  now: (L) => pushTime(L, nowTime(L)),
  /** time.unix(sec[, nsec]): nsec may be any size and sign; it is carried into seconds. */
  unix: (L) => pushTime(L, { ...instant(checkWhole(L, 1, 'seconds') * 1000, optWhole(L, 2, 'nanoseconds')), zone: UTC }),
  /** time.date(year, month, day[, hour, min, sec, nsec, zone]): out-of-range fields normalise. */
  date: (L) => pushTime(L, fromCivil(
    checkWhole(L, 1, 'year'), checkWhole(L, 2, 'month'), checkWhole(L, 3, 'day'), optWhole(L, 4, 'hour'),
    optWhole(L, 5, 'minute'), optWhole(L, 6, 'second'), optWhole(L, 7, 'nanosecond'), zoneArg(L, 8, 'time.date', UTC),
  )),
  parse: (L) => {
    const layout = checkText(L, 1);
    const value = checkText(L, 2);
    const zone = zoneArg(L, 3, 'time.parse', UTC);
    try {
      return pushTime(L, parseTime(layout, value, zone));
    } catch (e) {
      if (e instanceof TimeParseError) return pushInvalid(L, e.message);
      throw e;
    }
  },
  parse_duration: (L) => {
    const r = readDuration(L, 1, false);
    return typeof r === 'string' ? pushInvalid(L, r) : pushDuration(L, r);
  },
  since: (L) => pushDuration(L, diffNanos(nowTime(L), checkTime(L, 1))),
  until: (L) => pushDuration(L, diffNanos(checkTime(L, 1), nowTime(L))),
  sleep: (L) => {
    const ns = durationArg(L, 1, 'time.sleep');
    if (ns <= 0) return 0;
    const host = hostOf(L);
    return waitFor(L, host, (done) => host.services.sleep(ns / 1e6, () => done(() => 0)));
  },
  load_location: (L) => {
    const name = checkText(L, 1);
    const r = zoneByName(name);
    if (typeof r === 'string') return pushInvalid(L, r, name === '' ? ErrorKind.Invalid : ErrorKind.NotFound);
    return pushLocation(L, r);
  },
  fixed_zone: (L) => pushLocation(L, { kind: 'fixed', name: checkText(L, 1), offset: checkWhole(L, 2, 'offset') }),
  ...timeChannelFunctions,
};

/** Register a class metatable once per state (methods as __index, `__name`, metamethods: results.ts methodsClass). */
function newType(L: LuaState, mt: string, name: string, methods: Record<string, LuaFn>, meta: Record<string, LuaFn>): void {
  if (lauxlib.luaL_newmetatable(L, lstr(mt))) methodsClass(name, methods, meta)(L);
  lua.lua_pop(L, 1);
}

/** Create one of the metatables (once per state, on first use: values.ts ensureTimeType). */
function installTimeType(L: LuaState, mt: TimeTypeName): void {
  if (mt === TIME_MT) {
    newType(L, TIME_MT, 'Time', timeMethods, {
      ...timeCompare, __add: operators.__add, __sub: operators.__sub, __concat: operators.__concat,
      __tostring: timeMethods.string,
    });
  } else if (mt === DURATION_MT) {
    newType(L, DURATION_MT, 'Duration', durationMethods, { ...durationCompare, ...operators, __tostring: durationMethods.string });
  } else {
    newType(L, LOCATION_MT, 'Location', locationMethods, {
      __tostring: locationMethods.string,
      __eq: (L1) => {
        const a = testLocation(L1, 1);
        const b = testLocation(L1, 2);
        lua.lua_pushboolean(L1, a !== null && b !== null && a.kind === b.kind && zoneName(a) === zoneName(b)
          && (a.kind !== 'fixed' || (b.kind === 'fixed' && a.offset === b.offset)));
        return 1;
      },
    });
  }
}
registerTimeTypes(installTimeType);

const CONSTANTS = new Map<string, number | string>([
  ...Object.entries(UNITS_NS),
  ...Object.entries(LAYOUTS),
  ...MONTHS.map((m, i): [string, number] => [m.toUpperCase(), i + 1]),
  ...WEEKDAYS.map((d, i): [string, number] => [d.toUpperCase(), i]),
]);

/**
 * Push the module table. Functions, constants (time.SECOND, time.RFC3339, time.utc...) are put in
 * place on first read (vm.ts pushLazyModule), and the Time/Duration/Location/Timer types are
 * built when the first such value is made: opening `time` stays cheap for scripts that only sleep.
 */
export function openTime(L: LuaState): void {
  pushLazyModule(L, functions, (L1, k) => {
    const v = CONSTANTS.get(k);
    if (v !== undefined) { if (typeof v === 'number') pushNumber(L1, v); else pushText(L1, v); return true; }
    if (k === 'utc') { pushLocation(L1, UTC); return true; }
    if (k === 'localtz') { pushLocation(L1, LOCAL); return true; }
    return false;
  });
}
