/**
 * The type-expression half of the typed-Lua transform: a token cursor, the blanked-range record,
 * the two failure kinds, and a recursive-descent reader for Wippy's (Luau-like) type syntax.
 *
 * Owns: `TypeSyntaxError`, the cursor base class `TypeReader` that typestrip-parser.ts extends,
 * and the grammar of a type: unions/intersections (a leading `|` or `&` allowed), optional `T?`,
 * arrays `T[]` and indexed access `T[K]`, literal types (strings, numbers, true/false/nil),
 * qualified and generic names `mod.Type<A, B>`, table types (fields, `name?: T`, `[K]: V`
 * indexers, array shorthand `{T}`), function types `(a: A, ...B) -> R` with optional generic
 * parameters, `fun(...)` types, parenthesised types and tuples `(A, B?)`, variadics `...T`,
 * `typeof(expr)`, `keyof(T)`, `readonly {...}`, `asserts x is T`, field annotations `@min(1)` and
 * conditional types `A extends B ? C : D`.
 *
 * Invariants: a reader never looks further than the type it is reading (the token after a
 * complete type is left for the Lua grammar); ranges are recorded only by the outermost site, so
 * they come out sorted and disjoint; inside a site every failure is a `TypeSyntaxError` naming the
 * line of the offending token, except a lexical error, which is left for Fengari to report.
 */
import { ErrorCode, WippyError } from '../base/errors';
import { Tok, Tokens, tokenText } from './typestrip-lexer';

/** A type annotation (or declaration, or cast) that cannot be parsed. Message: `chunk:line: what`. */
export class TypeSyntaxError extends WippyError {
  readonly line: number;
  readonly chunkName: string;
  constructor(chunkName: string, line: number, what: string) {
    super(ErrorCode.REGISTRY_INVALID, `${displayName(chunkName)}:${line}: ${what}`);
    this.name = 'TypeSyntaxError';
    this.line = line;
    this.chunkName = chunkName;
  }
}

/** Lua's own chunk-name display: a leading `@` (file) or `=` (literal) is not shown. */
function displayName(chunkName: string): string {
  return chunkName.startsWith('@') || chunkName.startsWith('=') ? chunkName.slice(1) : chunkName;
}

/** Internal: the plain Lua grammar did not match here; the caller hands the rest to Fengari. */
export class LuaSyntaxStop {
  constructor(readonly pos: number) {}
}

const MAX_LEVELS = 1000;

export abstract class TypeReader {
  protected p = 0;
  /** End offset of the last consumed token (or half of a split `>>` / `>=`). */
  protected lastEnd = 0;
  /** Start offsets and end offsets of the blanked ranges, flattened: [s0, e0, s1, e1, ...]. */
  readonly ranges: number[] = [];
  protected readonly k: Uint8Array;
  protected readonly s: Int32Array;
  protected readonly e: Int32Array;
  protected readonly src: string;
  /** Nesting of blanked sites; ranges are recorded only at depth 0 -> 1. */
  private depth = 0;
  /** Nesting of blocks, expressions and types, bounded so that no input can overflow the JS stack. */
  private level = 0;
  private siteName = '';

  constructor(protected readonly toks: Tokens, protected readonly chunkName: string) {
    this.k = toks.kind; this.s = toks.start; this.e = toks.end; this.src = toks.src;
  }

  /** Lua expression reader, supplied by the statement parser (for `typeof(expr)` and `@ann(args)`). */
  protected abstract expr(): void;

  /**
   * Enter one level of nesting. Lua itself refuses more than 200 levels (LUAI_MAXCCALLS),
   * so the bound here is never reached by code Fengari would accept.
   */
  protected enter(): void {
    if (++this.level > MAX_LEVELS) this.fail('nested too deeply');
  }

  protected leave(): void {
    this.level--;
  }

  protected next(): void {
    this.lastEnd = this.e[this.p];
    this.p++;
  }

  /** Is token `t` the name `w`? (Contextual words are plain names to the lexer.) */
  protected word(t: number, w: string): boolean {
    return this.k[t] === Tok.Name && this.e[t] - this.s[t] === w.length && this.src.startsWith(w, this.s[t]);
  }

