/**
 * `funcs`: calling function entries.
 *
 * `funcs.call(id, ...) -> result, err` waits for the callee; `funcs.async(id, ...) -> future`
 * does not; `funcs.new()` returns an immutable executor with `:with_context(t)`,
 * `:with_options(t)`, `:call(id, ...)`, `:async(id, ...)`. Everything goes through the
 * execution's Services, so inside a workflow the same calls become recorded activities.
 * Invariants: arguments are encoded before anything else happens (a bad argument raises at the
 * call site with its path); a malformed id returns `Invalid`, an unknown one `NotFound`; the
 * result crosses as a payload and is decoded in the caller's state.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, raise, bytesToText, encode, CodecError, pushError,
  hostOf, waitFor, pushCallResult, setClassMetatable, testActor, testScope, typeError
} from '../lua/api';
import type { SecurityContext } from '../base/security';
import type { CallRequest, CallResult, Cancel } from '../base/payload';
import { ErrorKind, type ErrorInfo } from '../base/errors';

const EXECUTOR_MT = 'wippy.funcs.executor';
const FUTURE_MT = 'wippy.funcs.future';
const ID_RE = /^[A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+$/;

interface Executor { context?: Record<string, unknown>; options?: Record<string, unknown>; security?: SecurityContext }
interface Future { result?: CallResult; canceled: boolean; cancel?: Cancel }

function buildRequest(L: LuaState, idArg: number, ex: Executor | null): CallRequest | ErrorInfo {
  const id = bytesToText(lauxlib.luaL_checklstring(L, idArg));
  const args: string[] = [];
  const top = lua.lua_gettop(L);
  for (let i = idArg + 1; i <= top; i++) {
    try { args.push(encode(L, i, 'payload', `argument ${i - idArg}`)); } catch (e) {
      if (e instanceof CodecError) raise(L, `funcs: cannot pass to ${id}: ${e.message}`);
      throw e;
    }
  }
  if (!ID_RE.test(id)) return { kind: ErrorKind.Invalid, message: `function id '${id}' must be written namespace:name (e.g. app.api:charge_card)`, retryable: false };
  const req: CallRequest = { id, args };
  if (ex?.context) req.context = ex.context;
  if (ex?.options) req.options = ex.options;
  if (ex?.security) req.security = ex.security;
  return req;
}

function call(L: LuaState, idArg: number, ex: Executor | null): number {
  const req = buildRequest(L, idArg, ex);
  if (!('id' in req)) { lua.lua_pushnil(L); pushError(L, req); return 2; }
  const host = hostOf(L);
  return waitFor(L, host, (done) => host.services.call(req, (r) => done((L1) => pushCallResult(L1, r))));
}

function startAsync(L: LuaState, idArg: number, ex: Executor | null): number {
  const req = buildRequest(L, idArg, ex);
  const fut = lua.lua_newuserdata(L, 0) as Future;
  fut.canceled = false;
  setClassMetatable(L, FUTURE_MT, withMethods(futureMethods));
  if (!('id' in req)) { fut.result = { error: req }; return 1; }
  fut.cancel = hostOf(L).services.call(req, (r) => { if (!fut.canceled) fut.result = r; });
  return 1;
}

function tableToJs(L: LuaState, arg: number, what: string): Record<string, unknown> {
  lauxlib.luaL_checktype(L, arg, lua.LUA_TTABLE);
  try { return JSON.parse(encode(L, arg, 'json', what)) as Record<string, unknown>; } catch (e) {
    if (e instanceof CodecError) raise(L, e.message);
    throw e;
  }
}

function checkExecutor(L: LuaState, arg: number): Executor {
  return lauxlib.luaL_checkudata(L, arg, lstr(EXECUTOR_MT)) as Executor;
}

function pushExecutor(L: LuaState, ex: Executor): number {
  const u = lua.lua_newuserdata(L, 0) as Executor;
  u.context = ex.context;
  u.options = ex.options;
  u.security = ex.security;
  setClassMetatable(L, EXECUTOR_MT, withMethods(executorMethods));
  return 1;
}

const executorMethods: Record<string, LuaFn> = {
  with_context: (L) => {
    const ex = checkExecutor(L, 1);
    return pushExecutor(L, { ...ex, context: { ...ex.context, ...tableToJs(L, 2, 'context') } });
  },
  with_options: (L) => {
    const ex = checkExecutor(L, 1);
    return pushExecutor(L, { ...ex, options: { ...ex.options, ...tableToJs(L, 2, 'options') } });
  },
  with_actor: (L) => {
    const ex = checkExecutor(L, 1);
    const actor = testActor(L, 2) ?? typeError(L, 2, 'security.Actor');
    return pushExecutor(L, { ...ex, security: { ...ex.security, actor } });
  },
  with_scope: (L) => {
    const ex = checkExecutor(L, 1);
    const scope = testScope(L, 2) ?? typeError(L, 2, 'security.Scope');
    return pushExecutor(L, { ...ex, security: { ...ex.security, scope } });
  },
  call: (L) => call(L, 2, checkExecutor(L, 1)),
  async: (L) => startAsync(L, 2, checkExecutor(L, 1)),
};

function checkFuture(L: LuaState): Future {
  return lauxlib.luaL_checkudata(L, 1, lstr(FUTURE_MT)) as Future;
}

const futureMethods: Record<string, LuaFn> = {
  is_complete: (L) => { lua.lua_pushboolean(L, checkFuture(L).result !== undefined); return 1; },
  is_canceled: (L) => { lua.lua_pushboolean(L, checkFuture(L).canceled); return 1; },
  /** nil, nil while pending; value on success; nil, err on failure. */
  result: (L) => {
    const f = checkFuture(L);
    if (f.canceled) { lua.lua_pushnil(L); pushError(L, { kind: ErrorKind.Canceled, message: 'the call was canceled' }); return 2; }
    if (!f.result) { lua.lua_pushnil(L); lua.lua_pushnil(L); return 2; }
    return pushCallResult(L, f.result);
  },
  error: (L) => {
    const f = checkFuture(L);
    if (f.result?.error) { pushError(L, f.result.error); lua.lua_pushboolean(L, true); return 2; }
    lua.lua_pushnil(L); lua.lua_pushboolean(L, false); return 2;
  },
  cancel: (L) => {
    const f = checkFuture(L);
    if (f.result === undefined && !f.canceled) { f.canceled = true; f.cancel?.(); }
    lua.lua_pushboolean(L, true);
    return 1;
  },
};

/** Builds a class metatable whose `__index` is `methods` (for setClassMetatable). */
function withMethods(methods: Record<string, LuaFn>): (L: LuaState) => void {
  return (L) => {
    lua.lua_createtable(L, 0, 8);
    setFuncs(L, methods);
    lua.lua_setfield(L, -2, lstr('__index'));
  };
}

export function openFuncs(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  setFuncs(L, {
    call: (L1) => call(L1, 1, null),
    async: (L1) => startAsync(L1, 1, null),
    new: (L1) => pushExecutor(L1, {}),
  });
}
