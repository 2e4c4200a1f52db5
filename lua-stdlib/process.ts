/**
 * `process` (global): PIDs, spawning, messages, events, cancel/terminate, monitors, links and the
 * name registry, over the execution's ProcessApi (lua/services.ts).
 *
 * Also owns the Lua shape of messages and events: a Message userdata (`msg:topic()`,
 * `msg:from()` — `""` when unknown —, `msg:payload():data()`; a field that is not a method reads
 * the payload table, so `msg.approved` works), and event tables `{kind, from, at, result =
 * {value, error}, reason}`. Invariants: failures return `nil, err`, never raise (bad argument
 * types do raise); payloads are encoded at the send site, so a bad value fails there with its path.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, raise, checkText, optText, encode,
  CodecError, decode, pushJs, pushError, hostOf, waitFor, pushChannel, checkChannel,
  pushCallResult, pushWirePayload, type Item, type ProcessApi, type SpawnOptions, type MailboxCodec, type Message,
  type ProcessEvent
} from '../lua/api';
import type { Payload } from '../base/payload';
import { ErrorKind, type ErrorInfo } from '../base/errors';
import { spawnerFunctions, payloadsFrom, inherit } from './process-spawner';

const MESSAGE_MT = 'wippy.message';

interface MessageBox { msg: Message }

function api(L: LuaState): ProcessApi {
  return hostOf(L).services.process();
}

function ok(L: LuaState, err: ErrorInfo | null): number {
  if (err) { lua.lua_pushnil(L); pushError(L, err); return 2; }
  lua.lua_pushboolean(L, true);
  return 1;
}

/** Arguments `from`.. as payloads; a value that cannot cross raises `cannot send: ...`. */
const encodeArgs = (L: LuaState, from: number, what: string): Payload[] => payloadsFrom(L, from, what, 'send');

function spawner(opts: SpawnOptions): LuaFn {
  return (L) => {
    const id = checkText(L, 1);
    const host = optText(L, 2, null);
    const r = api(L).spawn(id, host, encodeArgs(L, 3, 'argument'), inherit(L, { ...opts }));
    if ('error' in r) { lua.lua_pushnil(L); pushError(L, r.error); return 2; }
    pushText(L, r.pid);
    return 1;
  };
}

function mailboxOrRaise(L: LuaState, what: string) {
  const mb = api(L).mailbox();
  if (!mb) raise(L, `${what} is only available inside a process or workflow`);
  return mb!;
}

