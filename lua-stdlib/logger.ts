/**
 * `logger`: structured logging, as Wippy's `logger` module.
 *
 * The module is itself a logger: `logger:debug|info|warn|error(message [, fields])`,
 * `logger:with(fields) -> Logger` (fields added to every entry), `logger:named(name) -> Logger`
 * (names join with `.`: `svc.handler`, carried as the `logger` field). Called with `.` or `:`
 * alike. Every entry goes to the execution's `Services.log` (one line on stderr: `[level] message
 * {fields}`); inside a workflow that hook writes only when the code runs live, never again on
 * replay (runtime/engine/wf-services.ts), so logging is workflow-safe. Invariants: a message that
 * is not a string raises; fields must be a table that encodes as JSON (nested tables are kept); an
 * entry's own fields override the logger's.
 */
import { lua, lauxlib, LuaState, LuaFn, setFuncs, checkText, hostOf, encode, CodecError, raise } from '../lua/api';

interface LoggerState { name: string; fields: Record<string, unknown> }

type Level = 'debug' | 'info' | 'warn' | 'error';

/** The first real argument: 2 when called with `:` (the logger table itself is argument 1). */
function first(L: LuaState): number {
  return lua.lua_type(L, 1) === lua.LUA_TTABLE ? 2 : 1;
}

function fieldsArg(L: LuaState, idx: number, what: string): Record<string, unknown> {
  if (lua.lua_isnoneornil(L, idx)) return {};
  lauxlib.luaL_checktype(L, idx, lua.LUA_TTABLE);
  try {
    const v = JSON.parse(encode(L, idx, 'json', what)) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch (e) {
    if (e instanceof CodecError) raise(L, `logger: cannot log these fields: ${e.message}`);
    throw e;
  }
}

function entry(level: Level, st: LoggerState): LuaFn {
  return (L) => {
    const at = first(L);
    const message = checkText(L, at);
    const fields = { ...(st.name ? { logger: st.name } : {}), ...st.fields, ...fieldsArg(L, at + 1, 'fields') };
    hostOf(L).services.log(level, message, Object.keys(fields).length ? fields : undefined);
    return 0;
  };
}

function pushLogger(L: LuaState, st: LoggerState): void {
  lua.lua_createtable(L, 0, 6);
  setFuncs(L, {
    debug: entry('debug', st), info: entry('info', st), warn: entry('warn', st), error: entry('error', st),
    with: (L1) => { pushLogger(L1, { name: st.name, fields: { ...st.fields, ...fieldsArg(L1, first(L1), 'fields') } }); return 1; },
    named: (L1) => {
      const n = checkText(L1, first(L1));
      if (n === '') return raise(L1, 'logger:named: name cannot be empty');
      pushLogger(L1, { name: st.name ? `${st.name}.${n}` : n, fields: st.fields });
      return 1;
    },
  });
}

export function openLogger(L: LuaState): void {
  pushLogger(L, { name: '', fields: {} });
}
