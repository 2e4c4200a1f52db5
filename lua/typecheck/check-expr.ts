/**
 * The expression half of the checker (check.ts has statements and functions): the type of every
 * expression, and the rules checked on the way: calls (of a non-callable, with too many or too
 * few arguments, with an argument of the wrong type), field access (unknown field of a declared
 * table type, field of a number or boolean), arithmetic and concatenation on values that cannot
 * take part.
 *
 * Owns: `ExprChecker`, the base of the chunk checker, with its diagnostics and environment.
 * Invariants: an expression is typed once (its diagnostics are reported once); an operand of
 * unknown type (`any`) is never reported; a call's results are known only for functions with a
 * return annotation (and the built-ins of globals.ts), otherwise `any`.
 */
import type { Expr, FuncBody, TypeNode } from './ast';
import type { AliasDef, TypeEnv } from './resolve';
import { resolveType } from './resolve';
import { Facts, type FnCtx, Scope } from './scope';
import { STRING_FUNCTIONS, builtin } from './globals';
import {
  ANY, BOOLEAN, INTEGER, NIL, NUMBER, STRING, type Type, acceptsNil, assignable, display, falsyPart,
  found, mayBeNumber, mayConcat, optional, union, withoutNil,
} from './types';

export interface Diagnostic { pos: number; message: string }

/** A list of values: the types known, and whether more (of unknown type) may follow. */
export interface Values { types: Type[]; open: boolean }

const ARITH = new Set(['+', '-', '*', '/', '//', '%', '^']);
const COMPARE = new Set(['==', '~=', '<', '<=', '>', '>=']);

export abstract class ExprChecker {
  readonly diagnostics: Diagnostic[] = [];
  protected scope: Scope;

  constructor(
    protected readonly globals: Map<string, Type>,
    protected readonly facts: Facts,
    /** The type of `require(name)` (an import alias or a standard module); undefined: unknown. */
    protected readonly requireType: (name: string) => Type | undefined,
    top: FnCtx,
  ) {
    this.scope = new Scope(null, top);
  }

  /** Check a function's body and give its type (check.ts). */
  protected abstract func(f: FuncBody): Type;

  protected report(pos: number, message: string): void {
    this.diagnostics.push({ pos, message });
  }

  /** What type expressions written in `scope` refer to. */
  protected env(scope: Scope = this.scope): TypeEnv {
    return {
      alias: (name: string): AliasDef | undefined => scope.alias(name),
      valueType: (path: string[]) => {
        const v = scope.lookup(path[0]);
        let t: Type | undefined = v !== undefined ? this.facts.base(path[0], v) : this.globals.get(path[0]);
        for (let i = 1; t !== undefined && i < path.length; i++) t = this.fieldOf(t, path[i], -1);
        return t;
      },
      exprType: (e: Expr) => this.expr(e),
    };
  }

  protected resolve(node: TypeNode, generics?: ReadonlyMap<string, Type>): Type {
    return resolveType(node, this.env(), generics);
  }

  /** The value of an expression (the first of a call's results). */
  expr(e: Expr): Type {
    switch (e.k) {
      case 'nil': return NIL;
      case 'true': return { k: 'lit', v: true };
      case 'false': return { k: 'lit', v: false };
      case 'number': return { k: 'lit', v: e.value };
      case 'string': return { k: 'lit', v: e.value };
      case 'vararg': return this.scope.fn.vararg;
      case 'func': return this.func(e.f);
      case 'table': return this.table(e);
      case 'bin': return this.binary(e);
      case 'un': return this.unary(e);
      case 'name': {
        const v = this.scope.lookup(e.name);
        if (v === undefined) return this.globals.get(e.name) ?? ANY;
        return this.facts.narrow(e.name, this.facts.base(e.name, v));
      }
      case 'index': {
        const ot = this.expr(e.obj);
        let t: Type;
        if (e.key.k === 'string') t = this.fieldOf(ot, e.key.value, e.key.pos);
        else {
          const kt = this.expr(e.key);
          t = this.elementOf(ot, kt);
        }
        const path = pathOf(e);
        return path === null ? t : this.facts.narrow(path, t);
      }
      case 'call': case 'method': {
        const r = this.call(e);
        return r.types.length > 0 ? r.types[0] : r.open ? ANY : NIL;
      }
      case 'paren': return this.expr(e.e);
      case 'cast': this.expr(e.e); return this.resolve(e.type);
      case 'nonnil': { const t = withoutNil(this.expr(e.e)); return t.k === 'never' ? ANY : t; }
    }
  }

