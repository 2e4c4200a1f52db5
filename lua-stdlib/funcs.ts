/**
 * `funcs`: calling function entries.
 *
 * `funcs.call(id, ...) -> result, err` waits for the callee; `funcs.async(id, ...) -> future, err`
 * does not (a future: `:response()`/`:channel()` — one channel yielding a payload, or the error —,
 * `:result()`, `:error()`, `:is_complete()`, `:is_canceled()`, `:cancel()`, as Wippy's); `funcs.new()` returns an immutable executor with `:with_context(t)`,
 * `:with_options(t)`, `:call(id, ...)`, `:async(id, ...)`. Everything goes through the
 * execution's Services, so inside a workflow the same calls become recorded activities.
 * Invariants: arguments are encoded before anything else happens (a bad argument raises at the
 * call site with its path); a malformed id returns `Invalid`, an unknown one `NotFound`; the
 * result crosses as a payload and is decoded in the caller's state.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, raise, bytesToText, encode, CodecError, pushError,
  hostOf, waitFor, pushCallResult, setClassMetatable, testActor, testScope, typeError, pushWirePayload, pushChannel, Channel, type Item
} from '../lua/api';
import type { SecurityContext } from '../base/security';
import type { CallRequest, CallResult, Cancel } from '../base/payload';
import { ErrorKind, type ErrorInfo } from '../base/errors';

const EXECUTOR_MT = 'wippy.funcs.executor';
const FUTURE_MT = 'wippy.funcs.future';
const ID_RE = /^[A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+$/;

interface Executor { context?: Record<string, unknown>; options?: Record<string, unknown>; security?: SecurityContext }
interface Future { result?: CallResult; canceled: boolean; cancel?: Cancel; channel?: Channel }

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

/** `future, nil`, or `nil, err` for a malformed id (nothing started). */
function startAsync(L: LuaState, idArg: number, ex: Executor | null): number {
  const req = buildRequest(L, idArg, ex);
  if (!('id' in req)) { lua.lua_pushnil(L); pushError(L, req); return 2; }
  const fut = lua.lua_newuserdata(L, 0) as Future;
  fut.canceled = false;
  setClassMetatable(L, FUTURE_MT, withMethods(futureMethods));
  fut.cancel = hostOf(L).services.call(req, (r) => {
    if (fut.canceled || fut.result) return;
    fut.result = r;
    fut.channel?.trySend(resultItem(r));
  });
  return 1;
}

/** What the future's channel yields: a payload holding the value, or the error itself (both with ok = true). */
function resultItem(r: CallResult): Item {
  return (L) => {
    if (r.error) { pushError(L, r.error); return 1; }
    pushValuePayload(L, r.value ?? 'null');
    return 1;
  };
}

function pushValuePayload(L: LuaState, value: string): void {
  try { pushWirePayload(L, value); } catch (e) {
    if (e instanceof CodecError) raise(L, `future: cannot decode the result: ${e.message}`);
    throw e;
  }
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

/** The future's channel: the same one on every call; it yields the result once, when it comes. */
const response: LuaFn = (L) => {
  const f = checkFuture(L);
  if (!f.channel) {
    f.channel = new Channel(1);
    if (f.result) f.channel.trySend(resultItem(f.result));
  }
  pushChannel(L, f.channel);
  return 1;
};

const futureMethods: Record<string, LuaFn> = {
  response,
  channel: response,
  is_complete: (L) => { lua.lua_pushboolean(L, checkFuture(L).result !== undefined); return 1; },
  is_canceled: (L) => { lua.lua_pushboolean(L, checkFuture(L).canceled); return 1; },
  /** nil, nil while pending; a payload on success; nil, err on failure or after cancel. */
  result: (L) => {
    const f = checkFuture(L);
    if (f.canceled) { lua.lua_pushnil(L); pushError(L, { kind: ErrorKind.Canceled, message: 'canceled', retryable: false }); return 2; }
    if (!f.result) { lua.lua_pushnil(L); lua.lua_pushnil(L); return 2; }
    if (f.result.error) { lua.lua_pushnil(L); pushError(L, f.result.error); return 2; }
    pushValuePayload(L, f.result.value ?? 'null');
    lua.lua_pushnil(L);
    return 2;
  },
  /** `err, true` when the call failed (kind Internal, "async call failed"), else `nil, false`. */
  error: (L) => {
    const f = checkFuture(L);
    if (f.result?.error) {
      pushError(L, { ...f.result.error, kind: ErrorKind.Internal, retryable: false }, 'async call failed');
      lua.lua_pushboolean(L, true);
      return 2;
    }
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
