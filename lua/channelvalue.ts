/**
 * The channel value of Lua: the userdata for a Channel (lua/channel.ts has the semantics), its
 * methods (`ch:send(v)`, `ch:receive()`, `ch:close()`, `ch:len()`, `ch:case_send(v)`,
 * `ch:case_receive()`) and the select cases they make.
 *
 * Owns: pushing and checking channel userdata, so that every module hands channels to Lua the
 * same way (`channel`, `process.inbox()`, `time.after`). The `channel` module itself (new,
 * select) is lua-stdlib/channel.ts. Invariants: one userdata per Channel while Lua holds it (so
 * `result.channel == ch` works); values sent by Lua stay Lua values (registry refs), never
 * encoded; a blocking operation suspends only the calling task.
 */
import { lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, raise, perState } from './vm';
import { Channel, Item, SelectCase, waitSelect, SelectOutcome } from './channel';
import { hostOf } from './host';
import { suspend, Pusher } from './task';

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

export const pushNil: Item = (L) => { lua.lua_pushnil(L); return 1; };

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

/** The select case at `idx` (made by `ch:case_receive()` / `ch:case_send(v)`), or null. */
export function testCase(L: LuaState, idx: number): SelectCase | null {
  const box = lauxlib.luaL_testudata(L, idx, lstr(CASE_MT)) as CaseBox | null;
  return box ? { channel: box.channel, send: box.send } : null;
}

const typeReady = perState<true>('channel-type');

/** The channel types and the weak channel table; built once per state, on first use. */
export function ensureChannelType(L: LuaState): void {
  if (typeReady.get(L)) return;
  typeReady.set(L, true);
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
