/**
 * `sql`: the registry's SQL databases (`db.sql.sqlite`, `db.sql.postgres`), as Wippy's module.
 *
 * `sql.get(id) -> DB, err`; `db:type()`, `db:query(sql, params?) -> rows`, `db:execute(sql,
 * params?) -> {last_insert_id, rows_affected}`, `db:prepare(sql) -> Statement`,
 * `db:begin({isolation, read_only}?) -> Transaction`, `db:stats()`, `db:release()`; constants
 * `sql.type`, `sql.isolation`, `sql.NULL` and the coercions `sql.as` (values.ts). Transactions and
 * statements: handles.ts. Invariants: every failure is `nil, err` with a kind (a database's own
 * error keeps its text; sql-errors.ts in runtime/resources picks the kind), only a wrong argument
 * type raises; a call that reaches the database waits without blocking other Lua (a SQLite call
 * completes at once, a PostgreSQL call when the server answers); not available in workflows (the
 * registry refuses `sql` there: a query is not deterministic; call a function that uses it).
 * Not provided: Wippy's query builder (`sql.builder`).
 */
import {
  lua, lstr, LuaState, LuaFn, setFuncs, pushText, checkText, hostOf, waitFor, methodsClass, setClassMetatable, checkBox,
  typeName, pushNumber, type SqlDatabase, type Isolation,
} from '../../lua/api';
import { ErrorKind } from '../../base/errors';
import { asFunctions, pushFailure, pushNull } from './values';
import { prepareOn, pushTransaction, runSql } from './handles';

const DB_MT = 'wippy.sql.db';

interface DbBox { db: SqlDatabase }

const ISOLATIONS: Record<string, Isolation> = {
  DEFAULT: 'default', READ_UNCOMMITTED: 'read_uncommitted', READ_COMMITTED: 'read_committed',
  WRITE_COMMITTED: 'write_committed', REPEATABLE_READ: 'repeatable_read', SERIALIZABLE: 'serializable',
};
const TYPES: Record<string, string> = { POSTGRES: 'postgres', MYSQL: 'mysql', SQLITE: 'sqlite', MSSQL: 'mssql', ORACLE: 'oracle', UNKNOWN: 'unknown' };

const checkDb = (L: LuaState): DbBox => checkBox<DbBox>(L, DB_MT, 'sql.DB');

function get(L: LuaState): number {
  const id = checkText(L, 1);
  const host = hostOf(L);
  const api = host.services.resources ? host.services.resources() : null;
  if (!api) return pushFailure(L, { kind: ErrorKind.Internal, message: 'databases are not available here (sql cannot be used inside a workflow: call a function that uses it)' });
  const r = api.sql(id);
  if ('error' in r) return pushFailure(L, r.error, id === '' ? undefined : 'acquire resource');
  const box = lua.lua_newuserdata(L, 0) as DbBox;
  box.db = r.ok;
  setClassMetatable(L, DB_MT, methodsClass('sql.DB', dbMethods, {
    __tostring: (L1) => { pushText(L1, `sql.DB{${checkDb(L1).db.type}}`); return 1; },
  }));
  lua.lua_pushnil(L);
  return 2;
}

const dbMethods: Record<string, LuaFn> = {
  type: (L) => { pushText(L, checkDb(L).db.type); lua.lua_pushnil(L); return 2; },
  query: (L) => runSql(L, checkDb(L).db, 'query', 'query'),
  execute: (L) => runSql(L, checkDb(L).db, 'execute', 'execute'),
  prepare: (L) => prepareOn(L, checkDb(L).db, 'prepare'),
  begin: (L) => {
    const { db } = checkDb(L);
    let isolation: Isolation = 'default';
    let readOnly = false;
    if (lua.lua_type(L, 2) === lua.LUA_TTABLE) {
      lua.lua_getfield(L, 2, lstr('read_only'));
      if (lua.lua_type(L, -1) === lua.LUA_TBOOLEAN) readOnly = lua.lua_toboolean(L, -1);
      lua.lua_getfield(L, 2, lstr('isolation'));
      if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
        const name = checkText(L, -1);
        if (!Object.values(ISOLATIONS).includes(name as Isolation)) return pushFailure(L, { kind: ErrorKind.Invalid, message: `invalid isolation level: ${name}` });
        isolation = name as Isolation;
      }
      lua.lua_pop(L, 2);
    } else if (!lua.lua_isnoneornil(L, 2)) {
      return pushFailure(L, { kind: ErrorKind.Invalid, message: `options must be a table, got ${typeName(L, 2)}` });
    }
    const host = hostOf(L);
    return waitFor(L, host, (done) => db.begin({ isolation, readOnly }, (r) => done((L1) => ('error' in r ? pushFailure(L1, r.error, 'begin') : pushTransaction(L1, host, r.ok, db.type)))));
  },
  // As Wippy's handle, which gives back only its claim on the pool: the database stays usable.
  release: (L) => { checkDb(L); lua.lua_pushboolean(L, true); lua.lua_pushnil(L); return 2; },
  stats: (L) => {
    const s = checkDb(L).db.stats();
    lua.lua_createtable(L, 0, 9);
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === 'number') pushNumber(L, v); else pushText(L, v);
      lua.lua_setfield(L, -2, lstr(k));
    }
    lua.lua_pushnil(L);
    return 2;
  },
};

function constants(L: LuaState, name: string, values: Record<string, string>): void {
  lua.lua_createtable(L, 0, Object.keys(values).length);
  for (const [k, v] of Object.entries(values)) { pushText(L, v); lua.lua_setfield(L, -2, lstr(k)); }
  lua.lua_setfield(L, -2, lstr(name));
}

export function openSql(L: LuaState): void {
  lua.lua_createtable(L, 0, 6);
  setFuncs(L, { get });
  constants(L, 'type', TYPES);
  constants(L, 'isolation', ISOLATIONS);
  pushNull(L);
  lua.lua_setfield(L, -2, lstr('NULL'));
  lua.lua_createtable(L, 0, 5);
  setFuncs(L, asFunctions);
  lua.lua_setfield(L, -2, lstr('as'));
}
