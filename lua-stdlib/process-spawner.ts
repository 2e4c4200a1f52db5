/**
 * `process.with_options(tbl)` / `process.with_context(tbl)`: Wippy's Spawner, an immutable,
 * chainable description of a start (part of the `process` module, registered by process.ts).
 *
 * Owns: the Spawner userdata and its methods `:with_context(t)`, `:with_options(t)` (merged),
 * `:with_name(name)`, `:with_message(topic, ...)`, `:with_actor(a)`, `:with_scope(s)` and
 * `:spawn`, `:spawn_monitored`, `:spawn_linked`, `:spawn_linked_monitored(id, host, ...)`, each
 * returning `pid, err` through the execution's ProcessApi (SpawnOptions carries the options, the
 * context, the name and the startup messages; what they mean is the runtime's: workflow ids and
 * conflict policies are runtime/engine/start-options.ts).
 * Invariants: a method never changes its receiver (each returns a new Spawner); payloads and
 * option values are encoded where they are given, so a bad value raises there with its path;
 * an `@` topic, an empty name or a nil actor/scope is an argument error (as in Wippy); the actor
 * and scope (the `security` module's values) go to the started process as SpawnOptions.security.
 * Inheritance (Wippy's): every start, plain `process.spawn*` or a Spawner's, carries the
 * starting execution's context values (the Spawner's own win) and, unless the Spawner set
 * one, its actor and scope (`inherit`).
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, raise, checkText, encode, CodecError, pushText, pushError,
  hostOf, setClassMetatable, typeError, testActor, testScope, type SpawnOptions, type StartupMessage
} from '../lua/api';
import type { SecurityContext } from '../base/security';
import type { Payload } from '../base/payload';

const SPAWNER_MT = 'process.Spawner';

/**
 * Arguments `from`.. as payloads (a value that cannot cross raises at the call, with its path:
 * `cannot VERB: ...`). Shared with process.ts (send, spawn).
 */
