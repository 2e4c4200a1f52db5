/**
 * `errors`: structured error objects (global, also `require("errors")`).
 *
 * Owns: the error metatable (methods kind/message/retryable/details/stack, __tostring, __concat,
 * __eq by identity), constructors `new`, `wrap`, the predicate `is`, `call_stack`, and the kind
 * constants. Error objects are userdata holding an ErrorInfo (runtime/lua/errorvalue.ts), so they
 * cross state boundaries through the codec intact. Invariants, as in Wippy: `tostring(err)` is the
 * message, prefixed by the contexts of `errors.wrap` (`outer: inner: message`), while
 * `err:message()` stays the innermost message; an error concatenates like its tostring; empty
 * `details` are nil; `err:stack()` is the Lua traceback where the error was made (or raised). The
 * wrap contexts and creation frames stay in this state (the codec carries kind, message,
 * retryable, details); the CLI prints `Kind: message`.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, raise, bytesToText, typeError, describe, ERROR_MT, pushError, testError, toErrorInfo, registerErrorType, ensureErrorType, errorExtras, ErrorFrame, encode, decode
} from '../lua/api';
import type { ErrorInfo } from '../base/errors';

export const KINDS: Record<string, string> = {
  NOT_FOUND: 'NotFound', INVALID: 'Invalid', INTERNAL: 'Internal', ALREADY_EXISTS: 'AlreadyExists',
  PERMISSION_DENIED: 'PermissionDenied', UNAVAILABLE: 'Unavailable', CANCELED: 'Canceled',
  CONFLICT: 'Conflict', TIMEOUT: 'Timeout', RATE_LIMITED: 'RateLimited', UNKNOWN: '',
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
    const s = check(L, 1).stack ?? traceback(errorExtras(L, 1).frames);
    pushText(L, s);
    return 1;
  },
};

/** A Lua-style traceback of the frames where an error was made. */
function traceback(frames: ErrorFrame[]): string {
  return ['stack traceback:', ...frames.map((f) => `\t${f.source}:${f.line}: in ${f.name ? `function '${f.name}'` : 'function <anonymous>'}`)].join('\n');
}

/** tostring of an error: wrap contexts, then the message. */
function errorString(L: LuaState, idx: number): string {
  const { context } = errorExtras(L, idx);
  const msg = check(L, idx).message;
  return context ? `${context}: ${msg}` : msg;
}

/** errors.call_stack(err) -> {frames = {{source, line, name}, ...}} | nil */
const callStack: LuaFn = (L) => {
  if (!testError(L, 1)) { lua.lua_pushnil(L); return 1; }
  const frames = errorExtras(L, 1).frames;
  lua.lua_createtable(L, 0, 1);
  lua.lua_createtable(L, frames.length, 0);
  frames.forEach((f, i) => {
    lua.lua_createtable(L, 0, 3);
    pushText(L, f.source); lua.lua_setfield(L, -2, lstr('source'));
    lua.lua_pushinteger(L, f.line); lua.lua_setfield(L, -2, lstr('line'));
    pushText(L, f.name); lua.lua_setfield(L, -2, lstr('name'));
    lua.lua_rawseti(L, -2, i + 1);
  });
  lua.lua_setfield(L, -2, lstr('frames'));
  return 1;
};

/** errors.new("msg") or errors.new{message=, kind=, retryable=, details=} */
const newError: LuaFn = (L) => {
  if (lua.lua_type(L, 1) === lua.LUA_TSTRING) {
    pushError(L, { kind: '', message: bytesToText(lua.lua_tolstring(L, 1)) });
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
  const info: ErrorInfo = { kind: '', message: '' };
  if (field('message', lua.LUA_TSTRING)) info.message = bytesToText(lua.lua_tolstring(L, -1));
  if (field('kind', lua.LUA_TSTRING)) info.kind = bytesToText(lua.lua_tolstring(L, -1));
  if (field('retryable', lua.LUA_TBOOLEAN)) info.retryable = lua.lua_toboolean(L, -1);
  lua.lua_getfield(L, 1, lstr('details'));
  if (!lua.lua_isnil(L, -1)) {
    try { info.details = JSON.parse(encode(L, -1, 'json', 'details')); } catch (e) { raise(L, `errors.new: ${(e as Error).message}`); }
    // Empty details are no details (Wippy: `details = {}` reads back as nil).
    const d = info.details;
    if (d !== null && typeof d === 'object' && Object.keys(d).length === 0) delete info.details;
  }
  lua.lua_settop(L, 1);
  pushError(L, info);
  return 1;
};

/**
 * errors.wrap(err, "context") -> an error with err's kind, message, retryable and details, whose
 * tostring is "context: <tostring of err>" (Wippy keeps the inner message as `message()`).
 */
const wrap: LuaFn = (L) => {
  if (lua.lua_isnoneornil(L, 1)) { lua.lua_pushnil(L); return 1; }
  const inner = toErrorInfo(L, 1, '');
  const ctx = bytesToText(lauxlib.luaL_checklstring(L, 2));
  const extras = errorExtras(L, 1);
  pushError(L, inner, extras.context ? `${ctx}: ${extras.context}` : ctx, testError(L, 1) ? extras.frames : undefined);
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
    setFuncs(L, {
      __tostring: (L1) => { pushText(L1, errorString(L1, 1)); return 1; },
      // "text" .. err, err .. "text", err .. err: as their tostring (Wippy's errors concatenate).
      __concat: (L1) => {
        const side = (i: number) => (testError(L1, i) ? errorString(L1, i) : describe(L1, i));
        pushText(L1, side(1) + side(2));
        return 1;
      },
    });
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
  setFuncs(L, { new: newError, wrap, is, call_stack: callStack });
  for (const [k, v] of Object.entries(KINDS)) { pushText(L, v); lua.lua_setfield(L, -2, lstr(k)); }
}
