/**
 * The statement half of the checker (check-expr.ts has expressions): locals, assignments,
 * functions, returns and control flow of one chunk.
 *
 * Owns: `checkChunk`, and the rules: a value given to an annotated local, assigned to it or to a
 * declared field, or returned from a function with a return annotation must fit the declared
 * type (nil only where nil is allowed); a function must return as many values as it declares
 * (fewer only when the missing ones may be nil) and must not reach its end without returning
 * when it declares a result that cannot be nil; readonly fields and readonly tables are not
 * written. The chunk's exported type (what `require` of it gives another entry) is the type of
 * its top-level `return`.
 * Invariants: gradual, as Wippy's checker is: what has no annotation is `any` and is never
 * refused; when the checker cannot be sure (a call as the last statement of a function may never
 * return, a loop may run forever), it does not report.
 */
import type { Expr, FuncBody, LocalName, Stat } from './ast';
import { ExprChecker, pathOf } from './check-expr';
import { Facts, type FnCtx, Scope } from './scope';
import {
  ANY, INTEGER, NUMBER, STRING, TABLE, type Field, type ParamT, type Type, acceptsNil, assignable, display,
} from './types';

export interface ChunkResult {
  diagnostics: { pos: number; message: string }[];
  /** What `require` of this chunk gives (the type of its top-level return value). */
  exported: Type;
}

/** Check a parsed chunk. */
export function checkChunk(body: Stat[], globals: Map<string, Type>, requireType: (name: string) => Type | undefined): ChunkResult {
  const assigned = new Map<string, number>();
  collectAssigned(body, assigned);
  const c = new ChunkChecker(globals, new Facts(new Set(assigned.keys())), requireType, { name: 'main chunk', returns: null, retVariadic: null, vararg: ANY });
  c.assignCounts = assigned;
  c.block(body);
  return { diagnostics: c.diagnostics, exported: c.exported };
}

class ChunkChecker extends ExprChecker {
  exported: Type = ANY;
  assignCounts = new Map<string, number>();

  block(stats: Stat[]): void {
    const outer = this.scope;
    this.scope = new Scope(outer, outer.fn);
    this.hoistAliases(stats);
    for (const s of stats) this.statement(s);
    this.scope = outer;
  }

  /** A block's type declarations are visible from its start (they may refer to each other). */
  private hoistAliases(stats: Stat[]): void {
    for (const s of stats) {
      if (s.k !== 'typedecl') continue;
      const alias = { name: s.name, params: s.params, node: s.type, env: this.env(this.scope) };
      this.scope.aliases.set(s.name, alias);
    }
  }

  private statement(s: Stat): void {
    switch (s.k) {
      case 'local': this.local(s.names, s.exprs); break;
      case 'assign': this.assign(s.targets, s.exprs); break;
      case 'call': this.expr(s.call); break;
      case 'do': this.block(s.body); break;
      case 'while': this.expr(s.cond); this.markCond(s.cond); this.block(s.body); break;
      case 'repeat': this.block(s.body); this.expr(s.cond); this.markCond(s.cond); break;
      case 'if':
        for (const c of s.clauses) { this.expr(c.cond); this.markCond(c.cond); this.block(c.body); }
        if (s.orelse) this.block(s.orelse);
        break;
      case 'fornum': {
        this.expr(s.start); this.expr(s.limit); if (s.step) this.expr(s.step);
        this.loop([s.v], [NUMBER], s.body);
        break;
      }
      case 'forin': this.loop(s.names, this.iterated(s.exprs), s.body); break;
      case 'function': {
        const t = this.func(s.f);
        // A global function defined once and never assigned otherwise keeps its signature.
        if (s.target.k === 'name' && this.scope.lookup(s.target.name) === undefined) {
          this.globals.set(s.target.name, this.assignCounts.get(s.target.name) === 1 ? t : ANY);
        }
        else if (s.target.k === 'index') this.expr(s.target.obj);
        break;
      }
      case 'localfunction': {
        const v = { declared: null, inferred: ANY as Type };
        this.scope.vars.set(s.name, v);
        v.inferred = this.func(s.f);
        break;
      }
      case 'return': this.returns(s); break;
      case 'typedecl': {
        if (s.iface) break;
        const alias = this.scope.aliases.get(s.name);
        this.scope.vars.set(s.name, { declared: null, inferred: ANY, lazy: () => (alias ? { k: 'typevalue', of: this.resolve({ k: 'name', pos: s.pos, path: [s.name], args: [] }) } : ANY) });
        break;
      }
      default: break;
    }
  }

