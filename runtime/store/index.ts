/**
 * The history store's entry point: the only module the rest of the runtime imports from
 * runtime/store besides the record and interface types (events.ts, store.ts).
 *
 * Owns: choosing an implementation from the store's address: `postgres://` / `postgresql://` URLs
 * are PostgreSQL, any other `scheme://` is refused with one line, anything else is a SQLite file.
 * Invariant: callers get a `HistoryStore` and never touch SQLite or pg.
 */
import * as nodePath from 'node:path';
import { ErrorCode, WippyError } from '../../base/errors';
import { SqliteStore } from './sqlite';
import type { OpenOptions } from './sqlite';
import { isPostgresUrl, PgStore, type NodeOptions } from './postgres';

export { SqliteStore, integrityCheck } from './sqlite';
export { checkIntegrity, startBackgroundCheck, damagedError, describeProblems, markChecked, clearChecked, checkedByHolder } from './integrity';
export type { BackgroundCheck, IntegrityReport } from './integrity';
export type { OpenOptions } from './sqlite';
export { MemoryStore } from './memory';
export { PgStore, isPostgresUrl, redactUrl, newNodeId, DEFAULT_LEASE_MS, DEFAULT_RENEW_MS } from './postgres';
export type { NodeOptions, NodeInfo } from './postgres';
export { MIGRATIONS } from './migrations';
export type { Migration } from './migrations';
export type { AppendOp, Batch, HistoryStore } from './store';
export { emptyBatch, batchSize } from './store';

/** A store either kind: the inspection methods (assertSound, appliedMigrations, path, label) are on both. */
export type OpenedStore = SqliteStore | PgStore;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Where a store is, from what the user wrote: a PostgreSQL URL as it is, a file path made
 * absolute (against `base`, default the current folder). Another `scheme://` is a BAD_ARGUMENT
 * naming `label` (how the user gave it, e.g. "--db x").
 */
export function storeAddress(written: string, label: string, base = process.cwd()): string {
  if (isPostgresUrl(written)) return written;
  const scheme = SCHEME.exec(written);
  if (scheme && scheme[1].toLowerCase() !== 'file') {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `${label}: unknown store scheme '${scheme[1]}://'; give a SQLite file path or postgres://user@host:port/database`);
  }
  const p = scheme ? written.slice('file://'.length) : written;
  return p === ':memory:' ? p : nodePath.resolve(base, p);
}

/**
 * Open (creating when missing) the store at `address`: a PostgreSQL database for a postgres://
 * URL (its schema created when missing), else the SQLite file. `lock` (default true) takes the
 * SQLite file's writer lock so a second writer fails fast, or joins the PostgreSQL database as
 * the node `node` (many nodes share one); pass `{lock: false}` to inspect a store while a
 * `wippy run` holds it.
 */
export function openStore(address: string, opts: OpenOptions & { node?: Partial<NodeOptions> } = {}): OpenedStore {
  const at = storeAddress(address, opts.label ?? `store ${address}`);
  if (isPostgresUrl(at)) return new PgStore(at, { lock: opts.lock, label: opts.label, virtualTime: opts.virtualTime, node: opts.node });
  return new SqliteStore(at, opts);
}
