/**
 * Finding and opening the workflow store for inspection tools (`wippy workflow ...`).
 *
 * Owns: the choice of store, first match wins: `--db FILE`; the `WIPPY_DB` environment variable;
 * the store of the temporal.client in the registry at `--registry PATH`; else a search from the
 * current folder: inside a Wippy project (a folder at or above it holding `.wippy.yaml` or
 * `wippy.lock`) the project's registry; otherwise the registry files under the current folder,
 * then the YAML files directly in each folder above it (like git looking for `.git`, never
 * reading the trees beside). Each client's store follows registry/project.ts, so `wippy workflow`
 * finds the store `wippy run` used however that was invoked. Also: opening it WITHOUT the process
 * lock so the tools work beside a running `wippy run`, checking it is sound before anything is
 * read from it, and telling whether a live `wippy run` holds it.
 *
 * Invariants: only temporal.client entries are read (registry/clients.ts), so mistakes elsewhere in
 * the registry (a broken script, a test fixture) never stop anyone from inspecting workflows;
 * several distinct stores is an error naming each, never a guess; finding none says where it
 * looked; the store is never created here (a missing file is a one-line user error naming it); an
 * in-memory store is refused (there is nothing to inspect from another process).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findClients, projectRoot, PROJECT_FILES } from '../../registry';
import type { FoundClient } from '../../registry';
import { openStore, checkedByHolder, storeAddress, isPostgresUrl, PgStore } from '../../runtime/store';
import type { OpenedStore } from '../../runtime/store';
import { ErrorCode, WippyError } from '../../base/errors';

export interface StoreChoice {
  /** `--db`: wins over everything. */
  db?: string;
  /** `--registry`: folder or YAML file whose temporal.client names the store (default: search from the current folder). */
  registry?: string;
}

export interface SelectedStore {
  path: string;
  /** How messages name it: `--db x.db` or `store <path> (temporal.client app:client)`. */
  label: string;
}

/** `abs` relative to the current folder when that is shorter. */
function shown(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel !== '' && rel.length < abs.length ? rel : abs;
}

/** Where the store is, without opening it. */
export function selectStore(choice: StoreChoice, env: NodeJS.ProcessEnv = process.env): SelectedStore {
  if (choice.db !== undefined && choice.db !== '') {
    return { path: storeAddress(choice.db, `--db ${choice.db}`), label: `--db ${choice.db}` };
  }
  const fromEnv = env.WIPPY_DB;
  if (fromEnv !== undefined && fromEnv !== '') return { path: storeAddress(fromEnv, `WIPPY_DB=${fromEnv}`), label: `WIPPY_DB=${fromEnv}` };
  if (choice.registry !== undefined) {
    const found = findClients(choice.registry);
    if (found.clients.length === 0) {
      throw new WippyError(ErrorCode.BAD_ARGUMENT,
        `the registry at ${choice.registry} has no temporal.client entry, so it names no workflow store; pass --db FILE (or --registry PATH of another registry)`);
    }
    return pick(found.clients, `the registry at ${choice.registry}`);
  }
  const { clients, where } = search(process.cwd());
  return pick(clients, where);
}

/** The clients a search from `cwd` finds, and how messages say where it looked. */
function search(cwd: string): { clients: FoundClient[]; where: string } {
  const tooMany = (dir: string): WippyError => new WippyError(ErrorCode.BAD_ARGUMENT,
    `stopped looking for a temporal.client under ${dir}: too many folders to scan; pass --registry PATH (the registry folder) or --db FILE`);
  const root = projectRoot(cwd);
  if (root !== null) {
    const marker = PROJECT_FILES.find((f) => fs.existsSync(path.join(root, f)));
    const where = `the project at ${shown(root)} (the folder holding ${marker})`;
    const found = findClients(root);
    if (found.truncated) throw tooMany(root);
    if (found.clients.length === 0) {
      throw new WippyError(ErrorCode.BAD_ARGUMENT, `no workflow store found: no temporal.client entry in ${where}; pass --registry PATH or --db FILE`);
    }
    return { clients: found.clients, where };
  }
  const below = findClients(cwd);
  if (below.truncated) throw tooMany(cwd);
  if (below.clients.length > 0) return { clients: below.clients, where: `the registry files under ${cwd}` };
  for (let d = cwd; path.dirname(d) !== d;) {
    d = path.dirname(d);
    const here = findClients(d, { recursive: false });
    if (here.clients.length > 0) return { clients: here.clients, where: `the registry files in ${d}` };
  }
  throw new WippyError(ErrorCode.BAD_ARGUMENT,
    `no workflow store found: no temporal.client entry in the YAML files under the current folder (${cwd}) or directly in the folders above it; `
    + 'run this from your project (the folder of its registry, or below), or pass --registry PATH or --db FILE');
}

