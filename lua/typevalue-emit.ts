/**
 * Runtime type values in the transformed source: each `type T = ...` declaration, which the
 * stripper (typestrip.ts) blanks, becomes a Lua statement that builds T as a value (typevalues.ts
 * has the constructors, under the hidden global `__wt`), so that `T:is(v)` works and a library
 * may export its types (`return { Config = Config }`).
 *
 * Owns: the Lua text of a declaration. `type Point = {x: number, y?: number}` becomes
 * `local Point;Point=__wt.rec("x",__wt.number,"?y",__wt.opt(__wt.number))`; every type name of
 * a block is declared `local` at the block's first declaration, so declarations may refer to
 * each other in any order, and to themselves; a reference to another type is a closure resolved
 * on first use (`__wt.ref(function() return Other end)`); generic aliases are functions of their
 * parameters (`Box=__wt.gen(function(T) return ... end)`), instantiated by `__wt.inst`;
 * `typeof(x)` takes the annotation of the local `x` in scope.
 * Invariants: lines never move: a declaration's text goes at its start, on its first line, and
 * its other lines stay blank; columns after a declaration on its own last line move only when
 * the construction is longer than the declaration (then only that line's rest shifts right);
 * a chunk this parser cannot read keeps the stripper's output (its types have no runtime value);
 * interfaces stay blank (they are static only).
 */
import type { Expr, FuncBody, Stat, TypeNode } from './typecheck/ast';
import { ParseStop, parseChunk } from './typecheck/parse';

const BUILTIN: Record<string, string> = {
  any: '__wt.any', unknown: '__wt.any', never: '__wt.never', nil: '__wt.null', number: '__wt.number',
  integer: '__wt.integer', string: '__wt.string', boolean: '__wt.boolean', table: '__wt.table',
  userdata: '__wt.userdata', thread: '__wt.thread', error: '__wt.any', self: '__wt.any',
};

/** Annotations checked at run time (typevalues.ts); others are documentation only. */
const RUNTIME_ANNOTATIONS = new Set(['min', 'max', 'min_len', 'max_len', 'pattern']);

interface Scope { parent: Scope | null; locals: Map<string, TypeNode | null> }
interface Edit { pos: number; end: number; text: string }

/** `stripped` (the stripper's output for `source`) with each type declaration made a runtime value. */
export function emitTypeValues(source: string, stripped: string): string {
  let chunk: Stat[];
  try {
    chunk = parseChunk(source);
  } catch (e) {
    if (e instanceof ParseStop || e instanceof RangeError) return stripped;
    throw e;
  }
  const edits: Edit[] = [];
  new Emitter(edits).block(chunk, null);
  let out = stripped;
  for (let i = edits.length - 1; i >= 0; i--) out = place(out, edits[i]);
  return out;
}

/** Write `e.text` over the blank range of its declaration, on the range's first line. */
function place(text: string, e: Edit): string {
  let seg = e.pos;
  while (seg < e.end && text.charCodeAt(seg) !== 10 && text.charCodeAt(seg) !== 13) seg++;
  const room = seg - e.pos;
  if (e.text.length <= room) return text.slice(0, e.pos) + e.text + text.slice(e.pos + e.text.length);
  return text.slice(0, e.pos) + e.text + text.slice(seg);
}

class Emitter {
  constructor(private readonly edits: Edit[]) {}

  block(stats: Stat[], parent: Scope | null): void {
    const scope: Scope = { parent, locals: new Map() };
    const names = [...new Set(stats.flatMap((s) => (s.k === 'typedecl' && !s.iface ? [s.name] : [])))];
    let first = true;
    for (const s of stats) {
      switch (s.k) {
        case 'typedecl': {
          if (s.iface) break;
          let body = this.type(s.type, new Set(s.params), scope);
          if (s.params.length > 0) body = `__wt.gen(function(${s.params.join(',')}) return ${body} end)`;
          this.edits.push({ pos: s.pos, end: s.end, text: `${first ? `local ${names.join(',')};` : ''}${s.name}=${body}` });
          first = false;
          break;
        }
        case 'local':
          s.exprs.forEach((e) => this.expr(e, scope));
          for (const n of s.names) scope.locals.set(n.name, n.type);
          break;
        case 'localfunction': scope.locals.set(s.name, null); this.func(s.f, scope); break;
        case 'function': this.func(s.f, scope); break;
        case 'assign': s.targets.forEach((e) => this.expr(e, scope)); s.exprs.forEach((e) => this.expr(e, scope)); break;
        case 'call': this.expr(s.call, scope); break;
        case 'return': s.exprs.forEach((e) => this.expr(e, scope)); break;
        case 'do': this.block(s.body, scope); break;
        case 'while': this.expr(s.cond, scope); this.block(s.body, scope); break;
        case 'repeat': this.block(s.body, scope); this.expr(s.cond, scope); break;
        case 'if':
          for (const c of s.clauses) { this.expr(c.cond, scope); this.block(c.body, scope); }
          if (s.orelse) this.block(s.orelse, scope);
          break;
        case 'fornum': case 'forin': {
          const inner: Scope = { parent: scope, locals: new Map() };
          for (const n of s.k === 'fornum' ? [s.v] : s.names) inner.locals.set(n.name, n.type);
          this.block(s.body, inner);
          break;
        }
        default: break;
      }
    }
  }