const functions: Record<string, LuaFn> = {
  pid: (L) => {
    const pid = api(L).pid();
    if (pid === null) { lua.lua_pushnil(L); pushError(L, { kind: ErrorKind.Invalid, message: 'not running in a process' }); return 2; }
    pushText(L, pid);
    return 1;
  },
  /** The registry id of the running entry (Wippy: the frame's id, `namespace:name`). */
  id: (L) => {
    const id = api(L).id?.() ?? null;
    if (!id) { lua.lua_pushnil(L); pushError(L, { kind: ErrorKind.Internal, message: 'call ID not found in context', retryable: false }); return 2; }
    pushText(L, id);
    return 1;
  },
  spawn: spawner({}),
  spawn_monitored: spawner({ monitor: true }),
  spawn_linked: spawner({ link: true }),
  spawn_linked_monitored: spawner({ link: true, monitor: true }),
  exec: (L) => {
    const id = checkText(L, 1);
    const host = optText(L, 2, null);
    const args = encodeArgs(L, 3, 'argument');
    const h = hostOf(L);
    return waitFor(L, h, (done) => h.services.process().exec(id, host, args, (r) => done((L2) => pushCallResult(L2, r))));
  },
  send: (L) => {
    const to = checkText(L, 1);
    const topic = checkText(L, 2);
    return ok(L, api(L).send(to, topic, encodeArgs(L, 3, 'payload')));
  },
  inbox: (L) => { pushChannel(L, mailboxOrRaise(L, 'process.inbox').inbox()); return 1; },
  events: (L) => { pushChannel(L, mailboxOrRaise(L, 'process.events').events()); return 1; },
  listen: (L) => {
    const topic = checkText(L, 1);
    let asMessage = false;
    if (lua.lua_type(L, 2) === lua.LUA_TTABLE) { lua.lua_getfield(L, 2, lstr('message')); asMessage = lua.lua_toboolean(L, -1); lua.lua_pop(L, 1); }
    pushChannel(L, mailboxOrRaise(L, 'process.listen').listen(topic, asMessage));
    return 1;
  },
  unlisten: (L) => { lua.lua_pushboolean(L, mailboxOrRaise(L, 'process.unlisten').unlisten(checkChannel(L, 1))); return 1; },
  cancel: (L) => ok(L, api(L).cancel(checkText(L, 1), optText(L, 2, 'canceled'))),
  terminate: (L) => ok(L, api(L).terminate(checkText(L, 1))),
  monitor: (L) => ok(L, api(L).monitor(checkText(L, 1), true)),
  unmonitor: (L) => ok(L, api(L).monitor(checkText(L, 1), false)),
  link: (L) => ok(L, api(L).link(checkText(L, 1), true)),
  unlink: (L) => ok(L, api(L).link(checkText(L, 1), false)),
  get_options: (L) => { pushJs(L, api(L).options()); return 1; },
  /** Wippy's: `true, nil`, or `false, err` naming the first bad option (valid ones still apply). */
  set_options: (L) => {
    const refuse = (message: string): number => { lua.lua_pushboolean(L, false); pushError(L, { kind: ErrorKind.Invalid, message, retryable: false }); return 2; };
    if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return refuse('options parameter must be a table');
    let bad: string | null = null;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, 1)) {
      if (lua.lua_type(L, -2) === lua.LUA_TSTRING) {
        const key = lua.lua_tojsstring(L, -2);
        if (key !== 'trap_links') bad ??= `option ${key} is not supported`;
        else if (lua.lua_type(L, -1) !== lua.LUA_TBOOLEAN) bad = 'trap_links must be a boolean';
        else api(L).setOptions({ trap_links: lua.lua_toboolean(L, -1) });
      }
      lua.lua_pop(L, 1);
    }
    if (bad) return refuse(bad);
    lua.lua_pushboolean(L, true);
    lua.lua_pushnil(L);
    return 2;
  },
};

const registryFns: Record<string, LuaFn> = {
  register: (L) => ok(L, api(L).register(checkText(L, 1), optText(L, 2, null) ?? undefined)),
  lookup: (L) => {
    const pid = api(L).lookup(checkText(L, 1));
    if (pid === null) { lua.lua_pushnil(L); pushError(L, { kind: ErrorKind.NotFound, message: `no process registered as '${lua.lua_tojsstring(L, 1)}'` }); return 2; }
    pushText(L, pid);
    return 1;
  },
  unregister: (L) => { lua.lua_pushboolean(L, api(L).unregister(checkText(L, 1))); return 1; },
};

function checkMessage(L: LuaState): Message {
  return (lauxlib.luaL_checkudata(L, 1, lstr(MESSAGE_MT)) as MessageBox).msg;
}

/** Decode a payload inside a binding: one Lua cannot hold (too deep) is a Lua error at the call site. */
function decodeHere(L: LuaState, p: Payload, what: string): void {
  try {
    decode(L, p);
  } catch (e) {
    if (e instanceof CodecError) raise(L, `${what}: cannot decode the payload: ${e.message}`);
    throw e;
  }
}

/** A payload value (the payload module's class) holding the message's value. */
function pushPayload(L: LuaState, p: Payload): void {
  try {
    pushWirePayload(L, p);
  } catch (e) {
    if (e instanceof CodecError) raise(L, `msg:payload(): cannot decode the payload: ${e.message}`);
    throw e;
  }
}