/** The one store `clients` name; several distinct stores are a question for the user. */
function pick(clients: FoundClient[], where: string): SelectedStore {
  const stores = new Map<string, FoundClient[]>();
  for (const c of clients) stores.set(c.store, [...(stores.get(c.store) ?? []), c]);
  if (stores.size > 1) {
    const lines = [...stores].map(([store, cs]) => `  ${store === ':memory:' ? store : shown(store)}: ${cs.map(declared).join(', ')}`);
    const first = clients[0];
    throw new WippyError(ErrorCode.BAD_ARGUMENT,
      `${stores.size} workflow stores found in ${where}; say which with --registry PATH (e.g. --registry ${shown(first.file)}) or --db FILE:\n${lines.join('\n')}`);
  }
  const [store, cs] = [...stores][0];
  if (isPostgresUrl(store)) return { path: store, label: `store ${store} (${cs.map(declared).join(', ')})` };
  if (store === ':memory:') {
    throw new WippyError(ErrorCode.BAD_ARGUMENT,
      `temporal.client ${cs[0].id} keeps its store in memory (store: ":memory:"); there is nothing to inspect from another process`);
  }
  return { path: store, label: `store ${shown(store)} (${cs.map(declared).join(', ')})` };
}

function declared(c: FoundClient): string {
  return `temporal.client ${c.id} in ${shown(c.file)}${c.line !== undefined ? `:${c.line}` : ''}`;
}

/**
 * Open the selected store for reading and for queuing requests; never takes the lock. The store
 * passes SQLite's full integrity check first, or this throws STORE_DAMAGED: nothing is listed,
 * shown or queued from a damaged store as if it were whole. The check is skipped when the live
 * `wippy run` holding the store has passed its own full check of it (`<db>.checked`): that node
 * vouches for the file while it runs, and a command against a large store in use stays fast.
 */
export function openForInspection(sel: SelectedStore): OpenedStore {
  if (!isPostgresUrl(sel.path) && !fs.existsSync(sel.path)) {
    throw new WippyError(ErrorCode.STORE_INVALID,
      `${sel.label}: no such file (${sel.path}); no workflow has run with this store yet, or the path is wrong`);
  }
  const store = openStore(sel.path, { lock: false, create: false, label: sel.label });
  try {
    if (!checkedByHolder(sel.path, storeHolder(sel.path))) store.assertSound();
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

/**
 * Who took workflow `id` (for messages): on PostgreSQL the node that owns it, else the `wippy run`
 * holding the store (`holder`, its pid).
 */
export function takenBy(store: unknown, id: string, holder: number | null): string {
  const o = store instanceof PgStore ? store.ownerOf(id) : null;
  if (o) return `node ${o.node}${o.pid !== null ? ` (pid ${o.pid})` : ''}`;
  return `the running wippy run (pid ${holder})`;
}

/**
 * The pid of the live `wippy run` holding the store's lock, or null when none does. Mirrors the
 * store's own lock rule (runtime/store/sqlite-lock.ts): `<db>.lock` holds a pid; a dead pid is stale.
 * A PostgreSQL store answers itself (`store`: the one open; the pid of a live node).
 */
export function storeHolder(storePath: string, store?: unknown): number | null {
  if (store instanceof PgStore) return store.writerPid();
  if (isPostgresUrl(storePath)) return null;
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