  /** Fail at the current token: a type error inside a site, else a plain-Lua stop. */
  protected fail(detail: string): never {
    const t = this.p;
    if (this.depth === 0 || this.k[t] === Tok.Error) throw new LuaSyntaxStop(this.s[t]);
    throw new TypeSyntaxError(this.chunkName, this.toks.line[t], `${this.siteName}: ${detail} near '${tokenText(this.toks, t)}'`);
  }

  protected expect(kind: Tok, text: string): void {
    if (this.k[this.p] !== kind) this.fail(`expected '${text}'`);
    this.next();
  }

  protected expectName(): void {
    if (this.k[this.p] !== Tok.Name) this.fail('expected a name');
    this.next();
  }

  /** Run `body` as a blanked site starting at offset `from` (a `:`, `as`, `<`, `type`...). */
  protected site(from: number, name: string, body: () => void): void {
    const outer = this.depth === 0;
    const saved = this.siteName;
    if (outer) this.siteName = name;
    this.depth++;
    body();
    this.depth--;
    this.siteName = saved;
    if (outer) this.ranges.push(from, this.lastEnd);
  }

  /** Blank exactly the current token (a `!` non-nil assertion). */
  protected blankToken(): void {
    if (this.depth === 0) this.ranges.push(this.s[this.p], this.e[this.p]);
    this.next();
  }

  /** `:` then a type, as one site (parameter, local, `for` variable, vararg). */
  protected annotation(): void {
    this.site(this.s[this.p], "cannot parse type annotation after ':'", () => { this.next(); this.type(); });
  }

  /** Close a `<...>`; a `>>` or `>=` token is split and its second half left in place. */
  protected closeAngle(): void {
    const t = this.p, kind = this.k[t];
    if (kind === Tok.Gt) { this.next(); return; }
    if (kind !== Tok.Shr && kind !== Tok.Ge) this.fail("expected '>'");
    this.lastEnd = this.s[t] + 1;
    this.s[t] += 1;
    this.k[t] = kind === Tok.Shr ? Tok.Gt : Tok.Assign;
  }

  /** Generic parameters `<T, U: Bound, V = Default, P...>` (declaration side). */
  protected typeParams(): void {
    this.expect(Tok.Lt, '<');
    for (;;) {
      this.expectName();
      if (this.k[this.p] === Tok.Dots) this.next();
      if (this.k[this.p] === Tok.Colon) { this.next(); this.type(); }
      if (this.k[this.p] === Tok.Assign) { this.next(); this.type(); }
      if (this.k[this.p] !== Tok.Comma) break;
      this.next();
    }
    this.closeAngle();
  }

  /** A full type: union/intersection of members, or a conditional type. */
  protected type(): void {
    this.enter();
    this.unionOrConditional();
    this.leave();
  }

  private unionOrConditional(): void {
    const k0 = this.k[this.p];
    if (k0 === Tok.Pipe || k0 === Tok.Amp) this.next();
    this.member(true);
    if (this.word(this.p, 'extends')) {
      this.next();
      this.member(false);
      this.expect(Tok.Question, '?');
      this.type();
      this.expect(Tok.Colon, ':');
      this.type();
      return;
    }
    while (this.k[this.p] === Tok.Pipe || this.k[this.p] === Tok.Amp) {
      this.next();
      this.member(true);
    }
  }

  /** A primary type with its suffixes: `?`, `[]`, `[K]`, `@annotation(args)`. */
  private member(allowOptional: boolean): void {
    this.primary();
    for (;;) {
      const kind = this.k[this.p];
      if (kind === Tok.Question && allowOptional) this.next();
      else if (kind === Tok.LBracket) {
        this.next();
        if (this.k[this.p] !== Tok.RBracket) this.type();
        this.expect(Tok.RBracket, ']');
      } else if (kind === Tok.At) {
        this.next();
        this.expectName();
        if (this.k[this.p] === Tok.LParen) this.callArgs();
      } else return;
    }
  }

  private callArgs(): void {
    this.next();
    if (this.k[this.p] !== Tok.RParen) {
      this.expr();
      while (this.k[this.p] === Tok.Comma) { this.next(); this.expr(); }
    }
    this.expect(Tok.RParen, ')');
  }

