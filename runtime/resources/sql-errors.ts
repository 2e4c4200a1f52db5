/**
 * SQL failures as Wippy error values: a driver's error (better-sqlite3's SqliteError, pg's
 * DatabaseError, a socket error) becomes an `ErrorInfo` with a kind a script can act on.
 *
 * Owns: the mapping from SQLite result codes and PostgreSQL SQLSTATE classes to kinds, and the
 * fixed errors of closed handles. Invariants: the message is the database's own text (what a
 * user searches for); a failure worth retrying (busy, serialization failure, deadlock, lost
 * connection) is `retryable`, nothing else is; nothing here throws.
 */
import { ErrorKind, type ErrorInfo } from '../../base/errors';

const invalid = (message: string): ErrorInfo => ({ kind: ErrorKind.Invalid, message, retryable: false });

export const TX_INACTIVE = invalid('transaction is not active');
export const STMT_CLOSED = invalid('statement is closed');
export const STMT_ALREADY_CLOSED = invalid('statement is already closed');
export const TX_STMT_ENDED = invalid('statement is closed: the transaction it was prepared in has ended');

/** A database whose connection was closed (its entry stopped, the runtime closing). */
export function closedInfo(label: string): ErrorInfo {
  return { kind: ErrorKind.Unavailable, message: `database ${label} is closed`, retryable: false };
}

/** Thrown inside promise chains for `closedInfo` (postgresError maps it back). */
export class ClosedError extends Error {}

/** SQLite primary result codes (better-sqlite3's `code`, extended codes included by prefix). */
const SQLITE_KINDS: Array<[string, string, boolean]> = [
  ['SQLITE_BUSY', ErrorKind.Unavailable, true],
  ['SQLITE_LOCKED', ErrorKind.Unavailable, true],
  ['SQLITE_CONSTRAINT', ErrorKind.Conflict, false],
  ['SQLITE_READONLY', ErrorKind.PermissionDenied, false],
  ['SQLITE_PERM', ErrorKind.PermissionDenied, false],
  ['SQLITE_AUTH', ErrorKind.PermissionDenied, false],
  ['SQLITE_CANTOPEN', ErrorKind.Unavailable, false],
  ['SQLITE_FULL', ErrorKind.Unavailable, false],
  ['SQLITE_TOOBIG', ErrorKind.Invalid, false],
  ['SQLITE_MISMATCH', ErrorKind.Invalid, false],
  ['SQLITE_RANGE', ErrorKind.Invalid, false],
  ['SQLITE_ERROR', ErrorKind.Invalid, false], // syntax errors, unknown tables and columns
];

/** PostgreSQL SQLSTATE classes (first two characters), or whole codes. */
const PG_KINDS: Array<[string, string, boolean]> = [
  ['40001', ErrorKind.Conflict, true], // serialization_failure
  ['40P01', ErrorKind.Conflict, true], // deadlock_detected
  ['23', ErrorKind.Conflict, false], // integrity constraint violation
  ['42501', ErrorKind.PermissionDenied, false], // insufficient_privilege
  ['28', ErrorKind.PermissionDenied, false], // invalid authorization
  ['42', ErrorKind.Invalid, false], // syntax error or access rule violation
  ['22', ErrorKind.Invalid, false], // data exception
  ['25', ErrorKind.Invalid, false], // invalid transaction state
  ['26', ErrorKind.Invalid, false], // invalid SQL statement name
  ['3D', ErrorKind.NotFound, false], // invalid catalog (database) name
  ['08', ErrorKind.Unavailable, true], // connection exception
  ['53', ErrorKind.Unavailable, true], // insufficient resources
  ['57', ErrorKind.Unavailable, true], // operator intervention (shutdown, cancel)
  ['55', ErrorKind.Unavailable, true], // object not in prerequisite state (lock not available)
];

/** Node socket errors that mean "the server cannot be reached now". */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

function messageOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return messageOf(e.errors[0]);
  const m = e instanceof Error ? e.message : String(e);
  return m === '' ? String((e as { code?: unknown })?.code ?? 'unknown error') : m;
}

/** A failure of better-sqlite3 as an error value. */
export function sqliteError(e: unknown): ErrorInfo {
  const code = String((e as { code?: unknown })?.code ?? '');
  const message = messageOf(e);
  for (const [prefix, kind, retryable] of SQLITE_KINDS) if (code.startsWith(prefix)) return { kind, message, retryable };
  // better-sqlite3's own checks (wrong number of parameters, two statements in one string).
  if (e instanceof RangeError || e instanceof TypeError) return invalid(message);
  return { kind: ErrorKind.Internal, message, retryable: false };
}

/** A failure of pg (a server error with its SQLSTATE, or a connection failure) as an error value. */
export function postgresError(e: unknown): ErrorInfo {
  if (e instanceof ClosedError) return { kind: ErrorKind.Unavailable, message: e.message, retryable: false };
  const code = String((e as { code?: unknown })?.code ?? '');
  const message = messageOf(e);
  if (/^[0-9A-Z]{5}$/.test(code)) {
    for (const [prefix, kind, retryable] of PG_KINDS) if (code.startsWith(prefix)) return { kind, message, retryable };
    return { kind: ErrorKind.Internal, message, retryable: false };
  }
  const net = e instanceof AggregateError ? String((e.errors[0] as { code?: unknown })?.code ?? '') : code;
  if (NET_CODES.has(net) || /Connection terminated|timeout exceeded when trying to connect/i.test(message)) {
    return { kind: ErrorKind.Unavailable, message, retryable: true };
  }
  if (e instanceof RangeError || e instanceof TypeError) return invalid(message);
  return { kind: ErrorKind.Internal, message, retryable: false };
}
