/**
 * `security`: the actor and scope of the execution, and the registry's policies (Wippy's module).
 *
 * `actor() -> Actor | nil`, `scope() -> Scope | nil` (set by the caller: `funcs.new():
 * with_actor(a):with_scope(s)`, or a spawner's `with_actor`/`with_scope`), `can(action, resource
 * [, meta]) -> boolean` (false without both an actor and a scope), `policy(id) -> Policy, err`,
 * `named_scope(group_id) -> Scope, err` (the policies whose `groups:` name it), `token_store(id)`
 * (always `nil, err`: token stores are not provided here), `new_scope([policies])
 * -> Scope`, `new_actor(id [, meta]) -> Actor`. The value types are lua/security-values.ts.
 * Invariants: a missing policy or group is `nil, err` kind Internal (Wippy's); wrong argument types
 * raise. Not allowed in workflows (the registry refuses it there; Wippy marks it nondeterministic).
 */
import {
  lua, LuaState, setFuncs, checkText, fail, hostOf, pushActor, pushScope, pushPolicy, testPolicy, securityMetaArg,
  typeError, type SecurityApi
} from '../lua/api';
import { ErrorKind } from '../base/errors';
import { isAllowed, type PolicyDef } from '../base/security';

function api(L: LuaState): SecurityApi | null {
  const s = hostOf(L).services;
  return s.security ? s.security() : null;
}

function policiesArg(L: LuaState, idx: number): PolicyDef[] {
  if (lua.lua_isnoneornil(L, idx)) return [];
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) typeError(L, idx, 'table of policies');
  const out: PolicyDef[] = [];
  for (let i = 1; ; i++) {
    lua.lua_rawgeti(L, idx, i);
    if (lua.lua_isnil(L, -1)) { lua.lua_pop(L, 1); break; }
    const p = testPolicy(L, -1);
    if (!p) typeError(L, idx, `table of policies (item ${i} is not a Policy)`);
    lua.lua_pop(L, 1);
    if (!out.some((x) => x.id === (p as PolicyDef).id)) out.push(p as PolicyDef);
  }
  return out;
}

export function openSecurity(L: LuaState): void {
  lua.lua_createtable(L, 0, 7);
  setFuncs(L, {
    actor: (L1) => {
      const a = api(L1)?.context().actor;
      if (a) pushActor(L1, a); else lua.lua_pushnil(L1);
      return 1;
    },
    scope: (L1) => {
      const s = api(L1)?.context().scope;
      if (s) pushScope(L1, s); else lua.lua_pushnil(L1);
      return 1;
    },
    can: (L1) => {
      const action = checkText(L1, 1);
      const resource = checkText(L1, 2);
      const meta = securityMetaArg(L1, 3);
      lua.lua_pushboolean(L1, isAllowed(api(L1)?.context(), action, resource, meta));
      return 1;
    },
    policy: (L1) => {
      const id = checkText(L1, 1);
      const p = api(L1)?.policy(id);
      if (!p) return fail(L1, ErrorKind.Internal, `policy not found: ${id} (declare a security.policy entry with that id)`);
      pushPolicy(L1, p);
      lua.lua_pushnil(L1);
      return 2;
    },
    named_scope: (L1) => {
      const id = checkText(L1, 1);
      const g = api(L1)?.group(id);
      if (!g) return fail(L1, ErrorKind.Internal, `policy group not found: ${id} (no security.policy entry lists it in groups:)`);
      pushScope(L1, g);
      lua.lua_pushnil(L1);
      return 2;
    },
    token_store: (L1) => {
      const id = checkText(L1, 1);
      if (id === '') return fail(L1, ErrorKind.Invalid, 'token store id is required');
      return fail(L1, ErrorKind.Internal, `token store ${id} not found (security.token_store entries are not supported by wippy-ts yet)`);
    },
    new_scope: (L1) => { pushScope(L1, policiesArg(L1, 1)); return 1; },
    new_actor: (L1) => {
      const id = checkText(L1, 1);
      pushActor(L1, { id, meta: securityMetaArg(L1, 2) });
      return 1;
    },
  });
}
