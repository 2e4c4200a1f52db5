/**
 * Type expressions as written (ast.ts `TypeNode`) -> the checker's types (types.ts `Type`).
 *
 * Owns: the meaning of names in annotations: the primitives (`number`, `integer`, `string`,
 * `boolean`, `nil`, `any`, `unknown`, `never`, `table`, `userdata`, `thread`), type aliases in
 * scope (generic ones instantiated with their arguments, a missing argument being `any`), a
 * function's generic parameters (`any`: generics are not inferred), qualified names `mod.Type`
 * (the type value a module or library exports), and `typeof(x)`.
 * Invariants: a name that resolves to nothing is `any` (never an error: the checker only refuses
 * what it understands); an alias that refers to itself while being resolved is `any` at that
 * point; an alias keeps its name for messages (`expected Person, found string`).
 */
import type { Expr, TypeNode } from './ast';
import {
  ANY, BOOLEAN, INTEGER, NEVER, NIL, NUMBER, STRING, TABLE, type Field, type ParamT, type Type, optional, union,
} from './types';

/** A `type Name<P...> = T` declaration, resolved on first use in the scope it was declared in. */
export interface AliasDef {
  name: string;
  params: string[];
  node: TypeNode;
  env: TypeEnv;
  cache?: Type;
  resolving?: boolean;
}

/** What a type expression may refer to, as seen from where it is written. */
export interface TypeEnv {
  alias(name: string): AliasDef | undefined;
  /** The type of a value path (`inner` in `inner.Inner`, `x` in `typeof(x)`); undefined when unknown. */
  valueType(path: string[]): Type | undefined;
  /** The type of an expression (for `typeof(expr)` of anything but a name). */
  exprType(e: Expr): Type;
}

const PRIMITIVES: Record<string, Type> = {
  any: ANY, unknown: ANY, never: NEVER, nil: NIL, number: NUMBER, integer: INTEGER, string: STRING,
  boolean: BOOLEAN, table: TABLE, userdata: { k: 'userdata' }, thread: { k: 'thread' }, error: ANY, self: ANY,
};

const MAX_DEPTH = 40;

/** The type `node` denotes in `env`; `generics` maps the generic parameters in scope to their types. */
export function resolveType(node: TypeNode, env: TypeEnv, generics: ReadonlyMap<string, Type> = new Map(), depth = 0): Type {
  if (depth > MAX_DEPTH) return ANY;
  const r = (n: TypeNode): Type => resolveType(n, env, generics, depth + 1);
  switch (node.k) {
    case 'name': {
      if (node.path.length > 1) {
        const v = env.valueType(node.path);
        return v !== undefined && v.k === 'typevalue' ? v.of : ANY;
      }
      const name = node.path[0];
      const g = generics.get(name);
      if (g !== undefined) return g;
      const alias = env.alias(name);
      if (alias !== undefined) return instantiate(alias, node.args.map(r), depth);
      return PRIMITIVES[name] ?? ANY;
    }
    case 'lit': return node.value === null ? NIL : { k: 'lit', v: node.value };
    case 'table': {
      if (node.fields.length === 0 && node.array !== null && node.indexers.length === 0) return { k: 'array', elem: r(node.array), ro: node.readonly };
      if (node.fields.length === 0 && node.indexers.length > 0) {
        return { k: 'map', key: r(node.indexers[0].key), val: r(node.indexers[0].val), ro: node.readonly };
      }
      const fields = new Map<string, Field>();
      for (const f of node.fields) fields.set(f.name, { t: r(f.type), opt: f.optional, ro: f.readonly || node.readonly });
      const indexer = node.indexers.length > 0 ? { key: r(node.indexers[0].key), val: r(node.indexers[0].val) } : null;
      return { k: 'record', fields, indexer, open: node.array !== null };
    }
    case 'func': {
      let inner = generics;
      if (node.generics.length > 0) {
        const m = new Map(generics);
        for (const g of node.generics) m.set(g, ANY);
        inner = m;
      }
      const rr = (n: TypeNode): Type => resolveType(n, env, inner, depth + 1);
      const params: ParamT[] = node.params.map((p, i) => ({ name: p.name ?? `#${i + 1}`, t: rr(p.type), declared: true }));
      return {
        k: 'func', params, variadic: node.variadic ? rr(node.variadic) : null, returns: node.returns.map(rr),
        retVariadic: node.retVariadic ? rr(node.retVariadic) : null, typed: true, name: '', method: false,
      };
    }
    case 'union': return union(node.types.map(r));
    case 'inter': {
      const ts = node.types.map(r);
      return ts.some((t) => t.k === 'any') ? ANY : { k: 'inter', ts };
    }
    case 'opt': return optional(r(node.type));
    case 'array': return { k: 'array', elem: r(node.elem), ro: false };
    case 'typeof': {
      if (node.expr.k === 'name') return env.valueType([node.expr.name]) ?? ANY;
      return env.exprType(node.expr);
    }
    case 'tuple': return node.types.length === 1 && node.variadic === null ? r(node.types[0]) : ANY;
    case 'ann': return r(node.type);
    default: return ANY;
  }
}

/** An alias's type, with `args` for its generic parameters. */
export function instantiate(alias: AliasDef, args: Type[], depth: number): Type {
  if (alias.params.length === 0 && alias.cache !== undefined) return alias.cache;
  if (alias.resolving === true) return ANY;
  alias.resolving = true;
  let t: Type;
  try {
    const generics = new Map<string, Type>();
    alias.params.forEach((p, i) => generics.set(p, args[i] ?? ANY));
    t = resolveType(alias.node, alias.env, generics, depth + 1);
  } finally {
    alias.resolving = false;
  }
  if (alias.params.length === 0) {
    t = named(t, alias.name);
    alias.cache = t;
  }
  return t;
}

/** `t` shown under the alias name `name` in messages (tables, unions and functions only). */
function named(t: Type, name: string): Type {
  switch (t.k) {
    case 'record': case 'array': case 'map': case 'union': case 'inter': case 'func':
      return t.alias === undefined ? { ...t, alias: name } : t;
    default: return t;
  }
}
