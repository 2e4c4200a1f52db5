/**
 * `json`, as Wippy's module: `encode(v) -> string | nil, err`, `decode(s) -> value | nil, err`,
 * `validate(schema, data)` and `validate_string(schema, json_text) -> true | false, err` (JSON
 * Schema 2020-12, via @cfworker/json-schema; schemas cached by their text, at most 100).
 *
 * This is the Lua module only: the payload codec of histories, goldens and the CLI
 * (runtime/lua/codec.ts, docs/values.md) keeps its own rules. Wippy's encoding rules, kept here:
 * an empty table is `[]` (one decoded from `[]` too); keys that are all positive integers 1..n
 * make an array, a gap is an error (`sparse array`), integer keys beside other keys an error
 * (`mixed-key table`); other keys make an object (numbers and booleans as their text); an
 * integral float is written as an integer (`2.0` -> `2`); NaN and infinities are `null`; a
 * function or other userdata is `null`, an error object its tostring; a cycle or nesting past 128
 * levels is an error. Simple ASCII strings are written as they are; others are escaped as Go's
 * encoding/json does (`<`, `>`, `&`, U+2028/9 as \u escapes; invalid UTF-8 as U+FFFD).
 * Errors: encode failures are Internal (`encode failed: ...`); decode of a non-string or `""` is
 * Invalid, of bad JSON Internal (`decode failed: ...`); validation failures are Invalid. Never
 * raises for a user's value; work is charged per value and per byte.
 */
import { Validator } from '@cfworker/json-schema';
import { lua, lauxlib, LuaState, LuaFn, setFuncs, pushText, bytesToUtf8OrNull, bytesToText } from '../runtime/lua/vm';
import { decode } from '../runtime/lua/decode';
import { CodecError, WORK_VALUE } from '../runtime/lua/codec';
import { testError, errorExtras } from '../runtime/lua/errorvalue';
import { fail, failFalse, ok } from '../runtime/lua/results';

const MAX_DEPTH = 128;

class EncodeError extends Error {}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent. */
function plainFloat(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[2] + (m[3] ?? '');
  const exp = Number(m[4]);
  if (exp < 0) return `${m[1]}0.${'0'.repeat(-exp - 1)}${digits}`;
  return m[1] + (digits.length > exp + 1 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : digits + '0'.repeat(exp + 1 - digits.length));
}

function formatNumber(L: LuaState, idx: number, top: boolean): string {
  if (lua.lua_isinteger(L, idx)) return String(lua.lua_tointeger(L, idx));
  const f = lua.lua_tonumber(L, idx);
  if (!Number.isFinite(f)) return 'null';
  if (Number.isInteger(f) && Math.abs(f) <= 9.2e18) return BigInt(f).toString();
  return top ? String(f) : plainFloat(f);
}

const SIMPLE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** Go's json.Marshal of a string (HTML-safe escapes), from Lua bytes. */
function goString(bytes: Uint8Array): string {
  const text = bytesToText(bytes); // invalid UTF-8 -> U+FFFD, as Go does
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function stringAt(L: LuaState, idx: number, top: boolean): string {
  const b = lua.lua_tolstring(L, idx);
  lua.lua_chargelater(L, b.length >>> 3);
  if (!top) {
    const ascii = Buffer.from(b).toString('latin1');
    if (SIMPLE.test(ascii)) return `"${ascii}"`;
  }
  return goString(b);
}

/** Encode the value at idx with Wippy's rules (throws EncodeError with Wippy's messages). */
export function wippyEncode(L: LuaState, idx: number): string {
  const out: string[] = [];
  encodeAt(L, lua.lua_absindex(L, idx), 0, new Set(), out, true);
  return out.join('');
}

function encodeAt(L: LuaState, idx: number, depth: number, seen: Set<unknown>, out: string[], top: boolean): void {
  lua.lua_chargelater(L, WORK_VALUE);
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TBOOLEAN: out.push(lua.lua_toboolean(L, idx) ? 'true' : 'false'); return;
    case lua.LUA_TNUMBER: out.push(formatNumber(L, idx, top)); return;
    case lua.LUA_TSTRING: out.push(stringAt(L, idx, top)); return;
    case lua.LUA_TTABLE: encodeTable(L, idx, depth, seen, out); return;
    case lua.LUA_TUSERDATA: {
      const e = testError(L, idx);
      if (!e) { out.push('null'); return; }
      const ctx = errorExtras(L, idx).context;
      out.push(JSON.stringify(ctx ? `${ctx}: ${e.message}` : e.message));
      return;
    }
    default: out.push('null');
  }
}

function isIndex(L: LuaState, k: number): boolean {
  if (lua.lua_type(L, k) !== lua.LUA_TNUMBER) return false;
  const n = lua.lua_tonumber(L, k);
  return Number.isInteger(n) && n > 0;
}

