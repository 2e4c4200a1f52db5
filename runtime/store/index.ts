/**
 * The history store's entry point: the only module the rest of the runtime imports from
 * runtime/store besides the record and interface types (events.ts, store.ts).
 *
 * Owns: choosing an implementation. Invariant: callers get a `HistoryStore` and never touch SQLite.
 */
import { SqliteStore } from './sqlite';
import type { OpenOptions } from './sqlite';

export { SqliteStore, integrityCheck } from './sqlite';
export { checkIntegrity, startBackgroundCheck, damagedError, describeProblems, markChecked, clearChecked, checkedByHolder } from './integrity';
export type { BackgroundCheck, IntegrityReport } from './integrity';
export type { OpenOptions } from './sqlite';
export { MemoryStore } from './memory';
export { MIGRATIONS } from './migrations';
export type { Migration } from './migrations';
export type { AppendOp, Batch, HistoryStore } from './store';
export { emptyBatch, batchSize } from './store';

/**
 * Open (creating when missing) the SQLite store at `path`. `lock` (default true) takes the
 * store's process lock so a second writer fails fast; pass `{lock: false}` to inspect a store
 * while a `wippy run` holds it. Returns the SqliteStore (a HistoryStore with `path`,
 * `appliedMigrations()`).
 */
export function openStore(path: string, opts: OpenOptions = {}): SqliteStore {
  return new SqliteStore(path, opts);
}
