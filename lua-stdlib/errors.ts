/**
 * `errors`: structured error objects (global, also `require("errors")`).
 *
 * Owns: the error metatable (methods kind/message/retryable/details/stack, __tostring, __eq by
 * identity), constructors `new`, `wrap`, the predicate `is`, and the kind constants. Error objects
 * are userdata holding an ErrorInfo (lua/errorvalue.ts), so they cross state boundaries
 * through the codec intact. Invariant: `tostring(err)` is the message alone, as in Wippy; the CLI
 * prints `Kind: message`.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, raise, bytesToText, typeError, ERROR_MT,
  pushError, testError, toErrorInfo, registerErrorType, ensureErrorType, encode, decode
} from '../lua/api';
import { ErrorKind, type ErrorInfo } from '../base/errors';

/** The Lua constants (`errors.NOT_FOUND`...): base/errors.ts ErrorKind under Lua's names. */
export const KINDS: Record<string, string> = {
  NOT_FOUND: ErrorKind.NotFound, INVALID: ErrorKind.Invalid, INTERNAL: ErrorKind.Internal, ALREADY_EXISTS: ErrorKind.AlreadyExists,
  PERMISSION_DENIED: ErrorKind.PermissionDenied, UNAVAILABLE: ErrorKind.Unavailable, CANCELED: ErrorKind.Canceled,
  CONFLICT: ErrorKind.Conflict, TIMEOUT: ErrorKind.Timeout, RATE_LIMITED: ErrorKind.RateLimited, UNKNOWN: ErrorKind.Unknown,
};

function check(L: LuaState, arg: number): ErrorInfo {
  const e = testError(L, arg);
  if (!e) typeError(L, arg, 'error');
  return e as ErrorInfo;
}

const methods: Record<string, LuaFn> = {
  kind: (L) => { pushText(L, check(L, 1).kind); return 1; },
  message: (L) => { pushText(L, check(L, 1).message); return 1; },
  retryable: (L) => {
    const r = check(L, 1).retryable;
    if (r === undefined) lua.lua_pushnil(L); else lua.lua_pushboolean(L, r);
    return 1;
  },
  details: (L) => {
    const d = check(L, 1).details;
    if (d === undefined) { lua.lua_pushnil(L); return 1; }
    decode(L, JSON.stringify(d));
    return 1;
  },
  stack: (L) => {
    const s = check(L, 1).stack;
    if (s === undefined) lua.lua_pushnil(L); else pushText(L, s);
    return 1;
  },
};

/** errors.new("msg") or errors.new{message=, kind=, retryable=, details=} */
const newError: LuaFn = (L) => {
  if (lua.lua_type(L, 1) === lua.LUA_TSTRING) {
    pushError(L, { kind: ErrorKind.Unknown, message: bytesToText(lua.lua_tolstring(L, 1)) });
    return 1;
  }
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const field = (name: string, type: number): boolean => {
    lua.lua_getfield(L, 1, lstr(name));
    const t = lua.lua_type(L, -1);
    if (t !== lua.LUA_TNIL && t !== type) {
      raise(L, `errors.new: field '${name}' must be a ${bytesToText(lua.lua_typename(L, type))}`);
    }
    return t !== lua.LUA_TNIL;
  };
  const info: ErrorInfo = { kind: ErrorKind.Unknown, message: '' };
  if (field('message', lua.LUA_TSTRING)) info.message = bytesToText(lua.lua_tolstring(L, -1));
  if (field('kind', lua.LUA_TSTRING)) info.kind = bytesToText(lua.lua_tolstring(L, -1));
  if (field('retryable', lua.LUA_TBOOLEAN)) info.retryable = lua.lua_toboolean(L, -1);
  lua.lua_getfield(L, 1, lstr('details'));
  if (!lua.lua_isnil(L, -1)) {
    try { info.details = JSON.parse(encode(L, -1, 'json', 'details')); } catch (e) { raise(L, `errors.new: ${(e as Error).message}`); }
  }
  lua.lua_settop(L, 1);
  pushError(L, info);
  return 1;
};

/** errors.wrap(err, "context") -> error whose message is "context: <message>", kind kept. */
const wrap: LuaFn = (L) => {
  if (lua.lua_isnoneornil(L, 1)) { lua.lua_pushnil(L); return 1; }
  const inner = toErrorInfo(L, 1, ErrorKind.Unknown);
  const ctx = lauxlib.luaL_checklstring(L, 2);
  pushError(L, { ...inner, message: `${bytesToText(ctx)}: ${inner.message}` });
  return 1;
};

/** errors.is(err, kind) -> boolean */
const is: LuaFn = (L) => {
  const e = testError(L, 1);
  const kind = bytesToText(lauxlib.luaL_checklstring(L, 2));
  lua.lua_pushboolean(L, e !== null && e.kind === kind);
  return 1;
};

/** The error type's metatable (methods, __tostring); built once per state, on first use. */
function installErrorType(L: LuaState): void {
  if (lauxlib.luaL_newmetatable(L, lstr(ERROR_MT))) {
    lua.lua_createtable(L, 0, 5);
    setFuncs(L, methods);
    lua.lua_setfield(L, -2, lstr('__index'));
    setFuncs(L, { __tostring: (L1) => { pushText(L1, check(L1, 1).message); return 1; } });
    pushText(L, 'error');
    lua.lua_setfield(L, -2, lstr('__name'));
  }
  lua.lua_pop(L, 1);
}
registerErrorType(installErrorType);

/** Push the module table. */
export function openErrors(L: LuaState): void {
  ensureErrorType(L);
  lua.lua_createtable(L, 0, 16);
  setFuncs(L, { new: newError, wrap, is });
  for (const [k, v] of Object.entries(KINDS)) { pushText(L, v); lua.lua_setfield(L, -2, lstr(k)); }
}
