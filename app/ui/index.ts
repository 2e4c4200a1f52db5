/**
 * The web UI over a workflow store: `wippy ui [PATH]` on its own, or beside a running instance
 * (`wippy run PATH --ui`). The one import for bin/.
 *
 * Owns: opening what the UI reads: the store chosen as `wippy workflow` chooses it (--db, WIPPY_DB,
 * the registry's temporal.client), opened without its lock beside any `wippy run`, after SQLite's
 * full integrity check, and the registry (sources, goldens, the entries a start may name). Then
 * the server (server.ts). Invariants: the UI never takes the store's lock and never writes a
 * history: what it asks of a workflow goes through app/control, as the CLI's commands do; a store
 * that does not exist yet is created (as `wippy workflow start` does) so that a start can be asked
 * for before the first run.
 */
import type { LuaEntry, Registry } from '../../registry';
import { openStore, type OpenedStore } from '../../runtime/store';
import { selectStore, openForInspection, storeMissing, type StoreChoice } from '../control';
import { Runtime } from '../runtime';
import { SourceIndex } from './sources';
import { startUiServer, type UiServer } from './server';
import type { UiContext } from './context';

export { isLoopback, type UiServer } from './server';

export interface UiOptions {
  /** How the store is chosen (`--db`, else WIPPY_DB, else the registry's temporal.client). */
  choice: StoreChoice;
  host: string;
  port: number;
  /** The registry PATH, when one was given. */
  registryPath?: string;
  /** The registry already loaded (`wippy run --ui`), with the runtime's chunk names. */
  loaded?: { registry: Registry; chunkName: (e: LuaEntry) => string };
  /** A store path known already (`wippy run --ui`: the runtime's). */
  storePath?: string;
  log?: (line: string) => void;
}

export interface RunningUi {
  server: UiServer;
  storeLabel: string;
  close(): Promise<void>;
}

const silent = { print: () => {}, log: () => {} };

function registryPart(o: UiOptions): { sources: SourceIndex; registry: UiContext['registry'] } {
  let loaded = o.loaded;
  if (loaded === undefined && o.registryPath !== undefined) {
    const rt = Runtime.load(o.registryPath, { output: silent });
    loaded = { registry: rt.registry, chunkName: (e) => rt.chunkName(e) };
    rt.close();
  }
  if (loaded === undefined || o.registryPath === undefined) return { sources: new SourceIndex(null, () => ''), registry: null };
  const workflows = [...loaded.registry.entries.values()].filter((e) => e.kind === 'workflow.lua').map((e) => e.id).sort();
  return {
    sources: new SourceIndex(loaded.registry, loaded.chunkName),
    registry: { path: o.registryPath, root: loaded.registry.root, workflows },
  };
}

/** Open the store and the registry, and serve. */
export async function startUi(o: UiOptions): Promise<RunningUi> {
  const { sources, registry } = registryPart(o);
  const sel = o.storePath !== undefined ? { path: o.storePath, label: `store ${o.storePath}` } : selectStore(o.choice);
  // Beside a run (storePath given), the run's own background check covers the store.
  const store: OpenedStore = o.storePath !== undefined || storeMissing(sel.path) ? openStore(sel.path, { lock: false, label: sel.label }) : openForInspection(sel);
  try {
    const ctx: UiContext = { store, storeLabel: sel.label, storePath: sel.path, choice: o.choice, sources, registry };
    const server = await startUiServer({ ctx, host: o.host, port: o.port, log: o.log });
    let closing: Promise<void> | null = null;
    return {
      server,
      storeLabel: sel.label,
      close: () => (closing ??= server.close().then(() => store.close())),
    };
  } catch (e) {
    store.close();
    throw e;
  }
}
