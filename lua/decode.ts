/**
 * JSON text -> Lua values (the decoding half of the codec; rules in codec.ts), and JS values ->
 * Lua values for the few places where the host builds values itself (events, info tables).
 *
 * Invariants: on success exactly one value is pushed; on failure the stack is restored and a
 * CodecError with the character offset is thrown. Integers that fit 32 bits become Lua integers,
 * every other number a float; `[]` becomes an empty table with the array marker so that it
 * re-encodes as `[]`; in `payload` mode `{"$error": {...}}` becomes an error object.
 */
import { lua, lauxlib, lstr, LuaState, toLua } from './vm';
import { pushError } from './errorvalue';
import { CodecError, CodecMode, MAX_DEPTH, markArray, WORK_VALUE } from './codec';
import { ErrorKind, type ErrorInfo } from '../base/errors';
import type { CallResult } from '../base/payload';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Push the Lua value of a JS number: integer when it is one and fits 32 bits, else float. */
export function pushNumber(L: LuaState, n: number): void {
  if (Number.isInteger(n) && n >= INT_MIN && n <= INT_MAX && !Object.is(n, -0)) lua.lua_pushinteger(L, n);
  else lua.lua_pushnumber(L, n);
}

/** Decode JSON text and push the value. Throws CodecError (stack unchanged) on bad input. */
export function decode(L: LuaState, text: string, mode: CodecMode = 'payload'): void {
  const top = lua.lua_gettop(L);
  lua.lua_chargelater(L, text.length >>> 3); // the work, as codec.ts charges it (never raises)
  let i = 0;
  const fail = (what: string): never => {
    throw new CodecError(`invalid JSON: ${what} at offset ${i}`, '');
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++; else return;
    }
  };
  const str = (): string => {
    const start = ++i;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) { escaped = true; i += 2; continue; }
      if (Number.isNaN(c)) fail('unterminated string');
      if (c < 32) fail('control character in string');
      i++;
    }
    const raw = text.slice(start, i++);
    if (!escaped) return raw;
    try { return JSON.parse(`"${raw}"`) as string; } catch { return fail('bad escape in string'); }
  };
  const value = (depth: number): void => {
    lua.lua_chargelater(L, WORK_VALUE);
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const c = text.charCodeAt(i);
    if (c === 123) return object(depth);
    if (c === 91) return array(depth);
    if (c === 34) { lua.lua_pushstring(L, toLua(str())); return; }
    if (c === 116 && text.startsWith('true', i)) { i += 4; lua.lua_pushboolean(L, true); return; }
    if (c === 102 && text.startsWith('false', i)) { i += 5; lua.lua_pushboolean(L, false); return; }
    if (c === 110 && text.startsWith('null', i)) { i += 4; lua.lua_pushnil(L); return; }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (!m) return fail(Number.isNaN(c) ? 'unexpected end' : `unexpected character ${JSON.stringify(text[i])}`);
    i += m[0].length;
    const n = Number(m[0]);
    if (m[1] !== undefined || m[2] !== undefined) lua.lua_pushnumber(L, n);
    else pushNumber(L, n);
  };
  const array = (depth: number): void => {
    i++;
    lauxlib.luaL_checkstack(L, 3, null);
    lua.lua_createtable(L, 0, 0);
    ws();
    if (text.charCodeAt(i) === 93) {
      i++;
      markArray(L);
      return;
    }
    for (let n = 1; ; n++) {
      value(depth + 1);
      lua.lua_rawseti(L, -2, n);
      ws();
      const c = text.charCodeAt(i++);
      if (c === 93) return;
      if (c !== 44) { i--; fail("expected ',' or ']'"); }
    }
  };
  const object = (depth: number): void => {
    i++;
    lauxlib.luaL_checkstack(L, 3, null);
    lua.lua_createtable(L, 0, 0);
    ws();
    if (text.charCodeAt(i) === 125) { i++; return; }
    let keys = 0;
    let firstKey = '';
    for (;;) {
      ws();
      if (text.charCodeAt(i) !== 34) fail('expected a string key');
      const k = str();
      if (keys++ === 0) firstKey = k;
      ws();
      if (text.charCodeAt(i++) !== 58) { i--; fail("expected ':'"); }
      value(depth + 1);
      lua.lua_setfield(L, -2, toLua(k));
      ws();
      const c = text.charCodeAt(i++);
      if (c === 125) break;
      if (c !== 44) { i--; fail("expected ',' or '}'"); }
    }
    if (mode === 'payload' && keys === 1 && firstKey === '$error') replaceWithError(L);
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail('trailing characters');
  } catch (e) {
    lua.lua_settop(L, top);
    throw e;
  }
}

/** The table on top is `{"$error": {...}}`: replace it with an error object. */
function replaceWithError(L: LuaState): void {
  lua.lua_getfield(L, -1, lstr('$error'));
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) { lua.lua_pop(L, 1); return; }
  const info: ErrorInfo = { kind: ErrorKind.Unknown, message: '' };
  lua.lua_getfield(L, -1, lstr('kind'));
  info.kind = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : '';
  lua.lua_getfield(L, -2, lstr('message'));
  info.message = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : '';
  lua.lua_getfield(L, -3, lstr('retryable'));
  if (lua.lua_type(L, -1) === lua.LUA_TBOOLEAN) info.retryable = lua.lua_toboolean(L, -1);
  lua.lua_pop(L, 5);
  pushError(L, info);
}

/**
 * Push a plain JS value (null/undefined, boolean, number, string, array, object) as Lua.
 * For host-built values only; user data crosses as JSON text through `decode`.
 */
export function pushJs(L: LuaState, v: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new CodecError(`value nested deeper than ${MAX_DEPTH}`, '');
  if (v === null || v === undefined) { lua.lua_pushnil(L); return; }
  switch (typeof v) {
    case 'boolean': lua.lua_pushboolean(L, v); return;
    case 'number': pushNumber(L, v); return;
    case 'string': lua.lua_pushstring(L, toLua(v)); return;
    case 'object': {
      lauxlib.luaL_checkstack(L, 3, null);
      if (Array.isArray(v)) {
        lua.lua_createtable(L, v.length, 0);
        if (v.length === 0) markArray(L);
        v.forEach((x, k) => { pushJs(L, x, depth + 1); lua.lua_rawseti(L, -2, k + 1); });
        return;
      }
      const o = v as Record<string, unknown>;
      lua.lua_createtable(L, 0, 0);
      for (const k of Object.keys(o)) {
        if (o[k] === undefined) continue;
        pushJs(L, o[k], depth + 1);
        lua.lua_setfield(L, -2, toLua(k));
      }
      return;
    }
    default: throw new CodecError(`cannot convert a JS ${typeof v}`, '');
  }
}

/** Push a CallResult as `value` or `nil, err` (Wippy's return convention); returns the count. */
export function pushCallResult(L: LuaState, r: CallResult): number {
  if (r.error) { lua.lua_pushnil(L); pushError(L, r.error); return 2; }
  decode(L, r.value ?? 'null');
  return 1;
}
