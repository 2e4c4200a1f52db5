/**
 * `yaml`, as Wippy's module: `encode(table, options?) -> string | nil, err` and
 * `decode(string) -> value | nil, err`, through the `yaml` package (deterministic, allowed in
 * workflows).
 *
 * Encoding as Wippy's (Go yaml.v3 Marshal): map keys sorted, 4-space indentation, sequences
 * indented under their key; with `options` `{field_order = {...}, sort_unordered = bool}` keys
 * are ordered as listed (the others after them, sorted if `sort_unordered`, else in table order)
 * with 2-space indentation. A table whose keys are 1..n is a sequence (an empty one `[]`), any
 * other a map with text keys; a string that is not UTF-8 becomes `!!binary`; functions and
 * other userdata are null; an error object is its tostring. Decoding: the first document, YAML
 * 1.2 core schema (true/false, null/~, decimal/0x/0o integers, .inf/.nan), merge keys `<<`.
 * Errors: a non-table to encode, a non-string or `""` to decode are Invalid; a cyclic table or
 * nesting past 128 levels, and malformed YAML, are Internal (`encode failed: ...`, `decode
 * failed: ...`). Never raises for a user's value; work is charged per value and per byte.
 */
import YAML from 'yaml';
import {
  lua, lauxlib, LuaState, LuaFn, setFuncs, pushText, bytesToUtf8OrNull, bytesToText, lstr, toLua, pushNumber, WORK_VALUE, testError, errorExtras, fail, ok, chargeBytes, pushBytes
} from '../lua/api';

const MAX_DEPTH = 128;

class YamlEncodeError extends Error {}

/** A Lua value as plain JS for the YAML writer (throws YamlEncodeError on a cycle or depth). */
function toJs(L: LuaState, idx: number, depth: number, seen: Set<unknown>): unknown {
  lua.lua_chargelater(L, WORK_VALUE);
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx);
    case lua.LUA_TNUMBER: return lua.lua_tonumber(L, idx);
    case lua.LUA_TSTRING: {
      const b = lua.lua_tolstring(L, idx);
      chargeBytes(L, b.length);
      return bytesToUtf8OrNull(b) ?? Buffer.from(b);
    }
    case lua.LUA_TTABLE: return tableToJs(L, idx, depth, seen);
    case lua.LUA_TUSERDATA: {
      const e = testError(L, idx);
      if (!e) return null;
      const ctx = errorExtras(L, idx).context;
      return ctx ? `${ctx}: ${e.message}` : e.message;
    }
    default: return null;
  }
}

function tableToJs(L: LuaState, idx: number, depth: number, seen: Set<unknown>): unknown {
  if (depth >= MAX_DEPTH) throw new YamlEncodeError('exceeded maximum nesting depth for YAML encoding');
  const ptr = lua.lua_topointer(L, idx);
  if (seen.has(ptr)) throw new YamlEncodeError('cannot encode recursively nested tables to YAML');
  seen.add(ptr);
  lauxlib.luaL_checkstack(L, 4, null);
  const n = lua.lua_rawlen(L, idx);
  let count = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) { count++; lua.lua_pop(L, 1); }
  let out: unknown;
  if (count === n) {
    const arr: unknown[] = [];
    for (let i = 1; i <= n; i++) {
      lua.lua_rawgeti(L, idx, i);
      try { arr.push(toJs(L, lua.lua_gettop(L), depth + 1, seen)); } finally { lua.lua_pop(L, 1); }
    }
    out = arr;
  } else {
    const obj: Record<string, unknown> = {};
    lua.lua_pushnil(L);
    while (lua.lua_next(L, idx) !== 0) {
      const kt = lua.lua_type(L, -2);
      // Never lua_tolstring a number key during lua_next: it would convert the key in place.
      const key = kt === lua.LUA_TSTRING ? bytesToText(lua.lua_tolstring(L, -2))
        : kt === lua.LUA_TNUMBER ? String(lua.lua_tonumber(L, -2)) : kt === lua.LUA_TBOOLEAN ? String(lua.lua_toboolean(L, -2)) : null;
      if (key !== null) {
        try { obj[key] = toJs(L, lua.lua_gettop(L), depth + 1, seen); } catch (e) { lua.lua_pop(L, 2); throw e; }
      }
      lua.lua_pop(L, 1);
    }
    out = obj;
  }
  seen.delete(ptr);
  return out;
}

interface Order { fields: string[]; sortRest: boolean }

