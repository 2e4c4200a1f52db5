/**
 * The Lua-statement half of the typed-Lua transform: a recursive-descent walk over Lua 5.3's
 * grammar that knows where Wippy's type syntax may appear and hands those spots to the type
 * reader (typestrip-types.ts), which records them as ranges to blank.
 *
 * Owns: the places a type may start. After `:` on a parameter, a vararg (`...: T`), a `local`
 * name or a `for` variable; after a parameter list (return types `: T`, `: A, B`, `: (A, B?)`);
 * generic parameters after a function name or the `function` keyword; `type`/`export type`
 * declarations and `interface ... end` blocks at statement start; casts `expr as T` and
 * `expr :: T` and the non-nil assertion `expr!` after a complete operand.
 *
 * Invariants (why this is a parser and not a pattern match):
 * - `:` after an expression is always a method call; `:` is an annotation only in a declaration
 *   position, so `obj:method()` and `function obj:m(a: T)` are never confused.
 * - `as`, `type`, `export`, `interface` are ordinary names except in the one position each is
 *   syntax: `as` only right after a complete operand and only when a type can follow it
 *   (`f(as)`, `as = 2`, `t.as` stay); `type Name` / `export type` / `interface Name` only at
 *   statement start, where a name followed by a name is never valid Lua (`type(x)`,
 *   `local type = 1`, `t.type` stay).
 * - `::` after an operand is a cast unless it reads `::name::` (a label).
 * - The walk only consumes; it builds no tree, and binary operators need no precedence because
 *   a cast binds to the operand before it whatever the precedence.
 */
import { Tok, type Tokens } from './typestrip-lexer';
import { TypeReader } from './typestrip-types';

const BINARY = new Uint8Array(256);
for (const k of [Tok.Plus, Tok.Minus, Tok.Star, Tok.Slash, Tok.IDiv, Tok.Percent, Tok.Caret, Tok.Concat,
  Tok.Eq, Tok.Ne, Tok.Lt, Tok.Le, Tok.Gt, Tok.Ge, Tok.And, Tok.Or, Tok.Amp, Tok.Pipe, Tok.Tilde,
  Tok.Shl, Tok.Shr]) BINARY[k] = 1;

/** Tokens that can begin a type: the test that makes `as` a cast rather than a name. */
export const TYPE_START = new Uint8Array(256);
for (const k of [Tok.Name, Tok.String, Tok.Number, Tok.Nil, Tok.True, Tok.False, Tok.LParen,
  Tok.LBrace, Tok.Lt, Tok.Dots]) TYPE_START[k] = 1;

/**
 * Is the `as` at token `t` a call of a function named `as`? `as(...)`, `as{...}` or `as"..."`
 * opening a new line is (Lua reads it so), not a cast: misreading a call as a cast would silently
 * change the program. (The checker's parser, lua/typecheck/parse-expr.ts, asks the same.)
 */
