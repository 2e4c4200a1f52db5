/**
 * The expression half of the typed-Lua parser (parse.ts has the statements, parse-types.ts the
 * types): expressions with Lua's operator priorities, casts after an operand (`as T`, `:: T`,
 * `!`), table constructors, and function bodies with their annotated parameters and returns.
 *
 * Owns: `ExprParser`, the base of the chunk parser. Invariants: as parse.ts: anything it cannot
 * read throws `ParseStop`; `as` is a cast only where typestrip-parser.ts blanks one (after a
 * complete operand, followed by a token that can start a type, and not `as(...)` opening a line).
 */
import { Tok } from '../typestrip-lexer';
import { TYPE_START, isCallOfAs } from '../typestrip-parser';
import type { BinOp, Expr, FuncBody, Param, Stat, TableItem, TypeNode, UnOp } from './ast';
import { TypeParser, stringValue } from './parse-types';

/** Left and right priorities of the binary operators (lparser.c's table). */
const PRIORITY = new Map<Tok, [number, number, BinOp]>([
  [Tok.Plus, [10, 10, '+']], [Tok.Minus, [10, 10, '-']], [Tok.Star, [11, 11, '*']], [Tok.Percent, [11, 11, '%']],
  [Tok.Caret, [14, 13, '^']], [Tok.Slash, [11, 11, '/']], [Tok.IDiv, [11, 11, '//']],
  [Tok.Amp, [6, 6, '&']], [Tok.Pipe, [4, 4, '|']], [Tok.Tilde, [5, 5, '~']], [Tok.Shl, [7, 7, '<<']], [Tok.Shr, [7, 7, '>>']],
  [Tok.Concat, [9, 8, '..']], [Tok.Eq, [3, 3, '==']], [Tok.Lt, [3, 3, '<']], [Tok.Le, [3, 3, '<=']],
  [Tok.Ne, [3, 3, '~=']], [Tok.Gt, [3, 3, '>']], [Tok.Ge, [3, 3, '>=']], [Tok.And, [2, 2, 'and']], [Tok.Or, [1, 1, 'or']],
]);
const UNARY_PRIORITY = 12;

export abstract class ExprParser extends TypeParser {
  /** A block of statements (parse.ts). */
  abstract block(): Stat[];

  /** `[<T>] ( params ) [: returns] block end`. */
  protected funcBody(pos: number, method: boolean, name: string): FuncBody {
    const generics = this.k[this.p] === Tok.Lt ? this.typeParams() : [];
    this.expect(Tok.LParen, "'('");
    const { params, vararg } = this.paramList();
    this.expect(Tok.RParen, "')'");
    let returns: TypeNode[] | null = null;
    let retVariadic: TypeNode | null = null;
    if (this.k[this.p] === Tok.Colon) {
      this.p++;
      const list = this.typeList();
      if (list.length === 1 && list[0].k === 'tuple') { returns = list[0].types; retVariadic = list[0].variadic; } else returns = list;
    }
    const body = this.block();
    const end = this.e[this.p];
    this.expect(Tok.End, "'end'");
    return { pos, end, generics, params, vararg, returns, retVariadic, method, body, name };
  }

  protected paramList(): { params: Param[]; vararg: { type: TypeNode | null } | null } {
    const params: Param[] = [];
    if (this.k[this.p] === Tok.RParen) return { params, vararg: null };
    for (;;) {
      if (this.k[this.p] === Tok.Dots) {
        this.p++;
        const type = this.k[this.p] === Tok.Colon ? (this.p++, this.type()) : null;
        return { params, vararg: { type } };
      }
      const pos = this.s[this.p];
      const name = this.name();
      const type = this.k[this.p] === Tok.Colon ? (this.p++, this.type()) : null;
      params.push({ name, type, pos });
      if (this.k[this.p] !== Tok.Comma) return { params, vararg: null };
      this.p++;
    }
  }

  protected typeList(): TypeNode[] {
    const out = [this.type()];
    while (this.k[this.p] === Tok.Comma) { this.p++; out.push(this.type()); }
    return out;
  }


  protected exprList(): Expr[] {
    const out = [this.expr()];
    while (this.k[this.p] === Tok.Comma) { this.p++; out.push(this.expr()); }
    return out;
  }

  protected expr(): Expr {
    this.enter();
    const e = this.subExpr(0);
    this.leave();
    return e;
  }

  private subExpr(limit: number): Expr {
    const pos = this.s[this.p];
    let left: Expr;
    const kind = this.k[this.p];
    const un: UnOp | null = kind === Tok.Not ? 'not' : kind === Tok.Minus ? '-' : kind === Tok.Hash ? '#' : kind === Tok.Tilde ? '~' : null;
    if (un !== null) {
      this.p++;
      this.enter();
      const e = this.subExpr(UNARY_PRIORITY);
      this.leave();
      left = { k: 'un', pos, op: un, e };
    } else left = this.casts(this.simpleExp());
    for (;;) {
      const pr = PRIORITY.get(this.k[this.p] as Tok);
      if (pr === undefined || pr[0] <= limit) return left;
      this.p++;
      this.enter();
      const right = this.subExpr(pr[1]);
      this.leave();
      left = { k: 'bin', pos, op: pr[2], l: left, r: right };
    }
  }

