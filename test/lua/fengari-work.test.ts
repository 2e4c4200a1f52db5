/**
 * The charged-work patches in patches/fengari+0.1.5.patch (node_modules/fengari/src/lstate.js
 * luaE_charge explains them), tested on bare Fengari states with a tiny meter like the host's
 * (lua/budget.ts): a count hook that counts instructions, a work hook that takes the
 * charged work, and an error once the total passes a limit. Stock Fengari has no work hook: the
 * tests that need it say so at once (without the patches each of their snippets runs for seconds
 * to forever, as the count hook alone never sees the work inside one call); the others run on the
 * count hook alone and fail there for what they test.
 * - library calls charge their loops and are stopped inside the call;
 * - the VM's own work (long strings compared, hashed, concatenated, converted; calls) is charged
 *   before the next instruction;
 * - raising and catching an error is charged, a JS exception too;
 * - an xpcall message handler runs under the hooks;
 * - string.rep of an empty string does no work; table.sort does not depend on Math.random;
 * - strings are converted to numbers by scanning their bytes, and a string longer than 200 bytes
 *   is not a number.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { lua, lauxlib, lualib, to_luastring, to_jsstring } from 'fengari';

const INTERVAL = 1000;

interface Metered {
  L: unknown; used: number; hooks: number;
  run(code: string): { ok: boolean; value: string };
  /** A global's value, read without running Lua (the meter stays stopped). */
  global(name: string): number;
}

/** The work hook API (patched Fengari only). */
function requireWorkApi(): void {
  assert.equal(typeof lua.lua_setworkhook, 'function', 'Fengari has no work hook (patches/fengari+0.1.5.patch not applied)');
}

const takeWork = (L: unknown): number => (lua.lua_takework ? lua.lua_takework(L) : 0);

/** A state with a meter that raises "over budget" once `limit` units have been used. */
function metered(limit: number, onHook: () => void = () => {}): Metered {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const m: Metered = {
    L, used: 0, hooks: 0,
    run(code) {
      const st = lauxlib.luaL_dostring(L, to_luastring(code));
      const value = lua.lua_isstring(L, -1) ? to_jsstring(lua.lua_tolstring(L, -1)) : lua.lua_typename(L, lua.lua_type(L, -1));
      lua.lua_settop(L, 0);
      return { ok: st === lua.LUA_OK, value: String(value) };
    },
    global(name) {
      lua.lua_getglobal(L, to_luastring(name));
      const v = lua.lua_tonumber(L, -1);
      lua.lua_pop(L, 1);
      return v;
    },
  };
  const account = (L1: unknown, instructions: number): void => {
    m.hooks++;
    onHook();
    m.used += instructions + takeWork(L1);
    const setQuota = (q: number) => { if (lua.lua_setworkquota) lua.lua_setworkquota(L1, q); };
    if (m.used > limit) {
      setQuota(-1);
      lua.lua_sethook(L1, countHook, lua.LUA_MASKCOUNT, 1);
      lauxlib.luaL_error(L1, to_luastring('over budget'));
    }
    setQuota(Math.min(limit - m.used, 10_000));
  };
  const countHook = (L1: unknown) => account(L1, INTERVAL);
  if (lua.lua_setworkhook) {
    lua.lua_setworkhook(L, (L1: unknown) => account(L1, 0));
    lua.lua_setworkquota(L, 10_000);
  }
  lua.lua_sethook(L, countHook, lua.LUA_MASKCOUNT, INTERVAL);
  return m;
}

