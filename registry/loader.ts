/**
 * `loadRegistry`: the one entry point that turns a path into a validated `Registry`.
 *
 * Owns: the order of the loading phases. (1) find and parse files into raw entries; (2) check
 * kinds and duplicate ids, building the id index every reference is checked against; (3)
 * normalise each entry by kind (reading Lua sources, resolving references); (4) find dependency
 * cycles and library import cycles, and run the env entries' cross checks (registry/env-kinds.ts).
 * Invariants: every phase runs even after earlier problems, so one run reports every mistake it
 * can see; the result is returned only when there are no problems, otherwise one `RegistryError`
 * with all of them is thrown; what Wippy has and this runtime does not run
 * (registry/wippy-names.ts) is a warning carried by the result, never a problem; entries are kept
 * in file order, then the order written; nothing here throws a raw exception for a mistake in the
 * user's files.
 */

import type { Entry, LoadOptions, Registry } from './types';
import { ProblemSink, displayPath } from './errors';
import { EntryContext } from './fields';
import { checkKind, isEntryKind, normaliseEntry } from './kinds';
import { readRegistryFiles, type RawEntry } from './load';
import { findCycles, formatCycle, importEdges } from './refs';
import { checkEnvEntries } from './env-kinds';

/**
 * Load the registry at `target`: one YAML file, or a folder scanned recursively for *.yaml and
 * *.yml. Throws `RegistryError` (code REGISTRY_INVALID) listing every problem found.
 */
export function loadRegistry(target: string, opts: LoadOptions = {}): Registry {
  const sink = new ProblemSink();
  const parsed = readRegistryFiles(target, sink);

  // Phase 2: ids and kinds. The first declaration of an id wins; later ones are reported.
  const index = new Map<string, { kind: string; known: boolean; inert?: boolean }>();
  const unsupported = new Map<string, string>();
  const first = new Map<string, RawEntry>();
  const unique: RawEntry[] = [];
  for (const raw of parsed.entries) {
    const verdict = checkKind(raw, sink);
    const prev = first.get(raw.id);
    if (prev !== undefined) {
      const where = `${displayPath(prev.file)}${prev.line !== undefined ? `:${prev.line}` : ''}`;
      sink.add({
        file: raw.file,
        line: raw.line,
        entry: raw.id,
        message: `duplicate id ${raw.id}: already declared at ${where}; rename one of them`,
      });
      continue;
    }
    first.set(raw.id, raw);
    index.set(raw.id, { kind: raw.kind, known: verdict !== 'bad', inert: verdict === 'inert' });
    if (verdict === 'inert') unsupported.set(raw.id, raw.kind);
    unique.push(raw);
  }

  // Phase 3: normalise each entry by kind.
  const entries = new Map<string, Entry>();
  for (const raw of unique) {
    if (!isEntryKind(raw.kind)) continue;
    const ctx = new EntryContext(raw, sink, index, parsed.root, opts, parsed.broken);
    const entry = normaliseEntry(ctx, raw.kind);
    if (entry !== undefined) entries.set(entry.id, entry);
  }

  // Phase 4: cycles. Start-up dependencies (requires, plus service -> host and worker -> client),
  // and library imports (loading l1 would load l2, which loads l1 again, for ever).
  const cycles = [
    { found: findCycles(entries), why: 'requires cycle: %; an entry cannot depend on itself, directly or through others' },
    { found: findCycles(entries, importEdges), why: 'imports cycle: %; a library cannot import itself, directly or through others; move what they share into a library that imports neither' },
  ];
  for (const { found, why } of cycles) {
    for (const cycle of found) {
      const raw = first.get(cycle[0].from)!;
      sink.add({
        file: raw.file,
        line: raw.lineOf(cycle[0].field),
        entry: raw.id,
        field: cycle[0].field.join('.'),
        message: why.replace('%', () => formatCycle(cycle)),
      });
    }
  }

  checkEnvEntries(entries, first, sink);

  sink.throwIfAny();
  return { root: parsed.root, files: parsed.files, entries, unsupported, warnings: sink.warnings() };
}
