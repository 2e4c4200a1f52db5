/**
 * Security values and policy evaluation, as Wippy's `security.policy` entries define them.
 *
 * Owns: the plain (JSON) shapes of an actor, a policy and a security context, and evaluation.
 * A policy matches an action and a resource (`"*"`, exact, `prefix*` or `prefix.*`, or a list of
 * those), then every condition must hold; a match gives its effect, anything else "undefined".
 * A scope combines its policies: any "deny" wins, else any "allow", else "undefined". `isAllowed`
 * (`security.can`) is false without both an actor and a scope; `isPermitted` (the modules' own
 * checks) is true then, as Wippy's non-strict mode. Invariants: pure functions over JSON data,
 * so a context crosses calls, processes and histories as it is.
 */

export interface Actor { id: string; meta: Record<string, unknown> }
export type Effect = 'allow' | 'deny';
export type SecurityResult = Effect | 'undefined';

export interface PolicyCondition { field: string; operator: string; value?: unknown; value_from?: string }

export interface PolicyDef {
  /** `namespace:name` of the security.policy entry. */
  id: string;
  actions: string | string[];
  resources: string | string[];
  effect: Effect;
  conditions?: PolicyCondition[];
}

/** What travels with a call or a process: who acts, and under which policies. */
export interface SecurityContext { actor?: Actor; scope?: PolicyDef[] }

export const CONDITION_OPERATORS = ['eq', 'ne', 'lt', 'gt', 'lte', 'gte', 'in', 'nin', 'exists', 'nexists', 'contains', 'ncontains', 'matches', 'nmatches'];

function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === '*' || pattern === value) return true;
  if (pattern.length > 2 && pattern.endsWith('.*')) return value.startsWith(pattern.slice(0, -2));
  if (pattern.length > 1 && pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return false;
}

function matchesFilter(filter: string | string[], value: string): boolean {
  return (Array.isArray(filter) ? filter : [filter]).some((p) => matchesPattern(p, value));
}

const MISSING = Symbol('missing');

function walk(v: unknown, parts: string[]): unknown {
  for (const p of parts) {
    if (v === null || typeof v !== 'object' || !(p in (v as object))) return MISSING;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function field(path: string, actor: Actor, action: string, resource: string, meta: Record<string, unknown>): unknown {
  const [head, ...rest] = path.split('.');
  if (head === 'actor') {
    if (rest[0] === 'id') return actor.id;
    if (rest[0] === 'meta') return walk(actor.meta, rest.slice(1));
    return MISSING;
  }
  if (head === 'meta') return walk(meta, rest);
  if (head === 'action') return action;
  if (head === 'resource') return resource;
  return path in meta ? meta[path] : MISSING;
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' || typeof b === 'number' ? Number(a) === Number(b) && String(a) !== '' : JSON.stringify(a) === JSON.stringify(b));
}

function compare(v: unknown, want: unknown, op: string): boolean {
  const present = v !== MISSING && v !== null && v !== undefined;
  switch (op) {
    case 'exists': return present;
    case 'nexists': return !present;
    case 'eq': return present && same(v, want);
    case 'ne': return !present || !same(v, want);
    case 'lt': return present && Number(v) < Number(want);
    case 'gt': return present && Number(v) > Number(want);
    case 'lte': return present && Number(v) <= Number(want);
    case 'gte': return present && Number(v) >= Number(want);
    case 'in': return present && Array.isArray(want) && want.some((w) => same(v, w));
    case 'nin': return !present || !Array.isArray(want) || !want.some((w) => same(v, w));
    case 'contains': return present && (Array.isArray(v) ? v.some((x) => same(x, want)) : String(v).includes(String(want)));
    case 'ncontains': return !compare(v, want, 'contains');
    case 'matches': return present && safeRegex(String(want))?.test(String(v)) === true;
    case 'nmatches': return !compare(v, want, 'matches');
    default: return false;
  }
}

function safeRegex(src: string): RegExp | null {
  try { return new RegExp(src); } catch { return null; }
}

export function evaluatePolicy(p: PolicyDef, actor: Actor, action: string, resource: string, meta: Record<string, unknown> = {}): SecurityResult {
  if (!matchesFilter(p.actions, action) || !matchesFilter(p.resources, resource)) return 'undefined';
  for (const c of p.conditions ?? []) {
    const v = field(c.field, actor, action, resource, meta);
    const want = c.value_from ? field(c.value_from, actor, action, resource, meta) : c.value;
    if (!compare(v, want, c.operator)) return 'undefined';
  }
  return p.effect;
}

export function evaluateScope(scope: readonly PolicyDef[], actor: Actor, action: string, resource: string, meta: Record<string, unknown> = {}): SecurityResult {
  let allowed = false;
  for (const p of scope) {
    const r = evaluatePolicy(p, actor, action, resource, meta);
    if (r === 'deny') return 'deny';
    if (r === 'allow') allowed = true;
  }
  return allowed ? 'allow' : 'undefined';
}

/** Wippy's `security.can`: allowed only with an actor AND a scope whose verdict is allow. */
export function isAllowed(sc: SecurityContext | undefined, action: string, resource: string, meta: Record<string, unknown> = {}): boolean {
  if (!sc?.actor || !sc.scope) return false;
  return evaluateScope(sc.scope, sc.actor, action, resource, meta) === 'allow';
}

/**
 * The check Wippy's modules make before touching a resource (`env.get`...): with an actor and a
 * scope, the scope's verdict must be allow; with either missing, access is allowed (Wippy's
 * default, `security.strict_mode: false`; strict mode is not provided here).
 */
export function isPermitted(sc: SecurityContext | undefined, action: string, resource: string, meta: Record<string, unknown> = {}): boolean {
  if (!sc?.actor || !sc.scope) return true;
  return isAllowed(sc, action, resource, meta);
}
