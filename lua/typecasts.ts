/**
 * Typed Lua's casts: the primitive types called as functions, `string(x)`, `integer(x)`,
 * `number(x)`, `boolean(x)`, as Wippy's dialect writes them (`local pid = string(msg:from())`).
 *
 * Owns: the runtime side of a cast. A cast returns its argument as the named type when the value
 * is that type or converts to it without loss, and raises "cannot cast <type> to <name>" otherwise:
 *   string  <- strings; numbers (Lua's own formatting, 5 -> "5", 0.5 -> "0.5"); values with __tostring
 *   integer <- integers; floats with an integral value (3.0 -> 3); strings of such numbers
 *   number  <- numbers; numeric strings
 *   boolean <- booleans only
 * nil is never cast (the optional type's check belongs to the static checker). `string` stays the
 * string library (the cast is its metatable's __call); `integer`, `number` and `boolean` are type
 * values: tables that print as their name and are called to cast; each (and `string`) also has
 * the `is` of type values (`integer:is(v)`, typevalues.ts).
 * Invariants: a cast never changes a value that already has the type; no global exists until a
 * script reads it (sandbox.ts opens these lazily like every other global).
 */
import { lua, lauxlib, lstr, LuaState, LuaFn, raise, typeName } from './vm';
import { primitiveIs } from './typevalues';

export type CastName = 'string' | 'integer' | 'number' | 'boolean';

function refuse(L: LuaState, name: CastName): never {
  return raise(L, `cannot cast ${typeName(L, 2)} to ${name}`);
}

/** Argument 2 (argument 1 is the type value itself, as __call passes it). */
const CASTS: Record<CastName, LuaFn> = {
  string: (L) => {
    lua.lua_settop(L, 2);
    const t = lua.lua_type(L, 2);
    if (t === lua.LUA_TSTRING) return 1;
    if (t === lua.LUA_TNUMBER || lauxlib.luaL_getmetafield(L, 2, lstr('__tostring')) !== lua.LUA_TNIL) {
      lua.lua_settop(L, 2);
      lauxlib.luaL_tolstring(L, 2);
      return 1;
    }
    return refuse(L, 'string');
  },
  integer: (L) => {
    lua.lua_settop(L, 2);
    const t = lua.lua_type(L, 2);
    if (t === lua.LUA_TNUMBER || t === lua.LUA_TSTRING) {
      const v: number | false = lua.lua_tointegerx(L, 2); // exact only: 3.5 and "x" give false
      if (v !== false) {
        if (!lua.lua_isinteger(L, 2)) lua.lua_pushinteger(L, v);
        return 1;
      }
    }
    return refuse(L, 'integer');
  },
  number: (L) => {
    lua.lua_settop(L, 2);
    const t = lua.lua_type(L, 2);
    if (t === lua.LUA_TNUMBER) return 1;
    if (t === lua.LUA_TSTRING && lua.lua_stringtonumber(L, lua.lua_tostring(L, 2)) !== 0) return 1;
    return refuse(L, 'number');
  },
  boolean: (L) => {
    lua.lua_settop(L, 2);
    if (lua.lua_type(L, 2) === lua.LUA_TBOOLEAN) return 1;
    return refuse(L, 'boolean');
  },
};

/** Give the table on top of the stack the `string` cast (the string library's metatable gets __call). */
export function addStringCast(L: LuaState): void {
  if (!lua.lua_getmetatable(L, -1)) {
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushvalue(L, -1);
    lua.lua_setmetatable(L, -3);
  }
  lua.lua_pushjsfunction(L, CASTS.string);
  lua.lua_setfield(L, -2, lstr('__call'));
  lua.lua_pop(L, 1);
}

/**
 * Push the type value `name` (integer, number, boolean): callable to cast, prints as its name,
 * and validates as every type value does (`integer:is(v)`, typevalues.ts).
 */
export function pushTypeValue(L: LuaState, name: Exclude<CastName, 'string'>): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushjsfunction(L, primitiveIs(name));
  lua.lua_setfield(L, -2, lstr('is'));
  lua.lua_createtable(L, 0, 3);
  lua.lua_pushjsfunction(L, CASTS[name]);
  lua.lua_setfield(L, -2, lstr('__call'));
  lua.lua_pushjsfunction(L, (L1: LuaState) => { lua.lua_pushstring(L1, lstr(name)); return 1; });
  lua.lua_setfield(L, -2, lstr('__tostring'));
  lua.lua_pushstring(L, lstr(name));
  lua.lua_setfield(L, -2, lstr('__name'));
  lua.lua_setmetatable(L, -2);
}
