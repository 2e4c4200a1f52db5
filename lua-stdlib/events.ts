/**
 * `events`: the runtime's event bus, as Wippy's `events` module.
 *
 * `events.subscribe(system [, kind]) -> Subscription, err`: `sub:channel()` (the same channel on
 * every call, capacity 64, usable in `channel.select`) receives `{system, kind, path, data}`
 * tables; `sub:close() -> true` unsubscribes and closes the channel (receivers get `nil, false`;
 * safe twice). `events.send(system, kind, path [, data]) -> true, err`. Patterns are Wippy's
 * (lua/events-bus.ts). Invariants: empty system/kind/path -> `nil, err` kind Invalid, not
 * retryable, with Wippy's messages; a wrong argument type raises; data crosses as a payload (the
 * receiver gets its own copy); an event finding the channel full is dropped (Wippy's relay does the
 * same); the channel is held weakly by the bus subscription, which ends when the channel is
 * collected. Not available in workflows (the registry refuses it there: events are not
 * deterministic).
 */
import {
  lua, lstr, LuaState, LuaFn, setFuncs, pushText, checkText, hostOf, encode, CodecError, decode, raise,
  Channel, pushChannel, fail, methodsClass, setClassMetatable, checkBox, type BusEvent, type EventBus
} from '../lua/api';
import { ErrorKind } from '../base/errors';

const SUB_MT = 'wippy.events.subscription';

interface Subscription { channel: Channel; unsubscribe: (() => void) | null }

const collected = new FinalizationRegistry<() => void>((unsubscribe) => unsubscribe());

function busOf(L: LuaState): EventBus | null {
  const s = hostOf(L).services;
  return s.events ? s.events() : null;
}

function pushEvent(L: LuaState, e: BusEvent): number {
  lua.lua_createtable(L, 0, 4);
  pushText(L, e.system); lua.lua_setfield(L, -2, lstr('system'));
  pushText(L, e.kind); lua.lua_setfield(L, -2, lstr('kind'));
  pushText(L, e.path); lua.lua_setfield(L, -2, lstr('path'));
  if (e.data !== undefined) { decode(L, e.data); lua.lua_setfield(L, -2, lstr('data')); }
  return 1;
}

function subscribe(L: LuaState): number {
  const system = checkText(L, 1);
  if (system === '') return fail(L, ErrorKind.Invalid, 'system pattern is required');
  const kind = lua.lua_isnoneornil(L, 2) ? '' : checkText(L, 2);
  const bus = busOf(L);
  if (!bus) return fail(L, ErrorKind.Internal, 'the event bus is not available here (events cannot be used inside a workflow)');
  const channel = new Channel(64);
  const ref = new WeakRef(channel);
  const unsubscribe = bus.subscribe(system, kind, (e) => { ref.deref()?.trySend((L1) => pushEvent(L1, e)); });
  collected.register(channel, unsubscribe, channel);
  const sub = lua.lua_newuserdata(L, 0) as Subscription;
  sub.channel = channel;
  sub.unsubscribe = unsubscribe;
  setClassMetatable(L, SUB_MT, methodsClass('events.Subscription', subscriptionMethods, {
    __tostring: (L1) => { pushText(L1, 'events.Subscription{}'); return 1; },
  }));
  lua.lua_pushnil(L);
  return 2;
}

const subscriptionMethods: Record<string, LuaFn> = {
  channel: (L) => { pushChannel(L, checkBox<Subscription>(L, SUB_MT, 'events.Subscription').channel); return 1; },
  close: (L) => {
    const sub = checkBox<Subscription>(L, SUB_MT, 'events.Subscription');
    if (sub.unsubscribe) {
      sub.unsubscribe();
      sub.unsubscribe = null;
      collected.unregister(sub.channel);
      sub.channel.close();
    }
    lua.lua_pushboolean(L, true);
    return 1;
  },
};

function send(L: LuaState): number {
  const system = checkText(L, 1);
  if (system === '') return fail(L, ErrorKind.Invalid, 'system is required');
  const kind = checkText(L, 2);
  if (kind === '') return fail(L, ErrorKind.Invalid, 'kind is required');
  const path = checkText(L, 3);
  if (path === '') return fail(L, ErrorKind.Invalid, 'path is required');
  let data: string | undefined;
  if (!lua.lua_isnoneornil(L, 4)) {
    try { data = encode(L, 4, 'payload', 'data'); } catch (e) {
      if (e instanceof CodecError) raise(L, `events.send: cannot send this data: ${e.message}`);
      throw e;
    }
  }
  const bus = busOf(L);
  if (!bus) return fail(L, ErrorKind.Internal, 'the event bus is not available here (events cannot be used inside a workflow)');
  bus.send({ system, kind, path, data });
  lua.lua_pushboolean(L, true);
  lua.lua_pushnil(L);
  return 2;
}

export function openEvents(L: LuaState): void {
  lua.lua_createtable(L, 0, 2);
  setFuncs(L, { subscribe, send });
}
