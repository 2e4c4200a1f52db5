/**
 * Finding and opening the workflow store for inspection tools (`wippy workflow ...`).
 *
 * Owns: the choice of store (`--db FILE`, else the temporal.client `store` of the registry at
 * `--registry PATH`, default the current folder), opening it WITHOUT the process lock so the tools
 * work beside a running `wippy run`, checking it is sound before anything is read from it, and
 * telling whether a live `wippy run` holds it.
 *
 * Invariants: the registry is read only to find the store (its Lua is not compiled, so a broken
 * script does not stop anyone from inspecting workflows); the store is never created here (a
 * missing file is a one-line user error); an in-memory store is refused (there is nothing to
 * inspect from another process).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRegistry } from '../../registry';
import { openStore } from '../store';
import type { SqliteStore } from '../store';
import { ErrorCode, WippyError } from '../errors';

export interface StoreChoice {
  /** `--db`: wins over the registry. */
  db?: string;
  /** `--registry`: folder or YAML file whose temporal.client names the store (default "."). */
  registry?: string;
}

export interface SelectedStore {
  path: string;
  /** How messages name it: `--db x.db` or `store <path> (temporal.client app:client)`. */
  label: string;
}

/** Where the store is, without opening it. */
export function selectStore(choice: StoreChoice): SelectedStore {
  if (choice.db !== undefined && choice.db !== '') {
    return { path: path.resolve(choice.db), label: `--db ${choice.db}` };
  }
  const root = choice.registry ?? '.';
  let registry;
  try {
    registry = loadRegistry(root);
  } catch (e) {
    // Say why a registry is being read at all: the user may only have wanted a store.
    if (e instanceof WippyError && e.userFacing && choice.registry === undefined) {
      throw new WippyError(e.code, `${e.message}\n(the store is found through the registry in the current folder; pass --registry PATH or --db FILE)`, { cause: e });
    }
    throw e;
  }
  for (const e of registry.entries.values()) {
    if (e.kind !== 'temporal.client') continue;
    if (e.store === ':memory:') {
      throw new WippyError(ErrorCode.BAD_ARGUMENT,
        `temporal.client ${e.id} keeps its store in memory (store: ":memory:"); there is nothing to inspect from another process`);
    }
    return { path: e.store, label: `store ${path.relative(process.cwd(), e.store) || e.store} (temporal.client ${e.id})` };
  }
  throw new WippyError(ErrorCode.BAD_ARGUMENT,
    `the registry at ${root} has no temporal.client entry, so it names no workflow store; pass --db FILE (or --registry PATH of another registry)`);
}

/**
 * Open the selected store for reading and for queuing requests; never takes the lock. The store
 * passes SQLite's full integrity check first, or this throws STORE_DAMAGED: nothing is listed,
 * shown or queued from a damaged store as if it were whole.
 */
export function openForInspection(sel: SelectedStore): SqliteStore {
  if (!fs.existsSync(sel.path)) {
    throw new WippyError(ErrorCode.STORE_INVALID,
      `${sel.label}: no such file (${sel.path}); no workflow has run with this store yet, or the path is wrong`);
  }
  const store = openStore(sel.path, { lock: false, create: false, label: sel.label });
  try {
    store.assertSound();
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

/**
 * The pid of the live `wippy run` holding the store's lock, or null when none does. Mirrors the
 * store's own lock rule (runtime/store/sqlite.ts): `<db>.lock` holds a pid; a dead pid is stale.
 */
export function storeHolder(storePath: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(`${storePath}.lock`, 'utf8').trim();
  } catch {
    return null;
  }
  if (!/^\d+$/.test(text)) return null;
  const pid = Number(text);
  if (pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
