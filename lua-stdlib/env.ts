/**
 * `env`: the registry's environment variables (Wippy's module).
 *
 * `get(name) -> string | nil, err`, `set(name, value) -> true | nil, err`, `get_all() -> table`.
 * A name is an `env.variable` entry's `variable:` (or its id, or `name` for an id in the running
 * entry's namespace); what it reads and writes is that variable's storage (runtime/env.ts).
 * Invariants, as Wippy's: an empty name is `nil, err` Invalid "empty key"; with an actor and a
 * scope, `env.get` / `env.set` on the name must be allowed (else PermissionDenied), and `get_all`
 * keeps only the names `env.get` may read; a registry failure is `nil, err` with its kind and the
 * context "get/set environment variable failed" in `tostring`; every error is not retryable;
 * wrong argument types raise. Not allowed in workflows (Wippy classes the module
 * nondeterministic, so the registry refuses it there).
 */
import { lua, LuaState, setFuncs, checkText, fail, hostOf, pushText, type EnvApi } from '../lua/api';
import { ErrorKind } from '../base/errors';
import { isPermitted } from '../base/security';

function permitted(L: LuaState, action: string, key: string): boolean {
  const s = hostOf(L).services;
  return isPermitted(s.security?.()?.context(), action, key);
}

function registry(L: LuaState): EnvApi | null {
  const s = hostOf(L).services;
  return s.env?.() ?? null;
}

const NO_REGISTRY = 'environment registry not found';

export function openEnv(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  setFuncs(L, {
    get: (L1) => {
      const key = checkText(L1, 1);
      if (key === '') return fail(L1, ErrorKind.Invalid, 'empty key');
      if (!permitted(L1, 'env.get', key)) return fail(L1, ErrorKind.PermissionDenied, `not allowed to access environment variable: ${key}`);
      const env = registry(L1);
      if (env === null) return fail(L1, ErrorKind.Internal, NO_REGISTRY);
      const r = env.get(key);
      if ('error' in r) return fail(L1, r.error.kind, r.error.message, 'get environment variable failed');
      pushText(L1, r.value);
      lua.lua_pushnil(L1);
      return 2;
    },
    set: (L1) => {
      const key = checkText(L1, 1);
      if (key === '') return fail(L1, ErrorKind.Invalid, 'empty key');
      const value = checkText(L1, 2);
      if (!permitted(L1, 'env.set', key)) return fail(L1, ErrorKind.PermissionDenied, `not allowed to set environment variable: ${key}`);
      const env = registry(L1);
      if (env === null) return fail(L1, ErrorKind.Internal, NO_REGISTRY);
      const e = env.set(key, value);
      if (e !== null) return fail(L1, e.kind, e.message, 'set environment variable failed');
      lua.lua_pushboolean(L1, true);
      lua.lua_pushnil(L1);
      return 2;
    },
    get_all: (L1) => {
      const env = registry(L1);
      if (env === null) return fail(L1, ErrorKind.Internal, NO_REGISTRY);
      const all = env.all();
      lua.lua_createtable(L1, 0, 0);
      for (const [k, v] of Object.entries(all)) {
        if (!permitted(L1, 'env.get', k)) continue;
        pushText(L1, k);
        pushText(L1, v);
        lua.lua_rawset(L1, -3);
      }
      lua.lua_pushnil(L1);
      return 2;
    },
  });
}
