/**
 * Typed Lua -> syntax tree (ast.ts): the statement half of the parser; expressions and function
 * bodies are parse-expr.ts, types parse-types.ts. Used by the type checker and by the runtime type
 * values' emitter.
 *
 * Owns: `parseChunk` and `parseType`, Lua 5.3's statements, plus the places Wippy's
 * type syntax may appear (the same ones typestrip-parser.ts blanks): `: T` after a `local`
 * or `for` name, a parameter or `...`; return types after a parameter list; generic parameters
 * after `function` or its name; `type`/`export type`/`interface` at statement start; `as T`,
 * `:: T` and `!` after an operand. Invariants: it never reports syntax errors to users (the
 * stripper and Fengari do): any input it cannot read throws `ParseStop`, and the caller treats
 * the chunk as unchecked; the tokens come from typestrip-lexer.ts, so positions and lines agree
 * with the stripper's.
 */
import { Tok, tokenize } from '../typestrip-lexer';
import type { Expr, LocalName, Stat, TypeNode } from './ast';
import { ParseStop } from './parse-types';
import { ExprParser, anyType } from './parse-expr';

export { ParseStop };

/** Parse a whole chunk. Throws ParseStop when the text is not (typed) Lua this parser reads. */
export function parseChunk(source: string): Stat[] {
  const toks = tokenize(source);
  if (toks.errorMessage !== null) throw new ParseStop(0, toks.errorMessage);
  const p = new ChunkParser(toks);
  const body = p.block();
  p.atEnd();
  return body;
}

/** Parse one type expression (a module's published signature). Throws ParseStop. */
export function parseType(text: string): TypeNode {
  const toks = tokenize(text);
  if (toks.errorMessage !== null) throw new ParseStop(0, toks.errorMessage);
  const p = new ChunkParser(toks);
  const t = p.type();
  p.atEnd();
  return t;
}

class ChunkParser extends ExprParser {
  atEnd(): void {
    if (this.k[this.p] !== Tok.Eof) this.stop("'<eof>' expected");
  }

  block(): Stat[] {
    this.enter();
    const out: Stat[] = [];
    for (;;) {
      const kind = this.k[this.p];
      if (kind === Tok.Eof || kind === Tok.End || kind === Tok.Else || kind === Tok.Elseif || kind === Tok.Until) break;
      if (kind === Tok.Return) {
        const pos = this.s[this.p];
        this.p++;
        const f = this.k[this.p];
        const exprs = f !== Tok.Eof && f !== Tok.End && f !== Tok.Else && f !== Tok.Elseif && f !== Tok.Until && f !== Tok.Semi ? this.exprList() : [];
        if (this.k[this.p] === Tok.Semi) this.p++;
        out.push({ k: 'return', pos, exprs });
        break;
      }
      const st = this.statement();
      if (st !== null) out.push(st);
    }
    this.leave();
    return out;
  }

  private endBlock(): Stat[] {
    const b = this.block();
    this.expect(Tok.End, "'end'");
    return b;
  }

  private statement(): Stat | null {
    const pos = this.s[this.p];
    switch (this.k[this.p]) {
      case Tok.Semi: this.p++; return null;
      case Tok.Break: this.p++; return { k: 'break', pos };
      case Tok.If: {
        const clauses: { cond: Expr; body: Stat[] }[] = [];
        this.p++;
        let cond = this.expr(); this.expect(Tok.Then, "'then'");
        clauses.push({ cond, body: this.block() });
        while (this.k[this.p] === Tok.Elseif) {
          this.p++; cond = this.expr(); this.expect(Tok.Then, "'then'");
          clauses.push({ cond, body: this.block() });
        }
        let orelse: Stat[] | null = null;
        if (this.k[this.p] === Tok.Else) { this.p++; orelse = this.block(); }
        this.expect(Tok.End, "'end'");
        return { k: 'if', pos, clauses, orelse };
      }
      case Tok.While: {
        this.p++;
        const cond = this.expr(); this.expect(Tok.Do, "'do'");
        return { k: 'while', pos, cond, body: this.endBlock() };
      }
      case Tok.Do: this.p++; return { k: 'do', pos, body: this.endBlock() };
      case Tok.Repeat: {
        this.p++;
        const body = this.block(); this.expect(Tok.Until, "'until'");
        return { k: 'repeat', pos, body, cond: this.expr() };
      }
      case Tok.For: return this.forStat();
      case Tok.Function: {
        this.p++;
        const { target, method, name } = this.funcName();
        return { k: 'function', pos, target, f: this.funcBody(pos, method, name) };
      }
      case Tok.Local: {
        this.p++;
        if (this.k[this.p] === Tok.Function) {
          this.p++;
          const name = this.name();
          return { k: 'localfunction', pos, name, f: this.funcBody(pos, false, name) };
        }
        const names = this.nameList();
        const exprs = this.k[this.p] === Tok.Assign ? (this.p++, this.exprList()) : [];
        return { k: 'local', pos, names, exprs };
      }
      case Tok.DbColon: { this.p++; const label = this.name(); this.expect(Tok.DbColon, "'::'"); return { k: 'label', pos, label }; }
      case Tok.Goto: this.p++; return { k: 'goto', pos, label: this.name() };
      case Tok.Name: { const d = this.declaration(); if (d !== null) return d; break; }
    }
    return this.exprStat();
  }

