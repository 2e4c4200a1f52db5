/**
 * `ctx`: values of the execution's context. `ctx.get(key) -> value | nil, err`, `ctx.all()`.
 *
 * A function called with `funcs.new():with_context{...}` sees those values, and so do the calls
 * nested below it (Wippy's context flows down); a missing key is `nil, err` NotFound and an empty one
 * Invalid, both not retryable; an activity run by
 * a workflow sees `activity_id` (stable across retries and restarts: use it as an idempotency
 * key), `workflow_id` and `attempt`.
 */
import { lua, LuaState, setFuncs, checkText, pushJs, pushError, hostOf } from '../lua/api';
import { ErrorKind } from '../base/errors';

export function openCtx(L: LuaState): void {
  lua.lua_createtable(L, 0, 2);
  setFuncs(L, {
    get: (L1) => {
      const key = checkText(L1, 1);
      if (key === '') { lua.lua_pushnil(L1); pushError(L1, { kind: ErrorKind.Invalid, message: 'context key is required', retryable: false }); return 2; }
      const all = hostOf(L1).services.context();
      if (!Object.prototype.hasOwnProperty.call(all, key)) {
        lua.lua_pushnil(L1);
        pushError(L1, { kind: ErrorKind.NotFound, message: `no context value '${key}'`, retryable: false });
        return 2;
      }
      pushJs(L1, all[key]);
      return 1;
    },
    all: (L1) => { pushJs(L1, hostOf(L1).services.context()); return 1; },
  });
}
