/**
 * Typed field readers for one entry: the only place a YAML value is checked against the type a
 * field expects.
 *
 * Owns: `EntryContext` (one raw entry plus everything needed to validate it: the problem sink,
 * the index of all ids, the registry root and load options) and its readers (string, boolean,
 * number, duration, list, map, reference). Invariants: a reader never throws for a user mistake;
 * it reports a problem naming the entry, the field path and its line, then returns undefined (or
 * the default) so validation carries on; a reference is resolved against the entry's namespace
 * and must exist with one of the expected kinds.
 */

import { parseDuration, DurationError } from '../base/duration';
import type { EntryKind, LoadOptions } from './types';
import { describeValue, type ProblemSink } from './errors';
import { isPlainMap, type FieldPath, type RawEntry } from './load';
import { describeRefProblem, isValidRef, resolveRef, type IdIndex } from './refs';

/** `lifecycle.restart.max_delay`, `modules[1]`. */
export function formatFieldPath(p: FieldPath): string {
  let out = '';
  for (const seg of p) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

export interface NumberRules {
  integer?: boolean;
  min?: number;
  max?: number;
  /** Words for the rule in messages: "a whole number >= 1". */
  expected?: string;
}

export class EntryContext {
  constructor(
    readonly raw: RawEntry,
    private readonly sink: ProblemSink,
    private readonly ids: IdIndex,
    /** Absolute registry root. */
    readonly root: string,
    readonly opts: LoadOptions,
    /** Files that failed to parse: a reference may point into one of them. */
    private readonly brokenFiles: readonly string[] = [],
  ) {}

  /** The fields every entry has (id, namespace, name, meta, data, origin), from the raw entry. */
  base(): { id: string; namespace: string; name: string; meta: Record<string, unknown>; data: Record<string, unknown>; origin: { file: string; line?: number } } {
    const r = this.raw;
    return { id: r.id, namespace: r.namespace, name: r.name, meta: r.meta, data: r.data, origin: { file: r.file, line: r.line } };
  }

  /** Report a problem on this entry at `field` (or on the entry itself). */
  problem(field: FieldPath | undefined, message: string): void {
    this.sink.add({
      file: this.raw.file,
      line: field ? this.raw.lineOf(field) : this.raw.line,
      entry: this.raw.id,
      field: field && field.length > 0 ? formatFieldPath(field) : undefined,
      message,
    });
  }

  /** Report a warning on this entry at `field`: see `ProblemSink.warn`. */
  warning(field: FieldPath, message: string): void {
    this.sink.warn({ file: this.raw.file, line: this.raw.lineOf(field), entry: this.raw.id, field: formatFieldPath(field), message });
  }

  /** Whether `id` names an entry of a Wippy kind loaded inert; its kind then. */
  inertKind(id: string): string | undefined {
    const t = this.ids.get(id);
    return t?.inert ? t.kind : undefined;
  }

  private typeProblem(p: FieldPath, expected: string, v: unknown, hint = ''): void {
    this.problem(p, `expected ${expected}, got ${describeValue(v)}${hint}`);
  }

  /** Report a missing required field. */
  missing(p: FieldPath, example: string): void {
    this.problem(p, `missing required field ${formatFieldPath(p)} (e.g. ${example})`);
  }

  str(p: FieldPath, v: unknown, def?: string): string | undefined {
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string' || v === '') {
      this.typeProblem(p, 'a non-empty string', v);
      return def;
    }
    return v;
  }

  bool(p: FieldPath, v: unknown, def: boolean): boolean {
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') {
      this.typeProblem(p, 'true or false', v);
      return def;
    }
    return v;
  }

  num(p: FieldPath, v: unknown, def: number, rules: NumberRules = {}): number {
    if (v === undefined || v === null) return def;
    const expected = rules.expected ?? (rules.integer ? 'a whole number' : 'a number');
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!rules.integer || Number.isInteger(v)) &&
      (rules.min === undefined || v >= rules.min) &&
      (rules.max === undefined || v <= rules.max);
    if (!ok) {
      this.typeProblem(p, expected, v);
      return def;
    }
    return v as number;
  }

  /** Milliseconds. */
  duration(p: FieldPath, v: unknown, defMs: number): number {
    if (v === undefined || v === null) return defMs;
    try {
      return parseDuration(v);
    } catch (e) {
      if (e instanceof DurationError) {
        this.problem(p, e.message);
        return defMs;
      }
      throw e;
    }
  }

  /** A map, or undefined (with a problem when something else was written). */
  map(p: FieldPath, v: unknown, example: string): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isPlainMap(v)) {
      this.typeProblem(p, `a map like ${example}`, v);
      return undefined;
    }
    return v;
  }

  /** A list of non-empty strings; a lone string gets a hint showing the list form. */
  strList(p: FieldPath, v: unknown): string[] {
    if (v === undefined || v === null) return [];
    const key = p[p.length - 1];
    if (!Array.isArray(v)) {
      const hint = typeof v === 'string' ? `; write ${String(key)}: [${v}]` : '';
      this.typeProblem(p, 'a list of strings', v, hint);
      return [];
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      if (typeof item !== 'string' || item === '') this.typeProblem([...p, i], 'a non-empty string', item);
      else if (!out.includes(item)) out.push(item);
    });
    return out;
  }

  /**
   * Resolve a reference written in this entry and check its target's kind.
   * Returns the full id, or undefined after reporting a problem.
   */
  ref(p: FieldPath, v: unknown, expected: readonly EntryKind[]): string | undefined {
    if (typeof v !== 'string' || v === '') {
      this.typeProblem(p, 'a reference like app:name or name', v);
      return undefined;
    }
    if (!isValidRef(v)) {
      this.problem(p, `invalid reference ${JSON.stringify(v)}: write namespace:name (e.g. app:worker) or a name in this namespace`);
      return undefined;
    }
    const id = resolveRef(v, this.raw.namespace);
    const trouble = describeRefProblem(id, v, expected, this.ids, this.brokenFiles);
    if (trouble !== undefined) {
      if (trouble !== '') this.problem(p, trouble);
      return undefined;
    }
    return id;
  }
}
