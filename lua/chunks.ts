/**
 * Compiling Lua sources once and loading them many times.
 *
 * Owns: turning a source (typed Lua stripped first) into a compiled chunk, a cache of those keyed
 * by chunk name and source text, and loading a chunk into a state. A chunk is parsed once per
 * process: loading it gives the state a new closure of the same function prototype
 * (`lua_pushproto`, patches/fengari+0.1.5.patch), so starting a workflow neither parses nor
 * undumps, and idle states do not each hold a copy of the code. Invariants: prototypes are
 * read-only once parsed (the patch removes Fengari's closure cache, the one thing that wrote to
 * them); only the host loads binary chunks; user code's `load` is text-only (sandbox.ts). Chunk
 * names are `@<path relative to the registry root>`, so Lua messages read `src/charge.lua:12: ...`.
 */
import { lua, lauxlib, LuaState, toLua, bytesToText } from './vm';
import { stripTypesCounted, TypeSyntaxError } from './typestrip';
import { emitTypeValues } from './typevalue-emit';

export interface CompiledChunk {
  /** Relative path used in messages (`src/charge.lua`). */
  name: string;
  /** The parsed main function's prototype (opaque; shared by every state that loads the chunk). */
  proto: unknown;
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

/**
 * Strip type annotations (Wippy's typed Lua) and make `type` declarations runtime values
 * (typevalue-emit.ts); line numbers are kept. Throws CompileError.
 */
export function prepareSource(source: string, chunkName: string): string {
  try {
    const { text, typeDeclarations } = stripTypesCounted(source, chunkName);
    return typeDeclarations > 0 ? emitTypeValues(source, text) : text;
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
  const proto = lua.lua_toproto(L, -1);
  lua.lua_pop(L, 1);
  const chunk = { name: chunkName, proto };
  cache.set(key, chunk);
  return chunk;
}

/** The chunk as Lua 5.3 bytecode (lua_dump), for comparisons; the runtime itself never needs it. */
export function bytecodeOf(chunk: CompiledChunk): Uint8Array {
  const L = scratchState();
  loadChunk(L, chunk);
  const parts: Uint8Array[] = [];
  lua.lua_dump(L, (_L: LuaState, b: Uint8Array, n: number) => { parts.push(b.slice(0, n)); return 0; }, null, false);
  lua.lua_pop(L, 1);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

/** The registry's compile check: null when it compiles, else the message. */
export function checkSyntax(source: string, chunkName: string): string | null {
  try { compile(source, chunkName); return null; } catch (e) {
    if (e instanceof CompileError) return e.message;
    throw e;
  }
}

/** Push the chunk's main function onto L: a new closure of its shared prototype, _ENV = L's globals. */
export function loadChunk(L: LuaState, chunk: CompiledChunk): void {
  lua.lua_pushproto(L, chunk.proto);
}