  private func(f: FuncBody, scope: Scope): void {
    const inner: Scope = { parent: scope, locals: new Map() };
    for (const p of f.params) inner.locals.set(p.name, p.type);
    this.block(f.body, inner);
  }

  /** Walk an expression for the function bodies in it (they may declare types). */
  private expr(e: Expr, scope: Scope): void {
    switch (e.k) {
      case 'func': this.func(e.f, scope); break;
      case 'table':
        for (const it of e.items) { if (it.k === 'keyed') this.expr(it.key, scope); this.expr(it.value, scope); }
        break;
      case 'bin': this.expr(e.l, scope); this.expr(e.r, scope); break;
      case 'un': case 'paren': case 'cast': case 'nonnil': this.expr(e.e, scope); break;
      case 'index': this.expr(e.obj, scope); this.expr(e.key, scope); break;
      case 'call': this.expr(e.fn, scope); e.args.forEach((a) => this.expr(a, scope)); break;
      case 'method': this.expr(e.obj, scope); e.args.forEach((a) => this.expr(a, scope)); break;
      default: break;
    }
  }

  private lookup(name: string, scope: Scope | null): TypeNode | null {
    for (let s = scope; s !== null; s = s.parent) if (s.locals.has(name)) return s.locals.get(name) ?? null;
    return null;
  }

  /** The Lua expression that builds type `t`; `params` are the generic parameters in scope. */
  private type(t: TypeNode, params: Set<string>, scope: Scope, depth = 0): string {
    if (depth > 50) return '__wt.any';
    const ty = (x: TypeNode): string => this.type(x, params, scope, depth + 1);
    switch (t.k) {
      case 'name': {
        let base: string;
        if (t.path.length === 1 && params.has(t.path[0])) base = t.path[0];
        else if (t.path.length === 1 && t.path[0] in BUILTIN) base = BUILTIN[t.path[0]];
        else base = `__wt.ref(function() return ${t.path.join('.')} end)`;
        return t.args.length > 0 ? `__wt.inst(${base},${t.args.map(ty).join(',')})` : base;
      }
      case 'lit':
        if (t.value === null) return '__wt.null';
        return `__wt.lit(${typeof t.value === 'string' ? luaQuote(t.value) : String(t.value)})`;
      case 'table':
        if (t.fields.length > 0) {
          return `__wt.rec(${t.fields.map((f) => `${luaQuote((f.optional ? '?' : '') + f.name)},${ty(f.type)}`).join(',')})`;
        }
        if (t.array !== null) return `__wt.arr(${ty(t.array)})`;
        if (t.indexers.length > 0) return `__wt.map(${ty(t.indexers[0].key)},${ty(t.indexers[0].val)})`;
        return '__wt.table';
      case 'func': return '__wt.fn()';
      case 'union': return `__wt.union(${t.types.map(ty).join(',')})`;
      case 'inter': return `__wt.inter(${t.types.map(ty).join(',')})`;
      case 'opt': return `__wt.opt(${ty(t.type)})`;
      case 'array': return `__wt.arr(${ty(t.elem)})`;
      case 'typeof': {
        const declared = t.expr.k === 'name' ? this.lookup(t.expr.name, scope) : null;
        return declared === null ? '__wt.any' : ty(declared);
      }
      case 'ann': {
        const parts: string[] = [];
        for (const a of t.anns) {
          if (!RUNTIME_ANNOTATIONS.has(a.name) || a.args.length !== 1) continue;
          const v = constant(a.args[0]);
          if (v !== null) parts.push(`${luaQuote(a.name)},${v}`);
        }
        return parts.length === 0 ? ty(t.type) : `__wt.ann(${ty(t.type)},${parts.join(',')})`;
      }
      default: return '__wt.any';
    }
  }
}

/** A constant annotation argument as Lua text (numbers, strings, booleans), else null. */
function constant(e: Expr): string | null {
  if (e.k === 'number') return String(e.value);
  if (e.k === 'un' && e.op === '-' && e.e.k === 'number') return String(-e.e.value);
  if (e.k === 'string') return luaQuote(e.value);
  if (e.k === 'true' || e.k === 'false') return e.k;
  return null;
}

/** A Lua string literal for `s`, on one line. */
export function luaQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 32 || c === 127) out += `\\${String(c).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
