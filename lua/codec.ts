/**
 * The value codec: Lua values <-> JSON text, in one place.
 *
 * JSON text is the form in which every value crosses between Lua states (function arguments and
 * results, messages, history records), so a value read back is the value that was written.
 *
 * Rules (documented in docs/values.md):
 * - nil -> null; booleans; strings must be valid UTF-8.
 * - Integers stay integers. Floats stay floats: an integral float is written with `.0` (`2.0`), so
 *   `math.type` survives a round trip. A JSON integer outside Fengari's 32-bit range decodes as a
 *   float. NaN and infinities are refused.
 * - A table whose keys are exactly 1..n (n >= 1) is an array; any other table is an object whose
 *   keys must be strings or numbers (numbers become their decimal text). An empty table is `{}`,
 *   unless it carries the array marker metatable (`json.decode("[]")` gives such a table), then
 *   `[]`.
 * - Error objects: in `payload` mode they travel as `{"$error": {...}}` and come back as error
 *   objects; in `json` mode (the user's json.encode) they are plain `{kind, message, ...}` objects.
 * - Functions, userdata, threads and cyclic tables are refused with a `CodecError` that names the
 *   path of the offending value (`value.items[2].cb`). Nesting is limited to MAX_DEPTH.
 * Invariants: the encoder never mutates the Lua stack it was given (net zero); the decoder pushes
 * exactly one value on success and leaves the stack as it was on failure. Both charge their work
 * to the state's instruction budget (budget.ts) with lua_chargelater, which never raises: a
 * runaway is stopped at its next instruction, never in the middle of a value.
 */
import { lua, lauxlib, lstr, LuaState, bytesToUtf8OrNull, typeName } from './vm';
import { testError } from './errorvalue';
import type { ErrorInfo } from '../base/errors';
import { MAX_DEPTH } from './limits';

/** A userdata whose JS object has this method encodes as the JSON of what it returns (security values). */
export const PAYLOAD_OF = Symbol('payloadOf');

/**
 * Userdata classes that encode as a plain Lua value they carry (a payload value encodes as its
 * data): by metatable name, a function that pushes that value or throws Error when it cannot.
 */
const valueOfClass = new Map<string, (L: LuaState, idx: number) => void>();

/** Register how a userdata class (metatable name) gives the Lua value it stands for. */
export function registerEncodedAs(metatable: string, push: (L: LuaState, idx: number) => void): void {
  valueOfClass.set(metatable, push);
}

/** Encode the value a registered userdata stands for; false when idx is no such userdata. */
function encodeCarried(L: LuaState, idx: number, mode: CodecMode, path: string, depth: number, seen: Set<unknown>, out: string[]): boolean {
  for (const [mt, push] of valueOfClass) {
    if (lauxlib.luaL_testudata(L, idx, lstr(mt)) === null) continue;
    const top = lua.lua_gettop(L);
    try { push(L, idx); } catch (e) { lua.lua_settop(L, top); throw new CodecError((e as Error).message, path); }
    try { encodeAt(L, lua.lua_gettop(L), mode, path, depth + 1, seen, out); } finally { lua.lua_settop(L, top); }
    return true;
  }
  return false;
}

export { MAX_DEPTH };
export const ARRAY_MT = 'wippy.array';
const ERROR_TAG = '$error';

export type CodecMode = 'payload' | 'json';

export class CodecError extends Error {
  constructor(message: string, readonly path: string) {
    super(path ? `${message} at ${path}` : message);
    this.name = 'CodecError';
  }
}

function formatFloat(n: number, path: string): string {
  if (!Number.isFinite(n)) throw new CodecError(`cannot encode ${n} (JSON has no NaN or infinity)`, path);
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return Object.is(n, -0) ? '-0.0' : `${n}.0`;
  return String(n);
}

function keyPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Encode the value at `idx` as JSON text. Throws CodecError. */
export function encode(L: LuaState, idx: number, mode: CodecMode = 'payload', root = 'value'): string {
  const out: string[] = [];
  const seen = new Set<unknown>();
  encodeAt(L, lua.lua_absindex(L, idx), mode, root, 0, seen, out);
  return out.join('');
}

/** Budget units charged per value encoded or decoded, and per byte of a string (1 per 8). */
export const WORK_VALUE = 16;

