/**
 * Wippy's typed Lua dialect -> plain Lua 5.3, by blanking the type syntax before Fengari compiles.
 *
 * Owns: the public transform (`stripTypes`), its cheap pre-check (`hasTypeSyntax`) and the error
 * it raises (`TypeSyntaxError`, defined in typestrip-types.ts). The work is split across
 * typestrip-lexer.ts (tokens), typestrip-types.ts (type expressions) and typestrip-parser.ts
 * (where in Lua's grammar a type may appear).
 *
 * Invariants:
 * - The output is the input with every character of type syntax (and the whitespace and comments
 *   between its tokens) replaced by a space; `\n` and `\r` are never touched. So the output has
 *   the same length, every line keeps its number and every character its column, and everything
 *   that is not type syntax is byte-for-byte the input.
 * - Untyped Lua 5.3 comes back unchanged (the very same string).
 * - An annotation that cannot be parsed throws `TypeSyntaxError` (`chunk:line: what`, the line of
 *   the offending token). Plain-Lua syntax errors are not ours to report: the text is returned
 *   with the types found before the error blanked, and Fengari's message names the line.
 */
import { Tok, Tokens, tokenize } from './typestrip-lexer';
import { StripParser, TYPE_START } from './typestrip-parser';
import { LuaSyntaxStop, TypeSyntaxError } from './typestrip-types';

export { TypeSyntaxError };

/** Blank Wippy type syntax out of `source`. Throws TypeSyntaxError for an unparsable annotation. */
export function stripTypes(source: string, chunkName: string): string {
  return stripTypesCounted(source, chunkName).text;
}

/** `stripTypes`, also saying how many `type` declarations it blanked (they may become runtime values). */
export function stripTypesCounted(source: string, chunkName: string): { text: string; typeDeclarations: number } {
  const toks = tokenize(source);
  if (!mayHaveTypes(toks)) return { text: source, typeDeclarations: 0 };
  const parser = new StripParser(toks, chunkName);
  try {
    parser.chunk();
  } catch (e) {
    // LuaSyntaxStop: not valid Lua; Fengari will say where. A RangeError would mean the JS stack
    // ran out despite the nesting bound: treat it the same way rather than crash the caller.
    if (!(e instanceof LuaSyntaxStop) && !(e instanceof RangeError)) throw e;
  }
  return { text: blank(source, parser.ranges), typeDeclarations: parser.typeDeclarations };
}

/**
 * Could `source` contain type syntax? Never false when `stripTypes` would change the text or throw
 * (it is the gate `stripTypes` itself uses); true for a few untyped oddities, such as a call
 * `as(...)` of a function named `as`, that the parser then leaves alone. Costs one tokenization
 * (untyped files cost stripTypes no more than that).
 */
export function hasTypeSyntax(source: string): boolean {
  return mayHaveTypes(tokenize(source));
}

/**
 * The token-level gate. It must answer true wherever the parser could open a type site, so each
 * rule below mirrors one site of typestrip-parser.ts, loosened, never tightened:
 * - tokens that exist only in type syntax (`!`, `?`, `@`, `->`);
 * - `as` followed by a token that can start a type; `type`/`interface` followed by a name;
 * - `::` that is not a `::label::`;
 * - `<` right after `function` or after a name that follows `function`, `.` or `:` (generics);
 * - `:` that is not `:name` followed by call arguments (the only `:` plain Lua has), or that
 *   follows a `local`/`for` name list, sits inside a function's parameter list, or directly
 *   follows one (a return type, which may be a bare name followed by a statement `(...)`).
 */
function mayHaveTypes(toks: Tokens): boolean {
  const k = toks.kind, n = toks.count;
  let parens = new Uint8Array(64); // per open '(': 1 when it opens a function's parameter list
  let depth = 0;
  let fnHead = false; // after `function`, before its '('
  let names = false; // inside the name list of a `local` or `for`
  let closedParams = -1; // index of the ')' that closed the last parameter list
  const isWord = (t: number, w: string): boolean =>
    k[t] === Tok.Name && toks.end[t] - toks.start[t] === w.length && toks.src.startsWith(w, toks.start[t]);

  for (let t = 0; t < n; t++) {
    const kind = k[t];
    if (names && kind !== Tok.Name && kind !== Tok.Comma && kind !== Tok.Colon) names = false;
    if (fnHead && kind !== Tok.Name && kind !== Tok.Dot && kind !== Tok.Colon && kind !== Tok.LParen) fnHead = false;
    switch (kind) {
      case Tok.Bang: case Tok.Question: case Tok.At: case Tok.Arrow:
        return true;
      case Tok.Name: {
        const next = k[t + 1];
        if (next === Tok.Name && (isWord(t, 'type') || isWord(t, 'interface'))) return true;
        if (TYPE_START[next] === 1 && isWord(t, 'as')) return true;
        break;
      }
      case Tok.DbColon:
        if (!(k[t + 1] === Tok.Name && k[t + 2] === Tok.DbColon)) return true;
        t += 2;
        break;
      case Tok.Lt: {
        const prev = t > 0 ? k[t - 1] : Tok.Eof, prev2 = t > 1 ? k[t - 2] : Tok.Eof;
        if (prev === Tok.Function) return true;
        if (prev === Tok.Name && (prev2 === Tok.Function || prev2 === Tok.Dot || prev2 === Tok.Colon)) return true;
        break;
      }
      case Tok.Colon: {
        if (t - 1 === closedParams || names || (depth > 0 && parens[depth - 1] === 1)) return true;
        const k2 = k[t + 2];
        if (k[t + 1] !== Tok.Name || (k2 !== Tok.LParen && k2 !== Tok.String && k2 !== Tok.LBrace)) return true;
        if (isWord(t + 1, 'fun') || isWord(t + 1, 'typeof') || isWord(t + 1, 'keyof')
          || isWord(t + 1, 'readonly') || isWord(t + 1, 'interface')) return true;
        break;
      }
      case Tok.Function: fnHead = true; break;
      case Tok.Local: names = k[t + 1] !== Tok.Function; break;
      case Tok.For: names = true; break;
      case Tok.LParen:
        if (depth === parens.length) { const g = new Uint8Array(depth * 2); g.set(parens); parens = g; }
        parens[depth++] = fnHead ? 1 : 0;
        fnHead = false;
        break;
      case Tok.RParen:
        if (depth > 0 && parens[--depth] === 1) closedParams = t;
        break;
    }
  }
  return false;
}

/**
 * Replace each range's characters by spaces, keeping `\n` and `\r`. Ranges are sorted. Works on
 * the UTF-16 code units in a Buffer, so any text (even lone surrogates) round-trips exactly.
 */
function blank(src: string, ranges: readonly number[]): string {
  if (ranges.length === 0) return src;
  const buf = Buffer.from(src, 'utf16le');
  for (let r = 0; r < ranges.length; r += 2) {
    for (let i = ranges[r], end = ranges[r + 1]; i < end; i++) {
      const c = src.charCodeAt(i);
      if (c !== 10 && c !== 13) { buf[2 * i] = 32; buf[2 * i + 1] = 0; }
    }
  }
  return buf.toString('utf16le');
}