  /** After a complete operand: `as T`, `:: T`, `!`, in any number. */
  private casts(e: Expr): Expr {
    for (;;) {
      const t = this.p, kind = this.k[t];
      if (kind === Tok.Name && TYPE_START[this.k[t + 1]] === 1 && this.word(t, 'as') && !isCallOfAs(this.toks, t)) {
        this.p++;
        e = { k: 'cast', pos: e.pos, e, type: this.type() };
      } else if (kind === Tok.DbColon && !(this.k[t + 1] === Tok.Name && this.k[t + 2] === Tok.DbColon)) {
        this.p++;
        e = { k: 'cast', pos: e.pos, e, type: this.type() };
      } else if (kind === Tok.Bang) {
        this.p++;
        e = { k: 'nonnil', pos: e.pos, e };
      } else return e;
    }
  }

  private simpleExp(): Expr {
    const t = this.p, pos = this.s[t];
    switch (this.k[t]) {
      case Tok.Number: {
        this.p++;
        const raw = this.text(t);
        const v = numberValue(raw);
        return { k: 'number', pos, value: v.value, integer: v.integer };
      }
      case Tok.String: this.p++; return { k: 'string', pos, value: stringValue(this.text(t)) };
      case Tok.Nil: this.p++; return { k: 'nil', pos };
      case Tok.True: this.p++; return { k: 'true', pos };
      case Tok.False: this.p++; return { k: 'false', pos };
      case Tok.Dots: this.p++; return { k: 'vararg', pos };
      case Tok.LBrace: return this.table();
      case Tok.Function: this.p++; return { k: 'func', pos, f: this.funcBody(pos, false, '') };
      default: return this.suffixedExp();
    }
  }

  protected suffixedExp(): Expr {
    const pos = this.s[this.p];
    let e: Expr;
    const kind = this.k[this.p];
    if (kind === Tok.Name) e = { k: 'name', pos, name: this.text(this.p++) };
    else if (kind === Tok.LParen) {
      this.p++;
      const inner = this.expr();
      this.expect(Tok.RParen, "')'");
      e = { k: 'paren', pos, e: inner };
    } else this.stop('unexpected symbol');
    for (;;) {
      switch (this.k[this.p]) {
        case Tok.Dot: {
          this.p++;
          const kpos = this.s[this.p];
          const key = this.name();
          e = { k: 'index', pos, obj: e, key: { k: 'string', pos: kpos, value: key }, dot: true };
          break;
        }
        case Tok.LBracket: {
          this.p++;
          const key = this.expr();
          this.expect(Tok.RBracket, "']'");
          e = { k: 'index', pos, obj: e, key, dot: false };
          break;
        }
        case Tok.Colon: {
          this.p++;
          const name = this.name();
          e = { k: 'method', pos, obj: e, name, args: this.args() };
          break;
        }
        case Tok.LParen: case Tok.String: case Tok.LBrace:
          e = { k: 'call', pos, fn: e, args: this.args() };
          break;
        default: return e;
      }
    }
  }

  private args(): Expr[] {
    const t = this.p, kind = this.k[t];
    if (kind === Tok.String) { this.p++; return [{ k: 'string', pos: this.s[t], value: stringValue(this.text(t)) }]; }
    if (kind === Tok.LBrace) return [this.table()];
    this.expect(Tok.LParen, "'('");
    const out = this.k[this.p] !== Tok.RParen ? this.exprList() : [];
    this.expect(Tok.RParen, "')'");
    return out;
  }

  private table(): Expr {
    const pos = this.s[this.p];
    this.p++;
    const items: TableItem[] = [];
    while (this.k[this.p] !== Tok.RBrace) {
      if (this.k[this.p] === Tok.LBracket) {
        this.p++;
        const key = this.expr();
        this.expect(Tok.RBracket, "']'"); this.expect(Tok.Assign, "'='");
        items.push({ k: 'keyed', key, value: this.expr() });
      } else if (this.k[this.p] === Tok.Name && this.k[this.p + 1] === Tok.Assign) {
        const npos = this.s[this.p];
        const name = this.text(this.p);
        this.p += 2;
        items.push({ k: 'named', name, value: this.expr(), pos: npos });
      } else items.push({ k: 'pos', value: this.expr() });
      if (this.k[this.p] !== Tok.Comma && this.k[this.p] !== Tok.Semi) break;
      this.p++;
    }
    this.expect(Tok.RBrace, "'}'");
    return { k: 'table', pos, items };
  }
}

export function anyType(pos: number): TypeNode {
  return { k: 'name', pos, path: ['any'], args: [] };
}

/** A Lua numeral's value and whether Lua reads it as an integer. */
function numberValue(raw: string): { value: number; integer: boolean } {
  const hex = /^0[xX]/.test(raw);
  const isFloat = hex ? /[.pP]/.test(raw) : /[.eE]/.test(raw);
  if (hex && !isFloat) return { value: Number(raw), integer: true };
  const value = Number(raw);
  return { value: Number.isNaN(value) ? 0 : value, integer: !isFloat };
}

