/**
 * `json`, as Wippy's module: `encode(v) -> string | nil, err`, `decode(s) -> value | nil, err`,
 * `validate(schema, data)` and `validate_string(schema, json_text) -> true | false, err` (JSON
 * Schema 2020-12, via @cfworker/json-schema; schemas cached by their text, at most 100).
 *
 * This is the Lua module only: the payload codec of histories, goldens and the CLI
 * (runtime/lua/codec.ts, docs/values.md) keeps its own rules; Wippy's encoding rules are in
 * runtime/lua/wippyjson.ts (an empty table is `[]`, sparse and mixed-key tables are errors,
 * `2.0` is written `2`, NaN is null...). Errors: encode failures are Internal (`encode failed: ...`); decode of a non-string or `""` is
 * Invalid, of bad JSON Internal (`decode failed: ...`); validation failures are Invalid. Never
 * raises for a user's value; work is charged per value and per byte.
 */
import { Validator } from '@cfworker/json-schema';
import {
  lua, LuaState, LuaFn, setFuncs, pushText, bytesToUtf8OrNull, bytesToText, decode, CodecError, wippyEncode, EncodeError, fail, failFalse, ok
} from '../lua/api';

const jsonEncode: LuaFn = (L) => {
  try {
    pushText(L, lua.lua_isnoneornil(L, 1) ? 'null' : wippyEncode(L, 1));
    return ok(L);
  } catch (e) {
    if (e instanceof EncodeError) return fail(L, 'Internal', e.message, 'encode failed');
    throw e;
  }
};

const jsonDecode: LuaFn = (L) => {
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return fail(L, 'Invalid', 'string expected');
  const bytes = lua.lua_tolstring(L, 1);
  if (bytes.length === 0) return fail(L, 'Invalid', 'empty string is not valid JSON');
  const text = bytesToUtf8OrNull(bytes);
  if (text === null) return fail(L, 'Internal', 'invalid UTF-8 in input', 'decode failed');
  try {
    decode(L, text, 'json');
    return ok(L);
  } catch (e) {
    if (e instanceof CodecError) return fail(L, 'Internal', e.message, 'decode failed');
    throw e;
  }
};

const schemaCache = new Map<string, Validator>();
const SCHEMA_CACHE_SIZE = 100;

/** The compiled schema at arg 1 (a table or JSON text), or the `false, err` pushed (a number). */
function schemaArg(L: LuaState): Validator | number {
  let text: string;
  if (lua.lua_type(L, 1) === lua.LUA_TSTRING) text = bytesToText(lua.lua_tolstring(L, 1));
  else if (lua.lua_type(L, 1) === lua.LUA_TTABLE) {
    try { text = wippyEncode(L, 1); } catch (e) { return failFalse(L, 'Invalid', (e as Error).message, 'schema error'); }
  } else return failFalse(L, 'Invalid', 'schema must be a string or table', 'schema error');
  let v = schemaCache.get(text);
  if (v) return v;
  let schema: unknown;
  try { schema = JSON.parse(text); } catch (e) { return failFalse(L, 'Invalid', (e as Error).message, 'compile schema'); }
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
    return failFalse(L, 'Invalid', 'a schema must be an object or a boolean', 'compile schema');
  }
  lua.lua_chargelater(L, text.length >>> 3);
  v = new Validator(schema as object, '2020-12', false);
  if (schemaCache.size >= SCHEMA_CACHE_SIZE) schemaCache.delete(schemaCache.keys().next().value as string);
  schemaCache.set(text, v);
  return v;
}

/** Validate a JS value: push `true` or `false, err` naming every failed rule. */
function check(L: LuaState, v: Validator, data: unknown, size: number): number {
  lua.lua_chargelater(L, size);
  const r = v.validate(data);
  if (r.valid) { lua.lua_pushboolean(L, true); return 1; }
  const leaves = r.errors.filter((e) => !/ does not match schema\.$|did not match|does not match "/.test(e.error));
  const shown = (leaves.length ? leaves : r.errors).map((e) => `${e.instanceLocation}: ${e.error}`);
  return failFalse(L, 'Invalid', shown.join('; '), 'validation failed');
}

const validate: LuaFn = (L) => {
  if (lua.lua_isnoneornil(L, 1)) return failFalse(L, 'Invalid', 'schema is required');
  if (lua.lua_isnoneornil(L, 2)) return failFalse(L, 'Invalid', 'data is required');
  const v = schemaArg(L);
  if (typeof v === 'number') return v;
  let text: string;
  try { text = wippyEncode(L, 2); } catch (e) { return failFalse(L, 'Invalid', (e as Error).message, 'convert data'); }
  return check(L, v, JSON.parse(text), text.length >>> 3);
};

const validateString: LuaFn = (L) => {
  if (lua.lua_isnoneornil(L, 1)) return failFalse(L, 'Invalid', 'schema is required');
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) return failFalse(L, 'Invalid', 'data must be a JSON string');
  const v = schemaArg(L);
  if (typeof v === 'number') return v;
  const text = bytesToText(lua.lua_tolstring(L, 2));
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { return failFalse(L, 'Invalid', (e as Error).message, 'validation failed'); }
  return check(L, v, data, text.length >>> 3);
};

/** The module's signature for the type checker (Wippy's). */
export const JSON_TYPES = `{
  encode: (value: any) -> (string, error?),
  decode: (str: string) -> (any, error?),
  validate: (schema: any, data: any) -> (boolean, error?),
  validate_string: (schema: any, str: string) -> (boolean, error?),
}`;

export function openJson(L: LuaState): void {
  lua.lua_createtable(L, 0, 4);
  setFuncs(L, { encode: jsonEncode, decode: jsonDecode, validate, validate_string: validateString });
}