  private local(names: LocalName[], exprs: Expr[]): void {
    const vals = this.list(exprs);
    const declared = names.map((n) => (n.type ? this.resolve(n.type) : null));
    names.forEach((n, i) => {
      const vt = i < vals.types.length ? vals.types[i] : vals.open ? ANY : { k: 'nil' } as Type;
      const d = declared[i];
      // `local x: T` with no value at all declares x for a later assignment (as Luau allows).
      if (d !== null && exprs.length > 0 && (i < vals.types.length || !vals.open)) {
        const r = assignable(vt, d);
        if (r !== null) this.report(exprs[Math.min(i, exprs.length - 1)]?.pos ?? n.pos, `local ${n.name}: ${r}`);
      }
      this.scope.vars.set(n.name, { declared: d, inferred: widen(vt) });
    });
  }

  private assign(targets: Expr[], exprs: Expr[]): void {
    const vals = this.list(exprs);
    targets.forEach((t, i) => {
      const vt = i < vals.types.length ? vals.types[i] : vals.open ? ANY : { k: 'nil' } as Type;
      const at = exprs[Math.min(i, exprs.length - 1)]?.pos ?? t.pos;
      if (t.k === 'name') {
        const v = this.scope.lookup(t.name);
        if (v !== undefined && v.declared !== null) {
          const r = assignable(vt, v.declared);
          if (r !== null) this.report(at, `assignment to ${t.name}: ${r}`);
        }
      } else if (t.k === 'index') this.assignField(t, vt, at);
      const path = pathOf(t);
      if (path !== null) this.facts.clear(path);
    });
  }

  private assignField(t: Extract<Expr, { k: 'index' }>, vt: Type, at: number): void {
    const ot = this.expr(t.obj);
    const name = t.key.k === 'string' ? t.key.value : null;
    if (name === null) this.expr(t.key);
    const target = ot.k === 'union' ? ot.ts.filter((m) => m.k !== 'nil') : [ot];
    for (const o of target) {
      if (o.k === 'record' && name !== null) {
        const f: Field | undefined = o.fields.get(name);
        if (f === undefined) continue;
        if (f.ro) { this.report(t.pos, `cannot assign to readonly field ${name} of ${display(o)}`); continue; }
        const r = assignable(vt, f.opt ? { k: 'union', ts: [f.t, { k: 'nil' }] } : f.t);
        if (r !== null) this.report(at, `assignment to field ${name}: ${r}`);
      } else if (o.k === 'array' || o.k === 'map') {
        if (o.ro) { this.report(t.pos, `cannot assign to an element of ${display(o)}`); continue; }
        const r = assignable(vt, o.k === 'array' ? o.elem : o.val);
        if (r !== null) this.report(at, `assignment to an element of ${display(o)}: ${r}`);
      }
    }
  }

  /** `for` variables: declared, else the types the iterator gives. */
  private loop(names: LocalName[], types: Type[], body: Stat[]): void {
    const outer = this.scope;
    this.scope = new Scope(outer, outer.fn);
    names.forEach((n, i) => {
      this.scope.vars.set(n.name, { declared: n.type ? this.resolve(n.type) : null, inferred: types[i] ?? ANY });
    });
    this.block(body);
    this.scope = outer;
  }