export function isCallOfAs(toks: Tokens, t: number): boolean {
  const next = toks.kind[t + 1];
  if (next !== Tok.LParen && next !== Tok.LBrace && next !== Tok.String) return false;
  for (let i = toks.end[t - 1]; i < toks.start[t]; i++) {
    const c = toks.src.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

export class StripParser extends TypeReader {
  /** How many `type X = T` declarations were read (each becomes a runtime value: typevalue-emit.ts). */
  typeDeclarations = 0;

  /** Walk the whole chunk. Throws TypeSyntaxError or LuaSyntaxStop. */
  chunk(): void {
    this.block();
    if (this.k[this.p] !== Tok.Eof) this.fail("'<eof>' expected");
  }

  private block(): void {
    this.enter();
    this.statements();
    this.leave();
  }

  private statements(): void {
    for (;;) {
      const kind = this.k[this.p];
      if (kind === Tok.Eof || kind === Tok.End || kind === Tok.Else || kind === Tok.Elseif || kind === Tok.Until) return;
      if (kind === Tok.Return) {
        this.next();
        const f = this.k[this.p];
        if (f !== Tok.Eof && f !== Tok.End && f !== Tok.Else && f !== Tok.Elseif && f !== Tok.Until && f !== Tok.Semi) this.exprList();
        if (this.k[this.p] === Tok.Semi) this.next();
        return;
      }
      this.statement();
    }
  }

  private statement(): void {
    switch (this.k[this.p]) {
      case Tok.Semi: case Tok.Break: this.next(); return;
      case Tok.If:
        this.next(); this.expr(); this.expect(Tok.Then, 'then'); this.block();
        while (this.k[this.p] === Tok.Elseif) { this.next(); this.expr(); this.expect(Tok.Then, 'then'); this.block(); }
        if (this.k[this.p] === Tok.Else) { this.next(); this.block(); }
        this.expect(Tok.End, 'end');
        return;
      case Tok.While:
        this.next(); this.expr(); this.expect(Tok.Do, 'do'); this.block(); this.expect(Tok.End, 'end');
        return;
      case Tok.Do: this.next(); this.block(); this.expect(Tok.End, 'end'); return;
      case Tok.Repeat: this.next(); this.block(); this.expect(Tok.Until, 'until'); this.expr(); return;
      case Tok.For: this.forStat(); return;
      case Tok.Function: this.next(); this.funcName(); this.funcBody(); return;
      case Tok.Local:
        this.next();
        if (this.k[this.p] === Tok.Function) { this.next(); this.expectName(); this.funcBody(); return; }
        this.nameList();
        if (this.k[this.p] === Tok.Assign) { this.next(); this.exprList(); }
        return;
      case Tok.DbColon: this.next(); this.expectName(); this.expect(Tok.DbColon, '::'); return;
      case Tok.Goto: this.next(); this.expectName(); return;
      case Tok.Name: if (this.declaration()) return; break;
    }
    this.exprStat();
  }

  /** `type X = T`, `export type X<T> = T`, `interface X ... end`; false when not one of these. */
  private declaration(): boolean {
    const t = this.p;
    let d = t;
    if (this.word(t, 'export') && this.k[t + 1] === Tok.Name && this.k[t + 2] === Tok.Name
      && (this.word(t + 1, 'type') || this.word(t + 1, 'interface'))) d = t + 1;
    if (this.k[d + 1] !== Tok.Name) return false;
    if (this.word(d, 'type')) {
      this.typeDeclarations++;
      this.site(this.s[t], 'cannot parse type declaration', () => {
        this.p = d + 2; // past `type Name`
        if (this.k[this.p] === Tok.Lt) this.typeParams();
        this.expect(Tok.Assign, '=');
        this.type();
      });
      return true;
    }
    if (this.word(d, 'interface')) {
      this.site(this.s[t], 'cannot parse interface declaration', () => {
        this.p = d + 2;
        if (this.k[this.p] === Tok.Colon) {
          do { this.next(); this.type(); } while (this.k[this.p] === Tok.Comma);
        }
        while (this.k[this.p] !== Tok.End) this.interfaceMember();
        this.next();
      });
      return true;
    }
    return false;
  }

  /** `function name<T>(params): R` (no body) or `name: T` / `name?: T` inside an interface. */
  private interfaceMember(): void {
    if (this.k[this.p] === Tok.Function) {
      this.next(); this.expectName();
      if (this.k[this.p] === Tok.Lt) this.typeParams();
      this.expect(Tok.LParen, '(');
      this.paramList();
      this.expect(Tok.RParen, ')');
      if (this.k[this.p] === Tok.Colon) { this.next(); this.typeList(); }
    } else {
      this.expectName();
      if (this.k[this.p] === Tok.Question) this.next();
      this.expect(Tok.Colon, ':');
      this.type();
    }
    if (this.k[this.p] === Tok.Comma || this.k[this.p] === Tok.Semi) this.next();
  }

  private forStat(): void {
    this.next();
    this.nameList();
    if (this.k[this.p] === Tok.Assign) {
      this.next(); this.expr(); this.expect(Tok.Comma, ','); this.expr();
      if (this.k[this.p] === Tok.Comma) { this.next(); this.expr(); }
    } else {
      this.expect(Tok.In, 'in'); this.exprList();
    }
    this.expect(Tok.Do, 'do'); this.block(); this.expect(Tok.End, 'end');
  }

  /** Names of a `local` or `for`, each with an optional `: T`. */
  private nameList(): void {
    for (;;) {
      this.expectName();
      if (this.k[this.p] === Tok.Colon) this.annotation();
      if (this.k[this.p] !== Tok.Comma) return;
      this.next();
    }
  }

  /** `a.b.c` or `a.b:m` after `function`; the `:` here names a method, it is not a type. */
  private funcName(): void {
    this.expectName();
    while (this.k[this.p] === Tok.Dot) { this.next(); this.expectName(); }
    if (this.k[this.p] === Tok.Colon) { this.next(); this.expectName(); }
  }

  /** `[<T>] ( params ) [: returns] block end`. */
  private funcBody(): void {
    if (this.k[this.p] === Tok.Lt) {
      this.site(this.s[this.p], "cannot parse generic parameters after '<'", () => this.typeParams());
    }
    this.expect(Tok.LParen, '(');
    this.paramList();
    this.expect(Tok.RParen, ')');
    if (this.k[this.p] === Tok.Colon) {
      this.site(this.s[this.p], "cannot parse return type annotation after ':'", () => { this.next(); this.typeList(); });
    }
    this.block();
    this.expect(Tok.End, 'end');
  }

  private paramList(): void {
    if (this.k[this.p] === Tok.RParen) return;
    for (;;) {
      if (this.k[this.p] === Tok.Dots) {
        this.next();
        if (this.k[this.p] === Tok.Colon) this.annotation();
        return;
      }
      this.expectName();
      if (this.k[this.p] === Tok.Colon) this.annotation();
      if (this.k[this.p] !== Tok.Comma) return;
      this.next();
    }
  }

  /** Return types: `T`, `A, B` or `(A, B?)` (the parenthesised form is read by `type`). */
  private typeList(): void {
    this.type();
    while (this.k[this.p] === Tok.Comma) { this.next(); this.type(); }
  }

  private exprStat(): void {
    this.suffixedExp();
    if (this.k[this.p] === Tok.Assign || this.k[this.p] === Tok.Comma) {
      while (this.k[this.p] === Tok.Comma) { this.next(); this.suffixedExp(); }
      this.expect(Tok.Assign, '=');
      this.exprList();
    }
  }

  private exprList(): void {
    this.expr();
    while (this.k[this.p] === Tok.Comma) { this.next(); this.expr(); }
  }

  /** An expression: operands joined by binary operators, each operand with its casts. */
  protected expr(): void {
    this.enter();
    this.operands();
    this.leave();
  }

  private operands(): void {
    for (;;) {
      let kind = this.k[this.p];
      while (kind === Tok.Not || kind === Tok.Minus || kind === Tok.Hash || kind === Tok.Tilde) {
        this.next(); kind = this.k[this.p];
      }
      this.simpleExp();
      this.casts();
      if (BINARY[this.k[this.p]] === 0) return;
      this.next();
    }
  }

  /** After a complete operand: `as T`, `:: T`, `!`, in any number. */
  private casts(): void {
    for (;;) {
      const t = this.p, kind = this.k[t];
      if (kind === Tok.Name && TYPE_START[this.k[t + 1]] === 1 && this.word(t, 'as') && !isCallOfAs(this.toks, t)) {
        this.site(this.s[t], "cannot parse type after 'as'", () => { this.next(); this.type(); });
      } else if (kind === Tok.DbColon && !(this.k[t + 1] === Tok.Name && this.k[t + 2] === Tok.DbColon)) {
        this.site(this.s[t], "cannot parse type after '::'", () => { this.next(); this.type(); });
      } else if (kind === Tok.Bang) {
        this.blankToken();
      } else return;
    }
  }

  private simpleExp(): void {
    switch (this.k[this.p]) {
      case Tok.Number: case Tok.String: case Tok.Nil: case Tok.True: case Tok.False: case Tok.Dots:
        this.next(); return;
      case Tok.LBrace: this.table(); return;
      case Tok.Function: this.next(); this.funcBody(); return;
      default: this.suffixedExp();
    }
  }

  private suffixedExp(): void {
    const kind = this.k[this.p];
    if (kind === Tok.Name) this.next();
    else if (kind === Tok.LParen) { this.next(); this.expr(); this.expect(Tok.RParen, ')'); }
    else this.fail('unexpected symbol');
    for (;;) {
      switch (this.k[this.p]) {
        case Tok.Dot: this.next(); this.expectName(); break;
        case Tok.LBracket: this.next(); this.expr(); this.expect(Tok.RBracket, ']'); break;
        case Tok.Colon: this.next(); this.expectName(); this.args(); break;
        case Tok.LParen: case Tok.String: case Tok.LBrace: this.args(); break;
        default: return;
      }
    }
  }

  private args(): void {
    const kind = this.k[this.p];
    if (kind === Tok.String) { this.next(); return; }
    if (kind === Tok.LBrace) { this.table(); return; }
    this.expect(Tok.LParen, '(');
    if (this.k[this.p] !== Tok.RParen) this.exprList();
    this.expect(Tok.RParen, ')');
  }

  private table(): void {
    this.next();
    while (this.k[this.p] !== Tok.RBrace) {
      if (this.k[this.p] === Tok.LBracket) {
        this.next(); this.expr(); this.expect(Tok.RBracket, ']'); this.expect(Tok.Assign, '='); this.expr();
      } else if (this.k[this.p] === Tok.Name && this.k[this.p + 1] === Tok.Assign) {
        this.next(); this.next(); this.expr();
      } else this.expr();
      if (this.k[this.p] !== Tok.Comma && this.k[this.p] !== Tok.Semi) break;
      this.next();
    }
    this.expect(Tok.RBrace, '}');
  }
}
