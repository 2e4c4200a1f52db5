/**
 * A LuaHost is one sandboxed Lua state and everything attached to it: the Services of the
 * execution it serves, its meter (instruction budget and memory guard, budget.ts), `require`, and
 * loading an entry's entry point.
 *
 * Owns: state creation (sandbox.ts + global modules), `require` limited to an entry's `modules:`
 * and `imports:`, running a chunk once to find its entry function (`method`), which host runs.
 * Invariants: one host serves one execution at a time (pools hand out whole hosts); `hostOf(L)`
 * works from any thread of the state; load-time code cannot wait (no task runs then); a library
 * gets its own `require` (its own modules/imports) through a private environment; Lua that runs
 * inside another host's activation (a process spawned, whose code runs until it first waits) is
 * charged to that activation's budget as well as its own.
 */
import { lua, lauxlib, lstr, toLua, LuaState, LuaFn, raise, checkText, bytesToText, RaiseInLua, typeName } from './vm';
import { openSandbox, RandomSource } from './sandbox';
import { Meter, DEFAULT_BUDGET, DEFAULT_MEMORY_LIMIT, memoryInUse } from './budget';
import { loadChunk, CompiledChunk } from './chunks';
import { Task, LuaError } from './task';
import { defer } from './scheduler';
import type { Services } from './services';
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
}

/** What a host needs from the outside world to resolve `require`. */
export interface ModuleResolver {
  stdlib(name: string): StdModule | undefined;
  /** Globals to install in every state, in order. */
  globals(): StdModule[];
  /** A library.lua entry and its compiled chunk. */
  library(id: string): { entry: LuaEntry; chunk: CompiledChunk };
}

export interface HostConfig {
  /** What runs here, for messages (`app:charge`). */
  label: string;
  resolver: ModuleResolver;
  services: Services;
  /** Lua instructions one activation may run before it is stopped. */
  budget?: number;
  /** Bytes of heap growth one activation may cause before it is stopped. */
  memoryLimit?: number;
  randomSeed?: number;
}

export { DEFAULT_BUDGET, DEFAULT_MEMORY_LIMIT };

const hosts = new WeakMap<object, LuaHost>();
/** The host whose Lua is running now (activations nest: a binding may run another state). */
let running: LuaHost | null = null;

/**
 * Run runtime work done on behalf of the running script (creating another Lua state for a spawned
 * process or a function call) without charging its heap growth to that script's memory limit.
 */
export function uncharged<T>(fn: () => T): T {
  const host = running;
  if (!host) return fn();
  const before = memoryInUse();
  try {
    return fn();
  } finally {
    host.meter.excuse(memoryInUse() - before);
  }
}

/** The host a binding runs in. */
export function hostOf(L: LuaState): LuaHost {
  const h = hosts.get(L.l_G);
  if (!h) throw new Error('hostOf: state has no host');
  // Every binding that reaches Services comes through here: remember its thread, so that a
  // recorded command can name the Lua line that emitted it (callerLine).
  h.caller = L;
  return h;
}

export class LuaHost {
  readonly L: LuaState;
  readonly label: string;
  services: Services;
  currentTask: Task | null = null;
  /** Thread of the binding that last called hostOf (see there). */
  caller: LuaState | null = null;
  /** How tasks of this host are resumed later: the global scheduler, or a workflow's own queue. */
  defer: (fn: () => void) => void = defer;
  /** False for workflows: their budget covers a whole activation, reset by the engine. */
  resetBudgetOnResume = true;
  readonly meter: Meter;
  private readonly resolver: ModuleResolver;
  /** Loaded modules: `std:<name>` or `lib:<id>` -> registry ref. */
  private readonly loaded = new Map<string, number>();

  constructor(cfg: HostConfig) {
    this.label = cfg.label;
    this.services = cfg.services;
    this.resolver = cfg.resolver;
    const L = lauxlib.luaL_newstate() as LuaState;
    this.L = L;
    hosts.set(L.l_G, this);
    lua.lua_atnativeerror(L, nativeError);
    const random = new RandomSource(cfg.randomSeed ?? Math.floor(Math.random() * 2 ** 32));
    const lazyGlobals: Record<string, (L1: LuaState) => void> = {};
    for (const m of cfg.resolver.globals()) lazyGlobals[m.name] = (L1) => this.pushStd(L1, m);
    openSandbox(L, { services: () => this.services, random, spawn: spawnBinding, lazyGlobals, exposeThread: (t) => this.exposed.add(t) });
    this.meter = new Meter({ label: this.label, active: () => running === this }, L, cfg.budget ?? DEFAULT_BUDGET, cfg.memoryLimit ?? DEFAULT_MEMORY_LIMIT);
  }

