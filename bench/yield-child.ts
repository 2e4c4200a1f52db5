/**
 * Child process of bench/yield.ts: times a Fengari coroutine yield/resume round trip through a
 * JS binding (what every durable step does once), with V8's flags as given on the command line.
 * It loads Fengari directly (not lua/vm.ts, which sets --no-sparkplug itself).
 * Prints one JSON line: {"usPerRoundTrip": n}.
 */
import { lua, lauxlib, lualib, to_luastring } from 'fengari';

const ROUNDS = 6;
const YIELDS = 200_000;

function runner(): (n: number) => number {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  lua.lua_pushjsfunction(L, (L1: unknown) => lua.lua_yield(L1, 0));
  lua.lua_setglobal(L, to_luastring('y'));
  lauxlib.luaL_loadstring(L, to_luastring('return function(n) local s = 0 for i = 1, n do y() s = s + i end return s end'));
  lua.lua_call(L, 0, 1);
  const fn = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  return (n) => {
    const T = lua.lua_newthread(L);
    lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, fn);
    lua.lua_pushinteger(T, n);
    let st = lua.lua_resume(T, null, 1);
    let k = 0;
    while (st === lua.LUA_YIELD) { st = lua.lua_resume(T, null, 0); k++; }
    lua.lua_pop(L, 1);
    return k;
  };
}

const run = runner();
const samples: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const c0 = process.cpuUsage();
  if (run(YIELDS) !== YIELDS) throw new Error('yield count mismatch');
  const c = process.cpuUsage(c0);
  samples.push((c.user + c.system) / YIELDS);
}
// Later rounds: the interpreter loop is warm (and, with Sparkplug on, baseline-compiled).
const warm = samples.slice(2).sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ usPerRoundTrip: warm[Math.floor(warm.length / 2)] })}\n`);
