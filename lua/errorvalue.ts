/**
 * Lua error objects as the host sees them: a userdata holding an `ErrorInfo`.
 *
 * Owns: creating error userdata, recognising them, and turning any Lua error value (error
 * object, string, table, other) into an `ErrorInfo`. The Lua-facing `errors` module
 * (lua-stdlib/errors.ts) adds constructors and installs the methods; this file only needs the
 * metatable name so that the codec and the task driver can recognise errors without depending on
 * the standard library. Invariant: every error userdata carries `{ error: ErrorInfo }` as data and
 * has the metatable registered under ERROR_MT.
 */
import { lua, lauxlib, lstr, LuaState, bytesToText, describe, perState } from './vm';
import { ErrorKind, type ErrorInfo } from '../base/errors';

export const ERROR_MT = 'wippy.error';

/** One Lua frame where an error value was made (errors.call_stack). */
export interface ErrorFrame { source: string; line: number; name: string }

/**
 * The userdata's data: the plain ErrorInfo, plus what stays inside this state: the context of
 * errors.wrap (shown by tostring, `context: message`, not part of the message) and the Lua frames
 * at creation (err:stack(), errors.call_stack). Neither crosses to another state.
 */
interface ErrorBox { error: ErrorInfo; context?: string; frames?: ErrorFrame[] }

let buildErrorType: ((L: LuaState) => void) | null = null;
const typeReady = perState<true>('error-type');

/** lua-stdlib/errors.ts registers how the error type's metatable is built (methods live there). */
export function registerErrorType(build: (L: LuaState) => void): void {
  buildErrorType = build;
}

/** Build the error metatable in this state if it is not there yet (states open modules lazily). */
export function ensureErrorType(L: LuaState): void {
  if (typeReady.get(L)) return;
  typeReady.set(L, true);
  buildErrorType?.(L);
}

/** Push an error object (`context`: a wrap's prefix; `frames`: given, or the Lua stack now). */
export function pushError(L: LuaState, info: ErrorInfo, context?: string, frames?: ErrorFrame[]): void {
  ensureErrorType(L);
  const f = frames ?? luaFrames(L);
  const box = lua.lua_newuserdata(L, 0) as ErrorBox;
  box.error = info;
  if (context !== undefined) box.context = context;
  box.frames = f;
  lauxlib.luaL_setmetatable(L, lstr(ERROR_MT));
}

const MAX_FRAMES = 16;

/** The Lua frames of the running thread (innermost first; host functions skipped). */
function luaFrames(L: LuaState): ErrorFrame[] {
  const out: ErrorFrame[] = [];
  const ar = new lua.lua_Debug();
  for (let level = 0; out.length < MAX_FRAMES && lua.lua_getstack(L, level, ar); level++) {
    lua.lua_getinfo(L, lstr('Sln'), ar);
    if (ar.currentline <= 0) continue;
    out.push({ source: bytesToText(ar.short_src), line: ar.currentline, name: ar.name ? bytesToText(ar.name) : '' });
  }
  return out;
}

/** The wrap context and creation frames of the error object at idx (empty when it is none). */
export function errorExtras(L: LuaState, idx: number): { context?: string; frames: ErrorFrame[] } {
  const box = lauxlib.luaL_testudata(L, idx, lstr(ERROR_MT)) as ErrorBox | null;
  return box ? { context: box.context, frames: box.frames ?? [] } : { frames: [] };
}

/** The ErrorInfo if the value at idx is an error object, else null. */
export function testError(L: LuaState, idx: number): ErrorInfo | null {
  const box = lauxlib.luaL_testudata(L, idx, lstr(ERROR_MT)) as ErrorBox | null;
  return box ? box.error : null;
}

/**
 * Any Lua value used as an error -> ErrorInfo. Strings become `Internal` errors (or the given
 * default kind); a table with `message`/`kind` fields is honoured; anything else is described.
 */
export function toErrorInfo(L: LuaState, idx: number, defaultKind: string = ErrorKind.Internal): ErrorInfo {
  const e = testError(L, idx);
  if (e) return e;
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TSTRING) return { kind: defaultKind, message: bytesToText(lua.lua_tolstring(L, idx)) };
  if (t === lua.LUA_TTABLE) {
    const abs = lua.lua_absindex(L, idx);
    const field = (name: string): string | null => {
      lua.lua_getfield(L, abs, lstr(name));
      const v = lua.lua_type(L, -1) === lua.LUA_TSTRING ? bytesToText(lua.lua_tolstring(L, -1)) : null;
      lua.lua_pop(L, 1);
      return v;
    };
    const message = field('message');
    if (message !== null) {
      const kind = field('kind') ?? defaultKind;
      lua.lua_getfield(L, abs, lstr('retryable'));
      const retryable = lua.lua_type(L, -1) === lua.LUA_TBOOLEAN ? lua.lua_toboolean(L, -1) : undefined;
      lua.lua_pop(L, 1);
      return retryable === undefined ? { kind, message } : { kind, message, retryable };
    }
  }
  if (t === lua.LUA_TNIL || t === lua.LUA_TNONE) return { kind: defaultKind, message: 'nil' };
  return { kind: defaultKind, message: describe(L, idx) };
}