  /** What `ipairs(a)` / `pairs(t)` give for a declared array or map; `any` otherwise. */
  private iterated(exprs: Expr[]): Type[] {
    const first = exprs[0];
    if (first !== undefined && first.k === 'call' && first.fn.k === 'name' && first.args.length === 1
      && (first.fn.name === 'ipairs' || first.fn.name === 'pairs') && this.scope.lookup(first.fn.name) === undefined) {
      const t = this.expr(first.args[0]);
      exprs.slice(1).forEach((e) => this.expr(e));
      if (t.k === 'array') return [INTEGER, t.elem];
      if (t.k === 'map' && first.fn.name === 'pairs') return [t.key, t.val];
      return [];
    }
    this.list(exprs);
    return [];
  }

  private returns(s: Extract<Stat, { k: 'return' }>): void {
    const fn = this.scope.fn;
    const vals = this.list(s.exprs);
    if (fn === this.topFn()) { this.exported = exportOf(vals.types[0] ?? ANY); return; }
    if (fn.returns === null) return;
    const want = fn.returns;
    for (let i = 0; i < want.length; i++) {
      if (i < vals.types.length) {
        const r = assignable(vals.types[i], want[i]);
        if (r !== null) this.report(s.exprs[Math.min(i, s.exprs.length - 1)].pos, `return value ${i + 1} of ${fn.name}: ${r}`);
      } else if (!vals.open && !acceptsNil(want[i])) {
        this.report(s.pos, `${fn.name} returns ${vals.types.length} value${vals.types.length === 1 ? '' : 's'}, but is declared to return ${display(want[i])} as value ${i + 1}`);
        break;
      }
    }
    if (fn.retVariadic === null && s.exprs.length > want.length) {
      this.report(s.exprs[want.length].pos, `${fn.name} returns ${s.exprs.length} values, but is declared to return ${want.length}`);
    }
  }

  private topFn(): FnCtx {
    let s = this.scope;
    while (s.parent !== null) s = s.parent;
    return s.fn;
  }

  /** A function's type; its body is checked with its parameters in scope. */
  protected func(f: FuncBody): Type {
    const generics = new Map<string, Type>(f.generics.map((g) => [g, ANY]));
    const params: ParamT[] = f.params.map((p) => ({ name: p.name, t: p.type ? this.resolve(p.type, generics) : ANY, declared: p.type !== null }));
    const returns = f.returns === null ? null : f.returns.map((r) => this.resolve(r, generics));
    const retVariadic = f.retVariadic ? this.resolve(f.retVariadic, generics) : null;
    const vararg = f.vararg === null ? null : f.vararg.type ? this.resolve(f.vararg.type, generics) : ANY;
    const typed = f.returns !== null || f.params.some((p) => p.type !== null) || (f.vararg?.type ?? null) !== null;
    const name = f.name === '' ? 'function' : f.name;
    const type: Type = { k: 'func', params, variadic: vararg, returns, retVariadic, typed, name, method: f.method };
    const outer = this.scope;
    this.scope = new Scope(outer, { name, returns, retVariadic, vararg: vararg ?? ANY });
    if (f.method) this.scope.vars.set('self', { declared: null, inferred: ANY });
    for (let i = 0; i < f.params.length; i++) this.scope.vars.set(f.params[i].name, { declared: f.params[i].type ? params[i].t : null, inferred: ANY });
    this.block(f.body);
    this.scope = outer;
    if (returns !== null && returns.some((r) => !acceptsNil(r)) && mayFallThrough(f.body)) {
      this.report(f.pos, `${name} is declared to return ${returns.map((r) => display(r)).join(', ')}, but can reach its end without returning a value`);
    }
    return type;
  }
}

/** The type an unannotated local takes from its initializer: literals widened, constructors `table`. */
function widen(t: Type): Type {
  switch (t.k) {
    case 'lit': return typeof t.v === 'string' ? STRING : typeof t.v === 'boolean' ? { k: 'boolean' } : Number.isInteger(t.v) ? INTEGER : NUMBER;
    case 'tlit': return TABLE;
    case 'nil': return ANY;
    case 'union': return t.ts.some((m) => m.k === 'lit' || m.k === 'tlit') ? ANY : t;
    default: return t;
  }
}

