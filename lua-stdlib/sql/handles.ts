/**
 * `sql` transactions and prepared statements, and the query/execute calls a database and a
 * transaction share.
 *
 * Transaction: `tx:db_type()`, `query`, `execute`, `prepare`, `commit`, `rollback`,
 * `savepoint(name)`, `rollback_to(name)`, `release(name)`. Statement: `stmt:query(params?)`,
 * `execute(params?)`, `close()`. Invariants, as Wippy's: after commit or rollback every call on
 * the transaction is `nil, err` (Invalid, "transaction is not active"); a closed statement's calls
 * are Invalid, a second close too; a savepoint name is letters, digits and `_` only (it is written
 * into SQL text). Released with the execution (Wippy's process cleanup): when the function or
 * process that opened them ends, a transaction still open is rolled back (its connection given
 * back) and its statements closed (LuaHost.onExecutionEnd).
 */
import {
  lua, LuaState, LuaFn, pushText, checkText, hostOf, waitFor, methodsClass, setClassMetatable, checkBox,
  type SqlRunner, type SqlStatement, type SqlTransaction,
} from '../../lua/api';
import { ErrorKind, type ErrorInfo } from '../../base/errors';
import { changeReply, pushFailure, readParams, rowsReply, trueReply } from './values';

const TX_MT = 'wippy.sql.tx';
const STMT_MT = 'wippy.sql.stmt';

type Host = ReturnType<typeof hostOf>;

interface TxBox { tx: SqlTransaction; type: string; unhook: () => void }
interface StmtBox { stmt: SqlStatement; unhook: () => void }

const invalid = (message: string): ErrorInfo => ({ kind: ErrorKind.Invalid, message, retryable: false });
const INACTIVE = invalid('transaction is not active');

/** `runner:query(sql, params?)` / `runner:execute(sql, params?)` with SQL at arg 2, parameters at 3. */
export function runSql(L: LuaState, runner: SqlRunner, what: 'query' | 'execute', context: string): number {
  const sql = checkText(L, 2);
  const p = readParams(L, 3);
  if (typeof p === 'string') return pushFailure(L, invalid(p), 'check params');
  if (what === 'query') return waitFor(L, hostOf(L), (done) => runner.query(sql, p, (r) => done(rowsReply(r, context))));
  return waitFor(L, hostOf(L), (done) => runner.execute(sql, p, (r) => done(changeReply(r, context))));
}

/** `runner:prepare(sql)`. */
export function prepareOn(L: LuaState, runner: SqlRunner, context: string): number {
  const sql = checkText(L, 2);
  const host = hostOf(L);
  return waitFor(L, host, (done) => runner.prepare(sql, (r) => done((L1) => ('error' in r ? pushFailure(L1, r.error, context) : pushStatement(L1, host, r.ok)))));
}

/** Push a transaction handle; it is rolled back if the execution ends while it is open. */
export function pushTransaction(L: LuaState, host: Host, tx: SqlTransaction, type: string): number {
  const box = lua.lua_newuserdata(L, 0) as TxBox;
  box.tx = tx;
  box.type = type;
  box.unhook = host.onExecutionEnd(() => { if (tx.active) tx.rollback(() => { /* released either way */ }); });
  setClassMetatable(L, TX_MT, methodsClass('sql.Transaction', txMethods, {
    __tostring: (L1) => { pushText(L1, `sql.Transaction{${checkBox<TxBox>(L1, TX_MT, 'sql.Transaction').tx.active ? 'active' : 'done'}}`); return 1; },
  }));
  lua.lua_pushnil(L);
  return 2;
}

