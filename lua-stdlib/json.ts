/**
 * `json`: encode/decode with the project's value rules (lua/codec.ts).
 *
 * `json.encode(v) -> string | nil, err` and `json.decode(s) -> value | nil, err`; failures are
 * returned as `Invalid` errors naming the problem and its path, never raised. Error objects encode
 * as plain `{kind, message, ...}` objects.
 */
import {
  lua, lauxlib, LuaState, LuaFn, setFuncs, pushText, bytesToUtf8OrNull, encode, CodecError, decode,
  pushError
} from '../lua/api';
import { ErrorKind } from '../base/errors';

/** Budget units of a failure (a JS error built with its stack, then an error value): ~10 us. */
const WORK_FAILURE = 300;

function fail(L: LuaState, message: string): number {
  lua.lua_chargelater(L, WORK_FAILURE);
  lua.lua_pushnil(L);
  pushError(L, { kind: ErrorKind.Invalid, message });
  return 2;
}

const jsonEncode: LuaFn = (L) => {
  lauxlib.luaL_checkany(L, 1);
  try {
    pushText(L, encode(L, 1, 'json'));
    return 1;
  } catch (e) {
    if (e instanceof CodecError) return fail(L, `json.encode: ${e.message}`);
    throw e;
  }
};

const jsonDecode: LuaFn = (L) => {
  const bytes = lauxlib.luaL_checklstring(L, 1);
  const text = bytesToUtf8OrNull(bytes);
  if (text === null) return fail(L, 'json.decode: input is not valid UTF-8');
  try {
    decode(L, text, 'json');
    return 1;
  } catch (e) {
    if (e instanceof CodecError) return fail(L, `json.decode: ${e.message}`);
    throw e;
  }
};

export function openJson(L: LuaState): void {
  lua.lua_createtable(L, 0, 2);
  setFuncs(L, { encode: jsonEncode, decode: jsonDecode });
}