test('library calls charge the work of their loops and are stopped inside the call', () => {
  requireWorkApi();
  // Each is one call that runs for seconds to forever unmetered; 2M units stop it inside.
  const calls: Record<string, string> = {
    find: 'string.find(string.rep("a", 3000), string.rep("a*", 6) .. "b")',
    match: 'string.match(string.rep("a", 3000), string.rep("a*", 6) .. "b")',
    gmatch: 'string.gmatch(string.rep("a", 3000), string.rep("a*", 6) .. "b")()',
    gsub: 'string.gsub(string.rep("a", 3000), string.rep("a*", 6) .. "b", "")',
    plainfind: 'string.find(string.rep("a", 3000000), string.rep("a", 1000) .. "b", 1, true)',
    balance: 'string.find(string.rep("(", 300000), "%b()")',
    rep: 'string.rep("ab", 30000000)',
    move: 'table.move({}, 1, 2147483646, 2)',
    insert: 'local t = {} for i = 1, 100 do t[i] = i end; for i = 1, 1e9 do table.insert(t, 1, 0) end',
    concat: 'local t = {} for i = 1, 300000 do t[i] = "x" end; table.concat(t, ",")',
    sort: 'local t = {} for i = 1, 300000 do t[i] = (i * 7919) % 1000003 end; table.sort(t)',
    format: 'string.format(string.rep("%d", 200000), table.unpack((function() local a = {} for i = 1, 200000 do a[i] = i end return a end)()))',
    utf8len: 'utf8.len(string.rep("\\u{e9}", 3000000))',
    utf8char: 'utf8.char(table.unpack((function() local a = {} for i = 1, 200000 do a[i] = 233 end return a end)()))',
    osdate: 'os.date(string.rep("%c", 100000), 0)',
    upper: 'string.upper(string.rep("a", 30000000))',
    byte: 'string.byte(string.rep("a", 900000), 1, -1)',
    tonumber: 'tonumber(string.rep("1", 30000000), 2)',
    load: 'load(string.rep("x = 1 ", 1000000))',
  };
  for (const [name, call] of Object.entries(calls)) {
    const m = metered(2_000_000);
    const r = m.run(`${call}\nreturn "finished"`);
    assert.equal(r.ok, false, `${name}: ${r.value}`);
    assert.match(r.value, /over budget/, name);
    assert.ok(m.used > 2_000_000, `${name}: charged ${m.used}`);
  }
});

test('the VM charges long strings compared, hashed, concatenated and converted, and calls, before the next instruction', () => {
  requireWorkApi();
  // With instructions alone each loop would run ~100,000 iterations before 1M units.
  const loops: Record<string, string> = {
    equal: 'local a, b = string.rep(s, 1e5), string.rep(s, 1e5) while true do n = n + (a == b and 1 or 0) end',
    less: 'local a, b = string.rep(s, 1e5), string.rep(s, 1e5) while true do n = n + (a < b and 0 or 1) end',
    key: 'local a = string.rep(s, 1e5) local t = {} while true do t[a .. n] = true n = n + 1 end',
    concat: 'local a = string.rep(s, 1e5) while true do local x = a .. "b" n = n + 1 end',
    rawequal: 'local a, b = string.rep(s, 1e5), string.rep(s, 1e5) while true do n = n + (rawequal(a, b) and 1 or 0) end',
    convert: 'local s = string.rep(" ", 190) .. "1" while true do n = n + s end',
  };
  for (const [name, loop] of Object.entries(loops)) {
    const m = metered(1_000_000);
    const r = m.run(`n = 0 local s = "abcdefghij"\n${loop}`);
    assert.match(r.value, /over budget/, name);
    const n = m.global('n');
    assert.ok(n > 0 && n < 10_000, `${name}: ${n} iterations before the stop`);
  }
  const m = metered(1e12);
  m.run('local function f() end for i = 1, 1000 do f() end');
  assert.ok(m.used + takeWork(m.L) >= 1000 * 8, 'a call is charged 8 units');
});

