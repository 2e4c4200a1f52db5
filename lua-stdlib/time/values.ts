/**
 * The `time` module's Lua values: Time, Duration and Location userdata, reading durations from any
 * accepted form, and the operators (`+ - * / ==  < <=`, unary minus, `..`) shared by Time and
 * Duration.
 *
 * Owns: metatable names, push/test/check helpers, `durationArg` (the one place a Lua value becomes
 * nanoseconds) (Go's Duration.String() is gotime/duration.ts). Method tables live in index.ts.
 * Invariants: a Duration holds a finite integer number of nanoseconds (a JS number, exact up to
 * 2^53 ns, about 104 days; it may be negative, e.g. from `t1:sub(t2)`); a Time holds a TimeValue (gotime/calendar.ts) and is immutable. Every
 * place that takes a duration accepts a Duration, a Go string ("1h30m") or a number of
 * nanoseconds; strings and numbers go through base/duration.ts, which refuses negative values,
 * days and missing units with a message quoting the input. Only `signed` readers (Time:add, the
 * truncate/round methods, the operators) accept a leading minus, because going back in time is ordinary there.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, raise, bytesToText, describe, typeName, pushText, typeError, PAYLOAD_OF, perState
} from '../../lua/api';
import { formatWall, LAYOUTS } from './gotime/layout';
import { parseDuration, DurationError } from '../../base/duration';
import { addNanos, compare, diffNanos, TimeValue, Zone, wall } from './gotime/calendar';

export const TIME_MT = 'wippy.time.time';
export const DURATION_MT = 'wippy.time.duration';
export const LOCATION_MT = 'wippy.time.location';

interface TimeBox { time: TimeValue; [PAYLOAD_OF]?: () => unknown }
interface DurationBox { ns: number }
interface LocationBox { zone: Zone }

export type TimeTypeName = typeof TIME_MT | typeof DURATION_MT | typeof LOCATION_MT;

let buildType: ((L: LuaState, mt: TimeTypeName) => void) | null = null;
const typeReady = {
  [TIME_MT]: perState<true>(TIME_MT),
  [DURATION_MT]: perState<true>(DURATION_MT),
  [LOCATION_MT]: perState<true>(LOCATION_MT),
};

/** index.ts registers how the Time/Duration/Location metatables are built (their methods live there). */
export function registerTimeTypes(build: (L: LuaState, mt: TimeTypeName) => void): void {
  buildType = build;
}

/**
 * Build one metatable in this state on first use: a state that never makes a Time pays nothing,
 * and one that only reads the clock builds Time alone (a workflow is a new state per replay).
 */
export function ensureTimeType(L: LuaState, mt: TimeTypeName): void {
  const ready = typeReady[mt];
  if (ready.get(L)) return;
  ready.set(L, true);
  buildType?.(L, mt);
}

export function pushTime(L: LuaState, t: TimeValue): number {
  ensureTimeType(L, TIME_MT);
  const box = lua.lua_newuserdata(L, 0) as TimeBox;
  box.time = t;
  // How a Time crosses as a value (lua/codec.ts): its RFC 3339 text with nanoseconds, as Go's JSON writes a time.
  box[PAYLOAD_OF] = () => formatWall(wall(t), LAYOUTS.RFC3339NANO);
  lauxlib.luaL_setmetatable(L, lstr(TIME_MT));
  return 1;
}

export function testTime(L: LuaState, idx: number): TimeValue | null {
  const box = lauxlib.luaL_testudata(L, idx, lstr(TIME_MT)) as TimeBox | null;
  return box ? box.time : null;
}

export function checkTime(L: LuaState, idx: number): TimeValue {
  const t = testTime(L, idx);
  if (!t) typeError(L, idx, 'Time');
  return t as TimeValue;
}

export function pushDuration(L: LuaState, ns: number): number {
  if (!Number.isFinite(ns)) raise(L, `duration out of range: ${ns} nanoseconds`);
  ensureTimeType(L, DURATION_MT);
  const box = lua.lua_newuserdata(L, 0) as DurationBox;
  box.ns = Object.is(ns, -0) ? 0 : ns;
  lauxlib.luaL_setmetatable(L, lstr(DURATION_MT));
  return 1;
}

export function testDuration(L: LuaState, idx: number): number | null {
  const box = lauxlib.luaL_testudata(L, idx, lstr(DURATION_MT)) as DurationBox | null;
  return box ? box.ns : null;
}

export function checkDuration(L: LuaState, idx: number): number {
  const d = testDuration(L, idx);
  if (d === null) typeError(L, idx, 'Duration');
  return d as number;
}

export function pushLocation(L: LuaState, zone: Zone): number {
  ensureTimeType(L, LOCATION_MT);
  const box = lua.lua_newuserdata(L, 0) as LocationBox;
  box.zone = zone;
  lauxlib.luaL_setmetatable(L, lstr(LOCATION_MT));
  return 1;
}

export function testLocation(L: LuaState, idx: number): Zone | null {
  const box = lauxlib.luaL_testudata(L, idx, lstr(LOCATION_MT)) as LocationBox | null;
  return box ? box.zone : null;
}

/**
 * The value at idx as nanoseconds, or an error message. Numbers are nanoseconds (fractions are
 * dropped, as Go's conversion does); strings are Go durations.
 */
