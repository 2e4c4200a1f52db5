/**
 * The sandboxed standard library every Lua state gets.
 *
 * Owns: which parts of Lua's standard library exist. Opened: base (without dofile/loadfile, with a
 * text-only `load`), coroutine (resume/wrap forward host waits, see task.ts), table, string
 * (without string.dump; string.rep capped), math (random seeded per state), utf8, and a safe `os`
 * (time, clock, date, difftime reading the execution's clock). Absent: io, package, debug,
 * os.execute/exit/getenv/remove/rename/tmpname, require of files (host.ts provides `require`).
 * Invariants: nothing here reaches the file system, the process or another state; every clock
 * or random value comes from the execution's Services or the state's own generator.
 */
import { lua, lauxlib, lualib, lstr, LuaState, LuaFn, raise, setFuncs, describe } from './vm';
import { HOST_YIELD } from './task';
import { compile, loadChunk } from './chunks';
import type { Services } from '../services';

/** Largest string that string.rep / table.concat may build (bytes). */
export const MAX_STRING = 64 * 1024 * 1024;

const PRELUDE = `
local SENTINEL, raw_create, raw_resume, raw_yield, raw_status = ...
local pack, unpack, error = table.pack, table.unpack, error
-- A coroutine that waits on the host yields SENTINEL; pass that wait up to our own resumer and
-- hand the answer back down, so that blocking calls work inside user coroutines.
local function forward(co, r)
  while r[1] and r[2] == SENTINEL and raw_status(co) == "suspended" do
    r = pack(raw_resume(co, raw_yield(SENTINEL)))
  end
  return r
end
coroutine.resume = function(co, ...)
  local r = forward(co, pack(raw_resume(co, ...)))
  return unpack(r, 1, r.n)
end
coroutine.wrap = function(f)
  local co = raw_create(f)
  return function(...)
    local r = forward(co, pack(raw_resume(co, ...)))
    if r[1] then return unpack(r, 2, r.n) end
    error(r[2], 0)
  end
end
`;

export interface SandboxHooks {
  services(): Services;
  random: RandomSource;
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

function openLib(L: LuaState, name: string, open: LuaFn): void {
  lauxlib.luaL_requiref(L, lstr(name), open, 1);
  lua.lua_pop(L, 1);
}

function removeFields(L: LuaState, table: string, names: string[]): void {
  lua.lua_getglobal(L, lstr(table));
  for (const n of names) { lua.lua_pushnil(L); lua.lua_setfield(L, -2, lstr(n)); }
  lua.lua_pop(L, 1);
}

/** Open the sandboxed libraries into L. */
export function openSandbox(L: LuaState, hooks: SandboxHooks): void {
  openLib(L, '_G', lualib.luaopen_base);
  openLib(L, 'coroutine', lualib.luaopen_coroutine);
  openLib(L, 'table', lualib.luaopen_table);
  openLib(L, 'string', lualib.luaopen_string);
  openLib(L, 'math', lualib.luaopen_math);
  openLib(L, 'utf8', lualib.luaopen_utf8);

  // base: no file access; load is text-only (no precompiled chunks from user code).
  for (const n of ['dofile', 'loadfile']) { lua.lua_pushnil(L); lua.lua_setglobal(L, lstr(n)); }
  lua.lua_getglobal(L, lstr('load'));
  lua.lua_pushjsclosure(L, textOnlyLoad, 1);
  lua.lua_setglobal(L, lstr('load'));
  lua.lua_pushjsfunction(L, (L1: LuaState) => {
    const n = lua.lua_gettop(L1);
    const parts: string[] = [];
    for (let i = 1; i <= n; i++) parts.push(describe(L1, i));
    hooks.services().print(parts.join('\t'));
    return 0;
  });
  lua.lua_setglobal(L, lstr('print'));

  removeFields(L, 'string', ['dump']);
  lua.lua_getglobal(L, lstr('string'));
  lua.lua_getfield(L, -1, lstr('rep'));
  lua.lua_pushjsclosure(L, cappedRep, 1);
  lua.lua_setfield(L, -2, lstr('rep'));
  lua.lua_pop(L, 1);

  lua.lua_getglobal(L, lstr('math'));
  setFuncs(L, {
    random: (L1) => mathRandom(L1, hooks.random),
    randomseed: (L1) => { hooks.random.seed(lauxlib.luaL_checknumber(L1, 1)); return 0; },
  });
  lua.lua_pop(L, 1);

  openSafeOs(L, hooks);

  // coroutine.resume / wrap that forward host waits.
  loadChunk(L, compile(PRELUDE, 'prelude')); // precompiled once per process, loaded as bytecode
  lua.lua_pushlightuserdata(L, HOST_YIELD);
  lua.lua_getglobal(L, lstr('coroutine'));
  const co = lua.lua_gettop(L);
  for (const f of ['create', 'resume', 'yield', 'status']) lua.lua_getfield(L, co, lstr(f));
  lua.lua_remove(L, co);
  lua.lua_call(L, 5, 0);
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

const cappedRep: LuaFn = (L) => {
  const len = lauxlib.luaL_checklstring(L, 1).length;
  const count = lauxlib.luaL_checkinteger(L, 2);
  const sepLen = lua.lua_isnoneornil(L, 3) ? 0 : lauxlib.luaL_checklstring(L, 3).length;
  if (count > 0 && (len + sepLen) * count > MAX_STRING) {
    raise(L, `string.rep: result would be ${(len + sepLen) * count} bytes, more than the ${MAX_STRING}-byte limit`);
  }
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_insert(L, 1);
  lua.lua_call(L, lua.lua_gettop(L) - 1, 1);
  return 1;
};

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

function openSafeOs(L: LuaState, hooks: SandboxHooks): void {
  // Borrow fengari's os.date/os.time/os.difftime for formatting and table conversion, but never
  // let them read the host clock: the current time always comes from Services.
  lualib.luaopen_os(L);
  const native = lua.lua_gettop(L);
  lua.lua_createtable(L, 0, 4);
  lua.lua_getfield(L, native, lstr('date'));
  lua.lua_pushjsclosure(L, (L1: LuaState) => {
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
    lua.lua_pushvalue(L1, lua.lua_upvalueindex(1));
    lua.lua_insert(L1, 1);
    lua.lua_call(L1, 2, 1);
    return 1;
  }, 1);
  lua.lua_setfield(L, -2, lstr('date'));
  lua.lua_getfield(L, native, lstr('time'));
  lua.lua_pushjsclosure(L, (L1: LuaState) => {
    if (lua.lua_isnoneornil(L1, 1)) { lua.lua_pushinteger(L1, Math.floor(hooks.services().now() / 1000)); return 1; }
    lua.lua_settop(L1, 1);
    lua.lua_pushvalue(L1, lua.lua_upvalueindex(1));
    lua.lua_insert(L1, 1);
    lua.lua_call(L1, 1, 1);
    return 1;
  }, 1);
  lua.lua_setfield(L, -2, lstr('time'));
  lua.lua_getfield(L, native, lstr('difftime'));
  lua.lua_setfield(L, -2, lstr('difftime'));
  lua.lua_pushjsfunction(L, (L1: LuaState) => { lua.lua_pushnumber(L1, hooks.services().clock()); return 1; });
  lua.lua_setfield(L, -2, lstr('clock'));
  lua.lua_setglobal(L, lstr('os'));
  lua.lua_settop(L, native - 1);
}