  beginActivation(task: Task | null): void {
    this.currentTask = task;
    this.prevRunning = running;
    running = this;
    if (this.resetBudgetOnResume) this.resetBudget();
    this.workAtBegin = this.meter.settle();
  }

  /** Start a new budget slice (workflows: once per activation). */
  resetBudget(): void {
    this.meter.reset();
  }

  /** `file:line` of the Lua code that called the current binding (`?` when unknown). */
  callerLine(): string {
    const L = this.caller;
    if (!L) return '?';
    const ar = new lua.lua_Debug();
    for (let level = 1; level < 8; level++) {
      if (!lua.lua_getstack(L, level, ar)) break;
      lua.lua_getinfo(L, lstr('Sl'), ar);
      if (ar.currentline > 0) return `${bytesToText(ar.short_src)}:${ar.currentline}`;
    }
    return '?';
  }

  endActivation(): void {
    this.currentTask = null;
    const outer = this.prevRunning;
    running = outer;
    this.prevRunning = null;
    // Nested inside another host's slice: that slice did this work too. Charged where no error may
    // be raised (a binding of the outer host is running); its next instruction stops it if over.
    const work = this.meter.settle() - this.workAtBegin;
    if (outer && outer !== this) lua.lua_chargelater(outer.caller ?? outer.L, work);
  }

  private prevRunning: LuaHost | null = null;
  private workAtBegin = 0;

  /** The budget error of the last activation, if it was stopped (cleared on read). */
  takeBudgetError(): LuaError | null {
    return this.meter.takeError();
  }

  /**
   * Call `fn` under pcall on the main state, with the value on top of L as its only argument
   * (popped). For host code that may run Lua metamethods outside any activation, e.g. reading an
   * error value whose __tostring or __index raises or loops: that must fail here, not escape as a
   * Fengari panic that takes the whole runtime down. Returns null, or the error when `fn` raised
   * (a budget stop there is discarded with the failed call).
   */
  protectedCall(fn: (L: LuaState) => void): string | null {
    const L = this.L;
    lua.lua_pushjsfunction(L, (L1: LuaState) => { fn(L1); return 0; });
    lua.lua_insert(L, -2);
    const st = lua.lua_pcall(L, 1, 0, 0);
    let err: string | null = null;
    if (st !== lua.LUA_OK) {
      err = lua.lua_type(L, -1) === lua.LUA_TSTRING ? bytesToText(lua.lua_tolstring(L, -1)) : `(error object is a ${typeName(L, -1)} value)`;
      lua.lua_pop(L, 1);
    }
    this.takeBudgetError();
    return err;
  }