/** The type another entry gets from `require`: a table constructor becomes an open record. */
function exportOf(t: Type): Type {
  if (t.k !== 'tlit') return t.k === 'func' || t.k === 'record' ? t : ANY;
  const fields = new Map<string, Field>();
  for (const [n, v] of t.fields) fields.set(n, { t: v.k === 'lit' ? widen(v) : v.k === 'tlit' ? exportOf(v) : v, opt: false, ro: false });
  return { k: 'record', fields, indexer: null, open: true };
}

/**
 * Can control reach the end of this block? False only when certain that it cannot: it ends in
 * `return`, `error(...)`, an `if` whose every branch cannot, a `do` that cannot, a `while true`
 * without `break`, or a call (which may never return: the checker cannot know, so it does not
 * report).
 */
export function mayFallThrough(body: Stat[]): boolean {
  const last = body[body.length - 1];
  if (last === undefined) return true;
  switch (last.k) {
    case 'return': case 'goto': case 'call': return false;
    case 'do': return mayFallThrough(last.body);
    case 'if': return last.orelse === null || last.clauses.some((c) => mayFallThrough(c.body)) || mayFallThrough(last.orelse);
    case 'while': return !(last.cond.k === 'true' && !hasBreak(last.body));
    case 'repeat': return !(last.cond.k === 'false' && !hasBreak(last.body)) && mayFallThrough(last.body);
    default: return true;
  }
}

function hasBreak(body: Stat[]): boolean {
  for (const s of body) {
    if (s.k === 'break' || s.k === 'goto') return true;
    if (s.k === 'if' && (s.clauses.some((c) => hasBreak(c.body)) || (s.orelse !== null && hasBreak(s.orelse)))) return true;
    if (s.k === 'do' && hasBreak(s.body)) return true;
  }
  return false;
}

/** Every name the chunk assigns to (`x = ...`, `function x()`), at any depth, with how many times. */
function collectAssigned(body: Stat[], out: Map<string, number>): void {
  const add = (n: string): void => { out.set(n, (out.get(n) ?? 0) + 1); };
  const inExpr = (e: Expr): void => {
    switch (e.k) {
      case 'func': collectAssigned(e.f.body, out); break;
      case 'table': for (const it of e.items) { if (it.k === 'keyed') inExpr(it.key); inExpr(it.value); } break;
      case 'bin': inExpr(e.l); inExpr(e.r); break;
      case 'un': case 'paren': case 'cast': case 'nonnil': inExpr(e.e); break;
      case 'index': inExpr(e.obj); inExpr(e.key); break;
      case 'call': inExpr(e.fn); e.args.forEach(inExpr); break;
      case 'method': inExpr(e.obj); e.args.forEach(inExpr); break;
      default: break;
    }
  };
  for (const s of body) {
    switch (s.k) {
      case 'assign': for (const t of s.targets) if (t.k === 'name') add(t.name); s.targets.forEach(inExpr); s.exprs.forEach(inExpr); break;
      case 'function': if (s.target.k === 'name') add(s.target.name); collectAssigned(s.f.body, out); break;
      case 'localfunction': collectAssigned(s.f.body, out); break;
      case 'local': s.exprs.forEach(inExpr); break;
      case 'call': inExpr(s.call); break;
      case 'return': s.exprs.forEach(inExpr); break;
      case 'do': collectAssigned(s.body, out); break;
      case 'while': case 'repeat': inExpr(s.cond); collectAssigned(s.body, out); break;
      case 'if': for (const c of s.clauses) { inExpr(c.cond); collectAssigned(c.body, out); } if (s.orelse) collectAssigned(s.orelse, out); break;
      case 'fornum': inExpr(s.start); inExpr(s.limit); if (s.step) inExpr(s.step); collectAssigned(s.body, out); break;
      case 'forin': s.exprs.forEach(inExpr); collectAssigned(s.body, out); break;
      default: break;
    }
  }
}
