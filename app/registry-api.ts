/**
 * The running registry as the `registry` module sees it (the `RegistryApi` of lua/services.ts).
 *
 * Owns: the version counter (1 when loaded, one more per changeset applied) and the entry views
 * (`{id, kind, meta, data}`, data as written). Changes go through registry/apply.ts with the load
 * options the registry was loaded with, so a changeset gets the checks of loading (Lua syntax,
 * and types when the registry was loaded with type checking on). Invariants: a refused
 * changeset changes nothing and its error lists every problem, one line each; versions only grow.
 */
import { applyChanges, formatProblem, type ChangeOp, type Entry, type LoadOptions, type Registry } from '../registry';
import type { RegistryApi, RegistryEntryView } from '../lua/services';

export class LiveRegistry implements RegistryApi {
  private current = 1;
  constructor(private readonly reg: Registry, private readonly opts: LoadOptions) {}

  version(): number { return this.current; }

  entries(): RegistryEntryView[] {
    return [...this.reg.entries.values()].map(view);
  }

  get(id: string): RegistryEntryView | null {
    const e = this.reg.entries.get(id);
    return e === undefined ? null : view(e);
  }

  apply(ops: readonly ChangeOp[]): { version: number } | { error: string } {
    if (ops.length === 0) return { error: 'no changes to apply' };
    const r = applyChanges(this.reg, ops, this.opts);
    if (!r.ok) return { error: r.problems.map((p) => formatProblem(p)).join('\n') };
    return { version: ++this.current };
  }
}

function view(e: Entry): RegistryEntryView {
  return { id: e.id, kind: e.kind, meta: e.meta, data: e.data };
}
