/**
 * What a host loads: `require` for an entry (its `modules:` and `imports:`), the standard modules
 * and library.lua entries it opens, and running an entry's chunk once to find its entry function.
 *
 * Owns: the per-state cache of opened modules (`std:<name>` and `lib:<id>` -> registry ref), the
 * permission check of `require`, a library's private environment, load-time runs of a chunk.
 * Invariants: a module is opened once per state (require and the lazy globals share it);
 * permission is checked before the cache (a library may load what its importer may not); a
 * library gets its own `require` through a private _ENV; load-time code cannot wait (it runs
 * under an activation with no task) and its budget stop is raised as the load's error.
 */
import { lua, lauxlib, lstr, LuaState, LuaFn, raise, checkText, bytesToText } from './vm';
import { loadChunk, CompiledChunk } from './chunks';
import { LuaError } from './task';
import type { LuaEntry } from '../registry/types';
import { ErrorKind } from '../base/errors';

/** A standard-library module as the host sees it (lua-stdlib/index.ts lists them). */
export interface StdModule {
  name: string;
  /** Push the module's table (called once per state, on first require or at creation if global). */
  open: (L: LuaState) => void;
  /** Installed as a global in every state (errors, process, channel). */
  global?: boolean;
  /** May be listed by a workflow.lua entry (deterministic, or workflow-aware). */
  workflowSafe?: boolean;
  /**
   * The module's signature for the type checker, as a typed-Lua type (`{encode: (string) -> string}`);
   * absent: `require` of it is `any`. State only what always holds: an error here refuses correct code.
   */
  types?: string;
}

/** What a host needs from the outside world to resolve `require`. */
export interface ModuleResolver {
  stdlib(name: string): StdModule | undefined;
  /** Globals to install in every state, in order. */
  globals(): StdModule[];
  /** A library.lua entry and its compiled chunk. */
  library(id: string): { entry: LuaEntry; chunk: CompiledChunk };
}

/**
 * What loading needs of its host, declared here where it is used (lua/host.ts's LuaHost is the
 * one implementation; this keeps this file from importing host.ts).
 */
export interface LoaderHost {
  readonly L: LuaState;
  beginActivation(task: null): void;
  endActivation(): void;
  takeBudgetError(): LuaError | null;
  protectedCall(fn: (L: LuaState) => void): string | null;
}

/** The modules of one host's state: `require`, the standard modules, libraries, entry points. */
export class ModuleLoader {
  /** Loaded modules: `std:<name>` or `lib:<id>` -> registry ref. */
  private readonly loaded = new Map<string, number>();

  constructor(private readonly host: LoaderHost, private readonly resolver: ModuleResolver) {}

  /**
   * Install `require` for `entry` as a global, run its chunk once and return a registry ref to its
   * entry function (`method`). Throws LuaError when the chunk fails or has no entry point.
   */
  loadEntry(entry: LuaEntry, chunk: CompiledChunk): number {
    const L = this.host.L;
    this.pushRequire(L, entry);
    lua.lua_setglobal(L, lstr('require'));
    this.runLoadTime(() => loadChunk(L, chunk), 1, entry.id);
    const t = lua.lua_type(L, -1);
    if (t === lua.LUA_TFUNCTION) return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    // tbl[method], or else the global `method`: either may run an __index metamethod (user code,
    // which may raise): looked up under pcall.
    if (t !== lua.LUA_TTABLE) { lua.lua_pop(L, 1); lua.lua_pushglobaltable(L); }
    let ref = lua.LUA_REFNIL;
    const err = this.host.protectedCall((L1) => {
      lua.lua_getfield(L1, 1, lstr(entry.method));
      if (lua.lua_type(L1, -1) === lua.LUA_TFUNCTION) ref = lauxlib.luaL_ref(L1, lua.LUA_REGISTRYINDEX);
    });
    if (err !== null) {
      const message = `${entry.id}: ${chunk.name}: looking up its entry point '${entry.method}' failed: ${err}`;
      throw new LuaError({ kind: ErrorKind.Invalid, message }, message);
    }
    if (ref === lua.LUA_REFNIL) {
      const message = `${entry.id}: ${chunk.name} has no entry point: return a function, or a table with a '${entry.method}' function, or define a global function ${entry.method}`;
      throw new LuaError({ kind: ErrorKind.Invalid, message }, message);
    }
    return ref;
  }