/** Push a statement handle; it is closed when the execution ends. */
export function pushStatement(L: LuaState, host: Host, stmt: SqlStatement): number {
  const box = lua.lua_newuserdata(L, 0) as StmtBox;
  box.stmt = stmt;
  box.unhook = host.onExecutionEnd(() => { if (!stmt.closed) stmt.close(() => { /* nothing to report */ }); });
  setClassMetatable(L, STMT_MT, methodsClass('sql.Statement', stmtMethods, {
    __tostring: (L1) => { pushText(L1, `sql.Statement{${checkBox<StmtBox>(L1, STMT_MT, 'sql.Statement').stmt.closed ? 'closed' : 'open'}}`); return 1; },
  }));
  lua.lua_pushnil(L);
  return 2;
}

/** The transaction at arg 1 when it is active, else null (and `nil, err` pushed). */
function activeTx(L: LuaState): TxBox | null {
  const box = checkBox<TxBox>(L, TX_MT, 'sql.Transaction');
  return box.tx.active ? box : null;
}

/** `tx:commit()` / `tx:rollback()`: the transaction ends (and stops being the execution's to release). */
function finish(how: 'commit' | 'rollback'): LuaFn {
  return (L) => {
    const box = activeTx(L);
    if (!box) return pushFailure(L, INACTIVE);
    box.unhook();
    return waitFor(L, hostOf(L), (done) => box.tx[how]((r) => done(trueReply(r, `tx ${how}`))));
  };
}

/** `tx:savepoint(name)`, `rollback_to`, `release`: one statement each, returning true. */
function savepoint(statement: string): LuaFn {
  return (L) => {
    const box = activeTx(L);
    if (!box) return pushFailure(L, INACTIVE);
    const name = checkText(L, 2);
    if (name === '') return pushFailure(L, invalid('savepoint name is required'));
    if (!/^[A-Za-z0-9_]+$/.test(name)) return pushFailure(L, invalid('savepoint name can only contain alphanumeric characters and underscores'));
    return waitFor(L, hostOf(L), (done) => box.tx.execute(`${statement} ${name}`, [], (r) => done(trueReply(r, 'savepoint'))));
  };
}

const txMethods: Record<string, LuaFn> = {
  db_type: (L) => {
    const box = activeTx(L);
    if (!box) return pushFailure(L, INACTIVE);
    pushText(L, box.type);
    lua.lua_pushnil(L);
    return 2;
  },
  query: (L) => { const box = activeTx(L); return box ? runSql(L, box.tx, 'query', 'tx query') : pushFailure(L, INACTIVE); },
  execute: (L) => { const box = activeTx(L); return box ? runSql(L, box.tx, 'execute', 'tx execute') : pushFailure(L, INACTIVE); },
  prepare: (L) => { const box = activeTx(L); return box ? prepareOn(L, box.tx, 'tx prepare') : pushFailure(L, INACTIVE); },
  commit: finish('commit'),
  rollback: finish('rollback'),
  savepoint: savepoint('SAVEPOINT'),
  rollback_to: savepoint('ROLLBACK TO SAVEPOINT'),
  release: savepoint('RELEASE SAVEPOINT'),
};

const checkStmt = (L: LuaState): StmtBox => checkBox<StmtBox>(L, STMT_MT, 'sql.Statement');

function stmtRun(what: 'query' | 'execute'): LuaFn {
  return (L) => {
    const { stmt } = checkStmt(L);
    if (stmt.closed) return pushFailure(L, invalid('statement is closed'));
    const p = readParams(L, 2);
    if (typeof p === 'string') return pushFailure(L, invalid(p), 'check params');
    if (what === 'query') return waitFor(L, hostOf(L), (done) => stmt.query(p, (r) => done(rowsReply(r, 'stmt query'))));
    return waitFor(L, hostOf(L), (done) => stmt.execute(p, (r) => done(changeReply(r, 'stmt execute'))));
  };
}

const stmtMethods: Record<string, LuaFn> = {
  query: stmtRun('query'),
  execute: stmtRun('execute'),
  close: (L) => {
    const box = checkStmt(L);
    if (box.stmt.closed) return pushFailure(L, invalid('statement is already closed'));
    box.unhook();
    return waitFor(L, hostOf(L), (done) => box.stmt.close((r) => done(trueReply(r, 'stmt close'))));
  },
};
