/**
 * The type-expression half of the typed-Lua parser (parse.ts has the statements): a token cursor
 * and a recursive-descent reader that builds `TypeNode`s for Wippy's (Luau-like) type syntax.
 *
 * Owns: `ParseStop` (why a chunk could not be read into a tree) and the grammar of a type, the
 * same one typestrip-types.ts accepts: unions and intersections (a leading `|`/`&` allowed),
 * `T?`, `T[]`, literal types, qualified generic names `mod.Type<A>`, table types (fields,
 * `name?:`, `readonly`, `[K]: V` indexers, `{T}`), function types `(a: A, ...B) -> R` with
 * generics, `fun(...)`, tuples, `...T`, `typeof(expr)`, `keyof`, `@annotation(args)` and
 * conditional types. Invariants: the reader never looks past the type it reads; any input it
 * does not understand throws `ParseStop` (the caller then leaves the chunk unchecked: the
 * stripper and Fengari still report real syntax errors); nesting is bounded, so no input
 * overflows the JS stack.
 */
import { Tok, Tokens } from '../typestrip-lexer';
import type { Annotation, Expr, FieldNode, ParamType, TypeNode } from './ast';

/** The chunk could not be read into a tree (not Lua, or a form this parser does not know). */
export class ParseStop extends Error {
  constructor(readonly pos: number, why: string) { super(why); }
}

const MAX_LEVELS = 400;

export abstract class TypeParser {
  protected p = 0;
  protected readonly k: Uint8Array;
  protected readonly s: Int32Array;
  protected readonly e: Int32Array;
  protected readonly src: string;
  private level = 0;

  constructor(protected readonly toks: Tokens) {
    this.k = toks.kind; this.s = toks.start; this.e = toks.end; this.src = toks.src;
  }

  /** A Lua expression (for `typeof(expr)` and annotation arguments), supplied by parse.ts. */
  protected abstract expr(): Expr;

  protected enter(): void {
    if (++this.level > MAX_LEVELS) this.stop('nested too deeply');
  }
  protected leave(): void { this.level--; }

  protected stop(why: string): never {
    throw new ParseStop(this.s[this.p], why);
  }
  protected next(): void { this.p++; }
  protected text(t: number): string { return this.src.slice(this.s[t], this.e[t]); }
  protected word(t: number, w: string): boolean {
    return this.k[t] === Tok.Name && this.e[t] - this.s[t] === w.length && this.src.startsWith(w, this.s[t]);
  }
  protected expect(kind: Tok, what: string): void {
    if (this.k[this.p] !== kind) this.stop(`expected ${what}`);
    this.p++;
  }
  protected name(): string {
    if (this.k[this.p] !== Tok.Name) this.stop('expected a name');
    return this.text(this.p++);
  }

  /** Close `<...>`; a `>>` or `>=` is split and its second half left in place. */
  protected closeAngle(): void {
    const t = this.p, kind = this.k[t];
    if (kind === Tok.Gt) { this.p++; return; }
    if (kind !== Tok.Shr && kind !== Tok.Ge) this.stop("expected '>'");
    this.s[t] += 1;
    this.k[t] = kind === Tok.Shr ? Tok.Gt : Tok.Assign;
  }

  /** `<T, U: Bound, V = Default, P...>`: the names (bounds and defaults are read and dropped). */
  protected typeParams(): string[] {
    this.expect(Tok.Lt, "'<'");
    const names: string[] = [];
    for (;;) {
      names.push(this.name());
      if (this.k[this.p] === Tok.Dots) this.p++;
      if (this.k[this.p] === Tok.Colon) { this.p++; this.type(); }
      if (this.k[this.p] === Tok.Assign) { this.p++; this.type(); }
      if (this.k[this.p] !== Tok.Comma) break;
      this.p++;
    }
    this.closeAngle();
    return names;
  }

  /** A full type. */
  type(): TypeNode {
    this.enter();
    const pos = this.s[this.p];
    const k0 = this.k[this.p];
    if (k0 === Tok.Pipe || k0 === Tok.Amp) this.p++;
    const first = this.member(true);
    let out: TypeNode = first;
    if (this.word(this.p, 'extends')) {
      this.p++; this.member(false); this.expect(Tok.Question, "'?'"); this.type(); this.expect(Tok.Colon, "':'"); this.type();
      out = { k: 'opaque', pos };
    } else if (this.k[this.p] === Tok.Pipe || this.k[this.p] === Tok.Amp) {
      const unions: TypeNode[] = [];
      let inter: TypeNode[] = [first];
      while (this.k[this.p] === Tok.Pipe || this.k[this.p] === Tok.Amp) {
        const op = this.k[this.p];
        this.p++;
        const m = this.member(true);
        if (op === Tok.Amp) inter.push(m);
        else { unions.push(joinInter(inter, pos)); inter = [m]; }
      }
      unions.push(joinInter(inter, pos));
      out = unions.length === 1 ? unions[0] : { k: 'union', pos, types: unions };
    }
    this.leave();
    return out;
  }

