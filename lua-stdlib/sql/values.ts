/**
 * SQL values between Lua and the resources contract: parameters in, rows and results out, the
 * `sql.NULL` marker and the `sql.as.*` typed values.
 *
 * Owns: reading a parameter table, pushing rows (`{ {col = v, ...}, ... }`) and execute results
 * (`{last_insert_id, rows_affected}`), and the replies of the module's waiting calls. Invariants,
 * as Wippy's: a parameter table is read from 1 to its largest integer key (holes are NULL); a
 * Lua integer binds as an integer and a float as a float; a string binds as text (as a blob when
 * it is not UTF-8, which text cannot hold here); `sql.NULL` and `sql.as.null()` bind NULL; a NULL
 * column is absent from its row table; integers come back as Lua integers (a float beyond 32
 * bits, Fengari's integer width), floats as floats, blobs as strings. Unlike Wippy, a table or
 * function as a parameter is an Invalid error instead of a silent NULL.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, pushText, bytesToText, bytesToUtf8OrNull, typeName, pushNumber, pushBytes, pushError,
  charge, setFuncs, setClassMetatable, WORK_VALUE, type SqlValue, type SqlRows, type SqlChange, type Outcome,
} from '../../lua/api';
import type { ErrorInfo } from '../../base/errors';

const NULL_MT = 'wippy.sql.null';
const TYPED_MT = 'wippy.sql.typed';

interface Typed { value: SqlValue; type: string }

/** Push a NULL marker (`sql.NULL`, `sql.as.null()`). */
export function pushNull(L: LuaState): void {
  lua.lua_newuserdata(L, 0);
  setClassMetatable(L, NULL_MT, (L1) => {
    setFuncs(L1, { __tostring: (L2) => { pushText(L2, 'sql.NULL'); return 1; } });
  });
}

function pushTyped(L: LuaState, type: string, value: SqlValue): number {
  const box = lua.lua_newuserdata(L, 0) as Typed;
  box.type = type;
  box.value = value;
  setClassMetatable(L, TYPED_MT, (L1) => {
    setFuncs(L1, { __tostring: (L2) => { pushText(L2, `sql.as.${(lua.lua_touserdata(L2, 1) as Typed).type}`); return 1; } });
  });
  return 1;
}

const toBigInt = (n: number): bigint => (Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n);

/** `sql.as`: Wippy's coercions (a value of another type becomes 0, 0.0, "" or empty bytes). */
export const asFunctions: Record<string, LuaFn> = {
  int: (L) => pushTyped(L, 'int', lua.lua_type(L, 1) === lua.LUA_TNUMBER ? toBigInt(lua.lua_tonumber(L, 1)) : 0n),
  float: (L) => pushTyped(L, 'float', lua.lua_type(L, 1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, 1) : 0),
  text: (L) => {
    const t = lua.lua_type(L, 1);
    return pushTyped(L, 'text', t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? bytesToText(lua.lua_tolstring(L, 1)) : '');
  },
  binary: (L) => pushTyped(L, 'binary', lua.lua_type(L, 1) === lua.LUA_TSTRING ? lua.lua_tolstring(L, 1).slice() : new Uint8Array(0)),
  null: (L) => { pushNull(L); return 1; },
};

/** The value at `idx` as a parameter, or why it cannot be one. */
function paramAt(L: LuaState, idx: number, n: number): SqlValue | { problem: string } {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNIL: return null;
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx);
    case lua.LUA_TNUMBER: return lua.lua_isinteger(L, idx) ? BigInt(lua.lua_tointeger(L, idx)) : lua.lua_tonumber(L, idx);
    case lua.LUA_TSTRING: {
      const bytes = lua.lua_tolstring(L, idx);
      return bytesToUtf8OrNull(bytes) ?? bytes.slice();
    }
    case lua.LUA_TUSERDATA: {
      if (lauxlib.luaL_testudata(L, idx, lstr(NULL_MT))) return null;
      const typed = lauxlib.luaL_testudata(L, idx, lstr(TYPED_MT)) as Typed | null;
      if (typed) return typed.value;
    }
  }
  return { problem: `parameter ${n} is a ${typeName(L, idx)}: a parameter is a string, number, boolean, nil, sql.NULL or an sql.as value` };
}

/** The parameter table at `idx` (absent or nil: none), or the message of an Invalid error. */
export function readParams(L: LuaState, idx: number): SqlValue[] | string {
  if (lua.lua_isnoneornil(L, idx)) return [];
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) return `parameters must be a table, got ${typeName(L, idx)}`;
  const t = lua.lua_absindex(L, idx);
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t) !== 0) {
    if (lua.lua_isinteger(L, -2)) max = Math.max(max, lua.lua_tointeger(L, -2));
    lua.lua_pop(L, 1);
  }
  const out: SqlValue[] = [];
  for (let i = 1; i <= max; i++) {
    lua.lua_rawgeti(L, t, i);
    const v = paramAt(L, -1, i);
    lua.lua_pop(L, 1);
    if (v !== null && typeof v === 'object' && 'problem' in v) return v.problem;
    out.push(v);
  }
  charge(L, out.length * WORK_VALUE);
  return out;
}

function pushValue(L: LuaState, v: Exclude<SqlValue, null>): void {
  if (typeof v === 'bigint') pushNumber(L, Number(v));
  else if (typeof v === 'number') lua.lua_pushnumber(L, v);
  else if (typeof v === 'boolean') lua.lua_pushboolean(L, v);
  else if (typeof v === 'string') pushText(L, v);
  else pushBytes(L, v);
}

/** `nil, err` (the error keeps its kind and retryable; `context` prefixes tostring as Wippy's wraps). */
export function pushFailure(L: LuaState, info: ErrorInfo, context?: string): number {
  lua.lua_pushnil(L);
  pushError(L, { ...info, retryable: info.retryable ?? false }, context);
  return 2;
}

/** Rows as Wippy's v1 shape: an array of tables keyed by column name. */
function pushRows(L: LuaState, r: SqlRows): void {
  lua.lua_createtable(L, r.rows.length, 0);
  r.rows.forEach((row, i) => {
    lua.lua_createtable(L, 0, r.columns.length);
    row.forEach((v, j) => {
      if (v === null || j >= r.columns.length) return;
      pushValue(L, v);
      lua.lua_setfield(L, -2, lstr(r.columns[j]));
    });
    lua.lua_rawseti(L, -2, i + 1);
  });
  charge(L, (r.rows.length * (r.columns.length + 1)) * WORK_VALUE);
}

function pushChange(L: LuaState, c: SqlChange): void {
  lua.lua_createtable(L, 0, 2);
  pushNumber(L, c.lastInsertId);
  lua.lua_setfield(L, -2, lstr('last_insert_id'));
  pushNumber(L, c.rowsAffected);
  lua.lua_setfield(L, -2, lstr('rows_affected'));
}

/** The reply of a waiting call: `value, nil` pushed by `push`, or `nil, err` with `context`. */
export function reply<T>(r: Outcome<T>, context: string, push: (L: LuaState, v: T) => void): (L: LuaState) => number {
  return (L) => {
    if ('error' in r) return pushFailure(L, r.error, context);
    push(L, r.ok);
    lua.lua_pushnil(L);
    return 2;
  };
}

export const rowsReply = (r: Outcome<SqlRows>, context: string) => reply(r, context, pushRows);
export const changeReply = (r: Outcome<SqlChange>, context: string) => reply(r, context, pushChange);
export const trueReply = (r: Outcome<unknown>, context: string) => reply(r, context, (L) => lua.lua_pushboolean(L, true));