  /** All values of an expression: a call's results, `...`, or one value. */
  protected multi(e: Expr): Values {
    if (e.k === 'call' || e.k === 'method') return this.call(e);
    if (e.k === 'vararg') return { types: [], open: true };
    return { types: [this.expr(e)], open: false };
  }

  /** The values of an expression list (the last one expanded, as Lua does). */
  protected list(es: Expr[]): Values {
    const types: Type[] = [];
    for (let i = 0; i < es.length - 1; i++) types.push(this.expr(es[i]));
    if (es.length === 0) return { types, open: false };
    const last = this.multi(es[es.length - 1]);
    return { types: types.concat(last.types), open: last.open };
  }

  private table(e: Extract<Expr, { k: 'table' }>): Type {
    const fields = new Map<string, Type>();
    const items: Type[] = [];
    let keyed = false;
    e.items.forEach((it, i) => {
      if (it.k === 'named') fields.set(it.name, this.expr(it.value));
      else if (it.k === 'keyed') {
        const kt = this.expr(it.key);
        const vt = this.expr(it.value);
        if (kt.k === 'lit' && typeof kt.v === 'string') fields.set(kt.v, vt); else keyed = true;
      } else if (i === e.items.length - 1) {
        const v = this.multi(it.value);
        items.push(...v.types);
        if (v.open) keyed = true;
      } else items.push(this.expr(it.value));
    });
    return { k: 'tlit', fields, items, keyed };
  }

  private binary(e: Extract<Expr, { k: 'bin' }>): Type {
    if (e.op === 'and' || e.op === 'or') {
      const l = this.expr(e.l);
      this.markCond(e.l);
      const r = this.expr(e.r);
      if (l.k === 'any') return ANY;
      return e.op === 'and' ? union([falsyPart(l), r]) : union([withoutNil(l, true), r]);
    }
    const l = this.expr(e.l), r = this.expr(e.r);
    if (ARITH.has(e.op)) {
      for (const t of [l, r]) {
        if (!mayBeNumber(t)) { this.report(e.pos, `invalid operand of '${e.op}': expected number, found ${found(t)}`); break; }
      }
      return isInt(l) && isInt(r) && e.op !== '/' && e.op !== '^' ? INTEGER : NUMBER;
    }
    if (e.op === '..') {
      for (const t of [l, r]) {
        if (!mayConcat(t)) { this.report(e.pos, `invalid operand of '..': expected string or number, found ${found(t)}`); break; }
      }
      return STRING;
    }
    if (COMPARE.has(e.op)) return BOOLEAN;
    return INTEGER; // bitwise
  }

  private unary(e: Extract<Expr, { k: 'un' }>): Type {
    const t = this.expr(e.e);
    switch (e.op) {
      case 'not': this.markCond(e.e); return BOOLEAN;
      case '#': return INTEGER;
      case '~': return INTEGER;
      case '-':
        if (!mayBeNumber(t)) this.report(e.pos, `invalid operand of unary '-': expected number, found ${found(t)}`);
        if (t.k === 'lit' && typeof t.v === 'number') return { k: 'lit', v: -t.v };
        return isInt(t) ? INTEGER : NUMBER;
    }
  }

  /** Narrowing: every name and field path in a condition is not nil after it; `type(x)` makes x `any`. */
  protected markCond(e: Expr): void {
    const path = pathOf(e);
    if (path !== null) this.facts.clear(path);
    switch (e.k) {
      case 'index': this.markCond(e.obj); break;
      case 'bin': this.markCond(e.l); this.markCond(e.r); break;
      case 'un': case 'paren': case 'nonnil': case 'cast': this.markCond(e.e); break;
      case 'call':
        if (e.fn.k === 'name' && e.fn.name === 'type' && e.args.length > 0) {
          const p = pathOf(e.args[0]);
          if (p !== null) { this.facts.guard(p); this.facts.clear(p); }
        }
        break;
      default: break;
    }
  }

