/**
 * `metrics`: `counter_inc`, `counter_add`, `gauge_set`, `gauge_inc`, `gauge_dec`, `histogram`,
 * as Wippy's module, recording into one in-memory collector per Node process (nondeterministic:
 * refused in workflows, as Wippy). Each returns `true` or `nil, err`.
 *
 * Invariants: a series is its name plus its string-keyed, string-valued labels (other label
 * entries are ignored, as Wippy); a non-string name or non-number value is an Invalid error,
 * never raised. Nothing exports the collector yet: `metricsSnapshot()` reads it (tests).
 */
import { lua, LuaState, LuaFn, fail, setFuncs, bytesToText } from '../lua/api';

export interface Series { kind: 'counter' | 'gauge' | 'histogram'; value: number; count: number; sum: number }

const collector = new Map<string, Series>();

/** A copy of every recorded series, keyed `name{k="v",...}` with labels sorted by key. */
export function metricsSnapshot(): Record<string, Series> {
  const out: Record<string, Series> = {};
  for (const [k, v] of collector) out[k] = { ...v };
  return out;
}

/** The series key of the name at index 1 and the labels table at `idx` (string pairs only). */
function seriesKey(L: LuaState, idx: number): string | null {
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return null;
  const name = bytesToText(lua.lua_tostring(L, 1));
  const labels: [string, string][] = [];
  if (lua.lua_type(L, idx) === lua.LUA_TTABLE) {
    lua.lua_pushnil(L);
    while (lua.lua_next(L, idx) !== 0) {
      if (lua.lua_type(L, -2) === lua.LUA_TSTRING && lua.lua_type(L, -1) === lua.LUA_TSTRING) {
        labels.push([bytesToText(lua.lua_tostring(L, -2)), bytesToText(lua.lua_tostring(L, -1))]);
      }
      lua.lua_pop(L, 1);
    }
  }
  labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return labels.length === 0 ? name : `${name}{${labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

function series(key: string, kind: Series['kind']): Series {
  let s = collector.get(key);
  if (!s || s.kind !== kind) { s = { kind, value: 0, count: 0, sum: 0 }; collector.set(key, s); }
  return s;
}

/** A binding recording `kind`; `valued`: the value is argument 2 and labels argument 3. */
function recorder(fn: string, kind: Series['kind'], valued: boolean, apply: (s: Series, v: number) => void, fixed = 1): LuaFn {
  return (L) => {
    const key = seriesKey(L, valued ? 3 : 2);
    if (key === null) return fail(L, 'Invalid', `metrics.${fn}: name must be a string`);
    let v = fixed;
    if (valued) {
      if (lua.lua_type(L, 2) !== lua.LUA_TNUMBER) return fail(L, 'Invalid', `metrics.${fn}: value must be a number`);
      v = lua.lua_tonumber(L, 2);
    }
    apply(series(key, kind), v);
    lua.lua_pushboolean(L, true);
    return 1;
  };
}

const add = (s: Series, v: number): void => { s.value += v; s.count++; s.sum += v; };

export function openMetrics(L: LuaState): void {
  lua.lua_createtable(L, 0, 6);
  setFuncs(L, {
    counter_inc: recorder('counter_inc', 'counter', false, add),
    counter_add: recorder('counter_add', 'counter', true, add),
    gauge_set: recorder('gauge_set', 'gauge', true, (s, v) => { s.value = v; s.count++; }),
    gauge_inc: recorder('gauge_inc', 'gauge', false, add),
    gauge_dec: recorder('gauge_dec', 'gauge', false, add, -1),
    histogram: recorder('histogram', 'histogram', true, add),
  });
}