function encodeTable(L: LuaState, idx: number, depth: number, seen: Set<unknown>, out: string[]): void {
  if (depth >= MAX_DEPTH) throw new EncodeError('exceeded maximum nesting depth for JSON encoding');
  const ptr = lua.lua_topointer(L, idx);
  if (seen.has(ptr)) throw new EncodeError('cannot encode recursively nested tables to JSON');
  seen.add(ptr);
  lauxlib.luaL_checkstack(L, 4, null);
  let count = 0;
  let maxIndex = 0;
  let hasIndex = false;
  let hasOther = false;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    count++;
    if (isIndex(L, -2)) { hasIndex = true; maxIndex = Math.max(maxIndex, lua.lua_tonumber(L, -2)); } else hasOther = true;
    lua.lua_pop(L, 1);
  }
  if (count === 0) out.push('[]');
  else if (hasIndex && hasOther) throw new EncodeError('cannot encode mixed-key table: table has both numeric and non-numeric keys');
  else if (hasIndex) {
    if (count !== maxIndex) throw new EncodeError('cannot encode sparse array: non-contiguous numeric keys found');
    out.push('[');
    for (let i = 1; i <= maxIndex; i++) {
      if (i > 1) out.push(',');
      lua.lua_rawgeti(L, idx, i);
      try { encodeAt(L, lua.lua_gettop(L), depth + 1, seen, out, false); } finally { lua.lua_pop(L, 1); }
    }
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, idx) !== 0) {
      const kt = lua.lua_type(L, -2);
      // Never lua_tolstring a number key during lua_next: it would convert the key in place.
      const key = kt === lua.LUA_TSTRING ? stringAt(L, -2, false)
        : kt === lua.LUA_TNUMBER ? JSON.stringify(plainFloat(lua.lua_tonumber(L, -2)))
          : kt === lua.LUA_TBOOLEAN ? (lua.lua_toboolean(L, -2) ? '"true"' : '"false"') : null;
      if (key !== null) {
        if (!first) out.push(',');
        first = false;
        out.push(key, ':');
        try { encodeAt(L, lua.lua_gettop(L), depth + 1, seen, out, false); } catch (e) { lua.lua_pop(L, 2); throw e; }
      }
      lua.lua_pop(L, 1);
    }
    out.push('}');
  }
  seen.delete(ptr);
}

const jsonEncode: LuaFn = (L) => {
  try {
    pushText(L, lua.lua_isnoneornil(L, 1) ? 'null' : wippyEncode(L, 1));
    return ok(L);
  } catch (e) {
    if (e instanceof EncodeError) return fail(L, 'Internal', e.message, 'encode failed');
    throw e;
  }
};

const jsonDecode: LuaFn = (L) => {
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return fail(L, 'Invalid', 'string expected');
  const bytes = lua.lua_tolstring(L, 1);
  if (bytes.length === 0) return fail(L, 'Invalid', 'empty string is not valid JSON');
  const text = bytesToUtf8OrNull(bytes);
  if (text === null) return fail(L, 'Internal', 'invalid UTF-8 in input', 'decode failed');
  try {
    decode(L, text, 'json');
    return ok(L);
  } catch (e) {
    if (e instanceof CodecError) return fail(L, 'Internal', e.message, 'decode failed');
    throw e;
  }
};

const schemaCache = new Map<string, Validator>();
const SCHEMA_CACHE_SIZE = 100;

/** The compiled schema at arg 1 (a table or JSON text), or the `false, err` pushed (a number). */
function schemaArg(L: LuaState): Validator | number {
  let text: string;
  if (lua.lua_type(L, 1) === lua.LUA_TSTRING) text = bytesToText(lua.lua_tolstring(L, 1));
  else if (lua.lua_type(L, 1) === lua.LUA_TTABLE) {
    try { text = wippyEncode(L, 1); } catch (e) { return failFalse(L, 'Invalid', (e as Error).message, 'schema error'); }
  } else return failFalse(L, 'Invalid', 'schema must be a string or table', 'schema error');
  let v = schemaCache.get(text);
  if (v) return v;
  let schema: unknown;
  try { schema = JSON.parse(text); } catch (e) { return failFalse(L, 'Invalid', (e as Error).message, 'compile schema'); }
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
    return failFalse(L, 'Invalid', 'a schema must be an object or a boolean', 'compile schema');
  }
  lua.lua_chargelater(L, text.length >>> 3);
  v = new Validator(schema as object, '2020-12', false);
  if (schemaCache.size >= SCHEMA_CACHE_SIZE) schemaCache.delete(schemaCache.keys().next().value as string);
  schemaCache.set(text, v);
  return v;
}

/** Validate a JS value: push `true` or `false, err` naming every failed rule. */
function check(L: LuaState, v: Validator, data: unknown, size: number): number {
  lua.lua_chargelater(L, size);
  const r = v.validate(data);
  if (r.valid) { lua.lua_pushboolean(L, true); return 1; }
  const leaves = r.errors.filter((e) => !/ does not match schema\.$|did not match|does not match "/.test(e.error));
  const shown = (leaves.length ? leaves : r.errors).map((e) => `${e.instanceLocation}: ${e.error}`);
  return failFalse(L, 'Invalid', shown.join('; '), 'validation failed');
}

const validate: LuaFn = (L) => {
  if (lua.lua_isnoneornil(L, 1)) return failFalse(L, 'Invalid', 'schema is required');
  if (lua.lua_isnoneornil(L, 2)) return failFalse(L, 'Invalid', 'data is required');
  const v = schemaArg(L);
  if (typeof v === 'number') return v;
  let text: string;
  try { text = wippyEncode(L, 2); } catch (e) { return failFalse(L, 'Invalid', (e as Error).message, 'convert data'); }
  return check(L, v, JSON.parse(text), text.length >>> 3);
};

const validateString: LuaFn = (L) => {
  if (lua.lua_isnoneornil(L, 1)) return failFalse(L, 'Invalid', 'schema is required');
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) return failFalse(L, 'Invalid', 'data must be a JSON string');
  const v = schemaArg(L);
  if (typeof v === 'number') return v;
  const text = bytesToText(lua.lua_tolstring(L, 2));
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { return failFalse(L, 'Invalid', (e as Error).message, 'validation failed'); }
  return check(L, v, data, text.length >>> 3);
};

export function openJson(L: LuaState): void {
  lua.lua_createtable(L, 0, 4);
  setFuncs(L, { encode: jsonEncode, decode: jsonDecode, validate, validate_string: validateString });
}
