/**
 * The sandboxed standard library every Lua state gets.
 *
 * Owns: which parts of Lua's standard library exist. Opened: base (without dofile/loadfile, with a
 * text-only `load`), coroutine (resume/wrap forward host waits, see task.ts), table, string
 * (without string.dump; string.rep capped; callable as typed Lua's cast `string(x)`, with the
 * type values `integer`, `number`, `boolean`: typecasts.ts; `__wt`, the constructors of the runtime
 * type values that `type` declarations build: typevalues.ts), math (random seeded per state), utf8, and a safe `os`
 * (time, clock, date, difftime reading the execution's clock); `table.create` as Wippy's Lua has it. Absent: io, package, debug,
 * os.execute/exit/getenv/remove/rename/tmpname, require of files (host-modules.ts provides `require`).
 * Invariants: nothing here reaches the file system, the process or another state; every clock
 * or random value comes from the execution's Services or the state's own generator.
 */
import { lua, lauxlib, lualib, luaconf, lstr, LuaState, LuaFn, raise, setFuncs, describe, pushLazyModule } from './vm';
import { HOST_YIELD } from './task';
import { compile, loadChunk } from './chunks';
import type { Services } from './services';
import { testError } from './errorvalue';
import { addStringCast, pushTypeValue } from './typecasts';
import { openTypeConstructors, primitiveIs } from './typevalues';

/** Largest string a script may build (bytes): string.rep, `..`, table.concat, gsub, format. */
export const MAX_STRING = 64 * 1024 * 1024;
// `..` and every luaL_Buffer (table.concat, gsub, format...) check this before allocating
// (patches/fengari+0.1.5.patch): a doubling loop would reach gigabytes before the memory hook runs.
luaconf.LUAI_MAXSTRLEN = MAX_STRING;

const PRELUDE = `
local SENTINEL, co = ...
local raw_create, raw_resume, raw_yield, raw_status = co.create, co.resume, co.yield, co.status
local pack, unpack, error = table.pack, table.unpack, error
-- A coroutine that waits on the host yields SENTINEL; pass that wait up to our own resumer and
-- hand the answer back down, so that blocking calls work inside user coroutines.
local function forward(co, r)
  while r[1] and r[2] == SENTINEL and raw_status(co) == "suspended" do
    r = pack(raw_resume(co, raw_yield(SENTINEL)))
  end
  return r
end
co.resume = function(c, ...)
  local r = forward(c, pack(raw_resume(c, ...)))
  return unpack(r, 1, r.n)
end
co.wrap = function(f)
  local c = raw_create(f)
  return function(...)
    local r = forward(c, pack(raw_resume(c, ...)))
    if r[1] then return unpack(r, 2, r.n) end
    error(r[2], 0)
  end
end
`;

export interface SandboxHooks {
  services(): Services;
  random: RandomSource;
  /** coroutine.spawn (the host owns the tasks). */
  spawn: LuaFn;
  /** coroutine.running handed this thread to the script: the host must never reuse it. */
  exposeThread(thread: LuaState): void;
  /** More globals to open on first use (the global modules: errors, channel, process). */
  lazyGlobals: Record<string, (L: LuaState) => void>;
}

/** xoshiro128** — a small, fast generator with per-state seed (math.randomseed is per state). */
export class RandomSource {
  private s = new Uint32Array(4);
  constructor(seed: number) { this.seed(seed); }
  seed(seed: number): void {
    // splitmix32 to fill the state from one number
    let x = (seed >>> 0) ^ Math.floor(seed / 4294967296);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  /** A float in [0, 1). */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 11);
    return result / 4294967296;
  }
}
function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

/**
 * A standard library's functions by name, taken once from a scratch state. Base, string and os
 * functions are plain JS functions (no upvalues), so every state can push the same ones.
 */
function libraryFunctions(name: string, open: LuaFn): ReadonlyMap<string, LuaFn> {
  const L = lauxlib.luaL_newstate() as LuaState;
  lauxlib.luaL_requiref(L, lstr(name), open, 1);
  const out = new Map<string, LuaFn>();
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2) !== 0) {
    if (lua.lua_type(L, -2) === lua.LUA_TSTRING && lua.lua_iscfunction(L, -1)) {
      out.set(lua.lua_tojsstring(L, -2), lua.lua_tocfunction(L, -1) as LuaFn);
    }
    lua.lua_pop(L, 1);
  }
  return out;
}

const SUBJECT_FUNCTIONS = new Set(['byte', 'find', 'gmatch', 'gsub', 'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper']);
const BASE_FUNCTIONS = libraryFunctions('_G', lualib.luaopen_base);
const STRING_FUNCTIONS = libraryFunctions('string', lualib.luaopen_string);