const messageMethods: Record<string, LuaFn> = {
  topic: (L) => { pushText(L, checkMessage(L).topic); return 1; },
  from: (L) => { pushText(L, checkMessage(L).from); return 1; },
  /** One Payload, an array of them for several, nil for none. */
  payload: (L) => {
    const ps = checkMessage(L).payloads;
    if (ps.length === 0) { lua.lua_pushnil(L); return 1; }
    if (ps.length === 1) { pushPayload(L, ps[0]); return 1; }
    lua.lua_createtable(L, ps.length, 0);
    ps.forEach((p, i) => { pushPayload(L, p); lua.lua_rawseti(L, -2, i + 1); });
    return 1;
  },
};

/** msg.field (not a method): the field of the first payload's data, so `msg.approved` works. */
const messageIndex: LuaFn = (L) => {
  const key = lua.lua_tojsstring(L, 2);
  if (key !== null && Object.prototype.hasOwnProperty.call(messageMethods, key)) { lua.lua_pushjsfunction(L, messageMethods[key]); return 1; }
  const ps = checkMessage(L).payloads;
  if (ps.length === 0) { lua.lua_pushnil(L); return 1; }
  decodeHere(L, ps[0], `msg.${key}`);
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) { lua.lua_pushnil(L); return 1; }
  lua.lua_pushvalue(L, 2);
  lua.lua_gettable(L, -2);
  return 1;
};

/** How the mailbox turns messages and events into Lua values in the receiving state. */
export const mailboxCodec: MailboxCodec = {
  message: (m: Message): Item => (L) => {
    ensureMessageType(L);
    const box = lua.lua_newuserdata(L, 0) as MessageBox;
    box.msg = m;
    lauxlib.luaL_setmetatable(L, lstr(MESSAGE_MT));
    return 1;
  },
  payloadOnly: (m: Message): Item => (L) => { decode(L, m.payloads[0] ?? 'null'); return 1; },
  event: (e: ProcessEvent): Item => (L) => {
    lua.lua_createtable(L, 0, 5);
    for (const k of ['kind', 'from', 'at', 'reason'] as const) {
      if (e[k] !== undefined) { pushText(L, e[k] as string); lua.lua_setfield(L, -2, lstr(k)); }
    }
    if (e.result) {
      lua.lua_createtable(L, 0, 2);
      if (e.result.value !== undefined) { decode(L, e.result.value); lua.lua_setfield(L, -2, lstr('value')); }
      if (e.result.error) { pushError(L, e.result.error); lua.lua_setfield(L, -2, lstr('error')); }
      lua.lua_setfield(L, -2, lstr('result'));
    }
    return 1;
  },
};

function newMetatable(L: LuaState, name: string, build: () => void): void {
  if (lauxlib.luaL_newmetatable(L, lstr(name))) build();
  lua.lua_pop(L, 1);
}

const typeReady = new WeakSet<object>();

/** The Message metatable; built once per state, on first use. */
function ensureMessageType(L: LuaState): void {
  if (typeReady.has(L.l_G)) return;
  typeReady.add(L.l_G);
  newMetatable(L, MESSAGE_MT, () => {
    setFuncs(L, { __index: messageIndex, __tostring: (L1) => { pushText(L1, `message(${checkMessage(L1).topic})`); return 1; } });
  });
}

export function openProcess(L: LuaState): void {
  ensureMessageType(L);
  lua.lua_createtable(L, 0, 24);
  setFuncs(L, { ...functions, ...spawnerFunctions });
  lua.lua_createtable(L, 0, 3);
  setFuncs(L, registryFns);
  lua.lua_setfield(L, -2, lstr('registry'));
  lua.lua_createtable(L, 0, 3);
  for (const [k, v] of [['EXIT', 'pid.exit'], ['CANCEL', 'pid.cancel'], ['LINK_DOWN', 'pid.link.down']]) { pushText(L, v); lua.lua_setfield(L, -2, lstr(k)); }
  lua.lua_setfield(L, -2, lstr('event'));
}