export function readDuration(L: LuaState, idx: number, signed: boolean): number | string {
  const d = testDuration(L, idx);
  if (d !== null) return d;
  const type = lua.lua_type(L, idx);
  try {
    if (type === lua.LUA_TNUMBER) {
      const n = lua.lua_tonumber(L, idx) as number;
      const neg = signed && n < 0;
      parseDuration(neg ? -n : n);
      const ns = Math.trunc(neg ? -n : n);
      return neg ? -ns : ns;
    }
    if (type === lua.LUA_TSTRING) {
      const text = bytesToText(lua.lua_tolstring(L, idx));
      const neg = signed && text.startsWith('-');
      const body = neg ? text.slice(1) : text;
      try {
        const ns = Math.round(parseDuration(body) * 1e6);
        return neg ? -ns : ns;
      } catch (e) {
        // Quote what the user wrote, minus sign included.
        if (neg && e instanceof DurationError) throw new DurationError(e.message.replace(JSON.stringify(body), JSON.stringify(text)));
        throw e;
      }
    }
  } catch (e) {
    if (e instanceof DurationError) return e.message;
    throw e;
  }
  const got = type === lua.LUA_TNONE ? 'no value' : typeName(L, idx);
  return `invalid duration (${got}): expected a Duration, a string like "1h30m" or a number of nanoseconds`;
}

/** readDuration that raises `<fn>: <message>` on a bad value. */
export function durationArg(L: LuaState, idx: number, fn: string, signed = false): number {
  const r = readDuration(L, idx, signed);
  if (typeof r === 'string') raise(L, `${fn}: ${r}`);
  return r as number;
}

// ---- operators ----

function describeOperand(L: LuaState, idx: number): string {
  if (testTime(L, idx)) return 'a Time';
  if (testDuration(L, idx) !== null) return 'a Duration';
  return `a ${typeName(L, idx)}`;
}

function operand(L: LuaState, idx: number, op: string): number {
  const r = readDuration(L, idx, true);
  if (typeof r === 'string') {
    raise(L, `cannot ${op} ${describeOperand(L, 1)} and ${describeOperand(L, 2)}${lua.lua_type(L, idx) === lua.LUA_TSTRING ? ` (${r})` : ''}`);
  }
  return r as number;
}

function factor(L: LuaState, idx: number, op: string): number {
  if (lua.lua_type(L, idx) !== lua.LUA_TNUMBER) raise(L, `cannot ${op} ${describeOperand(L, 1)} by ${describeOperand(L, 2)}: use a number`);
  return lua.lua_tonumber(L, idx) as number;
}

export const operators: Record<string, LuaFn> = {
  /** Time + d, d + Time -> Time; d + d -> Duration. */
  __add: (L) => {
    const a = testTime(L, 1);
    const b = testTime(L, 2);
    if (a && b) raise(L, 'cannot add two Times: subtract them to get a Duration, or add a Duration to one');
    if (a) return pushTime(L, addNanos(a, operand(L, 2, 'add')));
    if (b) return pushTime(L, addNanos(b, operand(L, 1, 'add')));
    return pushDuration(L, operand(L, 1, 'add') + operand(L, 2, 'add'));
  },
  /** Time - Time -> Duration; Time - d -> Time; d - d -> Duration. */
  __sub: (L) => {
    const a = testTime(L, 1);
    const b = testTime(L, 2);
    if (a && b) return pushDuration(L, diffNanos(a, b));
    if (b) raise(L, 'cannot subtract a Time from a Duration');
    if (a) return pushTime(L, addNanos(a, -operand(L, 2, 'subtract')));
    return pushDuration(L, operand(L, 1, 'subtract') - operand(L, 2, 'subtract'));
  },
  __mul: (L) => {
    const d1 = testDuration(L, 1);
    const [d, n] = d1 !== null ? [d1, factor(L, 2, 'multiply')] : [checkDuration(L, 2), factor(L, 1, 'multiply')];
    return pushDuration(L, Math.trunc(d * n));
  },
  /** d / n -> Duration; d / d -> number (how many times the second fits in the first). */
  __div: (L) => {
    const d = testDuration(L, 1);
    if (d === null) raise(L, `cannot divide ${describeOperand(L, 1)} by a Duration`);
    const other = testDuration(L, 2);
    if (other !== null) { lua.lua_pushnumber(L, (d as number) / other); return 1; }
    const n = factor(L, 2, 'divide');
    if (n === 0) raise(L, 'cannot divide a Duration by zero');
    return pushDuration(L, Math.trunc((d as number) / n));
  },
  __unm: (L) => pushDuration(L, -checkDuration(L, 1)),
  __concat: (L) => {
    pushText(L, describe(L, 1) + describe(L, 2));
    return 1;
  },
};

/** Comparison metamethods for Durations (numbers compare as nanoseconds) and for Times. */
export const durationCompare: Record<string, LuaFn> = {
  __eq: (L) => { lua.lua_pushboolean(L, testDuration(L, 1) === testDuration(L, 2)); return 1; },
  __lt: (L) => { lua.lua_pushboolean(L, operand(L, 1, 'compare') < operand(L, 2, 'compare')); return 1; },
  __le: (L) => { lua.lua_pushboolean(L, operand(L, 1, 'compare') <= operand(L, 2, 'compare')); return 1; },
};

export const timeCompare: Record<string, LuaFn> = {
  __eq: (L) => {
    const a = testTime(L, 1);
    const b = testTime(L, 2);
    lua.lua_pushboolean(L, a !== null && b !== null && compare(a, b) === 0);
    return 1;
  },
  __lt: (L) => { lua.lua_pushboolean(L, compareTimes(L) < 0); return 1; },
  __le: (L) => { lua.lua_pushboolean(L, compareTimes(L) <= 0); return 1; },
};

function compareTimes(L: LuaState): number {
  const a = testTime(L, 1);
  const b = testTime(L, 2);
  if (!a || !b) raise(L, `cannot compare ${describeOperand(L, 1)} with ${describeOperand(L, 2)}`);
  return compare(a as TimeValue, b as TimeValue);
}
