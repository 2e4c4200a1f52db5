/**
 * Small helpers shared by the Wippy-style modules (lua-stdlib/base64, hash, crypto, yaml, text,
 * payload, uuid, json): their return conventions, argument reading and budget charging.
 *
 * Owns: the `nil, err` shape of a failure (Wippy's modules return `value, nil` on success and
 * `nil, err` with a non-retryable error of a given kind on failure), reading Lua strings as raw
 * bytes, charging byte-proportional work to the running slice (budget.ts), and building their
 * classes and sub-tables. Invariants: a helper never raises for a user's value (it returns the
 * error value; only checkBox raises, for a method called on something else, as luaL_checkudata
 * does); charging never raises (lua_chargelater), so a runaway is stopped at its next
 * instruction, never in a binding.
 */
import { lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, typeError, pushLazyModule } from './vm';
import { pushError } from './errorvalue';

/** Push `nil, err` (kind, message, not retryable; `context` prefixes tostring as Wippy's wraps do). */
export function fail(L: LuaState, kind: string, message: string, context?: string): number {
  lua.lua_pushnil(L);
  pushError(L, { kind, message, retryable: false }, context);
  return 2;
}

/** Push `false, err` (json.validate's failure shape). */
export function failFalse(L: LuaState, kind: string, message: string, context?: string): number {
  lua.lua_pushboolean(L, false);
  pushError(L, { kind, message, retryable: false }, context);
  return 2;
}

/** After the value was pushed: push the `nil` error slot of Wippy's `value, nil` success. */
export function ok(L: LuaState): number {
  lua.lua_pushnil(L);
  return 2;
}

/** The Lua string at idx as bytes (no number coercion), or null when it is not a string. */
export function bytesArg(L: LuaState, idx: number): Uint8Array | null {
  return lua.lua_type(L, idx) === lua.LUA_TSTRING ? lua.lua_tolstring(L, idx) : null;
}

/** Push raw bytes as a Lua string. */
export function pushBytes(L: LuaState, b: Uint8Array): void {
  lua.lua_pushstring(L, b);
}

/** Budget units for work over `n` bytes (one unit per 8 bytes, as the codec charges strings). */
export function chargeBytes(L: LuaState, n: number): void {
  lua.lua_chargelater(L, Math.ceil(n / 8));
}

/** Budget units charged directly (e.g. key-derivation rounds). */
export function charge(L: LuaState, units: number): void {
  lua.lua_chargelater(L, Math.ceil(units));
}

/** The userdata of class `mt` at arg 1 (its box), or a "bad argument #1 (`typeName` expected)" error. */
export function checkBox<T>(L: LuaState, mt: string, typeName: string): T {
  const box = lauxlib.luaL_testudata(L, 1, lstr(mt)) as T | null;
  if (!box) typeError(L, 1, typeName);
  return box as T;
}

/**
 * A class-metatable builder (for vm.setClassMetatable): `methods` as __index, `__name`, extra
 * metamethods. The methods table fills itself on first read of each method (vm.ts
 * pushLazyModule): a workflow makes a new state per start and per replay, and a class like Time
 * has dozens of methods, of which a script reads a few.
 */
export function methodsClass(typeName: string, methods: Record<string, LuaFn>, meta: Record<string, LuaFn> = {}): (L: LuaState) => void {
  return (L) => {
    pushLazyModule(L, methods);
    lua.lua_setfield(L, -2, lstr('__index'));
    setFuncs(L, meta);
    pushText(L, typeName);
    lua.lua_setfield(L, -2, lstr('__name'));
  };
}

/** Set field `name` of the table on top to a new table of the functions `fns` (`crypto.random`...). */
export function setSubtable(L: LuaState, name: string, fns: Record<string, LuaFn>): void {
  lua.lua_createtable(L, 0, Object.keys(fns).length);
  setFuncs(L, fns);
  lua.lua_setfield(L, -2, lstr(name));
}
