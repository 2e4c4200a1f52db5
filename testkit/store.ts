/**
 * Reading a store from outside the process that writes it: what tests and benches look at while
 * (or after) a `wippy run` works on it.
 *
 * Owns: `readStore` (open without the lock, read, close), `historyLengths`, `snapshot`.
 * Invariant: every reader here is closed before it returns, so a test never holds a connection a
 * later `wippy` command would see, and never takes the writer's lock.
 */
import * as fs from 'node:fs';
import { isPostgresUrl, openStore, type OpenedStore } from '../runtime/store';

/** Open `db` without the lock, run `fn` on it, close it; `fallback` when the file does not exist yet (a database always does). */
export function readStore<T>(db: string, fn: (s: OpenedStore) => T, fallback?: T): T {
  if (fallback !== undefined && !isPostgresUrl(db) && !fs.existsSync(db)) return fallback;
  const s = openStore(db, { lock: false, create: false });
  try { return fn(s); } finally { s.close(); }
}

/** Every history's length in the store now ({} when there is no store yet). */
export function historyLengths(db: string): Record<string, number> {
  return readStore(db, (s) => Object.fromEntries(s.listWorkflows().map((r) => [r.id, s.historyLength(r.id)])), {});
}

/** Everything a store holds (rows, histories, pending signals), to compare before and after. */
export function snapshot(db: string): string {
  return readStore(db, (s) => {
    const rows = s.listWorkflows();
    return JSON.stringify({ rows, histories: rows.map((r) => s.history(r.id)), pending: s.pendingSignals() });
  });
}
