/**
 * Catching a damaged store: SQLite's full integrity check (on demand, or in a worker thread beside
 * the work) and the one error every kind of damage becomes.
 *
 * Owns: `isCorruption` (which SQLite failures mean the file is damaged), `damagedError` (the one
 * line: code STORE_DAMAGED, exit status 4, naming the store and what to do), `checkIntegrity`
 * (the full check on a read-only connection of its own) and `startBackgroundCheck` (the same in a
 * worker thread, so start-up on a large store is not held back). Invariants: the check is the full
 * `PRAGMA integrity_check` (quick_check does not compare indexes with their tables, and misses an
 * index that lost its rows, which is how `wippy run` silently resumed nothing); the checker only
 * reads; at most MAX_PROBLEMS problems are kept; a check that cannot run for a reason other than
 * damage (the file vanished, busy) says so and is not taken for damage.
 *
 * Also owns `<db>.checked`, the pid of the `wippy run` whose background check of the store passed
 * (`markChecked`). While that process still holds the store's lock it has vouched for the file
 * (and it stops at the first corruption error it meets), so `wippy workflow` commands need not
 * read the whole file again (`checkedByHolder`); any other content, or another holder, means
 * check. The holder clears it when it opens the store and when it closes it.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ErrorCode, WippyError } from '../../base/errors';

/** Problems kept from one check (SQLite stops there too). */
export const MAX_PROBLEMS = 100;
const BUSY_TIMEOUT_MS = 5000;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** What a check found: `problems` is empty when the store is sound. */
export interface IntegrityReport {
  problems: string[];
  /** Set when the check could not run at all for a reason other than damage. */
  error?: string;
}

function hasSqliteHeader(path: string): boolean {
  try {
    const fd = fs.openSync(path, 'r');
    try {
      const head = Buffer.alloc(SQLITE_HEADER.length);
      return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * True when `e` says the database file is damaged: SQLITE_CORRUPT (any extended code), or
 * SQLITE_NOTADB on a file that starts like a SQLite database (a file that never was one is a
 * different mistake: the wrong --db).
 */
export function isCorruption(e: unknown, path: string): boolean {
  const code = e instanceof Database.SqliteError ? e.code : '';
  return code.startsWith('SQLITE_CORRUPT') || (code === 'SQLITE_NOTADB' && path !== ':memory:' && hasSqliteHeader(path));
}

/** The one line for a damaged store. `detail` is what SQLite (or the check) said. */
export function damagedError(label: string, path: string, detail: string, cause?: unknown): WippyError {
  const rel = nodePath.relative(process.cwd(), path);
  const shown = rel !== '' && rel.length < path.length ? rel : path;
  return new WippyError(ErrorCode.STORE_DAMAGED,
    `${label}: the store is damaged (${detail.replace(/\s*\n\s*/g, '; ')}); wippy will not run or report from it. ` +
      `Salvage what can still be read with \`wippy store recover --db ${shown} -o NEW.db\`, or restore a backup`,
    { cause });
}

/** `detail` for damagedError from a report: how many problems, and the first. */
export function describeProblems(problems: readonly string[]): string {
  const more = problems.length >= MAX_PROBLEMS ? `${MAX_PROBLEMS}+` : String(problems.length);
  return `SQLite integrity check: ${more} problem${problems.length === 1 ? '' : 's'}, first: ${problems[0]}`;
}

/** The full check of the store file at `path`, on its own read-only connection. Never throws. */
export function checkIntegrity(path: string): IntegrityReport {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    const rows = db.pragma(`integrity_check(${MAX_PROBLEMS})`) as Array<{ integrity_check: string }>;
    const problems = rows.map((r) => r.integrity_check);
    return { problems: problems.length === 1 && problems[0] === 'ok' ? [] : problems };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return isCorruption(e, path) ? { problems: [msg] } : { problems: [], error: msg };
  } finally {
    try { db?.close(); } catch { /* the check's outcome is what matters */ }
  }
}

/** A check running in a worker thread. */
export interface BackgroundCheck {
  /** Settles once with the report (never rejects). */
  readonly result: Promise<IntegrityReport>;
  /** Keep the process alive until the check ends (by default it does not). */
  hold(): void;
  /** Abandon the check (the worker is terminated). */
  stop(): void;
}

/**
 * Start the full check of `path` in a worker thread with its own connection: the main thread keeps
 * working (WAL lets it write while the check reads its snapshot). The worker does not keep the
 * process alive unless `hold()` is called.
 */
export function startBackgroundCheck(path: string): BackgroundCheck {
  const worker = new Worker(nodePath.join(__dirname, 'integrity-worker.js'), { workerData: { path } });
  worker.unref();
  let settle!: (r: IntegrityReport) => void;
  const result = new Promise<IntegrityReport>((resolve) => { settle = resolve; });
  let done = false;
  const finish = (r: IntegrityReport): void => {
    if (done) return;
    done = true;
    settle(r);
  };
  worker.once('message', (r: IntegrityReport) => finish(r));
  worker.once('error', (e) => finish({ problems: [], error: e instanceof Error ? e.message : String(e) }));
  worker.once('exit', () => finish({ problems: [], error: 'the check was stopped' }));
  return {
    result,
    hold: () => { if (!done) worker.ref(); },
    stop: () => { if (!done) { finish({ problems: [], error: 'the check was stopped' }); void worker.terminate(); } },
  };
}

/** The file that says which holder's full check of the store at `path` passed. */
function checkedPath(path: string): string {
  return `${path}.checked`;
}

/** Record that this process's full check of `path` passed (a failure to write only costs later commands a check). */
export function markChecked(path: string): void {
  try { fs.writeFileSync(checkedPath(path), `${process.pid}\n`); } catch { /* commands will check for themselves */ }
}

/** Remove the mark if it is this process's (or stale); a mark another live holder wrote is not ours to clear. */
export function clearChecked(path: string, always = false): void {
  const p = checkedPath(path);
  try {
    if (always || fs.readFileSync(p, 'utf8').trim() === String(process.pid)) fs.unlinkSync(p);
  } catch { /* no mark: nothing to clear */ }
}

/** True when `holder` (the live pid holding the store's lock) is the process whose check of `path` passed. */
export function checkedByHolder(path: string, holder: number | null): boolean {
  if (holder === null) return false;
  try {
    return fs.readFileSync(checkedPath(path), 'utf8').trim() === String(holder);
  } catch {
    return false;
  }
}
