/**
 * Lua values -> JSON text with Wippy's `json.encode` rules (shared by lua-stdlib/json.ts and
 * lua-stdlib/payload.ts; the payload codec of histories is codec.ts, with its own rules).
 *
 * Rules: an empty table is `[]`; keys that are all positive integers 1..n make an array, a gap
 * is an error (`sparse array`), integer keys beside other keys an error (`mixed-key table`);
 * other keys make an object (numbers and booleans as their text); an integral float is written
 * as an integer (`2.0` -> `2`), other floats in Go's shortest plain form; NaN and infinities are
 * `null`; a function or other userdata is `null`, an error object its tostring; a cycle or
 * nesting past 128 levels is an error. Simple ASCII strings are written as they are; others as
 * Go's encoding/json escapes them (`<`, `>`, `&`, U+2028/9 as \u escapes; invalid UTF-8 as
 * U+FFFD). Invariants: the Lua stack is left as it was (also on error); work is charged per
 * value and per 8 bytes of string (never raising: lua_chargelater).
 */
import { lua, lauxlib, LuaState, bytesToText } from './vm';
import { WORK_VALUE } from './codec';
import { testError, errorExtras } from './errorvalue';

const MAX_DEPTH = 128;

/** Thrown with Wippy's message when a value cannot be encoded. */
export class EncodeError extends Error {}

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
