/**
 * `store`: the registry's key-value stores (`store.memory`, `store.sql`), as Wippy's module.
 *
 * `store.get(id) -> Store, err`; `s:get(key) -> value, err` (NotFound "key not found" when absent
 * or expired), `s:set(key, value, ttl_seconds?) -> true, err`, `s:has(key) -> boolean, err`,
 * `s:delete(key) -> deleted, err` (false when there was no such key), `s:release() -> true`
 * (idempotent; later calls are Invalid "store is released"); `tostring(s)` is `store.Store{}` or
 * `store.Store{released}`; constants `store.backend`, `store.consistency`. Invariants: a value
 * crosses as a JSON payload (lua/codec.ts), so what `get` returns is a copy, never the table that
 * was set; an empty key and a nil value are Invalid; `has` fails as `false, err`; a wrong argument
 * type raises; not available in workflows (the registry refuses `store` there). Not provided:
 * Wippy's newer `info`, `entry`, `list` and `put`.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, checkText, hostOf, waitFor, methodsClass, setClassMetatable, checkBox,
  encode, decode, CodecError, pushError, type KvStore, type Done,
} from '../lua/api';
import { ErrorKind, type ErrorInfo } from '../base/errors';

const STORE_MT = 'wippy.store';

interface StoreBox { store: KvStore; released: boolean }

function failWith(L: LuaState, first: 'nil' | 'false', info: ErrorInfo, context?: string): number {
  if (first === 'nil') lua.lua_pushnil(L); else lua.lua_pushboolean(L, false);
  pushError(L, { ...info, retryable: info.retryable ?? false }, context);
  return 2;
}

const invalid = (message: string): ErrorInfo => ({ kind: ErrorKind.Invalid, message, retryable: false });

function get(L: LuaState): number {
  const id = checkText(L, 1);
  if (id === '') return failWith(L, 'nil', invalid('resource id is required'));
  const host = hostOf(L);
  const api = host.services.resources ? host.services.resources() : null;
  if (!api) return failWith(L, 'nil', { kind: ErrorKind.Internal, message: 'stores are not available here (store cannot be used inside a workflow: call a function that uses it)' });
  const r = api.store(id);
  if ('error' in r) return failWith(L, 'nil', r.error, 'failed to acquire resource');
  const box = lua.lua_newuserdata(L, 0) as StoreBox;
  box.store = r.ok;
  box.released = false;
  setClassMetatable(L, STORE_MT, methodsClass('store.Store', storeMethods, {
    __tostring: (L1) => { pushText(L1, checkStore(L1).released ? 'store.Store{released}' : 'store.Store{}'); return 1; },
  }));
  return 1;
}

const checkStore = (L: LuaState): StoreBox => checkBox<StoreBox>(L, STORE_MT, 'store.Store');

type Start<T> = (s: KvStore, key: string, done: Done<T>) => void;
type Refused = { error: ErrorInfo; context?: string };

/**
 * A key operation: the store at arg 1 (not released) and a non-empty key at arg 2; `prepare`
 * reads the other arguments and returns how to start it (or why not); the call waits for the
 * store. A failure is `nil, err` (`false, err` for has) with `context`.
 */
function keyOp<T>(first: 'nil' | 'false', context: string, prepare: (L: LuaState) => Start<T> | Refused, push: (L: LuaState, v: T) => ErrorInfo | void): LuaFn {
  return (L) => {
    const box = checkStore(L);
    if (box.released) return failWith(L, first, invalid('store is released'));
    const key = checkText(L, 2);
    if (key === '') return failWith(L, first, invalid('key is required'));
    const start = prepare(L);
    if (typeof start !== 'function') return failWith(L, first, start.error, start.context);
    return waitFor(L, hostOf(L), (done) => start(box.store, key, (r) => done((L1) => {
      const bad = 'error' in r ? r.error : push(L1, r.ok);
      if (bad) return failWith(L1, first, bad, context);
      lua.lua_pushnil(L1);
      return 2;
    })));
  };
}

/** `s:set(key, value, ttl?)`: the value as payload text, the TTL in seconds (0: none). */
function prepareSet(L: LuaState): Start<true> | Refused {
  if (lua.lua_isnoneornil(L, 3)) return { error: invalid('value is required') };
  const ttl = lua.lua_gettop(L) >= 4 ? lauxlib.luaL_checknumber(L, 4) : 0;
  let text: string;
  try {
    text = encode(L, 3, 'payload', 'value');
  } catch (e) {
    if (e instanceof CodecError) return { error: { kind: ErrorKind.Internal, message: e.message, retryable: false }, context: 'failed to transcode' };
    throw e;
  }
  return (s, key, done) => s.set(key, text, ttl > 0 ? ttl * 1000 : 0, done);
}

/** A stored value (its payload text; text written by another program may not decode). */
function pushValue(L: LuaState, text: string): ErrorInfo | void {
  try {
    decode(L, text, 'payload');
  } catch (e) {
    if (e instanceof CodecError) return { kind: ErrorKind.Internal, message: `the stored value is not a payload: ${e.message}`, retryable: false };
    throw e;
  }
}

const pushBool = (L: LuaState, v: boolean): void => lua.lua_pushboolean(L, v);

const storeMethods: Record<string, LuaFn> = {
  get: keyOp<string>('nil', 'store get', () => (s, key, done) => s.get(key, done), pushValue),
  set: keyOp<true>('nil', 'store set', prepareSet, pushBool),
  has: keyOp<boolean>('false', 'store has', () => (s, key, done) => s.has(key, done), pushBool),
  delete: keyOp<boolean>('nil', 'store delete', () => (s, key, done) => s.delete(key, done), pushBool),
  release: (L) => { checkStore(L).released = true; lua.lua_pushboolean(L, true); return 1; },
};

function constants(L: LuaState, name: string, values: Record<string, string>): void {
  lua.lua_createtable(L, 0, values.length);
  for (const [k, v] of Object.entries(values)) { pushText(L, v); lua.lua_setfield(L, -2, lstr(k)); }
  lua.lua_setfield(L, -2, lstr(name));
}

export function openStore(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  setFuncs(L, { get });
  constants(L, 'backend', { KV_RAFT: 'kv.raft', KV_CRDT: 'kv.crdt', MEMORY: 'memory', SQL: 'sql', UNKNOWN: 'unknown' });
  constants(L, 'consistency', { LINEARIZABLE: 'linearizable', EVENTUAL: 'eventual', LOCAL: 'local', UNKNOWN: 'unknown' });
}