  /** `type X<T> = T`, `export type ...`, `interface X ... end`; null when not one of these. */
  private declaration(): Stat | null {
    const t = this.p, pos = this.s[t];
    let d = t;
    if (this.word(t, 'export') && this.k[t + 1] === Tok.Name && this.k[t + 2] === Tok.Name
      && (this.word(t + 1, 'type') || this.word(t + 1, 'interface'))) d = t + 1;
    if (this.k[d + 1] !== Tok.Name) return null;
    const exported = d !== t;
    if (this.word(d, 'type')) {
      this.p = d + 1;
      const name = this.name();
      const params = this.k[this.p] === Tok.Lt ? this.typeParams() : [];
      this.expect(Tok.Assign, "'='");
      const type = this.type();
      return { k: 'typedecl', pos, end: this.e[this.p - 1], name, params, type, exported, iface: false };
    }
    if (this.word(d, 'interface')) {
      this.p = d + 1;
      const name = this.name();
      if (this.k[this.p] === Tok.Colon) { do { this.p++; this.type(); } while (this.k[this.p] === Tok.Comma); }
      const fields: { name: string; optional: boolean; readonly: boolean; type: TypeNode; pos: number }[] = [];
      while (this.k[this.p] !== Tok.End) {
        const fpos = this.s[this.p];
        if (this.k[this.p] === Tok.Function) {
          this.p++;
          const fname = this.name();
          if (this.k[this.p] === Tok.Lt) this.typeParams();
          this.expect(Tok.LParen, "'('");
          const { params, vararg } = this.paramList();
          this.expect(Tok.RParen, "')'");
          const returns = this.k[this.p] === Tok.Colon ? (this.p++, this.typeList()) : [];
          fields.push({ name: fname, optional: false, readonly: false, pos: fpos, type: {
            k: 'func', pos: fpos, params: params.map((x) => ({ name: x.name, type: x.type ?? anyType(x.pos) })),
            variadic: vararg ? vararg.type ?? anyType(fpos) : null, returns, retVariadic: null, generics: [] } });
        } else {
          const fname = this.name();
          const optional = this.k[this.p] === Tok.Question;
          if (optional) this.p++;
          this.expect(Tok.Colon, "':'");
          fields.push({ name: fname, optional, readonly: false, pos: fpos, type: this.type() });
        }
        if (this.k[this.p] === Tok.Comma || this.k[this.p] === Tok.Semi) this.p++;
      }
      this.p++;
      const type: TypeNode = { k: 'table', pos, fields, indexers: [], array: null, readonly: false };
      return { k: 'typedecl', pos, end: this.e[this.p - 1], name, params: [], type, exported, iface: true };
    }
    return null;
  }

  private forStat(): Stat {
    const pos = this.s[this.p];
    this.p++;
    const names = this.nameList();
    if (this.k[this.p] === Tok.Assign) {
      if (names.length !== 1) this.stop("'in' expected");
      this.p++;
      const start = this.expr(); this.expect(Tok.Comma, "','");
      const limit = this.expr();
      const step = this.k[this.p] === Tok.Comma ? (this.p++, this.expr()) : null;
      this.expect(Tok.Do, "'do'");
      return { k: 'fornum', pos, v: names[0], start, limit, step, body: this.endBlock() };
    }
    this.expect(Tok.In, "'in'");
    const exprs = this.exprList();
    this.expect(Tok.Do, "'do'");
    return { k: 'forin', pos, names, exprs, body: this.endBlock() };
  }

  private nameList(): LocalName[] {
    const out: LocalName[] = [];
    for (;;) {
      const pos = this.s[this.p];
      const name = this.name();
      if (this.k[this.p] === Tok.Lt && this.k[this.p + 1] === Tok.Name && this.k[this.p + 2] === Tok.Gt) this.stop('attributes are Lua 5.4');
      const type = this.k[this.p] === Tok.Colon ? (this.p++, this.type()) : null;
      out.push({ name, type, pos });
      if (this.k[this.p] !== Tok.Comma) return out;
      this.p++;
    }
  }

  /** `a.b.c` or `a.b:m` after `function`. */
  private funcName(): { target: Expr; method: boolean; name: string } {
    const pos = this.s[this.p];
    let name = this.name();
    let target: Expr = { k: 'name', pos, name };
    while (this.k[this.p] === Tok.Dot) {
      this.p++;
      const kpos = this.s[this.p];
      const key = this.name();
      name += `.${key}`;
      target = { k: 'index', pos, obj: target, key: { k: 'string', pos: kpos, value: key }, dot: true };
    }
    let method = false;
    if (this.k[this.p] === Tok.Colon) {
      this.p++;
      const kpos = this.s[this.p];
      const key = this.name();
      name += `:${key}`;
      target = { k: 'index', pos, obj: target, key: { k: 'string', pos: kpos, value: key }, dot: true };
      method = true;
    }
    return { target, method, name };
  }

  private exprStat(): Stat {
    const pos = this.s[this.p];
    const first = this.suffixedExp();
    if (this.k[this.p] === Tok.Assign || this.k[this.p] === Tok.Comma) {
      const targets = [first];
      while (this.k[this.p] === Tok.Comma) { this.p++; targets.push(this.suffixedExp()); }
      this.expect(Tok.Assign, "'='");
      for (const t of targets) if (t.k !== 'name' && t.k !== 'index') this.stop('syntax error: cannot assign');
      return { k: 'assign', pos, targets, exprs: this.exprList() };
    }
    if (first.k !== 'call' && first.k !== 'method') this.stop('syntax error');
    return { k: 'call', pos, call: first };
  }
}
