/**
 * The one door to Fengari: re-exports its API and adds the few string helpers every binding needs.
 *
 * Owns: conversions between JS strings and Lua strings (Uint8Array), argument helpers in the
 * `luaL_check*` style that return JS values. Invariants: Lua strings are bytes; `toText` never
 * throws on invalid UTF-8 (it substitutes U+FFFD) while `toUtf8OrNull` reports it, so callers that
 * must refuse invalid text (the JSON codec) can.
 */
import './v8-flags';
import { lua, lauxlib, lualib, luaconf, to_luastring, to_jsstring } from 'fengari';

export { lua, lauxlib, lualib, luaconf };

/** An opaque fengari lua_State (a thread). */
export type LuaState = { readonly l_G: object } & Record<string, unknown>;
/** A JS function callable from Lua: takes the thread, returns the number of results pushed. */
export type LuaFn = (L: LuaState) => number;

/**
 * A slot for one JS value per Lua state, kept on the state's global object (`L.l_G`) under a
 * key of its own, never in a WeakMap: a WeakMap keyed by states makes every young state survive
 * V8's minor collections (measured: 66% of a workflow state's allocations survived and were
 * promoted, then collected by full collections), and a workflow makes a state per activation.
 */
export function perState<T>(name: string): { get(L: LuaState): T | undefined; set(L: LuaState, v: T): void } {
  const key = `wippy:${name}`;
  return {
    get: (L) => (L.l_G as Record<string, T | undefined>)[key],
    set: (L, v) => { (L.l_G as Record<string, T>)[key] = v; },
  };
}

const internCache = new Map<string, Uint8Array>();
/**
 * A Lua string for a constant JS string (cached: use for names, not for data). It comes from
 * Fengari's own cache, so with our patch every state shares one TString for it (no copy, hash
 * computed once): the array must never be mutated.
 */
export function lstr(s: string): Uint8Array {
  let v = internCache.get(s);
  if (v === undefined) { v = to_luastring(s, true); internCache.set(s, v); }
  return v;
}

