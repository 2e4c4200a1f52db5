/**
 * What every page and action of the web UI reads: the store (through the HistoryStore interface
 * only, so any store implementation serves it), how to name it, and the registry when one was
 * given (sources, goldens, the entries a start may name).
 *
 * Owns: nothing but the shape. Invariant: pages never open files or stores of their own; they
 * read what this hands them.
 */
import type { HistoryStore } from '../../runtime/store/store';
import type { StoreChoice } from '../control';
import type { SourceIndex } from './sources';

export interface UiContext {
  store: HistoryStore;
  /** How pages name the store (`--db x.db`, `store .wippy/state.db (temporal.client app:client)`). */
  storeLabel: string;
  /** The store file (whether a `wippy run` holds it: app/control storeHolder). */
  storePath: string;
  /** How the store was chosen (a start without a registry finds its entry as the CLI does). */
  choice: StoreChoice;
  sources: SourceIndex;
  /** The registry given to `wippy ui PATH` / `wippy run`: its path and root folder, or null. */
  registry: { path: string; root: string; workflows: string[] } | null;
}