  /**
   * Install `require` for `entry` as a global, run its chunk once and return a registry ref to its
   * entry function (`method`). Throws LuaError when the chunk fails or has no entry point.
   */
  loadEntry(entry: LuaEntry, chunk: CompiledChunk): number {
    const L = this.L;
    pushRequire(L, this, entry);
    lua.lua_setglobal(L, lstr('require'));
    this.runLoadTime(() => loadChunk(L, chunk), 1, entry.id);
    const t = lua.lua_type(L, -1);
    if (t === lua.LUA_TFUNCTION) return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    // tbl[method], or else the global `method`: either may run an __index metamethod (user code,
    // which may raise): looked up under pcall.
    if (t !== lua.LUA_TTABLE) { lua.lua_pop(L, 1); lua.lua_pushglobaltable(L); }
    let ref = lua.LUA_REFNIL;
    const err = this.protectedCall((L1) => {
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
    const L = this.L;
    push();
    this.beginActivation(null);
    lua.lua_pushjsfunction(L, traceback);
    lua.lua_insert(L, -2);
    let st: number;
    try { st = lua.lua_pcall(L, 0, nresults, -2); } finally { this.endActivation(); }
    const blown = this.takeBudgetError();
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
      ref = lauxlib.luaL_ref(this.L, lua.LUA_REGISTRYINDEX) as number;
      this.loaded.set(key, ref);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  }

  /** Push a standard module's table, opening it once per state (require and globals share it). */
  private pushStd(L: LuaState, m: StdModule): void {
    const key = `std:${m.name}`;
    let ref = this.loaded.get(key);
    if (ref === undefined) {
      m.open(this.L);
      ref = lauxlib.luaL_ref(this.L, lua.LUA_REGISTRYINDEX) as number;
      this.loaded.set(key, ref);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  }

  /** Run a library chunk once, with its own `require` in a private _ENV; pushes its value. */
  private loadLibrary(libId: string): void {
    const L = this.L;
    const lib = this.resolver.library(libId);
    this.runLoadTime(() => {
      loadChunk(L, lib.chunk);
      lua.lua_createtable(L, 0, 1);
      pushRequire(L, this, lib.entry);
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

  /** A finished task's thread (and its registry ref), kept for the next task on this host. */
  private spareThread: { thread: LuaState; ref: number } | null = null;

  takeSpareThread(): { thread: LuaState; ref: number } | null {
    const s = this.spareThread;
    this.spareThread = null;
    return s;
  }

  /** Threads the script holds (coroutine.running): a later task must not run on one of them. */
  private readonly exposed = new WeakSet<LuaState>();

  /**
   * Keep a thread whose task returned normally for the next task; false when one is kept already
   * or when the script may still hold it (it would see, and could resume, the next task).
   */
  recycleThread(thread: LuaState, ref: number): boolean {
    if (this.spareThread || this.exposed.has(thread)) return false;
    // Its hook may have been set to fire on every instruction by a budget stop a pcall caught.
    this.meter.rearm(thread);
    this.spareThread = { thread, ref };
    return true;
  }

  /** Create a task on this host. */
  newTask(onExit: ConstructorParameters<typeof Task>[1]): Task {
    return new Task(this, onExit);
  }

  /** Tasks started by coroutine.spawn that are still running. */
  private readonly spawned = new Set<Task>();
  /** Who hears about an error in a spawned coroutine (the process fails; default: log it). */
  onSpawnedError: ((e: LuaError) => void) | null = null;

  /**
   * coroutine.spawn: the function and its `nargs` arguments are on top of L. They start in a new
   * task on the next scheduler turn (the spawner keeps running first).
   */
  spawnCoroutine(L: LuaState, nargs: number): void {
    const task = this.newTask((outcome) => {
      this.spawned.delete(task);
      if (outcome.ok) return;
      if (this.onSpawnedError) this.onSpawnedError(outcome.error);
      else this.services.log('error', `coroutine in ${this.label} failed: ${outcome.error.message}`);
    });
    this.spawned.add(task);
    lua.lua_xmove(L, task.thread, nargs + 1);
    this.defer(() => { if (!task.done) task.start(nargs); });
  }

  /** End every spawned coroutine (their execution is over). */
  killSpawned(): void {
    for (const t of [...this.spawned]) t.kill({ kind: ErrorKind.Canceled, message: 'the execution that spawned this coroutine has ended' });
    this.spawned.clear();
  }
}

/** coroutine.spawn(fn, ...): run fn concurrently in this execution. */
const spawnBinding: LuaFn = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TFUNCTION);
  hostOf(L).spawnCoroutine(L, lua.lua_gettop(L) - 1);
  return 0;
};

function pushRequire(L: LuaState, host: LuaHost, entry: LuaEntry): void {
  const fn: LuaFn = (L1) => { host.requireModule(L1, entry, checkText(L1, 1)); return 1; };
  lua.lua_pushjsfunction(L, fn);
}

const traceback: LuaFn = (L) => {
  const msg = lua.lua_tolstring(L, 1);
  lauxlib.luaL_traceback(L, L, msg ?? lauxlib.luaL_tolstring(L, 1), 1);
  return 1;
};

/** A JS exception inside a binding: surface it as a Lua error string instead of garbage. */
const nativeError: LuaFn = (L) => {
  const e = lua.lua_touserdata(L, 1) as unknown;
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RaiseInLua) {
    lauxlib.luaL_where(L, 1);
    lua.lua_pushstring(L, toLua(message));
    lua.lua_concat(L, 2);
    return 1;
  }
  if (process.env.WIPPY_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, toLua(`internal error in a runtime binding: ${message}`));
  lua.lua_concat(L, 2);
  return 1;
};