  /** The type of field `name` of a value of type t; reports an unknown field of a declared table type (pos >= 0). */
  protected fieldOf(t: Type, name: string, pos: number): Type {
    switch (t.k) {
      case 'record': {
        const f = t.fields.get(name);
        if (f !== undefined) return f.opt ? optional(f.t) : f.t;
        if (t.indexer !== null) return t.indexer.val;
        if (!t.open && pos >= 0) this.report(pos, `unknown field ${name}: type ${display(t)} has no field ${name}`);
        return ANY;
      }
      case 'inter': {
        for (const m of t.ts) {
          if (m.k === 'record' && (m.fields.has(name) || m.indexer !== null || m.open)) return this.fieldOf(m, name, -1);
          if (m.k !== 'record') return ANY;
        }
        if (pos >= 0) this.report(pos, `unknown field ${name}: type ${display(t)} has no field ${name}`);
        return ANY;
      }
      case 'union': {
        const parts = t.ts.filter((m) => m.k !== 'nil').map((m) => this.fieldOf(m, name, -1));
        return parts.length === 0 ? ANY : union(parts);
      }
      case 'map': return assignable(STRING, t.key) === null ? optional(t.val) : ANY;
      case 'tlit': return t.fields.get(name) ?? ANY;
      case 'string': return stringMethod(name);
      case 'lit':
        if (typeof t.v === 'string') return stringMethod(name);
        if (pos >= 0) this.report(pos, `cannot index a value of type ${display(t)} (field ${name})`);
        return ANY;
      case 'number': case 'integer': case 'boolean':
        if (pos >= 0) this.report(pos, `cannot index a value of type ${display(t)} (field ${name})`);
        return ANY;
      case 'typevalue':
        return name === 'is' ? isMethodOf(t.of) : ANY;
      default: return ANY;
    }
  }

  /** `t[k]` for a key that is not a constant name. */
  private elementOf(t: Type, k: Type): Type {
    switch (t.k) {
      case 'array': return t.elem;
      case 'map': return optional(t.val);
      case 'record':
        if (k.k === 'lit' && typeof k.v === 'string') return this.fieldOf(t, k.v, -1);
        return t.indexer !== null ? t.indexer.val : ANY;
      case 'tlit':
        if (k.k === 'lit' && typeof k.v === 'number' && Number.isInteger(k.v) && k.v >= 1 && k.v <= t.items.length) return t.items[k.v - 1];
        return ANY;
      default: return ANY;
    }
  }

  /** A call or method call: checks the callee and the arguments; its results. */
  protected call(e: Extract<Expr, { k: 'call' } | { k: 'method' }>): Values {
    if (e.k === 'call' && e.fn.k === 'name' && e.fn.name === 'require' && this.scope.lookup('require') === undefined) {
      this.list(e.args);
      const t = e.args.length === 1 && e.args[0].k === 'string' ? this.requireType(e.args[0].value) : undefined;
      return { types: [t ?? ANY], open: false };
    }
    let fn: Type;
    let selfMode: 'none' | 'method' = 'none';
    let callee: string;
    if (e.k === 'method') {
      const ot = this.expr(e.obj);
      if (ot.k === 'number' || ot.k === 'integer' || ot.k === 'boolean' || (ot.k === 'lit' && typeof ot.v !== 'string')) {
        this.report(e.pos, `cannot index a value of type ${display(ot)} (method ${e.name})`);
        this.list(e.args);
        return { types: [], open: true };
      }
      fn = this.fieldOf(ot, e.name, -1);
      selfMode = 'method';
      callee = e.name;
    } else {
      fn = this.expr(e.fn);
      callee = calleeName(e.fn);
    }
    if (fn.k === 'number' || fn.k === 'integer' || fn.k === 'string' || fn.k === 'boolean' || fn.k === 'nil' || fn.k === 'lit') {
      this.report(e.pos, `cannot call ${callee === '' ? 'a value' : callee}: it is a value of type ${display(fn)}, not a function`);
      this.list(e.args);
      return { types: [], open: true };
    }
    if (fn.k !== 'func') {
      this.list(e.args);
      if (e.k === 'call' && e.fn.k === 'name' && e.fn.name === 'assert' && e.args.length > 0) this.markCond(e.args[0]);
      return { types: [], open: true };
    }
    this.args(fn, e.args, selfMode, callee || fn.name, e.pos);
    if (e.k === 'call' && e.fn.k === 'name' && e.fn.name === 'assert' && e.args.length > 0) this.markCond(e.args[0]);
    if (fn.returns === null) return { types: [], open: true };
    return { types: fn.returns, open: fn.retVariadic !== null };
  }