  private primary(): void {
    const t = this.p;
    switch (this.k[t]) {
      case Tok.Nil: case Tok.True: case Tok.False: case Tok.String: case Tok.Number:
        this.next(); return;
      case Tok.LBrace: this.tableType(); return;
      case Tok.LParen: this.parenType(false); return;
      case Tok.Lt: this.typeParams(); this.parenType(true); return;
      case Tok.Dots: this.next(); this.type(); return;
      case Tok.Name: break;
      default: this.fail('expected a type');
    }
    const after = this.k[t + 1];
    if (after === Tok.LParen && (this.word(t, 'typeof') || this.word(t, 'keyof'))) {
      const isTypeof = this.word(t, 'typeof');
      this.next(); this.next();
      if (isTypeof) this.expr(); else this.type();
      this.expect(Tok.RParen, ')');
      return;
    }
    if (after === Tok.LParen && this.word(t, 'fun')) {
      this.next();
      this.parenType(false, true);
      if (this.k[this.p] === Tok.Colon) { this.next(); this.type(); }
      return;
    }
    if (after === Tok.LBrace && (this.word(t, 'readonly') || this.word(t, 'interface'))) {
      this.next(); this.tableType(); return;
    }
    if (after === Tok.Name && this.word(t, 'asserts')) {
      this.next(); this.next();
      if (this.word(this.p, 'is')) { this.next(); this.type(); }
      return;
    }
    this.next();
    while (this.k[this.p] === Tok.Dot && this.k[this.p + 1] === Tok.Name) { this.next(); this.next(); }
    if (this.k[this.p] === Tok.Lt) {
      this.next();
      if (this.k[this.p] !== Tok.Gt) {
        this.type();
        while (this.k[this.p] === Tok.Comma) { this.next(); this.type(); }
      }
      this.closeAngle();
    }
    if (this.k[this.p] === Tok.Dots) this.next(); // generic pack `T...`
  }

  /**
   * `( ... )`: a function type's parameters when `->` follows (or `fun(...)`), else a grouping or
   * a tuple of return types. Entries: `name: T`, `...T`, `...: T`, or a type.
   */
  private parenType(mustBeFunction: boolean, isFun = false): void {
    this.expect(Tok.LParen, '(');
    let named = false;
    if (this.k[this.p] !== Tok.RParen) {
      for (;;) {
        const kind = this.k[this.p];
        if ((kind === Tok.Name || isKeyword(kind)) && this.k[this.p + 1] === Tok.Colon) {
          this.next(); this.next(); this.type(); named = true;
        } else if (kind === Tok.Dots) {
          this.next();
          if (this.k[this.p] === Tok.Colon) this.next();
          if (isFun && (this.k[this.p] === Tok.Comma || this.k[this.p] === Tok.RParen)) { /* fun(...) */ }
          else this.type();
        } else this.type();
        if (this.k[this.p] !== Tok.Comma) break;
        this.next();
      }
    }
    this.expect(Tok.RParen, ')');
    if (isFun) return;
    if (this.k[this.p] === Tok.Arrow) { this.next(); this.type(); return; }
    if (mustBeFunction || named) this.fail("expected '->'");
  }

  /** `{ }`: fields `name: T` / `name?: T` (optionally `read`/`write`/`readonly` before), `[K]: V`, or `{T}`. */
  private tableType(): void {
    this.expect(Tok.LBrace, '{');
    while (this.k[this.p] !== Tok.RBrace) {
      const kind = this.k[this.p];
      const k1 = this.k[this.p + 1], k2 = this.k[this.p + 2];
      if (kind === Tok.LBracket) {
        this.next(); this.type(); this.expect(Tok.RBracket, ']');
        this.expect(Tok.Colon, ':'); this.type();
      } else if ((kind === Tok.Name || isKeyword(kind)) && (k1 === Tok.Colon || (k1 === Tok.Question && k2 === Tok.Colon))) {
        this.next();
        if (this.k[this.p] === Tok.Question) this.next();
        this.next(); this.type();
      } else if (kind === Tok.Name && k1 === Tok.Name && (k2 === Tok.Colon || k2 === Tok.Question)) {
        this.next(); this.next(); // modifier, then the field name
        if (this.k[this.p] === Tok.Question) this.next();
        this.expect(Tok.Colon, ':'); this.type();
      } else this.type();
      if (this.k[this.p] !== Tok.Comma && this.k[this.p] !== Tok.Semi) break;
      this.next();
    }
    this.expect(Tok.RBrace, '}');
  }
}

/** Lua keywords may name table-type fields and function-type parameters (`{ end: number }`). */
function isKeyword(kind: number): boolean {
  return kind >= Tok.And && kind <= Tok.While;
}
