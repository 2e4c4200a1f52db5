/**
 * `channel` (global): Go-style channels between the coroutines of one execution
 * (lua/channel.ts has the semantics; `coroutine.spawn` is in lua/sandbox.ts).
 *
 * Lua API: `channel.new(size?)`, `ch:send(v) -> true` (raises on a closed channel),
 * `ch:receive() -> v, ok`, `ch:close()`, `ch:case_send(v)`, `ch:case_receive()`,
 * `channel.select{cases..., default=true?} -> {channel, value, ok}` or `{default=true, ok=true}`.
 * The channel value and its methods are lua/channelvalue.ts (shared with `process` and `time`).
 * Invariants: a select waits only when no case is ready and there is no default; it suspends
 * only the calling task.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, raise, Channel, Item, SelectCase, trySelect,
  waitSelect, SelectOutcome, hostOf, suspend, pushChannel, pushNil, testCase, ensureChannelType
} from '../lua/api';

/** channel.select{case1, case2, ..., default = true} */
const select: LuaFn = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const cases: SelectCase[] = [];
  const n = lua.lua_rawlen(L, 1);
  for (let i = 1; i <= n; i++) {
    lua.lua_rawgeti(L, 1, i);
    const c = testCase(L, -1);
    if (!c) raise(L, `channel.select: case ${i} is not a channel case (use ch:case_receive() or ch:case_send(v))`);
    cases.push(c!);
    lua.lua_pop(L, 1);
  }
  lua.lua_getfield(L, 1, lstr('default'));
  const hasDefault = lua.lua_toboolean(L, -1);
  lua.lua_pop(L, 1);
  if (cases.length === 0 && !hasDefault) raise(L, 'channel.select: no cases (this would wait forever)');
  const ready = trySelect(cases) ?? (hasDefault ? { index: -1 } as SelectOutcome : null);
  if (ready) return pushSelectResult(L, cases, ready);
  const host = hostOf(L);
  return suspend(L, host, (resume) => waitSelect(cases, (o) => resume((L2) => pushSelectResult(L2, cases, o))));
};

function pushSelectResult(L: LuaState, cases: SelectCase[], o: SelectOutcome): number {
  lua.lua_createtable(L, 0, 3);
  if (o.index < 0) {
    lua.lua_pushboolean(L, true); lua.lua_setfield(L, -2, lstr('default'));
    lua.lua_pushboolean(L, true); lua.lua_setfield(L, -2, lstr('ok'));
    return 1;
  }
  const r = o as { index: number; item: Item | null; ok: boolean };
  pushChannel(L, cases[r.index].channel);
  lua.lua_setfield(L, -2, lstr('channel'));
  (r.item ?? pushNil)(L);
  lua.lua_setfield(L, -2, lstr('value'));
  lua.lua_pushboolean(L, r.ok);
  lua.lua_setfield(L, -2, lstr('ok'));
  return 1;
}

export function openChannel(L: LuaState): void {
  ensureChannelType(L);
  lua.lua_createtable(L, 0, 2);
  setFuncs(L, {
    new: (L1) => {
      const size = lauxlib.luaL_optinteger(L1, 1, 0);
      if (size < 0) raise(L1, 'channel.new: size must be 0 or more');
      pushChannel(L1, new Channel(size));
      return 1;
    },
    select,
  });
}
