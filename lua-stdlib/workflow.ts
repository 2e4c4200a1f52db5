/**
 * `workflow`: `info()`, `history_length()`, `history_size()`, `version(change_id, min, max)`,
 * `exec(id, ...)`, and (wippy-ts only) `describe(id_or_pid)`.
 *
 * Inside a workflow these go to the engine (runtime/engine/wf-services.ts); outside one, as in
 * Wippy, `info()` returns `nil, nil`, `history_length()` / `history_size()` return `0, nil`,
 * `version()` returns `max`, and `exec()` returns an error. The history figures count the
 * records the workflow has consumed so far, so they replay to the same values.
 *
 * `describe(id_or_pid) -> {id, entry, status, result?, error?}, err` is this runtime's own (Wippy
 * has no way to read a workflow's state from Lua): the workflow's row as committed in the store,
 * for an HTTP handler that reports an order's status. NotFound for an unknown id; refused inside
 * a workflow (not deterministic).
 */
import {
  lua, lauxlib, lstr, LuaState, setFuncs, checkText, raise, pushJs, encode, CodecError, pushError,
  hostOf, waitFor, pushCallResult, pushText, decode, fail, ok,
} from '../lua/api';
import { ErrorKind } from '../base/errors';

function historyFigure(L: LuaState, key: 'history_length' | 'history_size'): number {
  const wf = hostOf(L).services.workflow();
  lua.lua_pushinteger(L, wf ? wf.info()[key] : 0);
  lua.lua_pushnil(L);
  return 2;
}

export function openWorkflow(L: LuaState): void {
  lua.lua_createtable(L, 0, 5);
  setFuncs(L, {
    info: (L1) => {
      const wf = hostOf(L1).services.workflow();
      if (!wf) { lua.lua_pushnil(L1); lua.lua_pushnil(L1); return 2; }
      pushJs(L1, wf.info());
      return 1;
    },
    history_length: (L1) => historyFigure(L1, 'history_length'),
    history_size: (L1) => historyFigure(L1, 'history_size'),
    version: (L1) => {
      const change = checkText(L1, 1);
      const min = lauxlib.luaL_checkinteger(L1, 2);
      const max = lauxlib.luaL_checkinteger(L1, 3);
      if (min > max) raise(L1, `workflow.version: min (${min}) is greater than max (${max})`);
      const wf = hostOf(L1).services.workflow();
      lua.lua_pushinteger(L1, wf ? wf.version(change, min, max) : max);
      return 1;
    },
    // wippy-ts only (Wippy has no status read): a workflow's committed state, from a function.
    describe: (L1) => {
      const id = checkText(L1, 1);
      const s = hostOf(L1).services;
      if (s.workflow()) return fail(L1, ErrorKind.Invalid, 'workflow.describe is not available inside a workflow (reading another workflow\'s state is not deterministic); call it from a function');
      const d = s.describeWorkflow ? s.describeWorkflow(id) : { kind: ErrorKind.Unavailable, message: 'no workflow store here', retryable: false };
      if (!('status' in d)) { lua.lua_pushnil(L1); pushError(L1, d); return 2; }
      lua.lua_createtable(L1, 0, 5);
      for (const k of ['id', 'entry', 'status'] as const) { pushText(L1, d[k]); lua.lua_setfield(L1, -2, lstr(k)); }
      if (d.result !== null) { decode(L1, d.result); lua.lua_setfield(L1, -2, lstr('result')); }
      if (d.error !== null) { pushError(L1, d.error); lua.lua_setfield(L1, -2, lstr('error')); }
      return ok(L1);
    },
    exec: (L1) => {
      const id = checkText(L1, 1);
      const host = hostOf(L1);
      const wf = host.services.workflow();
      if (!wf) { lua.lua_pushnil(L1); pushError(L1, { kind: ErrorKind.Invalid, message: 'workflow.exec is only available inside a workflow' }); return 2; }
      const args: string[] = [];
      for (let i = 2; i <= lua.lua_gettop(L1); i++) {
        try { args.push(encode(L1, i, 'payload', `argument ${i - 1}`)); } catch (e) {
          if (e instanceof CodecError) raise(L1, `workflow.exec: cannot pass to ${id}: ${e.message}`);
          throw e;
        }
      }
      return waitFor(L1, host, (done) => wf.exec(id, args, (r) => done((L2) => pushCallResult(L2, r))));
    },
  });
}