/** A Lua string for arbitrary JS text (not cached). */
export function toLua(s: string): Uint8Array {
  return to_luastring(s);
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** Lua bytes -> JS string, replacing invalid UTF-8 with U+FFFD. */
export function bytesToText(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Lua bytes -> JS string, or null when the bytes are not valid UTF-8. */
export function bytesToUtf8OrNull(b: Uint8Array): string | null {
  try { return strictDecoder.decode(b); } catch { return null; }
}

/** The string (or number, converted) at `idx` as JS text; null for other types. */
export function toText(L: LuaState, idx: number): string | null {
  const b: Uint8Array | null = lua.lua_tolstring(L, idx);
  return b === null || b === undefined ? null : bytesToText(b);
}

/** `tostring(v)` of the value at idx, honouring __tostring, as JS text. Leaves the stack as it was. */
export function describe(L: LuaState, idx: number): string {
  const b: Uint8Array = lauxlib.luaL_tolstring(L, idx);
  lua.lua_pop(L, 1);
  return bytesToText(b);
}

export function checkText(L: LuaState, arg: number): string {
  return bytesToText(lauxlib.luaL_checklstring(L, arg));
}

export function optText(L: LuaState, arg: number, def: string): string;
export function optText(L: LuaState, arg: number, def: null): string | null;
export function optText(L: LuaState, arg: number, def: string | null): string | null {
  if (lua.lua_isnoneornil(L, arg)) return def;
  return checkText(L, arg);
}

export function pushText(L: LuaState, s: string): void {
  lua.lua_pushstring(L, to_luastring(s));
}

/**
 * Thrown by host code that runs inside a binding to raise a Lua error with exactly this message
 * (the host's native-error handler turns it into a Lua error instead of an "internal error").
 */
export class RaiseInLua extends Error {}

/** Raise a Lua error with a JS message (adds the `file:line:` of the calling Lua code). */
export function raise(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, to_luastring(message));
  lua.lua_concat(L, 2);
  lua.lua_error(L);
  throw new Error('unreachable');
}

/** Raise Lua's standard "bad argument #n to 'f' (X expected, got Y)" error. */
export function typeError(L: LuaState, arg: number, expected: string): never {
  lauxlib.luaL_argerror(L, arg, to_luastring(`${expected} expected, got ${typeName(L, arg)}`));
  throw new Error('unreachable');
}

/** Register a table of bindings into the table on top of the stack. */
export function setFuncs(L: LuaState, fns: Record<string, LuaFn>): void {
  for (const name of Object.keys(fns)) {
    lua.lua_pushjsfunction(L, fns[name]);
    lua.lua_setfield(L, -2, lstr(name));
  }
}

/**
 * Give the userdata on top of L the class metatable `name`, building it with `build` (which gets
 * the new metatable on top) the first time this state needs it: most scripts never make most
 * kinds of values, and a workflow is a new state.
 */
export function setClassMetatable(L: LuaState, name: string, build: (L: LuaState) => void): void {
  if (lauxlib.luaL_newmetatable(L, lstr(name))) build(L);
  lua.lua_setmetatable(L, -2);
}

/** Lua's own `next` (for __pairs; the global may have been replaced by the script). */
const nextFunction: LuaFn = (() => {
  const L = lauxlib.luaL_newstate() as LuaState;
  lauxlib.luaL_requiref(L, lstr('_G'), lualib.luaopen_base, 1);
  lua.lua_getfield(L, -1, lstr('next'));
  return lua.lua_tocfunction(L, -1) as LuaFn;
})();

/**
 * Push a module table whose functions are put in place on first read (an __index on a shared JS
 * map), instead of filling dozens of fields in every new state. `fallback` may answer other keys
 * (pushing one value, or returning false). `pairs(module)` fills everything first (__pairs), so
 * iteration sees the whole module.
 */
export function pushLazyModule(L: LuaState, fns: Record<string, LuaFn>, fallback?: (L: LuaState, key: string) => boolean): void {
  // Names the script assigned (`string.upper = nil`) before reading them stay as assigned.
  let assigned: Set<string> | null = null;
  lua.lua_createtable(L, 0, 4);
  lua.lua_createtable(L, 0, 3);
  lua.lua_pushjsfunction(L, (L1: LuaState) => {
    if (lua.lua_type(L1, 2) !== lua.LUA_TSTRING) return 0;
    const k = lua.lua_tojsstring(L1, 2);
    if (assigned?.has(k)) return 0;
    if (Object.prototype.hasOwnProperty.call(fns, k)) lua.lua_pushjsfunction(L1, fns[k]);
    else if (!fallback || !fallback(L1, k)) return 0;
    lua.lua_pushvalue(L1, 2);
    lua.lua_pushvalue(L1, -2);
    lua.lua_rawset(L1, 1);
    return 1;
  });
  lua.lua_setfield(L, -2, lstr('__index'));
  lua.lua_pushjsfunction(L, (L1: LuaState) => {
    if (lua.lua_type(L1, 2) === lua.LUA_TSTRING) (assigned ??= new Set()).add(lua.lua_tojsstring(L1, 2));
    lua.lua_settop(L1, 3);
    lua.lua_rawset(L1, 1);
    return 0;
  });
  lua.lua_setfield(L, -2, lstr('__newindex'));
  lua.lua_pushjsfunction(L, (L1: LuaState) => {
    lauxlib.luaL_checktype(L1, 1, lua.LUA_TTABLE);
    for (const k of Object.keys(fns)) {
      lua.lua_getfield(L1, 1, lstr(k)); // through __index: stored from now on
      lua.lua_pop(L1, 1);
    }
    lua.lua_pushcfunction(L1, nextFunction);
    lua.lua_pushvalue(L1, 1);
    lua.lua_pushnil(L1);
    return 3;
  });
  lua.lua_setfield(L, -2, lstr('__pairs'));
  lua.lua_setmetatable(L, -2);
}

export function typeName(L: LuaState, idx: number): string {
  return to_jsstring(lauxlib.luaL_typename(L, idx));
}
