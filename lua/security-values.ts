/**
 * Security values in Lua: Actor, Scope and Policy userdata (Wippy's `security` types).
 *
 * Owns: their metatables and methods, so that `security` (the module) and `funcs` (`with_actor`,
 * `with_scope`) and the process spawner share one definition. Actor: `:id()`, `:meta()`. Policy:
 * `:id()`, `:evaluate(actor, action, resource [, meta]) -> "allow"|"deny"|"undefined"`. Scope
 * (immutable): `:with(policy)`, `:without(id | policy | {ns=, name=})`, `:evaluate(...)`,
 * `:contains(...)`, `:policies()`. Invariants: each value wraps plain JSON data
 * (base/security.ts), and a value passed to another call or returned encodes as that data
 * (`PAYLOAD_OF`, read by lua/codec.ts): an actor as `{id, meta}`, a policy as `{id}`, a scope as its
 * list of policies.
 */
import { lua, lauxlib, lstr, type LuaState, type LuaFn, setFuncs, pushText, checkText, typeError, setClassMetatable } from './vm';
import { pushJs } from './decode';
import { encode, PAYLOAD_OF } from './codec';
import { evaluatePolicy, evaluateScope, type Actor, type PolicyDef } from '../base/security';


const ACTOR_MT = 'wippy.security.actor';
const SCOPE_MT = 'wippy.security.scope';
const POLICY_MT = 'wippy.security.policy';

interface Box<T> { v: T; [PAYLOAD_OF]: () => unknown }

function pushBox<T>(L: LuaState, mt: string, name: string, v: T, json: (v: T) => unknown, methods: Record<string, LuaFn>): void {
  const box = lua.lua_newuserdata(L, 0) as Box<T>;
  box.v = v;
  box[PAYLOAD_OF] = () => json(v);
  setClassMetatable(L, mt, (L1) => {
    lua.lua_createtable(L1, 0, 6);
    setFuncs(L1, methods);
    lua.lua_setfield(L1, -2, lstr('__index'));
    lua.lua_pushjsfunction(L1, (L2: LuaState) => { pushText(L2, `${name}{}`); return 1; });
    lua.lua_setfield(L1, -2, lstr('__tostring'));
    pushText(L1, name);
    lua.lua_setfield(L1, -2, lstr('__name'));
  });
}

function test<T>(L: LuaState, idx: number, mt: string): T | null {
  const box = lauxlib.luaL_testudata(L, idx, lstr(mt)) as Box<T> | null;
  return box ? box.v : null;
}

function check<T>(L: LuaState, idx: number, mt: string, name: string): T {
  const v = test<T>(L, idx, mt);
  if (v === null) typeError(L, idx, name);
  return v as T;
}

export function testActor(L: LuaState, idx: number): Actor | null { return test<Actor>(L, idx, ACTOR_MT); }
export function testScope(L: LuaState, idx: number): PolicyDef[] | null { return test<PolicyDef[]>(L, idx, SCOPE_MT); }
export function testPolicy(L: LuaState, idx: number): PolicyDef | null { return test<PolicyDef>(L, idx, POLICY_MT); }

function metaArg(L: LuaState, idx: number): Record<string, unknown> {
  if (lua.lua_isnoneornil(L, idx)) return {};
  lauxlib.luaL_checktype(L, idx, lua.LUA_TTABLE);
  const v = JSON.parse(encode(L, idx, 'json', 'meta')) as unknown;
  return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

/** The evaluate arguments after `self`: actor, action, resource [, meta]. */
function evalArgs(L: LuaState): [Actor, string, string, Record<string, unknown>] {
  return [check<Actor>(L, 2, ACTOR_MT, 'security.Actor'), checkText(L, 3), checkText(L, 4), metaArg(L, 5)];
}

const actorMethods: Record<string, LuaFn> = {
  id: (L) => { pushText(L, check<Actor>(L, 1, ACTOR_MT, 'security.Actor').id); return 1; },
  meta: (L) => { pushJs(L, check<Actor>(L, 1, ACTOR_MT, 'security.Actor').meta); return 1; },
};

const policyMethods: Record<string, LuaFn> = {
  id: (L) => { pushText(L, check<PolicyDef>(L, 1, POLICY_MT, 'security.Policy').id); return 1; },
  evaluate: (L) => {
    const p = check<PolicyDef>(L, 1, POLICY_MT, 'security.Policy');
    pushText(L, evaluatePolicy(p, ...evalArgs(L)));
    return 1;
  },
};

/** A policy id from a string, a Policy, or `{ns=, name=}`. */
function policyIdArg(L: LuaState, idx: number): string {
  const p = testPolicy(L, idx);
  if (p) return p.id;
  if (lua.lua_type(L, idx) === lua.LUA_TSTRING) return checkText(L, idx);
  if (lua.lua_type(L, idx) === lua.LUA_TTABLE) {
    lua.lua_getfield(L, idx, lstr('ns'));
    lua.lua_getfield(L, idx, lstr('name'));
    const id = `${lua.lua_tojsstring(L, -2) ?? ''}:${lua.lua_tojsstring(L, -1) ?? ''}`;
    lua.lua_pop(L, 2);
    return id;
  }
  return typeError(L, idx, 'policy id, Policy or {ns, name}');
}

const scope = (L: LuaState): PolicyDef[] => check<PolicyDef[]>(L, 1, SCOPE_MT, 'security.Scope');

const scopeMethods: Record<string, LuaFn> = {
  with: (L) => {
    const s = scope(L);
    const p = check<PolicyDef>(L, 2, POLICY_MT, 'security.Policy');
    pushScope(L, s.some((x) => x.id === p.id) ? s : [...s, p]);
    return 1;
  },
  without: (L) => { const s = scope(L); const id = policyIdArg(L, 2); pushScope(L, s.filter((p) => p.id !== id)); return 1; },
  contains: (L) => { const s = scope(L); const id = policyIdArg(L, 2); lua.lua_pushboolean(L, s.some((p) => p.id === id)); return 1; },
  evaluate: (L) => { const s = scope(L); pushText(L, evaluateScope(s, ...evalArgs(L))); return 1; },
  policies: (L) => {
    const s = scope(L);
    lua.lua_createtable(L, s.length, 0);
    s.forEach((p, i) => { pushPolicy(L, p); lua.lua_rawseti(L, -2, i + 1); });
    return 1;
  },
};

export function pushActor(L: LuaState, a: Actor): void {
  pushBox(L, ACTOR_MT, 'security.Actor', a, (v) => ({ id: v.id, meta: v.meta }), actorMethods);
}
export function pushPolicy(L: LuaState, p: PolicyDef): void {
  pushBox(L, POLICY_MT, 'security.Policy', p, (v) => ({ id: v.id }), policyMethods);
}
export function pushScope(L: LuaState, s: PolicyDef[]): void {
  pushBox(L, SCOPE_MT, 'security.Scope', s, (v) => v.map((p) => ({ id: p.id })), scopeMethods);
}
export { metaArg as securityMetaArg };