  /** Check the arguments of a call of `fn` (a method call passes self first). */
  private args(fn: Extract<Type, { k: 'func' }>, allArgs: Expr[], selfMode: 'none' | 'method', name: string, pos: number): void {
    const vals = this.list(allArgs);
    let args = allArgs;
    let params = fn.params;
    let countable = fn.typed;
    if (selfMode === 'method' && !fn.method) {
      // `obj:m(...)` of a function declared `m(self, ...)` or typed `(self: T, ...) -> R`.
      if (params.length > 0 && params[0].name === 'self') params = params.slice(1);
      else countable = false;
    } else if (selfMode === 'none' && fn.method) {
      // `obj.m(obj, ...)` of a function declared `function T:m(...)`: the first argument is self.
      args = args.slice(1);
      vals.types.shift();
    }
    const label = name === '' ? 'function' : name;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (i < vals.types.length) {
        if (!p.declared) continue;
        const r = assignable(vals.types[i], p.t);
        if (r !== null) this.report(args[Math.min(i, args.length - 1)]?.pos ?? pos, `argument ${i + 1} (${p.name}) of ${label}: ${r}`);
      } else if (!vals.open && countable && p.declared && !acceptsNil(p.t)) {
        const need = params.filter((q, j) => j >= i ? q.declared && !acceptsNil(q.t) : true).length;
        this.report(pos, `too few arguments to ${label}: expected ${need === params.length ? params.length : `at least ${need}`}, found ${vals.types.length}`);
        break;
      }
    }
    if (fn.variadic !== null) {
      for (let i = params.length; i < vals.types.length; i++) {
        const r = assignable(vals.types[i], fn.variadic);
        if (r !== null) { this.report(args[Math.min(i, args.length - 1)]?.pos ?? pos, `argument ${i + 1} of ${label}: ${r}`); break; }
      }
    } else if (countable && args.length > params.length) {
      this.report(args[params.length].pos, `too many arguments to ${label}: expected ${params.length}, found ${args.length}`);
    }
  }
}

function isInt(t: Type): boolean {
  return t.k === 'integer' || (t.k === 'lit' && typeof t.v === 'number' && Number.isInteger(t.v));
}

/** `x`, `x.y.z` (constant keys only); null for anything else. */
export function pathOf(e: Expr): string | null {
  if (e.k === 'name') return e.name;
  if (e.k === 'paren') return pathOf(e.e);
  if (e.k === 'index' && e.key.k === 'string') {
    const base = pathOf(e.obj);
    return base === null ? null : `${base}.${e.key.value}`;
  }
  return null;
}

function calleeName(e: Expr): string {
  const p = pathOf(e);
  return p ?? '';
}

function stringMethod(name: string): Type {
  const r = STRING_FUNCTIONS[name];
  return r === undefined ? ANY : { ...builtin(`string.${name}`, r) as Extract<Type, { k: 'func' }>, method: true };
}

/** `T:is(v)`: `(T?, error?)`. */
function isMethodOf(of: Type): Type {
  return { k: 'func', params: [{ name: 'value', t: ANY, declared: true }], variadic: null, returns: [optional(of), ANY], retVariadic: null, typed: true, name: 'is', method: true };
}