/** Options table at 2: {field_order = {...}, sort_unordered = bool}, or null. */
function orderOptions(L: LuaState): Order | null {
  if (lua.lua_type(L, 2) !== lua.LUA_TTABLE) return null;
  const fields: string[] = [];
  lua.lua_getfield(L, 2, lstr('field_order'));
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const n = lua.lua_rawlen(L, -1);
    for (let i = 1; i <= n; i++) {
      lua.lua_rawgeti(L, -1, i);
      if (lua.lua_type(L, -1) === lua.LUA_TSTRING) fields.push(bytesToText(lua.lua_tolstring(L, -1)));
      lua.lua_pop(L, 1);
    }
  }
  lua.lua_getfield(L, 2, lstr('sort_unordered'));
  const sortRest = lua.lua_type(L, -1) === lua.LUA_TBOOLEAN && lua.lua_toboolean(L, -1);
  lua.lua_pop(L, 2);
  return fields.length > 0 || sortRest ? { fields, sortRest } : null;
}

/** Key order for the writer: listed fields first, then the rest (sorted, or as they came). */
function orderBy(o: Order): (a: { key: unknown }, b: { key: unknown }) => number {
  const rank = new Map(o.fields.map((f, i) => [f, i]));
  return (a, b) => {
    const ka = String((a.key as { value?: unknown })?.value ?? a.key);
    const kb = String((b.key as { value?: unknown })?.value ?? b.key);
    const ra = rank.get(ka);
    const rb = rank.get(kb);
    if (ra !== undefined && rb !== undefined) return ra - rb;
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return o.sortRest ? (ka < kb ? -1 : ka > kb ? 1 : 0) : 0;
  };
}

const encode: LuaFn = (L) => {
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return fail(L, 'Invalid', 'table expected');
  let value: unknown;
  try { value = toJs(L, 1, 0, new Set()); } catch (e) {
    if (e instanceof YamlEncodeError) return fail(L, 'Internal', e.message, 'encode failed');
    throw e;
  }
  const order = orderOptions(L);
  const text = order
    ? YAML.stringify(value, { indent: 2, sortMapEntries: orderBy(order), lineWidth: 0 })
    : YAML.stringify(value, { indent: 4, sortMapEntries: true, lineWidth: 0 });
  chargeBytes(L, text.length);
  pushText(L, text);
  return ok(L);
};

/** Push a decoded YAML value (`!!binary` comes as bytes; an empty sequence as a table). */
function pushValue(L: LuaState, v: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error(`value nested deeper than ${MAX_DEPTH} levels`);
  lua.lua_chargelater(L, WORK_VALUE);
  if (v === null || v === undefined) lua.lua_pushnil(L);
  else if (typeof v === 'boolean') lua.lua_pushboolean(L, v);
  else if (typeof v === 'number') pushNumber(L, v);
  else if (typeof v === 'bigint') lua.lua_pushnumber(L, Number(v));
  else if (typeof v === 'string') pushText(L, v);
  else if (v instanceof Uint8Array) pushBytes(L, v);
  else if (Array.isArray(v)) {
    lauxlib.luaL_checkstack(L, 3, null);
    lua.lua_createtable(L, v.length, 0);
    v.forEach((x, i) => { pushValue(L, x, depth + 1); lua.lua_rawseti(L, -2, i + 1); });
  } else if (typeof v === 'object') {
    lauxlib.luaL_checkstack(L, 3, null);
    lua.lua_createtable(L, 0, 0);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) { pushValue(L, x, depth + 1); lua.lua_setfield(L, -2, toLua(k)); }
  } else lua.lua_pushnil(L);
}

const decode: LuaFn = (L) => {
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return fail(L, 'Invalid', 'string expected');
  const bytes = lua.lua_tolstring(L, 1);
  if (bytes.length === 0) return fail(L, 'Invalid', 'input cannot be empty');
  chargeBytes(L, bytes.length * 4);
  const doc = YAML.parseAllDocuments(bytesToText(bytes), { schema: 'core', merge: true })[0];
  if (!doc) { lua.lua_pushnil(L); return ok(L); }
  if ('errors' in doc && doc.errors.length > 0) return fail(L, 'Internal', `yaml: ${doc.errors[0].message.split('\n')[0]}`, 'decode failed');
  let value: unknown;
  try { value = doc.toJS({ maxAliasCount: 100 }); } catch (e) { return fail(L, 'Internal', (e as Error).message, 'decode failed'); }
  const top = lua.lua_gettop(L);
  try { pushValue(L, value, 0); } catch (e) { lua.lua_settop(L, top); return fail(L, 'Internal', (e as Error).message, 'convert to Lua failed'); }
  return ok(L);
};

export function openYaml(L: LuaState): void {
  lua.lua_createtable(L, 0, 2);
  setFuncs(L, { encode, decode });
}