/**
 * `string` as the sandbox has it: no string.dump, string.rep capped, and an error value as the
 * subject string reads as its text (Wippy's errors are strings to its string library:
 * `string.find(err, "not found")`).
 */
const SANDBOX_STRING: Record<string, LuaFn> = (() => {
  const o: Record<string, LuaFn> = {};
  for (const [name, f] of STRING_FUNCTIONS) if (name !== 'dump') o[name] = SUBJECT_FUNCTIONS.has(name) ? errorAsSubject(f) : f;
  const rep = o.rep;
  o.rep = (L) => cappedRep(L, rep);
  o.is = primitiveIs('string'); // `string:is(v)`, as every type value has (typevalues.ts)
  return o;
})();

/** The string functions whose first argument is the string they work on. */
function errorAsSubject(f: LuaFn): LuaFn {
  return (L) => {
    if (lua.lua_type(L, 1) === lua.LUA_TUSERDATA && testError(L, 1)) {
      lauxlib.luaL_tolstring(L, 1);
      lua.lua_replace(L, 1);
    }
    return f(L);
  };
}

/** Base functions that the sandbox leaves out. */
const BASE_REMOVED = new Set(['dofile', 'loadfile']);

function baseFunction(name: string): LuaFn {
  const f = BASE_FUNCTIONS.get(name);
  if (!f) throw new Error(`fengari's base library has no ${name}`);
  return f;
}

type Opener = ((L: LuaState) => void) | undefined;

/**
 * `table.create(narray [, nhash])` (Wippy's Lua): a new empty table, sized for that many array
 * and hash slots (a hint only, as lua_createtable; capped so a hint cannot allocate much).
 */
const tableCreate: LuaFn = (L) => {
  const hint = (arg: number): number => {
    const n = lua.lua_isnoneornil(L, arg) ? 0 : lauxlib.luaL_checkinteger(L, arg);
    if (n < 0) lauxlib.luaL_argerror(L, arg, lstr('size must not be negative'));
    return Math.min(n, 1024);
  };
  lua.lua_createtable(L, hint(1), hint(2));
  return 1;
};

/**
 * Openers every state shares (they need nothing of the state's own): the base functions, `load`
 * made text-only (no precompiled chunks from user code), table and utf8. A state's own openers
 * object has this as its prototype, so a new state allocates no closure for them.
 */
const SHARED_OPENERS: Record<string, Opener> = (() => {
  const o: Record<string, Opener> = Object.create(null);
  for (const name of BASE_FUNCTIONS.keys()) {
    if (BASE_REMOVED.has(name)) continue;
    const f = BASE_FUNCTIONS.get(name)!;
    o[name] = (L1) => lua.lua_pushcfunction(L1, f);
  }
  o.load = (L1) => { lua.lua_pushcfunction(L1, baseFunction('load')); lua.lua_pushjsclosure(L1, textOnlyLoad, 1); };
  o.table = (L1) => { lualib.luaopen_table(L1); setFuncs(L1, { create: tableCreate }); };
  o.utf8 = (L1) => { lualib.luaopen_utf8(L1); };
  // Typed Lua's type values, called to cast: `integer(x)` (typecasts.ts).
  o.integer = (L1) => pushTypeValue(L1, 'integer');
  o.number = (L1) => pushTypeValue(L1, 'number');
  o.boolean = (L1) => pushTypeValue(L1, 'boolean');
  // What `type T = ...` declarations call to build their runtime values (typevalue-emit.ts).
  o.__wt = (L1) => openTypeConstructors(L1);
  return o;
})();

/**
 * Open the sandboxed libraries into L. Creating a Fengari state is dominated by filling tables,
 * and a workflow is a new state, so: `_G._G`, `_VERSION` and `string` (an empty table whose
 * functions are put in place on first read, vm.ts pushLazyModule; strings' metatable is the usual
 * {__index = string}) are set at once; every base function, other library and global module is
 * put in place the first time a script reads its global name (a metatable on _G). The laziness
 * never shows: whatever inspects _G itself (pairs, next, rawget, getmetatable, setmetatable on
 * _G) first opens everything and removes that metatable, leaving a plain _G.
 */