export function payloadsFrom(L: LuaState, from: number, what: string, verb = 'spawn'): Payload[] {
  const out: Payload[] = [];
  for (let i = from; i <= lua.lua_gettop(L); i++) {
    try { out.push(encode(L, i, 'payload', `${what} ${i - from + 1}`)); } catch (e) {
      if (e instanceof CodecError) raise(L, `cannot ${verb}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** Complete `opts` with what a started process inherits from the execution that starts it. */
export function inherit(L: LuaState, opts: SpawnOptions): SpawnOptions {
  const services = hostOf(L).services;
  const ctx = services.context();
  if (Object.keys(ctx).length > 0) opts.context = { ...ctx, ...opts.context };
  const sc = services.security?.()?.context();
  if (sc && (sc.actor || sc.scope)) opts.security = { ...sc, ...opts.security };
  return opts;
}

interface Spawner {
  options?: Record<string, unknown>;
  context?: Record<string, unknown>;
  name?: string;
  messages: StartupMessage[];
  security?: SecurityContext;
}

function check(L: LuaState): Spawner {
  return lauxlib.luaL_checkudata(L, 1, lstr(SPAWNER_MT)) as Spawner;
}

/** A Lua table of string keys as plain values (JSON); `{}` is an empty object. */
function tableArg(L: LuaState, arg: number, what: string): Record<string, unknown> {
  lauxlib.luaL_checktype(L, arg, lua.LUA_TTABLE);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, arg) !== 0) {
    const stringKey = lua.lua_type(L, -2) === lua.LUA_TSTRING;
    lua.lua_pop(L, 1);
    if (!stringKey) { lua.lua_pop(L, 1); lauxlib.luaL_argerror(L, arg, lstr(`${what} keys must be strings`)); }
  }
  let v: unknown;
  try { v = JSON.parse(encode(L, arg, 'json', what)); } catch (e) {
    if (e instanceof CodecError) raise(L, `process.${what}: ${e.message}`);
    throw e;
  }
  return Array.isArray(v) ? {} : v as Record<string, unknown>;
}

/** Push a new Spawner: `from` (the receiver, or null) with `change` applied. */
function push(L: LuaState, from: Spawner | null, change: Partial<Spawner>): number {
  const s = lua.lua_newuserdata(L, 0) as Spawner;
  Object.assign(s, { messages: [] }, from ?? {}, change);
  setClassMetatable(L, SPAWNER_MT, (L1) => {
    lua.lua_createtable(L1, 0, 10);
    for (const [k, fn] of Object.entries(methods)) { lua.lua_pushjsfunction(L1, fn); lua.lua_setfield(L1, -2, lstr(k)); }
    lua.lua_setfield(L1, -2, lstr('__index'));
    lua.lua_pushjsfunction(L1, (L2: LuaState) => { pushText(L2, 'process.Spawner'); return 1; });
    lua.lua_setfield(L1, -2, lstr('__tostring'));
  });
  return 1;
}

/** `:with_actor(a)` / `:with_scope(s)`: the security context the started process runs with. */
function withSecurity(key: 'actor' | 'scope'): LuaFn {
  return (L) => {
    const s = check(L);
    if (lua.lua_isnoneornil(L, 2)) lauxlib.luaL_argerror(L, 2, lstr(`${key} cannot be nil`));
    const v = key === 'actor' ? testActor(L, 2) : testScope(L, 2);
    if (v === null) typeError(L, 2, key === 'actor' ? 'Actor' : 'Scope');
    return push(L, s, { security: { ...s.security, [key]: v } });
  };
}

function spawnWith(monitor: boolean, link: boolean): LuaFn {
  return (L) => {
    const s = check(L);
    if (lua.lua_gettop(L) < 3) raise(L, 'spawn requires at least id and host arguments');
    const id = checkText(L, 2);
    const host = checkText(L, 3);
    const opts: SpawnOptions = { monitor, link, messages: s.messages };
    if (s.options) opts.options = s.options;
    if (s.context) opts.context = s.context;
    if (s.name) opts.name = s.name;
    if (s.security) opts.security = s.security;
    const r = hostOf(L).services.process().spawn(id, host, payloadsFrom(L, 4, 'argument'), inherit(L, opts));
    if ('error' in r) { lua.lua_pushnil(L); pushError(L, r.error); return 2; }
    pushText(L, r.pid);
    return 1;
  };
}

const methods: Record<string, LuaFn> = {
  with_context: (L) => { const s = check(L); return push(L, s, { context: { ...s.context, ...tableArg(L, 2, 'context') } }); },
  with_options: (L) => { const s = check(L); return push(L, s, { options: { ...s.options, ...tableArg(L, 2, 'options') } }); },
  with_name: (L) => {
    const s = check(L);
    const name = checkText(L, 2);
    if (name === '') lauxlib.luaL_argerror(L, 2, lstr('name cannot be empty'));
    return push(L, s, { name });
  },
  with_message: (L) => {
    const s = check(L);
    const topic = checkText(L, 2);
    if (topic.startsWith('@')) lauxlib.luaL_argerror(L, 2, lstr('cannot send to @ topics'));
    return push(L, s, { messages: [...s.messages, { topic, payloads: payloadsFrom(L, 3, 'payload') }] });
  },
  with_actor: withSecurity('actor'),
  with_scope: withSecurity('scope'),
  spawn: spawnWith(false, false),
  spawn_monitored: spawnWith(true, false),
  spawn_linked: spawnWith(false, true),
  spawn_linked_monitored: spawnWith(true, true),
};

/** `process.with_options` and `process.with_context`: a Spawner carrying the caller's context values. */
export const spawnerFunctions: Record<string, LuaFn> = {
  with_options: (L) => push(L, null, { context: { ...hostOf(L).services.context() }, options: tableArg(L, 1, 'options') }),
  with_context: (L) => push(L, null, { context: { ...hostOf(L).services.context(), ...tableArg(L, 1, 'context') } }),
};
