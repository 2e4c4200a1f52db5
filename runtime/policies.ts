/**
 * The registry's `security.policy` entries, looked up by id and by group (Wippy's named scopes).
 *
 * Owns: the two indexes, built once per Runtime. Invariant: a group exists exactly when at least
 * one policy names it; its policies are in registry order.
 */
import type { PolicyDef } from '../base/security';
import type { Registry } from '../registry/types';

export function policiesOf(registry: Registry): { policy(id: string): PolicyDef | null; group(id: string): PolicyDef[] | null } {
  const byId = new Map<string, PolicyDef>();
  const groups = new Map<string, PolicyDef[]>();
  for (const e of registry.entries.values()) {
    if (e.kind !== 'security.policy') continue;
    byId.set(e.id, e.policy);
    for (const g of e.groups) groups.set(g, [...(groups.get(g) ?? []), e.policy]);
  }
  return { policy: (id) => byId.get(id) ?? null, group: (id) => groups.get(id) ?? null };
}
