/**
 * The checker's scopes and what it remembers while walking a chunk: locals with their declared
 * or inferred types, type aliases, the function being checked, and the narrowing facts.
 *
 * Owns: how a variable's type is read. A declared (annotated) local has its declared type; an
 * unannotated local has the type of its initializer (literals widened: `local n = 1` is a
 * number, a table constructor is `table`) unless the chunk assigns to that name anywhere, then
 * it is `any` (gradual: only what cannot change is known). Narrowing only ever removes
 * possibilities, never adds precision: once a name or field path (`x`, `cfg.timeout`) has been
 * tested in a condition (`if`, `while`, `until`, `and`/`or`, `assert`) or assigned, reads after
 * it (in the text) are not nil; once it has been tested with `type(x)`, it is `any`.
 * Invariants: facts are per chunk and monotonic (a fact learnt stays learnt), which can only
 * hide an error, never invent one; scopes follow Lua's block structure.
 */
import type { AliasDef } from './resolve';
import { ANY, type Type, withoutNil } from './types';

export interface Var {
  /** The annotation's type, null when the local has none. */
  declared: Type | null;
  inferred: Type;
  /** Computed on first read (a type declaration's runtime value). */
  lazy?: () => Type;
}

export interface FnCtx {
  name: string;
  /** Declared return types; null when the function has no return annotation. */
  returns: Type[] | null;
  retVariadic: Type | null;
  /** The type of `...` in this function. */
  vararg: Type;
}

export class Scope {
  readonly vars = new Map<string, Var>();
  readonly aliases = new Map<string, AliasDef>();
  constructor(readonly parent: Scope | null, readonly fn: FnCtx) {}

  lookup(name: string): Var | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  alias(name: string): AliasDef | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const a = s.aliases.get(name);
      if (a !== undefined) return a;
    }
    return undefined;
  }
}

/** The narrowing facts of a chunk (see the header). */
export class Facts {
  private readonly cleared = new Set<string>();
  private readonly guarded = new Set<string>();
  constructor(private readonly assigned: ReadonlySet<string>) {}

  clear(path: string): void { this.cleared.add(path); }
  guard(path: string): void { this.guarded.add(path); }

  /** The type a read of `path` gives, from the type `t` it has where declared. */
  narrow(path: string, t: Type): Type {
    if (this.guarded.has(path)) return ANY;
    if (!this.cleared.has(path)) return t;
    const n = withoutNil(t, true);
    return n.k === 'never' ? ANY : n;
  }

  /** The type of local `name` (declared in `v`) before narrowing. */
  base(name: string, v: Var): Type {
    if (v.declared !== null) return v.declared;
    if (v.lazy !== undefined) { v.inferred = v.lazy(); delete v.lazy; }
    return this.assigned.has(name) ? ANY : v.inferred;
  }
}
