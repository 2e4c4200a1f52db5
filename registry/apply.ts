/**
 * Changing a loaded registry while it runs: Wippy's `registry` module's changesets
 * (`changes:create/update/delete`, `changes:apply()`), checked as loading checks.
 *
 * Owns: `applyChanges`, which validates a list of operations against a loaded `Registry` and,
 * only when every check passes, applies them to it in place. An entry is given as Wippy's
 * registry module gives it: `{id = "ns:name", kind = ..., meta = {...}, data = {...}}`, where a
 * Lua entry's `data.source` is either a `file://` URL (relative to the registry root) or the Lua
 * code itself. Checks: the id's form; create of an existing id, update or delete of a missing
 * one; the kind and every field as loading checks them (references against the registry as it
 * would be after the change); the Lua compile check; and, when the registry was loaded with type
 * checking on, the types of every created or updated Lua entry (strict: an issue refuses the
 * change; otherwise it is a warning of the result).
 * Invariants: all or nothing: on any problem nothing changes and every problem is returned, one
 * line each; the `entries` map is changed in place (whoever holds the registry sees the change);
 * a delete does not check who still refers to the entry (as Wippy, dependents fail when used).
 */
import * as path from 'node:path';
import type { Entry, LoadOptions, Registry } from './types';
import { ProblemSink, type Problem } from './errors';
import { EntryContext } from './fields';
import { checkKind, isEntryKind, normaliseEntry } from './kinds';
import { isPlainMap, type RawEntry } from './load';
import { checkEntryTypes } from './loader';

/** An entry as Wippy's registry module gives it. */
export interface EntrySpecData { id: string; kind: string; meta?: Record<string, unknown>; data?: Record<string, unknown> }

export type ChangeOp =
  | { op: 'create' | 'update'; entry: EntrySpecData }
  | { op: 'delete'; id: string };

export type ApplyResult = { ok: true; warnings: Problem[] } | { ok: false; problems: Problem[] };

const ID_RE = /^([^\s:]+):([^\s:]+)$/;

/** Validate `ops` against `reg` as loading would and apply them all, or none. */
export function applyChanges(reg: Registry, ops: readonly ChangeOp[], opts: LoadOptions): ApplyResult {
  const sink = new ProblemSink();
  // Named as a file in the registry root: a relative `file://` source resolves against the root.
  const where = path.join(reg.root, '(registry changeset)');
  const next = new Map(reg.entries);
  const unsupported = new Map(reg.unsupported);
  const pending: RawEntry[] = [];
  ops.forEach((op, i) => {
    const id = op.op === 'delete' ? op.id : op.entry.id;
    const at = { file: where, field: `op ${i + 1} (${op.op})` };
    if (typeof id !== 'string' || !ID_RE.test(id)) {
      sink.add({ ...at, message: `expected an id like app:name, got ${JSON.stringify(id)}` });
      return;
    }
    const exists = next.has(id) || unsupported.has(id);
    if (op.op === 'create' && exists) { sink.add({ ...at, entry: id, message: `entry ${id} already exists; update it instead` }); return; }
    if (op.op !== 'create' && !exists) { sink.add({ ...at, entry: id, message: `no entry ${id} in the registry` }); return; }
    if (op.op === 'delete') { next.delete(id); unsupported.delete(id); return; }
    const m = ID_RE.exec(id)!;
    const e = op.entry;
    pending.push({
      file: where, namespace: m[1], name: m[2], id, kind: String(e.kind),
      meta: isPlainMap(e.meta) ? e.meta : {}, data: isPlainMap(e.data) ? { ...e.data } : {},
      lineOf: () => undefined, inlineSource: true,
    });
  });
  const index = new Map<string, { kind: string; known: boolean; inert?: boolean }>();
  for (const [id, e] of next) index.set(id, { kind: e.kind, known: true });
  for (const [id, kind] of unsupported) index.set(id, { kind, known: true, inert: true });
  for (const raw of pending) index.set(raw.id, { kind: raw.kind, known: isEntryKind(raw.kind) });
  const changed = new Map<string, Entry>();
  for (const raw of pending) {
    const verdict = checkKind(raw, sink);
    next.delete(raw.id);
    unsupported.delete(raw.id);
    if (verdict === 'inert') unsupported.set(raw.id, raw.kind);
    if (verdict !== 'run' || !isEntryKind(raw.kind)) continue;
    const entry = normaliseEntry(new EntryContext(raw, sink, index, reg.root, opts), raw.kind);
    if (entry !== undefined) { next.set(entry.id, entry); changed.set(entry.id, entry); }
  }
  if (sink.count === 0 && reg.typeCheck.enabled && opts.checkTypes !== undefined && changed.size > 0) {
    checkEntryTypes(next, reg.typeCheck, opts.checkTypes, sink, new Set(changed.keys()));
  }
  if (sink.count > 0) return { ok: false, problems: sink.sorted() };
  reg.entries.clear();
  for (const [id, e] of next) reg.entries.set(id, e);
  reg.unsupported.clear();
  for (const [id, k] of unsupported) reg.unsupported.set(id, k);
  return { ok: true, warnings: sink.warnings() };
}
