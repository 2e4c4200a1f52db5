/**
 * Ids and references: how `name` / `ns:name` become full ids, whether a reference hits an entry
 * of the right kind, which entries depend on which, and dependency cycles.
 *
 * Owns: `resolveRef`, the reference syntax, the id index used while loading, the dependency
 * edges of an entry (`lifecycle.requires` plus the implicit ones: a service needs its host, a
 * worker its client), its import edges (`imports:` to library.lua entries) and cycle detection.
 * Invariants: an id is `namespace:name` with exactly one colon (namespaces may hold dots:
 * `app.api:get_user`); a reference without a colon lives in the referring entry's namespace;
 * cycles (of start-up dependencies, and of library imports) are reported once each, rotated to
 * start at their smallest id, so the output is deterministic.
 */

import type { Entry, EntryKind } from './types';
import { closest } from './suggest';
import { displayPath } from './errors';
import type { FieldPath } from './load';

/** Kinds that have a lifecycle: the only ones that can be started or required. */
export const LIFECYCLE_KINDS: readonly EntryKind[] = ['process.host', 'process.service', 'temporal.client', 'temporal.worker', 'http.service'];

/** Full id for a reference written inside an entry of `namespace`: `name` -> `namespace:name`. */
export function resolveRef(ref: string, namespace: string): string {
  return ref.includes(':') ? ref : `${namespace}:${ref}`;
}

/** `name` or `ns:name`, no spaces, at most one colon, neither side empty. */
export function isValidRef(ref: string): boolean {
  return /^(?:[^\s:]+:)?[^\s:]+$/.test(ref);
}

/**
 * Every id declared while loading, with its kind as written (`known` = a valid kind: one run
 * here, or a Wippy kind loaded inert, which `inert` marks).
 */
export type IdIndex = ReadonlyMap<string, { kind: string; known: boolean; inert?: boolean }>;

function kindList(kinds: readonly string[]): string {
  if (kinds.length === 1) return `a ${kinds[0]}`;
  return `a ${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`;
}

/**
 * What is wrong with a reference to `id` that should name one of `expected`: undefined when
 * nothing is, '' when the target's own kind is invalid (already reported), else a message.
 */
export function describeRefProblem(
  id: string,
  written: string,
  expected: readonly EntryKind[],
  ids: IdIndex,
  brokenFiles: readonly string[] = [],
): string | undefined {
  const target = ids.get(id);
  if (target !== undefined) {
    if (!target.known) return '';
    if ((expected as readonly string[]).includes(target.kind)) return undefined;
    if (target.inert) return `${id} is a ${target.kind} entry, which wippy-ts does not run yet; expected ${kindList(expected)}`;
    const why = expected === LIFECYCLE_KINDS ? ' (only entries with a lifecycle can be required)' : '';
    return `${id} is a ${target.kind} entry, expected ${kindList(expected)}${why}`;
  }
  const candidates = [...ids].filter(([, t]) => (expected as readonly string[]).includes(t.kind)).map(([k]) => k);
  let msg = `no entry ${id}`;
  if (written !== id) msg += ` (${JSON.stringify(written)} is looked up in the entry's own namespace)`;
  const name = id.slice(id.indexOf(':') + 1);
  const suggestion = closest(id, candidates) ?? candidates.find((c) => c.endsWith(`:${name}`));
  if (suggestion !== undefined) msg += `; did you mean ${suggestion}?`;
  else if (candidates.length === 0) msg += `; the registry has no ${expected.join(' or ')} entries`;
  else if (candidates.length <= 6) msg += `; ${kindList(expected)} entry is expected, such as ${candidates.sort().join(', ')}`;
  if (brokenFiles.length > 0) msg += ` (it may be in ${brokenFiles.map(displayPath).join(', ')}, which could not be loaded)`;
  return msg;
}

/** One dependency: `to` must be running before `from` starts (and stops after it). */
export interface DependencyEdge {
  /** The dependent entry. */
  from: string;
  /** What it needs started first. */
  to: string;
  /** The field of `from` that creates the dependency. */
  field: FieldPath;
  /** True for dependencies not written in `requires` (service -> host, worker -> client). */
  implicit: boolean;
}

/** What `entry` needs started before itself: its `requires`, then its host or client. */
export function dependencyEdges(entry: Entry): DependencyEdge[] {
  const out: DependencyEdge[] = [];
  if ('lifecycle' in entry) {
    for (const to of entry.lifecycle.requires) out.push({ from: entry.id, to, field: ['lifecycle', 'requires'], implicit: false });
  }
  if (entry.kind === 'process.service' && entry.host) out.push({ from: entry.id, to: entry.host, field: ['host'], implicit: true });
  if (entry.kind === 'temporal.worker' && entry.client) out.push({ from: entry.id, to: entry.client, field: ['client'], implicit: true });
  return out;
}

/** The libraries a Lua entry imports: `imports: {alias: id}`, one edge per alias. */
export function importEdges(entry: Entry): DependencyEdge[] {
  if (!('imports' in entry)) return [];
  return Object.entries(entry.imports).map(([alias, to]) => ({ from: entry.id, to, field: ['imports', alias], implicit: false }));
}

/** Ids `entry` needs started first, in declaration order, without repeats. */
export function dependenciesOf(entry: Entry): string[] {
  return [...new Set(dependencyEdges(entry).map((e) => e.to))];
}

/**
 * Cycles among `entries` over `edgesOf` (default: start-up dependencies; `importEdges` for library
 * imports), each as the list of edges walked (first edge starts at the cycle's smallest id).
 * Edges to ids not in `entries` are ignored.
 */
export function findCycles(entries: ReadonlyMap<string, Entry>, edgesOf: (e: Entry) => DependencyEdge[] = dependencyEdges): DependencyEdge[][] {
  const state = new Map<string, 'active' | 'done'>();
  const stack: DependencyEdge[] = [];
  const found = new Map<string, DependencyEdge[]>();

  const visit = (id: string): void => {
    state.set(id, 'active');
    const entry = entries.get(id);
    for (const edge of entry ? edgesOf(entry) : []) {
      if (!entries.has(edge.to)) continue;
      const s = state.get(edge.to);
      if (s === 'active') {
        const start = stack.findIndex((e) => e.from === edge.to);
        const cycle = [...(start < 0 ? [] : stack.slice(start)), edge];
        const rot = cycle.reduce((best, e, i) => (e.from < cycle[best].from ? i : best), 0);
        const canonical = [...cycle.slice(rot), ...cycle.slice(0, rot)];
        const key = canonical.map((e) => e.from).join(' ');
        if (!found.has(key)) found.set(key, canonical);
      } else if (s === undefined) {
        stack.push(edge);
        visit(edge.to);
        stack.pop();
      }
    }
    state.set(id, 'done');
  };
  for (const id of [...entries.keys()].sort()) if (!state.has(id)) visit(id);
  return [...found.values()];
}

/** `app:a -> app:b -> app:host (its host) -> app:a`. */
export function formatCycle(cycle: readonly DependencyEdge[]): string {
  const parts = [cycle[0].from];
  for (const e of cycle) parts.push(e.implicit ? `${e.to} (its ${String(e.field[0])})` : e.to);
  return parts.join(' -> ');
}