export function openSandbox(L: LuaState, hooks: SandboxHooks): void {
  lua.lua_pushglobaltable(L);
  lua.lua_pushvalue(L, -1);
  lua.lua_setfield(L, -2, lstr('_G'));
  lua.lua_pushliteral(L, lua.LUA_VERSION);
  lua.lua_setfield(L, -2, lstr('_VERSION'));
  pushLazyModule(L, SANDBOX_STRING);
  addStringCast(L); // typed Lua's `string(x)`
  lua.lua_pushliteral(L, '');
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushvalue(L, -3);
  lua.lua_setfield(L, -2, lstr('__index'));
  lua.lua_setmetatable(L, -2);
  lua.lua_pop(L, 1);
  lua.lua_setfield(L, -2, lstr('string'));
  lua.lua_pop(L, 1);

  const lazy: Record<string, Opener> = Object.create(SHARED_OPENERS);
  lazy.print = (L1) => lua.lua_pushjsfunction(L1, (L2: LuaState) => {
    const n = lua.lua_gettop(L2);
    const parts: string[] = [];
    for (let i = 1; i <= n; i++) parts.push(describe(L2, i));
    hooks.services().print(parts.join('\t'));
    return 0;
  });
  Object.assign(lazy, {
    math: (L1: LuaState) => {
      lualib.luaopen_math(L1);
      setFuncs(L1, {
        random: (L2) => mathRandom(L2, hooks.random),
        randomseed: (L2) => { hooks.random.seed(lauxlib.luaL_checknumber(L2, 1)); return 0; },
      });
    },
    os: (L1: LuaState) => pushSafeOs(L1, hooks),
    coroutine: (L1: LuaState) => {
      lualib.luaopen_coroutine(L1);
      lua.lua_getfield(L1, -1, lstr('running'));
      const running = lua.lua_tocfunction(L1, -1) as LuaFn;
      lua.lua_pop(L1, 1);
      setFuncs(L1, {
        spawn: hooks.spawn,
        running: (L2) => {
          const n = running(L2);
          hooks.exposeThread(lua.lua_tothread(L2, -n) as LuaState);
          return n;
        },
      });
      // coroutine.resume / wrap that forward host waits (the prelude patches the table).
      loadChunk(L1, compile(PRELUDE, 'prelude')); // parsed once per process
      lua.lua_pushlightuserdata(L1, HOST_YIELD);
      lua.lua_pushvalue(L1, -3);
      lua.lua_call(L1, 2, 0);
    },
  }, hooks.lazyGlobals);
  installLazyGlobals(L, lazy);
}

/**
 * _G's metatable: the first read of a lazy global opens it and stores it as a plain global. An
 * opened or assigned name is shadowed by `undefined` in the state's own openers, so a global the
 * script sets to nil stays nil.
 */
function installLazyGlobals(L: LuaState, lazy: Record<string, Opener>): void {
  const open = (L1: LuaState, name: string): void => {
    const opener = lazy[name]!;
    lazy[name] = undefined;
    opener(L1);
    lua.lua_pushvalue(L1, -1);
    lua.lua_setglobal(L1, lstr(name));
  };
  const index: LuaFn = (L1) => {
    const k = lua.lua_type(L1, 2) === lua.LUA_TSTRING ? lua.lua_tojsstring(L1, 2) : null;
    if (k === null || lazy[k] === undefined) return 0;
    open(L1, k);
    return 1;
  };
  // Assigning a global that was never read (`print = nil`) must not let the first read revive it.
  const newindex: LuaFn = (L1) => {
    if (lua.lua_type(L1, 2) === lua.LUA_TSTRING) {
      const k = lua.lua_tojsstring(L1, 2);
      if (lazy[k] !== undefined) lazy[k] = undefined;
    }
    lua.lua_settop(L1, 3);
    lua.lua_rawset(L1, 1);
    return 0;
  };
  lua.lua_pushglobaltable(L);
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushjsfunction(L, index);
  lua.lua_setfield(L, -2, lstr('__index'));
  lua.lua_pushjsfunction(L, newindex);
  lua.lua_setfield(L, -2, lstr('__newindex'));
  lua.lua_setmetatable(L, -2);
  lua.lua_pop(L, 1);
  // Whatever looks at _G itself sees a plain, complete table: open everything, drop our metatable.
  let materialized = false;
  const materialize = (L1: LuaState): void => {
    if (materialized) return;
    materialized = true;
    // for-in: the shared (inherited) openers too
    for (const name in lazy) { if (lazy[name] !== undefined) { open(L1, name); lua.lua_pop(L1, 1); } }
    lua.lua_pushglobaltable(L1);
    lua.lua_pushnil(L1);
    lua.lua_setmetatable(L1, -2);
    lua.lua_pop(L1, 1);
  };
  for (const name of ['setmetatable', 'getmetatable', 'pairs', 'next', 'rawget']) {
    const f = baseFunction(name);
    lazy[name] = (L0) => lua.lua_pushjsfunction(L0, (L1: LuaState) => {
      if (!materialized) {
        lua.lua_pushglobaltable(L1);
        const isG = lua.lua_rawequal(L1, 1, -1);
        lua.lua_pop(L1, 1);
        if (isG) materialize(L1);
      }
      return f(L1);
    });
  }
}

