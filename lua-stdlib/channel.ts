/**
 * `channel` (global): Go-style channels between the coroutines of one execution
 * (lua/channel.ts has the semantics; `coroutine.spawn` is in lua/sandbox.ts).
 *
 * Lua API: `channel.new(size?)`, `ch:send(v) -> true` (raises on a closed channel),
 * `ch:receive() -> v, ok`, `ch:close()`, `ch:case_send(v)`, `ch:case_receive()`,
 * `channel.select{cases..., default=true?} -> {channel, value, ok}` or `{default=true, ok=true}`.
 * Invariants: one userdata per Channel while Lua holds it (so
 * `result.channel == ch` works); values sent by Lua stay Lua values (registry refs), never
 * encoded; a blocking operation suspends only the calling task.
 */
import { lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, raise } from '../lua/vm';
import { Channel, Item, SelectCase, trySelect, waitSelect, SelectOutcome } from '../lua/channel';
import { hostOf } from '../lua/host';
import { suspend, Pusher } from '../lua/task';

const CHANNEL_MT = 'wippy.channel';
const CASE_MT = 'wippy.channel.case';
const WEAK_CHANNELS = 'wippy.channels';

interface ChannelBox { channel: Channel }
interface CaseBox { channel: Channel; send?: Item }

/** Push the userdata for `ch` (the same one each time while Lua holds it). */
export function pushChannel(L: LuaState, ch: Channel): void {
  ensureChannelType(L);
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(WEAK_CHANNELS));
  if (lua.lua_rawgeti(L, -1, ch.id) === lua.LUA_TUSERDATA) { lua.lua_remove(L, -2); return; }
  lua.lua_pop(L, 1);
  const box = lua.lua_newuserdata(L, 0) as ChannelBox;
  box.channel = ch;
  lauxlib.luaL_setmetatable(L, lstr(CHANNEL_MT));
  lua.lua_pushvalue(L, -1);
  lua.lua_rawseti(L, -3, ch.id);
  lua.lua_remove(L, -2);
}

export function checkChannel(L: LuaState, arg: number): Channel {
  return (lauxlib.luaL_checkudata(L, arg, lstr(CHANNEL_MT)) as ChannelBox).channel;
}

/** Capture the Lua value at `idx` as an Item (a registry ref released when received). */
export function refItem(L: LuaState, idx: number): Item {
  lua.lua_pushvalue(L, idx);
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  return (L2) => {
    lua.lua_rawgeti(L2, lua.LUA_REGISTRYINDEX, ref);
    lauxlib.luaL_unref(L2, lua.LUA_REGISTRYINDEX, ref);
    return 1;
  };
}

const pushNil: Item = (L) => { lua.lua_pushnil(L); return 1; };

/** Receive from `ch` in the calling task: returns `v, ok` (blocks when nothing is ready). */
export function receiveFrom(L: LuaState, ch: Channel): number {
  const now = ch.tryReceive();
  if (now) { (now.item ?? pushNil)(L); lua.lua_pushboolean(L, now.ok); return 2; }
  const host = hostOf(L);
  return suspend(L, host, (resume) => {
    const cancel = waitSelect([{ channel: ch }], (o) => resume(receivePusher(o)));
    return cancel;
  });
}

function receivePusher(o: SelectOutcome): Pusher {
  return (L) => {
    if (o.index < 0) { lua.lua_pushnil(L); lua.lua_pushboolean(L, false); return 2; }
    const r = o as { item: Item | null; ok: boolean };
    (r.item ?? pushNil)(L);
    lua.lua_pushboolean(L, r.ok);
    return 2;
  };
}

const methods: Record<string, LuaFn> = {
  send: (L) => {
    const ch = checkChannel(L, 1);
    lua.lua_settop(L, 2);
    const item = refItem(L, 2);
    const r = ch.trySend(item);
    if (r === 'closed') { item(L); lua.lua_pop(L, 1); return raise(L, 'send on a closed channel'); }
    if (r === 'sent') { lua.lua_pushboolean(L, true); return 1; }
    const host = hostOf(L);
    return suspend(L, host, (resume) => waitSelect([{ channel: ch, send: item }], (o) => resume((L2) => {
      if (!(o as { ok: boolean }).ok) return raise(L2, 'send on a closed channel');
      lua.lua_pushboolean(L2, true);
      return 1;
    })));
  },
  receive: (L) => receiveFrom(L, checkChannel(L, 1)),
  close: (L) => { checkChannel(L, 1).close(); return 0; },
  len: (L) => { lua.lua_pushinteger(L, checkChannel(L, 1).length); return 1; },
  case_send: (L) => {
    const ch = checkChannel(L, 1);
    lua.lua_settop(L, 2);
    const box = lua.lua_newuserdata(L, 0) as CaseBox;
    box.channel = ch;
    box.send = refItem(L, 2);
    lauxlib.luaL_setmetatable(L, lstr(CASE_MT));
    return 1;
  },
  case_receive: (L) => {
    const box = lua.lua_newuserdata(L, 0) as CaseBox;
    box.channel = checkChannel(L, 1);
    lauxlib.luaL_setmetatable(L, lstr(CASE_MT));
    return 1;
  },
};

/** channel.select{case1, case2, ..., default = true} */
const select: LuaFn = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const cases: SelectCase[] = [];
  const n = lua.lua_rawlen(L, 1);
  for (let i = 1; i <= n; i++) {
    lua.lua_rawgeti(L, 1, i);
    const box = lauxlib.luaL_testudata(L, -1, lstr(CASE_MT)) as CaseBox | null;
    if (!box) raise(L, `channel.select: case ${i} is not a channel case (use ch:case_receive() or ch:case_send(v))`);
    cases.push({ channel: box!.channel, send: box!.send });
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

const typeReady = new WeakSet<object>();

/** The channel types and the weak channel table; built once per state, on first use. */
export function ensureChannelType(L: LuaState): void {
  if (typeReady.has(L.l_G)) return;
  typeReady.add(L.l_G);
  if (lauxlib.luaL_newmetatable(L, lstr(CHANNEL_MT))) {
    lua.lua_createtable(L, 0, 8);
    setFuncs(L, methods);
    lua.lua_setfield(L, -2, lstr('__index'));
    lua.lua_pushliteral(L, 'channel');
    lua.lua_setfield(L, -2, lstr('__name'));
  }
  lua.lua_pop(L, 1);
  if (lauxlib.luaL_newmetatable(L, lstr(CASE_MT))) { lua.lua_pushliteral(L, 'channel.case'); lua.lua_setfield(L, -2, lstr('__name')); }
  lua.lua_pop(L, 1);
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushliteral(L, 'v');
  lua.lua_setfield(L, -2, lstr('__mode'));
  lua.lua_setmetatable(L, -2);
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(WEAK_CHANNELS));
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
