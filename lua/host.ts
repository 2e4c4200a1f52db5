/**
 * A LuaHost is one sandboxed Lua state and everything attached to it: the Services of the
 * execution it serves, its meter (instruction budget and memory guard, budget.ts), its modules
 * (`require` and entry points, host-modules.ts) and its threads (reuse and coroutine.spawn,
 * host-threads.ts).
 *
 * Owns: state creation (sandbox.ts + global modules), activations (which host runs now, its
 * budget slice, nesting), `hostOf`, the caller's line, protected calls from host code, and how a
 * JS exception inside a binding reaches Lua.
 * Invariants: one host serves one execution at a time (pools hand out whole hosts); `hostOf(L)`
 * works from any thread of the state; Lua that runs inside another host's activation (a process
 * spawned, whose code runs until it first waits) is charged to that activation's budget as well
 * as its own; a JS exception in a binding becomes a Lua error string, never a Fengari panic.
 */
import { lua, lauxlib, lstr, toLua, LuaState, LuaFn, bytesToText, RaiseInLua, typeName, perState } from './vm';
import { openSandbox, RandomSource } from './sandbox';
import { Meter, DEFAULT_BUDGET, DEFAULT_MEMORY_LIMIT, memoryInUse } from './budget';
import type { CompiledChunk } from './chunks';
import { Task, LuaError } from './task';
import { defer } from './scheduler';
import { ModuleLoader, ModuleResolver, type StdModule } from './host-modules';
import { HostThreads } from './host-threads';
import type { Services } from './services';
import type { LuaEntry } from '../registry/types';

export type { StdModule, ModuleResolver } from './host-modules';

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

const hosts = perState<LuaHost>('host');
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
  const h = hosts.get(L);
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
  /** `require`, the standard modules and libraries opened in this state, entry points. */
  private readonly modules: ModuleLoader;
  /** The spare thread and the spawned coroutines. */
  readonly threads = new HostThreads(this);

  constructor(cfg: HostConfig) {
    this.label = cfg.label;
    this.services = cfg.services;
    this.modules = new ModuleLoader(this, cfg.resolver);
    const L = lauxlib.luaL_newstate() as LuaState;
    this.L = L;
    hosts.set(L, this);
    lua.lua_atnativeerror(L, nativeError);
    this.meter = openState(this, L, cfg);
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
    return this.modules.loadEntry(entry, chunk);
  }

  /** Push the standard module `m` (opened once per state). */
  pushStd(L: LuaState, m: StdModule): void {
    this.modules.pushStd(L, m);
  }

  takeSpareThread(): { thread: LuaState; ref: number } | null {
    return this.threads.takeSpare();
  }

  /** Keep a finished task's thread for the next task (host-threads.ts says when it may). */
  recycleThread(thread: LuaState, ref: number): boolean {
    return this.threads.recycle(thread, ref);
  }

  /** Create a task on this host. */
  newTask(onExit: ConstructorParameters<typeof Task>[1]): Task {
    return new Task(this, onExit);
  }

  /** Who hears about an error in a spawned coroutine (the process fails; default: log it). */
  onSpawnedError: ((e: LuaError) => void) | null = null;

  /** End every spawned coroutine (their execution is over). */
  killSpawned(): void {
    this.threads.killSpawned();
  }

  private readonly endHooks = new Set<() => void>();

  /**
   * Run `fn` when the execution this host serves now ends (`endExecution`): how a module releases
   * what a script acquired (an open transaction, a prepared statement). Returns the un-register.
   */
  onExecutionEnd(fn: () => void): () => void {
    this.endHooks.add(fn);
    return () => { this.endHooks.delete(fn); };
  }

  /** The execution is over: end its coroutines, then run (and forget) its end hooks, oldest first. */
  endExecution(): void {
    this.killSpawned();
    const hooks = [...this.endHooks];
    this.endHooks.clear();
    for (const fn of hooks) {
      try { fn(); } catch (e) { this.services.log('error', `releasing a resource of ${this.label} failed: ${(e as Error).message}`); }
    }
  }
}

/**
 * The sandbox and the meter of a new host. Written so that V8 (Node 20) lets a state that dies
 * young die in a minor collection: no closure over `this` in the constructor, and the openers
 * of the global modules shared by every state of a resolver (they find their host with hostOf)
 * rather than made per state. Either one made most of what a new state allocates survive its
 * minor collections and get promoted (measured: 2-10x slower state creation, most of it in the
 * GC); a workflow makes a state for each start and each replay.
 */
function openState(host: LuaHost, L: LuaState, cfg: HostConfig): Meter {
  const random = new RandomSource(cfg.randomSeed ?? Math.floor(Math.random() * 2 ** 32));
  openSandbox(L, { services: () => host.services, random, spawn: spawnBinding, lazyGlobals: globalOpeners(cfg.resolver), exposeThread: (t) => host.threads.expose(t) });
  return new Meter({ label: host.label, active: () => running === host }, L, cfg.budget ?? DEFAULT_BUDGET, cfg.memoryLimit ?? DEFAULT_MEMORY_LIMIT);
}

const openersOf = new WeakMap<ModuleResolver, Record<string, (L: LuaState) => void>>();

/** The openers of a resolver's global modules (errors, channel, process, ...), made once. */
function globalOpeners(resolver: ModuleResolver): Record<string, (L: LuaState) => void> {
  let o = openersOf.get(resolver);
  if (!o) {
    o = {};
    for (const m of resolver.globals()) o[m.name] = (L1) => hostOf(L1).pushStd(L1, m);
    openersOf.set(resolver, o);
  }
  return o;
}

/** coroutine.spawn(fn, ...): run fn concurrently in this execution. */
const spawnBinding: LuaFn = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TFUNCTION);
  hostOf(L).threads.spawn(L, lua.lua_gettop(L) - 1);
  return 0;
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
