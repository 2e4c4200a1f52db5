/**
 * SQLite's failures in the terms of what the user can do about them, for the SQLite store.
 *
 * Owns: the mapping from a better-sqlite3 error (or a file-system error while opening) to a
 * WippyError with a stable code and a one-line message naming the store. Invariants: a user's
 * mistake (not a database, unwritable place, disk full, store busy) is STORE_INVALID or
 * STORE_LOCKED with a message that says what to do; damage is integrity.ts's STORE_DAMAGED;
 * a constraint violation inside a commit is a runtime bug (INTERNAL), never the user's; a
 * WippyError passes through unchanged.
 */
import Database from 'better-sqlite3';
import { ErrorCode, WippyError } from '../../base/errors';
import { damagedError, isCorruption } from './integrity';

/** How long a statement waits for another connection's lock before it fails as busy. */
export const BUSY_TIMEOUT_MS = 5000;

function sqliteCode(e: unknown): string {
  return e instanceof Database.SqliteError ? e.code : '';
}

/** A SQLite failure in terms of what the user can do about it. */
export function storeError(label: string, e: unknown, path: string): WippyError {
  if (e instanceof WippyError) return e;
  const code = sqliteCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  if (isCorruption(e, path)) return damagedError(label, path, msg, e);
  const say = (what: string, errCode: ErrorCode = ErrorCode.STORE_INVALID): WippyError =>
    new WippyError(errCode, `${label}: ${what}`, { cause: e });
  if (code === 'SQLITE_NOTADB') return say(`not a SQLite database (${msg}); point --db at another file or move this one away`);
  if (code.startsWith('SQLITE_CANTOPEN')) return say(`cannot open (${msg}); check that the folder exists and is writable`);
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return say(`not writable (${msg}); point --db at a writable location`);
  }
  if (code === 'SQLITE_FULL') return say(`the disk is full (${msg}); free some space and run again`);
  if (code.startsWith('SQLITE_IOERR')) return say(`I/O error (${msg}); check the disk`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return say(`busy for more than ${BUSY_TIMEOUT_MS / 1000}s (${msg}); another process is writing to it`, ErrorCode.STORE_LOCKED);
  }
  if (code !== '') return say(`${msg} (${code})`);
  return new WippyError(ErrorCode.INTERNAL, `${label}: ${msg}`, { cause: e });
}

/** A failed write inside commit: constraint violations are runtime bugs, the rest is the disk's. */
export function opError(label: string, e: unknown, what: string, path: string): WippyError {
  const code = sqliteCode(e);
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new WippyError(ErrorCode.INTERNAL, `${label}: ${what}: already exists (two writers on one store?)`, { cause: e });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new WippyError(ErrorCode.INTERNAL, `${label}: ${what}: no such workflow`, { cause: e });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new WippyError(ErrorCode.INTERNAL, `${label}: ${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return storeError(label, e, path);
}

export function fsError(label: string, e: unknown, what: string): WippyError {
  const err = e as NodeJS.ErrnoException;
  return new WippyError(ErrorCode.STORE_INVALID, `${label}: ${what} (${err.code ?? err.message}); point --db at a writable location`, { cause: e });
}
