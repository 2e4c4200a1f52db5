/**
 * The `security.policy` entry kind (Wippy's): a policy definition and the groups it joins.
 *
 * ```yaml
 * - name: read_only
 *   kind: security.policy
 *   policy: { actions: [read, list], resources: "*", effect: allow,
 *             conditions: [{ field: actor.id, operator: eq, value: admin }] }
 *   groups: [readers]          # named scopes: security.named_scope("ns:readers")
 * ```
 * Invariants, as Wippy validates: effect is allow or deny; actions and resources are a non-empty
 * string or a non-empty list of strings; each condition has a field, a known operator, and a
 * value or value_from. A group name without a namespace is in the entry's namespace.
 */
import type { EntryContext } from './fields';
import type { PolicyEntry } from './types';
import { CONDITION_OPERATORS, type PolicyCondition } from '../base/security';

function filter(ctx: EntryContext, key: 'actions' | 'resources', v: unknown): string | string[] {
  if (typeof v === 'string' && v !== '') return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
  ctx.problem(['policy', key], `policy.${key} must be a non-empty string or list of strings (e.g. ${key}: "*")`);
  return [];
}

function conditions(ctx: EntryContext, v: unknown): PolicyCondition[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) { ctx.problem(['policy', 'conditions'], 'policy.conditions must be a list of {field, operator, value}'); return []; }
  return v.map((c: Record<string, unknown>, i) => {
    const at = ['policy', 'conditions', i];
    if (typeof c?.field !== 'string' || c.field === '') ctx.problem(at, `condition ${i}: field is required (e.g. field: actor.id)`);
    if (!CONDITION_OPERATORS.includes(String(c?.operator))) ctx.problem(at, `condition ${i}: operator must be one of ${CONDITION_OPERATORS.join(', ')}`);
    if (c?.value === undefined && (typeof c?.value_from !== 'string' || c.value_from === '')) ctx.problem(at, `condition ${i}: value or value_from is required`);
    return { field: String(c?.field ?? ''), operator: String(c?.operator ?? ''), value: c?.value, value_from: typeof c?.value_from === 'string' ? c.value_from : undefined };
  });
}

export function readPolicy(ctx: EntryContext): PolicyEntry {
  const r = ctx.raw;
  const def = (r.data.policy && typeof r.data.policy === 'object' ? r.data.policy : {}) as Record<string, unknown>;
  if (r.data.policy === undefined) ctx.missing(['policy'], 'policy: {actions: "*", resources: "*", effect: allow}');
  const effect = def.effect;
  if (effect !== 'allow' && effect !== 'deny') ctx.problem(['policy', 'effect'], 'policy.effect must be allow or deny');
  const groups = Array.isArray(r.data.groups) ? r.data.groups.map(String).map((g) => (g.includes(':') ? g : `${r.namespace}:${g}`)) : [];
  return {
    id: r.id, namespace: r.namespace, name: r.name, meta: r.meta, data: r.data, origin: { file: r.file, line: r.line },
    kind: 'security.policy',
    policy: {
      id: r.id, actions: filter(ctx, 'actions', def.actions), resources: filter(ctx, 'resources', def.resources),
      effect: effect === 'deny' ? 'deny' : 'allow', conditions: conditions(ctx, def.conditions),
    },
    groups,
  };
}