  /** Run a chunk pushed by `push` synchronously (no waiting allowed), leaving `nresults` on L. */
  private runLoadTime(push: () => void, nresults: number, label: string): void {
    const L = this.host.L;
    push();
    this.host.beginActivation(null);
    lua.lua_pushjsfunction(L, traceback);
    lua.lua_insert(L, -2);
    let st: number;
    try { st = lua.lua_pcall(L, 0, nresults, -2); } finally { this.host.endActivation(); }
    const blown = this.host.takeBudgetError();
    if (blown) { lua.lua_pop(L, 2); throw blown; }
    if (st !== lua.LUA_OK) {
      const tb = bytesToText(lua.lua_tolstring(L, -1) ?? lstr('error'));
      lua.lua_pop(L, 2);
      const message = tb.split('\n')[0];
      throw new LuaError({ kind: ErrorKind.Internal, message: `${label}: ${message}` }, tb);
    }
    lua.lua_remove(L, -1 - nresults);
  }

  /** `require` body shared by entries and libraries. Pushes the module value. */
  requireModule(L: LuaState, entry: LuaEntry, name: string): void {
    const libId = entry.imports[name];
    const std = libId ? undefined : this.resolver.stdlib(name);
    // Permission first: the cache is per state, and a library may load what its importer may not.
    if (!libId && !std && entry.unprovided?.includes(name)) {
      raise(L, `module '${name}' is not provided by this runtime (wippy-ts) yet: ${entry.id} lists it in modules: as Wippy has it, but it cannot be loaded here`);
    }
    if (!libId && (!std || !(std.global || entry.modules.includes(name)))) {
      const known = [...entry.modules, ...Object.keys(entry.imports)];
      const hint = std ? `add it to the entry's modules: [${[...entry.modules, name].join(', ')}]`
        : `this entry can require: ${known.length ? known.join(', ') : '(nothing: list modules or imports in the entry)'}`;
      raise(L, `module '${name}' is not available to ${entry.id}: ${hint}`);
    }
    if (!libId) { this.pushStd(L, std!); return; }
    const key = `lib:${libId}`;
    let ref = this.loaded.get(key);
    if (ref === undefined) {
      this.loadLibrary(libId);
      ref = lauxlib.luaL_ref(this.host.L, lua.LUA_REGISTRYINDEX) as number;
      this.loaded.set(key, ref);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  }

  /** Push a standard module's table, opening it once per state (require and globals share it). */
  pushStd(L: LuaState, m: StdModule): void {
    const key = `std:${m.name}`;
    let ref = this.loaded.get(key);
    if (ref === undefined) {
      m.open(this.host.L);
      ref = lauxlib.luaL_ref(this.host.L, lua.LUA_REGISTRYINDEX) as number;
      this.loaded.set(key, ref);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  }

  /** Run a library chunk once, with its own `require` in a private _ENV; pushes its value. */
  private loadLibrary(libId: string): void {
    const L = this.host.L;
    const lib = this.resolver.library(libId);
    this.runLoadTime(() => {
      loadChunk(L, lib.chunk);
      lua.lua_createtable(L, 0, 1);
      this.pushRequire(L, lib.entry);
      lua.lua_setfield(L, -2, lstr('require'));
      lua.lua_createtable(L, 0, 2);
      lua.lua_pushglobaltable(L);
      lua.lua_setfield(L, -2, lstr('__index'));
      lua.lua_pushglobaltable(L);
      lua.lua_setfield(L, -2, lstr('__newindex'));
      lua.lua_setmetatable(L, -2);
      lua.lua_setupvalue(L, -2, 1);
    }, 1, libId);
    if (lua.lua_isnil(L, -1)) { lua.lua_pop(L, 1); lua.lua_pushboolean(L, true); }
  }

  /** Push the `require` function of `entry`. */
  private pushRequire(L: LuaState, entry: LuaEntry): void {
    const fn: LuaFn = (L1) => { this.requireModule(L1, entry, checkText(L1, 1)); return 1; };
    lua.lua_pushjsfunction(L, fn);
  }
}

const traceback: LuaFn = (L) => {
  const msg = lua.lua_tolstring(L, 1);
  lauxlib.luaL_traceback(L, L, msg ?? lauxlib.luaL_tolstring(L, 1), 1);
  return 1;
};
