/**
 * Looking things up in a loaded registry: one entry by id, all entries of a kind, and the order
 * in which startable entries must be started.
 *
 * Owns: `getEntry`, `entriesOfKind`, `startOrder`. Invariants: a missing id or a wrong kind is a
 * `WippyError` with code ENTRY_NOT_FOUND and a "did you mean" when something is close; results
 * are deterministic: `entriesOfKind` is sorted by id, `startOrder` puts every dependency before
 * its dependents and is otherwise in the order the ids were given.
 */

import { ErrorCode, WippyError } from '../base/errors';
import type { Entry, EntryKind, LuaEntry, LuaKind, Registry } from './types';
import { dependencyEdges, formatCycle, type DependencyEdge } from './refs';
import { didYouMean } from './suggest';

/** The entry type for a kind: `LuaEntry` for the Lua kinds, else the one with that `kind`. */
export type EntryOfKind<K extends EntryKind> = K extends LuaKind ? LuaEntry : Extract<Entry, { kind: K }>;

/**
 * For an id that is not in `reg.entries` because it is an entry of a Wippy kind loaded inert: why
 * it cannot be used (for the runtime's "no entry" errors); undefined for any other id.
 */
export function inertEntryNote(reg: Registry, id: string): string | undefined {
  const kind = reg.unsupported.get(id);
  return kind === undefined ? undefined : `${id} is a ${kind} entry, which wippy-ts does not run yet (loaded inert; see the warning printed at start)`;
}

/**
 * The entry `id` (a full `ns:name`), optionally required to be of `kind`.
 * @throws WippyError ENTRY_NOT_FOUND when it is absent or of another kind.
 */
export function getEntry(reg: Registry, id: string): Entry;
export function getEntry<K extends EntryKind>(reg: Registry, id: string, kind: K): EntryOfKind<K>;
export function getEntry(reg: Registry, id: string, kind?: EntryKind): Entry {
  const entry = reg.entries.get(id);
  if (entry === undefined) {
    const pool = kind === undefined ? [...reg.entries.keys()] : entriesOfKind(reg, kind).map((e) => e.id);
    const what = kind === undefined ? 'entry' : `${kind} entry`;
    let hint = didYouMean(id, pool);
    if (!id.includes(':')) {
      // A bare name: most likely the namespace was left out.
      const same = pool.filter((p) => p.endsWith(`:${id}`)).sort();
      hint = ` (ids are namespace:name${same.length > 0 ? `; did you mean ${same.join(' or ')}?` : ''})`;
    }
    throw new WippyError(ErrorCode.ENTRY_NOT_FOUND, `no ${what} ${id} in the registry${hint}`);
  }
  if (kind !== undefined && entry.kind !== kind) {
    const others = entriesOfKind(reg, kind).map((e) => e.id);
    const list = others.length > 0 && others.length <= 6 ? `; ${kind} entries: ${others.join(', ')}` : '';
    throw new WippyError(ErrorCode.ENTRY_NOT_FOUND, `${id} is a ${entry.kind} entry, not a ${kind}${list}`);
  }
  return entry;
}

/** Every entry of `kind`, sorted by id. */
export function entriesOfKind<K extends EntryKind>(reg: Registry, kind: K): EntryOfKind<K>[] {
  return [...reg.entries.values()]
    .filter((e) => e.kind === kind)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) as EntryOfKind<K>[];
}

/**
 * `ids` plus everything they need (their `lifecycle.requires`, a service's host, a worker's
 * client, transitively), dependencies first. Ids are visited in the order given, dependencies in
 * the order written, so the result is deterministic. Stop in the reverse order.
 * @throws WippyError ENTRY_NOT_FOUND for an unknown id; REGISTRY_INVALID on a cycle (which a
 * registry from `loadRegistry` never has).
 */
export function startOrder(reg: Registry, ids: string[]): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const path: DependencyEdge[] = [];
  const active = new Set<string>();

  const visit = (id: string): void => {
    if (done.has(id)) return;
    const entry = getEntry(reg, id);
    active.add(id);
    for (const edge of dependencyEdges(entry)) {
      if (active.has(edge.to)) {
        const start = path.findIndex((e) => e.from === edge.to);
        const cycle = [...(start < 0 ? [] : path.slice(start)), edge];
        throw new WippyError(ErrorCode.REGISTRY_INVALID, `requires cycle: ${formatCycle(cycle)}`);
      }
      path.push(edge);
      visit(edge.to);
      path.pop();
    }
    active.delete(id);
    done.add(id);
    out.push(id);
  };
  for (const id of ids) visit(id);
  return out;
}