function encodeAt(L: LuaState, idx: number, mode: CodecMode, path: string, depth: number, seen: Set<unknown>, out: string[]): void {
  lua.lua_chargelater(L, WORK_VALUE);
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNIL: case lua.LUA_TNONE: out.push('null'); return;
    case lua.LUA_TBOOLEAN: out.push(lua.lua_toboolean(L, idx) ? 'true' : 'false'); return;
    case lua.LUA_TNUMBER:
      out.push(lua.lua_isinteger(L, idx) ? String(lua.lua_tointeger(L, idx)) : formatFloat(lua.lua_tonumber(L, idx), path));
      return;
    case lua.LUA_TSTRING: {
      const bytes = lua.lua_tolstring(L, idx);
      lua.lua_chargelater(L, bytes.length >>> 3);
      const s = bytesToUtf8OrNull(bytes);
      if (s === null) throw new CodecError('string is not valid UTF-8', path);
      out.push(JSON.stringify(s));
      return;
    }
    case lua.LUA_TTABLE: encodeTable(L, idx, mode, path, depth, seen, out); return;
    case lua.LUA_TUSERDATA: {
      const e = testError(L, idx);
      if (e) { out.push(encodeErrorInfo(e, mode)); return; }
      const u = lua.lua_touserdata(L, idx) as { [PAYLOAD_OF]?: () => unknown } | null;
      if (u && typeof u[PAYLOAD_OF] === 'function') { out.push(JSON.stringify(u[PAYLOAD_OF]())); return; }
      if (encodeCarried(L, idx, mode, path, depth, seen, out)) return;
      throw new CodecError('cannot encode a userdata', path);
    }
    default:
      throw new CodecError(`cannot encode a ${typeName(L, idx)}`, path);
  }
}

export function encodeErrorInfo(e: ErrorInfo, mode: CodecMode): string {
  const plain: Record<string, unknown> = { kind: e.kind, message: e.message };
  if (e.retryable !== undefined) plain.retryable = e.retryable;
  if (e.details !== undefined) plain.details = e.details;
  return mode === 'payload' ? `{"${ERROR_TAG}":${JSON.stringify(plain)}}` : JSON.stringify(plain);
}

function encodeTable(L: LuaState, idx: number, mode: CodecMode, path: string, depth: number, seen: Set<unknown>, out: string[]): void {
  // The path of a too-deep value is 200 segments long: show its start and end only (one readable line).
  if (depth >= MAX_DEPTH) throw new CodecError(`value is nested deeper than ${MAX_DEPTH} levels`, path.length > 80 ? `${path.slice(0, 40)}...${path.slice(-30)}` : path);
  const ptr = lua.lua_topointer(L, idx);
  if (seen.has(ptr)) throw new CodecError('cannot encode a cyclic table (it contains itself)', path);
  seen.add(ptr);
  lauxlib.luaL_checkstack(L, 4, null);
  const n = lua.lua_rawlen(L, idx);
  // Count keys and check whether they are exactly 1..n.
  let count = 0;
  let isArray = n > 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    count++;
    if (isArray && !(lua.lua_isinteger(L, -2) && lua.lua_tointeger(L, -2) >= 1 && lua.lua_tointeger(L, -2) <= n)) isArray = false;
    lua.lua_pop(L, 1);
  }
  if (isArray && count !== n) isArray = false;
  if (count === 0) {
    out.push(hasArrayMarker(L, idx) ? '[]' : '{}');
  } else if (isArray) {
    out.push('[');
    for (let i = 1; i <= n; i++) {
      if (i > 1) out.push(',');
      lua.lua_rawgeti(L, idx, i);
      try { encodeAt(L, lua.lua_gettop(L), mode, `${path}[${i}]`, depth + 1, seen, out); } finally { lua.lua_pop(L, 1); }
    }
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, idx) !== 0) {
      let key: string;
      const kt = lua.lua_type(L, -2);
      if (kt === lua.LUA_TSTRING) {
        const k = bytesToUtf8OrNull(lua.lua_tolstring(L, -2));
        if (k === null) { lua.lua_pop(L, 2); throw new CodecError('table key is not valid UTF-8', path); }
        key = k;
      } else if (kt === lua.LUA_TNUMBER) {
        // Never lua_tolstring a key during lua_next: it would convert the key in place.
        key = lua.lua_isinteger(L, -2) ? String(lua.lua_tointeger(L, -2)) : formatFloat(lua.lua_tonumber(L, -2), path);
      } else {
        const tn = typeName(L, -2);
        lua.lua_pop(L, 2);
        throw new CodecError(`cannot encode a table key of type ${tn} (keys must be strings or numbers)`, path);
      }
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      try { encodeAt(L, lua.lua_gettop(L), mode, keyPath(path, key), depth + 1, seen, out); } catch (e) { lua.lua_pop(L, 2); throw e; }
      lua.lua_pop(L, 1);
    }
    out.push('}');
  }
  seen.delete(ptr);
}

function hasArrayMarker(L: LuaState, idx: number): boolean {
  if (!lua.lua_getmetatable(L, idx)) return false;
  lauxlib.luaL_getmetatable(L, lstr(ARRAY_MT));
  const same = lua.lua_rawequal(L, -1, -2);
  lua.lua_pop(L, 2);
  return same;
}

/** Mark the table on top of L as an array (the marker metatable is made on first use per state). */
export function markArray(L: LuaState): void {
  if (lauxlib.luaL_newmetatable(L, lstr(ARRAY_MT))) {
    lua.lua_pushliteral(L, 'array');
    lua.lua_setfield(L, -2, lstr('__name'));
  }
  lua.lua_setmetatable(L, -2);
}