const textOnlyLoad: LuaFn = (L) => {
  // load(chunk [, chunkname [, mode [, env]]]) with mode forced to "t".
  const n = lua.lua_gettop(L);
  const mode = n >= 3 && !lua.lua_isnil(L, 3) ? lua.lua_tojsstring(L, 3) : 't';
  if (mode !== 't') return raise(L, 'load: only text chunks are allowed (binary chunks are disabled in the sandbox)');
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_pushvalue(L, 1);
  if (n >= 2) lua.lua_pushvalue(L, 2); else lua.lua_pushnil(L);
  lua.lua_pushliteral(L, 't');
  if (n >= 4) { lua.lua_pushvalue(L, 4); lua.lua_call(L, 4, lua.LUA_MULTRET); } else lua.lua_call(L, 3, lua.LUA_MULTRET);
  return lua.lua_gettop(L) - n;
};

/** string.rep, refusing a result past MAX_STRING before the original builds it. */
function cappedRep(L: LuaState, rep: LuaFn): number {
  const len = lauxlib.luaL_checklstring(L, 1).length;
  const count = lauxlib.luaL_checkinteger(L, 2);
  const sepLen = lua.lua_isnoneornil(L, 3) ? 0 : lauxlib.luaL_checklstring(L, 3).length;
  if (count > 0 && (len + sepLen) * count > MAX_STRING) {
    raise(L, `string.rep: result would be ${(len + sepLen) * count} bytes, more than the ${MAX_STRING}-byte limit`);
  }
  return rep(L);
}

function mathRandom(L: LuaState, rng: RandomSource): number {
  const r = rng.next();
  const n = lua.lua_gettop(L);
  if (n === 0) { lua.lua_pushnumber(L, r); return 1; }
  let low = 1;
  let up: number;
  if (n === 1) up = lauxlib.luaL_checkinteger(L, 1);
  else if (n === 2) { low = lauxlib.luaL_checkinteger(L, 1); up = lauxlib.luaL_checkinteger(L, 2); }
  else return raise(L, 'wrong number of arguments to math.random');
  lauxlib.luaL_argcheck(L, low <= up, n, lstr('interval is empty'));
  lua.lua_pushinteger(L, low + Math.floor(r * (up - low + 1)));
  return 1;
}

/**
 * Fengari's os functions, called directly from our wrappers (never through lua_call): a function
 * reached by lua_call has no name in the call info, so its argument errors read "bad argument #1
 * to '?'"; run inside the wrapper's frame they name 'date' / 'time' as Lua does.
 */
const OS_FUNCTIONS = libraryFunctions('os', lualib.luaopen_os);
const OS_DATE = OS_FUNCTIONS.get('date')!;
const OS_TIME = OS_FUNCTIONS.get('time')!;

function pushSafeOs(L: LuaState, hooks: SandboxHooks): void {
  // Borrow fengari's os.date/os.time/os.difftime for formatting and table conversion, but never
  // let them read the host clock: the current time always comes from Services.
  lua.lua_createtable(L, 0, 4);
  lua.lua_pushjsfunction(L, (L1: LuaState) => {
    lua.lua_settop(L1, 2);
    if (lua.lua_isnil(L1, 2)) { lua.lua_pushinteger(L1, Math.floor(hooks.services().now() / 1000)); lua.lua_replace(L1, 2); }
    if (lua.lua_isnil(L1, 1)) { lua.lua_pushliteral(L1, '%c'); lua.lua_replace(L1, 1); }
    const fmt = lauxlib.luaL_checklstring(L1, 1) as Uint8Array;
    if (fmt[0] === 33 /* ! */) {
      // fengari formats '!' (UTC) in local time and keeps the '!': strip it and shift the time.
      const t = lauxlib.luaL_checknumber(L1, 2);
      lua.lua_pushstring(L1, fmt.subarray(1));
      lua.lua_replace(L1, 1);
      lua.lua_pushnumber(L1, t + new Date(t * 1000).getTimezoneOffset() * 60);
      lua.lua_replace(L1, 2);
    }
    return OS_DATE(L1);
  });
  lua.lua_setfield(L, -2, lstr('date'));
  lua.lua_pushjsfunction(L, (L1: LuaState) => {
    if (lua.lua_isnoneornil(L1, 1)) { lua.lua_pushinteger(L1, Math.floor(hooks.services().now() / 1000)); return 1; }
    lua.lua_settop(L1, 1);
    return OS_TIME(L1);
  });
  lua.lua_setfield(L, -2, lstr('time'));
  lua.lua_pushjsfunction(L, OS_FUNCTIONS.get('difftime')!);
  lua.lua_setfield(L, -2, lstr('difftime'));
  lua.lua_pushjsfunction(L, (L1: LuaState) => { lua.lua_pushnumber(L1, hooks.services().clock()); return 1; });
  lua.lua_setfield(L, -2, lstr('clock'));
  // Wippy's os table names its platform (the os suite checks `os.platform == "wippy"`).
  lua.lua_pushliteral(L, 'wippy');
  lua.lua_setfield(L, -2, lstr('platform'));
}