  /** A primary type with its suffixes: `?`, `[]`, `[K]`, `@annotation(args)`. */
  private member(allowOptional: boolean): TypeNode {
    const pos = this.s[this.p];
    let t = this.primary();
    const anns: Annotation[] = [];
    for (;;) {
      const kind = this.k[this.p];
      if (kind === Tok.Question && allowOptional) { this.p++; t = { k: 'opt', pos, type: t }; }
      else if (kind === Tok.LBracket) {
        this.p++;
        if (this.k[this.p] === Tok.RBracket) { this.p++; t = { k: 'array', pos, elem: t }; }
        else { this.type(); this.expect(Tok.RBracket, "']'"); t = { k: 'opaque', pos }; }
      } else if (kind === Tok.At) {
        const at = this.s[this.p];
        this.p++;
        const name = this.name();
        const args: Expr[] = [];
        if (this.k[this.p] === Tok.LParen) {
          this.p++;
          if (this.k[this.p] !== Tok.RParen) {
            args.push(this.expr());
            while (this.k[this.p] === Tok.Comma) { this.p++; args.push(this.expr()); }
          }
          this.expect(Tok.RParen, "')'");
        }
        anns.push({ name, args, pos: at, end: this.e[this.p - 1] });
      } else break;
    }
    return anns.length > 0 ? { k: 'ann', pos, type: t, anns } : t;
  }

  private primary(): TypeNode {
    const t = this.p, pos = this.s[t];
    switch (this.k[t]) {
      case Tok.Nil: this.p++; return { k: 'lit', pos, value: null, raw: 'nil' };
      case Tok.True: this.p++; return { k: 'lit', pos, value: true, raw: 'true' };
      case Tok.False: this.p++; return { k: 'lit', pos, value: false, raw: 'false' };
      case Tok.String: this.p++; return { k: 'lit', pos, value: stringValue(this.text(t)), raw: this.text(t) };
      case Tok.Number: {
        this.p++;
        const v = Number(this.text(t));
        if (!Number.isFinite(v)) this.stop('unsupported number literal type');
        return { k: 'lit', pos, value: v, raw: this.text(t) };
      }
      case Tok.LBrace: return this.tableType(false);
      case Tok.LParen: return this.parenType(false, false, []);
      case Tok.Lt: { const g = this.typeParams(); return this.parenType(true, false, g); }
      case Tok.Dots: { this.p++; const inner = this.type(); return { k: 'tuple', pos, types: [], variadic: inner }; }
      case Tok.Name: break;
      default: this.stop('expected a type');
    }
    const after = this.k[t + 1];
    if (after === Tok.LParen && this.word(t, 'typeof')) {
      this.p += 2;
      const e = this.expr();
      this.expect(Tok.RParen, "')'");
      return { k: 'typeof', pos, expr: e };
    }
    if (after === Tok.LParen && this.word(t, 'keyof')) {
      this.p += 2; this.type(); this.expect(Tok.RParen, "')'");
      return { k: 'opaque', pos };
    }
    if (after === Tok.LParen && this.word(t, 'fun')) {
      this.p++;
      const f = this.parenType(false, true, []);
      if (this.k[this.p] === Tok.Colon && f.k === 'func') { this.p++; f.returns = [this.type()]; }
      return f;
    }
    if (after === Tok.LBrace && this.word(t, 'readonly')) { this.p++; return this.tableType(true); }
    if (after === Tok.LBrace && this.word(t, 'interface')) { this.p++; return this.tableType(false); }
    if (after === Tok.Name && this.word(t, 'asserts')) {
      this.p += 2;
      if (this.word(this.p, 'is')) { this.p++; this.type(); }
      return { k: 'opaque', pos };
    }
    const path = [this.name()];
    while (this.k[this.p] === Tok.Dot && this.k[this.p + 1] === Tok.Name) { this.p++; path.push(this.name()); }
    const args: TypeNode[] = [];
    if (this.k[this.p] === Tok.Lt) {
      this.p++;
      if (this.k[this.p] !== Tok.Gt) {
        args.push(this.type());
        while (this.k[this.p] === Tok.Comma) { this.p++; args.push(this.type()); }
      }
      this.closeAngle();
    }
    if (this.k[this.p] === Tok.Dots) { this.p++; return { k: 'opaque', pos }; } // a generic pack `T...`
    return { k: 'name', pos, path, args };
  }

