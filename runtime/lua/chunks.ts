/**
 * Compiling Lua sources once and loading them many times.
 *
 * Owns: turning a source (typed Lua stripped first) into a precompiled chunk (bytecode), a cache
 * of those keyed by chunk name and source text, and loading a chunk into a state. Loading
 * bytecode is several times faster than parsing, so a pooled function state or a replayed
 * workflow never re-parses its script. Invariants: only the host loads binary chunks; user code's
 * `load` is text-only (sandbox.ts). Chunk names are `@<path relative to the registry root>`, so
 * Lua messages read `src/charge.lua:12: ...`.
 */
import { lua, lauxlib, LuaState, toLua, bytesToText } from './vm';
import { stripTypes, TypeSyntaxError } from './typestrip';

export interface CompiledChunk {
  /** Relative path used in messages (`src/charge.lua`). */
  name: string;
  bytecode: Uint8Array;
}

export class CompileError extends Error {
  constructor(message: string, readonly chunkName: string) {
    super(message);
    this.name = 'CompileError';
  }
}

let scratch: LuaState | null = null;
function scratchState(): LuaState {
  if (!scratch) scratch = lauxlib.luaL_newstate() as LuaState;
  return scratch;
}

const cache = new Map<string, CompiledChunk>();

/** Strip type annotations (Wippy's typed Lua); line numbers are kept. Throws CompileError. */
export function prepareSource(source: string, chunkName: string): string {
  try {
    return stripTypes(source, chunkName);
  } catch (e) {
    if (e instanceof TypeSyntaxError) throw new CompileError(e.message, chunkName);
    throw e;
  }
}

/** Compile a source to bytecode (cached). Throws CompileError with Lua's `name:line: msg`. */
export function compile(source: string, chunkName: string): CompiledChunk {
  const key = `${chunkName}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const text = prepareSource(source, chunkName);
  const L = scratchState();
  const st = lauxlib.luaL_loadbufferx(L, toLua(text), null, toLua(`@${chunkName}`), toLua('t'));
  if (st !== lua.LUA_OK) {
    const msg = bytesToText(lua.lua_tolstring(L, -1));
    lua.lua_pop(L, 1);
    throw new CompileError(msg, chunkName);
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  lua.lua_dump(L, (_L: LuaState, b: Uint8Array, n: number) => { parts.push(b.slice(0, n)); size += n; return 0; }, null, false);
  lua.lua_pop(L, 1);
  const bytecode = new Uint8Array(size);
  let off = 0;
  for (const p of parts) { bytecode.set(p, off); off += p.length; }
  const chunk = { name: chunkName, bytecode };
  cache.set(key, chunk);
  return chunk;
}

/** The registry's compile check: null when it compiles, else the message. */
export function checkSyntax(source: string, chunkName: string): string | null {
  try { compile(source, chunkName); return null; } catch (e) {
    if (e instanceof CompileError) return e.message;
    throw e;
  }
}

/** Push the chunk's main function onto L. Throws CompileError if the bytecode is refused. */
export function loadChunk(L: LuaState, chunk: CompiledChunk): void {
  const st = lauxlib.luaL_loadbufferx(L, chunk.bytecode, chunk.bytecode.length, toLua(`@${chunk.name}`), toLua('b'));
  if (st !== lua.LUA_OK) {
    const msg = bytesToText(lua.lua_tolstring(L, -1));
    lua.lua_pop(L, 1);
    throw new CompileError(msg, chunk.name);
  }
}
