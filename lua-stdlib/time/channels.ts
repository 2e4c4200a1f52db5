/**
 * `time.after`, `time.timer` and `time.ticker`: time as channels.
 *
 * Each one waits through `services.sleep` (so in a workflow it is a durable, recorded timer and
 * under --virtual-time it jumps) and delivers the current Time into a channel of capacity 1, as
 * Go does. Timer: `:response()`/`:channel()`, `:stop() -> bool` (true if it had not fired),
 * `:reset(d) -> bool`. Ticker: `:response()`/`:channel()`, `:stop()`; a tick that finds the
 * channel full is dropped (Go semantics), the next one is scheduled from when it fired.
 * Invariant: a stopped timer or ticker never delivers again and its pending wait is canceled.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, setClassMetatable, hostOf, Channel, Item,
  pushChannel, type Services
} from '../../lua/api';
import type { Cancel } from '../../base/payload';
import { durationArg, pushTime } from './values';
import { instant, UTC } from './gotime/calendar';

const TIMER_MT = 'wippy.time.timer';
const TICKER_MT = 'wippy.time.ticker';

interface Clocked { channel: Channel; cancel: Cancel | null; fired: boolean; stopped: boolean }

function tickItem(services: Services): Item {
  const at = { ...instant(services.now(), 0), zone: UTC };
  return (L) => pushTime(L, at);
}

function arm(services: Services, t: Clocked, ms: number, repeat: boolean): void {
  t.cancel = services.sleep(ms, () => {
    t.cancel = null;
    if (t.stopped) return;
    t.fired = true;
    t.channel.trySend(tickItem(services));
    if (repeat) arm(services, t, ms, true);
  });
}

function start(L: LuaState, what: string, repeat: boolean): Clocked {
  const ns = durationArg(L, 1, what);
  if (repeat && ns <= 0) lauxlib.luaL_argerror(L, 1, lstr('ticker interval must be positive'));
  const t: Clocked = { channel: new Channel(1), cancel: null, fired: false, stopped: false };
  arm(hostOf(L).services, t, Math.max(0, ns / 1e6), repeat);
  return t;
}

function stop(t: Clocked): boolean {
  const wasPending = t.cancel !== null;
  t.stopped = true;
  t.cancel?.();
  t.cancel = null;
  return wasPending;
}

function check(L: LuaState, mt: string): Clocked {
  return (lauxlib.luaL_checkudata(L, 1, lstr(mt)) as { t: Clocked }).t;
}

function push(L: LuaState, t: Clocked, mt: string): number {
  const box = lua.lua_newuserdata(L, 0) as { t: Clocked };
  box.t = t;
  const [m, name] = mt === TIMER_MT ? [timerMethods, 'Timer'] : [tickerMethods, 'Ticker'];
  setClassMetatable(L, mt, (L1) => {
    lua.lua_createtable(L1, 0, 4);
    setFuncs(L1, m);
    lua.lua_setfield(L1, -2, lstr('__index'));
    lua.lua_pushstring(L1, lstr(name));
    lua.lua_setfield(L1, -2, lstr('__name'));
  });
  return 1;
}

function methods(mt: string, extra: Record<string, LuaFn>): Record<string, LuaFn> {
  const channel: LuaFn = (L) => { pushChannel(L, check(L, mt).channel); return 1; };
  return { response: channel, channel, stop: (L) => { lua.lua_pushboolean(L, stop(check(L, mt))); return 1; }, ...extra };
}

const tickerMethods = methods(TICKER_MT, {});

const timerMethods = methods(TIMER_MT, {
  reset: (L) => {
    const t = check(L, TIMER_MT);
    const ns = durationArg(L, 2, 'timer:reset');
    const wasPending = stop(t);
    t.stopped = false;
    t.fired = false;
    arm(hostOf(L).services, t, Math.max(0, ns / 1e6), false);
    lua.lua_pushboolean(L, wasPending);
    return 1;
  },
});

export const timeChannelFunctions: Record<string, LuaFn> = {
  after: (L) => { pushChannel(L, start(L, 'time.after', false).channel); return 1; },
  timer: (L) => push(L, start(L, 'time.timer', false), TIMER_MT),
  ticker: (L) => push(L, start(L, 'time.ticker', true), TICKER_MT),
};