  /**
   * `( ... )`: a function type's parameters when `->` follows (or after `fun`), else a grouping
   * or a tuple of return types.
   */
  private parenType(mustBeFunction: boolean, isFun: boolean, generics: string[]): TypeNode {
    const pos = this.s[this.p];
    this.expect(Tok.LParen, "'('");
    const params: ParamType[] = [];
    let variadic: TypeNode | null = null;
    let named = false;
    if (this.k[this.p] !== Tok.RParen) {
      for (;;) {
        const kind = this.k[this.p];
        if ((kind === Tok.Name || isKeyword(kind)) && this.k[this.p + 1] === Tok.Colon) {
          const n = this.text(this.p);
          this.p += 2;
          params.push({ name: n, type: this.type() });
          named = true;
        } else if (kind === Tok.Dots) {
          this.p++;
          if (this.k[this.p] === Tok.Colon) this.p++;
          if (isFun && (this.k[this.p] === Tok.Comma || this.k[this.p] === Tok.RParen)) variadic = { k: 'name', pos, path: ['any'], args: [] };
          else variadic = this.type();
        } else params.push({ name: null, type: this.type() });
        if (this.k[this.p] !== Tok.Comma) break;
        this.p++;
      }
    }
    this.expect(Tok.RParen, "')'");
    if (isFun) return { k: 'func', pos, params, variadic, returns: [], retVariadic: null, generics };
    if (this.k[this.p] === Tok.Arrow) {
      this.p++;
      const ret = this.type();
      let returns: TypeNode[] = [ret];
      let retVariadic: TypeNode | null = null;
      if (ret.k === 'tuple') { returns = ret.types; retVariadic = ret.variadic; }
      return { k: 'func', pos, params, variadic, returns, retVariadic, generics };
    }
    if (mustBeFunction || named) this.stop("expected '->'");
    if (params.length === 1 && variadic === null) return params[0].type;
    return { k: 'tuple', pos, types: params.map((x) => x.type), variadic };
  }

  /** `{ }`: fields, `[K]: V` indexers, or `{T}` (an array). */
  private tableType(readonly: boolean): TypeNode {
    const pos = this.s[this.p];
    this.expect(Tok.LBrace, "'{'");
    const fields: FieldNode[] = [];
    const indexers: { key: TypeNode; val: TypeNode }[] = [];
    let array: TypeNode | null = null;
    while (this.k[this.p] !== Tok.RBrace) {
      const kind = this.k[this.p], fpos = this.s[this.p];
      const k1 = this.k[this.p + 1], k2 = this.k[this.p + 2];
      if (kind === Tok.LBracket) {
        this.p++;
        const key = this.type();
        this.expect(Tok.RBracket, "']'");
        this.expect(Tok.Colon, "':'");
        indexers.push({ key, val: this.type() });
      } else if ((kind === Tok.Name || isKeyword(kind)) && (k1 === Tok.Colon || (k1 === Tok.Question && k2 === Tok.Colon))) {
        const name = this.text(this.p);
        this.p++;
        const optional = this.k[this.p] === Tok.Question;
        if (optional) this.p++;
        this.p++;
        fields.push({ name, optional, readonly: false, type: this.type(), pos: fpos });
      } else if (kind === Tok.Name && k1 === Tok.Name && (k2 === Tok.Colon || k2 === Tok.Question)) {
        const ro = this.word(this.p, 'readonly') || this.word(this.p, 'read');
        this.p++;
        const name = this.name();
        const optional = this.k[this.p] === Tok.Question;
        if (optional) this.p++;
        this.expect(Tok.Colon, "':'");
        fields.push({ name, optional, readonly: ro, type: this.type(), pos: fpos });
      } else array = this.type();
      if (this.k[this.p] !== Tok.Comma && this.k[this.p] !== Tok.Semi) break;
      this.p++;
    }
    this.expect(Tok.RBrace, "'}'");
    return { k: 'table', pos, fields, indexers, array, readonly };
  }
}

function joinInter(types: TypeNode[], pos: number): TypeNode {
  return types.length === 1 ? types[0] : { k: 'inter', pos, types };
}

/** Lua keywords may name table-type fields and function-type parameters (`{ end: number }`). */
export function isKeyword(kind: number): boolean {
  return kind >= Tok.And && kind <= Tok.While;
}

/** The value of a Lua string token (quoted or long bracket), escapes decoded. */
export function stringValue(raw: string): string {
  if (raw.startsWith('[')) {
    const open = raw.indexOf('[', 1) + 1;
    let body = raw.slice(open, raw.length - open);
    if (body.startsWith('\r\n') || body.startsWith('\n\r')) body = body.slice(2);
    else if (body.startsWith('\n') || body.startsWith('\r')) body = body.slice(1);
    return body;
  }
  const body = raw.slice(1, -1);
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') { out += c; continue; }
    const d = body[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", '\n': '\n', '\r': '\n' };
    if (d in simple) { out += simple[d]; continue; }
    if (d === 'x') { out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16)); i += 2; continue; }
    if (d === 'z') { while (i + 1 < body.length && /\s/.test(body[i + 1])) i++; continue; }
    if (d === 'u') {
      const close = body.indexOf('}', i);
      out += String.fromCodePoint(parseInt(body.slice(i + 2, close), 16));
      i = close;
      continue;
    }
    if (d >= '0' && d <= '9') {
      let j = i, n = '';
      while (j < body.length && n.length < 3 && body[j] >= '0' && body[j] <= '9') n += body[j++];
      out += String.fromCharCode(Number(n));
      i = j - 1;
      continue;
    }
    out += d;
  }
  return out;
}