test('raising and catching an error is charged, a JS exception turned into a Lua error too', () => {
  requireWorkApi();
  const m = metered(1_000_000);
  assert.match(m.run('n = 0 while true do pcall(error, "x") n = n + 1 end').value, /over budget/);
  assert.ok(m.global('n') < 5000, `error() under pcall costs about 200 units (${m.global('n')} iterations)`);
  const j = metered(1_000_000);
  lua.lua_atnativeerror(j.L, (L1: unknown) => { lua.lua_pushstring(L1, to_luastring('native')); return 1; });
  lua.lua_pushjsfunction(j.L, () => { throw new Error('js'); });
  lua.lua_setglobal(j.L, to_luastring('throws'));
  assert.match(j.run('n = 0 while true do pcall(throws) n = n + 1 end').value, /over budget/);
  assert.ok(j.global('n') < 1000, `a JS exception costs about 1000 units (${j.global('n')} iterations)`);
});

test('an xpcall message handler runs under the hooks, even for an error a hook raised', () => {
  // Unpatched, hooks are off in the handler of an error raised by a hook: it ran its loop to the
  // end (and a `while true do end` there forever). Patched, the stopped meter stops it at once.
  let handlerEnded = 0;
  const m = metered(100_000);
  lua.lua_pushjsfunction(m.L, () => { handlerEnded++; return 0; });
  lua.lua_setglobal(m.L, to_luastring('ended'));
  const r = m.run('return select(2, xpcall(function() while true do end end, function(e) for i = 1, 1e6 do end ended() return e end))');
  assert.equal(handlerEnded, 0, 'the handler was stopped before the end of its loop');
  assert.equal(r.ok, false);
  assert.match(r.value, /over budget|error in error handling/);
  // A handler of an ordinary error runs under the hooks too (it always did) and is metered.
  const h = metered(100_000);
  assert.match(h.run('xpcall(error, function(e) while true do end end)\nreturn "swallowed"').value, /over budget|error in error handling/);
});

test('string.rep of an empty string (or with an empty separator) does no work', () => {
  requireWorkApi();
  const m = metered(1e12);
  assert.equal(m.run('return #string.rep("", 2147483647) + #string.rep("", 2147483647, "")').value, '0');
  assert.ok(m.used + takeWork(m.L) < 1000);
});

test('table.sort gives the same order and does the same work whatever Math.random returns', () => {
  const sortWith = (r: number): string => {
    const random = Math.random;
    Math.random = () => r;
    try {
      const m = metered(1e12);
      return m.run(`local t = {}
        for i = 1, 2000 do t[i] = {k = (i <= 1000) and i or (2001 - i), id = i} end
        local calls = 0
        table.sort(t, function(a, b) calls = calls + 1 return a.k < b.k end)
        local ids = {} for i = 1, 2000 do ids[i] = t[i].id end
        return calls .. ":" .. table.concat(ids, ",")`).value;
    } finally {
      Math.random = random;
    }
  };
  assert.equal(sortWith(0.1), sortWith(0.9));
});

test('strings become numbers by their bytes, as before; longer than 200 bytes they are not numbers', () => {
  const m = metered(1e12);
  const cases: Array<[string, string]> = [
    ['"1"', '1'], ['" 1.5 "', '1.5'], ['"-.5"', '-0.5'], ['"5."', '5.0'], ['"."', 'nil'], ['"1e10"', '10000000000.0'],
    ['"1e"', 'nil'], ['"  +3.25e-2\\t"', '0.0325'], ['"0x10"', '16'], ['"1.5x"', 'nil'], ['"nan"', 'nil'],
    ['"1 2"', 'nil'], ['"\\u{e9}1"', 'nil'], ['"1.5\\0"', 'nil'],
    ['string.rep(" ", 190) .. "1"', '1'], ['string.rep(" ", 300) .. "1"', 'nil'], ['string.rep("0", 250) .. "1"', 'nil'],
  ];
  for (const [expr, want] of cases) {
    assert.equal(m.run(`return tostring(tonumber(${expr}))`).value, want, expr);
  }
  assert.match(m.run(`return (string.rep(" ", 300) .. "1") + 0`).value, /attempt to perform arithmetic on a string value/);
});
