/**
 * The Lua 5.3 tokenizer behind the typed-Lua transform (typestrip.ts), extended with the few
 * tokens Wippy's type syntax adds: `->`, `?`, `!`, `@`.
 *
 * Owns: turning a source string into a flat token table (struct of typed arrays: kind, start, end,
 * line), skipping whitespace and comments. Invariants:
 * - It never throws. Text it cannot tokenize (an unfinished string or long bracket, a character
 *   that is not Lua) becomes one `Tok.Error` token followed by `Tok.Eof`; the parser then leaves
 *   the rest of the file to Fengari, whose own message names the right line.
 * - Line numbers follow llex.c exactly: `\n`, `\r`, `\r\n` and `\n\r` each end one line, so the
 *   line of a token here is the line Lua reports for it.
 * - Positions are UTF-16 offsets into the JS string; the table always ends with `Tok.Eof` and
 *   has spare `Eof` slots after it, so a parser may peek a few tokens ahead without bounds checks.
 * - Names are one kind (`Tok.Name`); contextual words of the type syntax (`as`, `type`, `export`,
 *   ...) are recognised by the parser, never here, so `local type = 1` stays an ordinary name.
 */

export const enum Tok {
  Eof, Error, Name, Number, String,
  // keywords
  And, Break, Do, Else, Elseif, End, False, For, Function, Goto, If, In, Local, Nil, Not, Or,
  Repeat, Return, Then, True, Until, While,
  // operators and punctuation
  Plus, Minus, Star, Slash, IDiv, Percent, Caret, Hash, Amp, Tilde, Pipe, Shl, Shr,
  Eq, Ne, Le, Ge, Lt, Gt, Assign, LParen, RParen, LBrace, RBrace, LBracket, RBracket,
  DbColon, Semi, Colon, Comma, Dot, Concat, Dots,
  // type-syntax only (never valid in plain Lua)
  Arrow, Question, Bang, At,
}

const KEYWORDS = new Map<string, Tok>([
  ['and', Tok.And], ['break', Tok.Break], ['do', Tok.Do], ['else', Tok.Else], ['elseif', Tok.Elseif],
  ['end', Tok.End], ['false', Tok.False], ['for', Tok.For], ['function', Tok.Function],
  ['goto', Tok.Goto], ['if', Tok.If], ['in', Tok.In], ['local', Tok.Local], ['nil', Tok.Nil],
  ['not', Tok.Not], ['or', Tok.Or], ['repeat', Tok.Repeat], ['return', Tok.Return],
  ['then', Tok.Then], ['true', Tok.True], ['until', Tok.Until], ['while', Tok.While],
]);

/** Spare `Eof` slots after the last token: the parser's maximum lookahead. */
const PAD = 4;

export interface Tokens {
  readonly src: string;
  /** Number of tokens including the final `Eof`. */
  readonly count: number;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  /** Exclusive end offset. */
  readonly end: Int32Array;
  readonly line: Int32Array;
  /** Why the `Tok.Error` token was produced, if there is one. */
  readonly errorMessage: string | null;
}

// Character classes, indexed by code unit (< 128): 1 = name start, 2 = name part, 4 = hex digit.
const CLS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) CLS[c] |= 3;
  if (/[0-9]/.test(ch)) CLS[c] |= 2;
  if (/[0-9A-Fa-f]/.test(ch)) CLS[c] |= 4;
}

/** Keyword kind of the name src[s, e), or Tok.Name; no substring is allocated. */
function keyword(src: string, s: number, e: number): Tok {
  const len = e - s;
  if (len < 2 || len > 8) return Tok.Name;
  const slot = KEYWORD_SLOTS[keywordKey(len, src.charCodeAt(s), src.charCodeAt(e - 1))];
  if (slot === undefined) return Tok.Name;
  const w = slot[0];
  for (let j = 1; j < len - 1; j++) if (w.charCodeAt(j) !== src.charCodeAt(s + j)) return Tok.Name;
  return slot[1];
}
/** Length, first and last letter tell Lua's keywords apart (if/in, nil/not, then/true...). */
function keywordKey(len: number, first: number, last: number): number {
  const a = first - 97, b = last - 97;
  return a < 0 || a > 25 || b < 0 || b > 25 ? 0 : (len * 26 + a) * 26 + b;
}
const KEYWORD_SLOTS: ([string, Tok] | undefined)[] = new Array(9 * 26 * 26).fill(undefined);
for (const [w, k] of KEYWORDS) {
  const key = keywordKey(w.length, w.charCodeAt(0), w.charCodeAt(w.length - 1));
  if (KEYWORD_SLOTS[key] !== undefined) throw new Error(`keyword key clash: ${w}`);
  KEYWORD_SLOTS[key] = [w, k];
}

/** Growable struct-of-arrays token table. */
class TokenTable {
  cap: number;
  n = 0;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  line: Int32Array;
  constructor(cap: number) {
    this.cap = cap;
    this.kind = new Uint8Array(cap); this.start = new Int32Array(cap);
    this.end = new Int32Array(cap); this.line = new Int32Array(cap);
  }
  push(k: Tok, s: number, e: number, l: number): void {
    if (this.n + PAD >= this.cap) this.grow();
    const n = this.n++;
    this.kind[n] = k; this.start[n] = s; this.end[n] = e; this.line[n] = l;
  }
  grow(): void {
    this.cap *= 2;
    const k = new Uint8Array(this.cap); k.set(this.kind); this.kind = k;
    const s = new Int32Array(this.cap); s.set(this.start); this.start = s;
    const e = new Int32Array(this.cap); e.set(this.end); this.end = e;
    const l = new Int32Array(this.cap); l.set(this.line); this.line = l;
  }
}

/** Lines crossed by the last skipLong/skipString call (a second return value, kept out of closures). */
let crossed = 0;

/** Offset after the newline at i (`\n`, `\r`, `\r\n` or `\n\r` count once, as in llex.c). */
function afterNewline(src: string, i: number): number {
  const c = src.charCodeAt(i), d = src.charCodeAt(i + 1);
  return (d === 10 || d === 13) && d !== c ? i + 2 : i + 1;
}

/** At `[`: the level of a long bracket opening here (`[==[` is 2), -1 for a plain `[`, -2 if malformed. */
function longLevel(src: string, at: number): number {
  let j = at + 1;
  while (src.charCodeAt(j) === 61) j++;
  if (src.charCodeAt(j) === 91) return j - at - 1;
  return j === at + 1 ? -1 : -2;
}

/** End offset of the long bracket of `level` opening at i, or -1 when unfinished. Sets `crossed`. */
function skipLong(src: string, i: number, level: number): number {
  const len = src.length;
  crossed = 0;
  i += level + 2;
  while (i < len) {
    const c = src.charCodeAt(i);
    if (c === 93) {
      let j = i + 1;
      while (src.charCodeAt(j) === 61) j++;
      if (j - i - 1 === level && src.charCodeAt(j) === 93) return j + 1;
      i = j === i + 1 ? i + 1 : j;
    } else if (c === 10 || c === 13) { i = afterNewline(src, i); crossed++; } else i++;
  }
  return -1;
}

/** End offset of the quoted string opening at i, or -1 when unfinished. Sets `crossed`. */
function skipString(src: string, i: number): number {
  const len = src.length, q = src.charCodeAt(i);
  crossed = 0;
  i++;
  while (i < len) {
    const d = src.charCodeAt(i);
    if (d === q) return i + 1;
    if (d === 10 || d === 13) return -1;
    if (d !== 92) { i++; continue; }
    // backslash: the escaped char may be a newline, or \z skipping whitespace and newlines
    i++;
    const e = src.charCodeAt(i);
    if (e === 10 || e === 13) { i = afterNewline(src, i); crossed++; } else if (e === 122) {
      i++;
      for (;;) {
        const w = src.charCodeAt(i);
        if (w === 10 || w === 13) { i = afterNewline(src, i); crossed++; } else if (w === 32 || (w >= 9 && w <= 12)) i++;
        else break;
      }
    } else if (i < len) i++;
  }
  return -1;
}

/** End offset of the numeral at i: the loop of llex.c read_numeral (validity is Lua's job). */
function skipNumber(src: string, i: number): number {
  let e1 = 69, e2 = 101; // E e
  if (src.charCodeAt(i) === 48 && (src.charCodeAt(i + 1) | 32) === 120) { e1 = 80; e2 = 112; i += 2; } // 0x: P p
  for (;;) {
    const d = src.charCodeAt(i);
    if (d === e1 || d === e2) {
      i++;
      const sg = src.charCodeAt(i);
      if (sg === 43 || sg === 45) i++;
    } else if ((d < 128 && (CLS[d] & 4) !== 0) || d === 46) i++;
    else return i;
  }
}

/** Tokenize a whole source. Never throws (see the module header). */
export function tokenize(src: string): Tokens {
  const len = src.length;
  const t = new TokenTable(Math.max(64, (len >> 1) + PAD));
  let i = 0;
  let ln = 1;
  let errorMessage: string | null = null;
  // The hot loop keeps the table's arrays in locals; the rare error paths use t.push after syncing t.n.
  let n = 0;
  let kind = t.kind, start = t.start, end = t.end, line = t.line;

  while (i < len) {
    const c = src.charCodeAt(i);
    let k: Tok;
    let w = 1; // width of the token (one for most operators)
    let extra = 0; // newlines inside the token (strings)
    switch (c) {
      case 10: case 13: i = afterNewline(src, i); ln++; continue;
      case 32: case 9: case 11: case 12: i++; continue;
      case 45: // -
        if (src.charCodeAt(i + 1) === 45) { // comment
          i += 2;
          if (src.charCodeAt(i) === 91) {
            const lv = longLevel(src, i);
            if (lv >= 0) {
              const e = skipLong(src, i, lv);
              if (e < 0) { errorMessage = 'unfinished long comment'; t.n = n; t.push(Tok.Error, i - 2, len, ln); n = t.n; i = len; continue; }
              i = e; ln += crossed;
              continue;
            }
          }
          while (i < len) { const d = src.charCodeAt(i); if (d === 10 || d === 13) break; i++; }
          continue;
        }
        if (src.charCodeAt(i + 1) === 62) { k = Tok.Arrow; w = 2; } else k = Tok.Minus;
        break;
      case 34: case 39: { // " '
        const e = skipString(src, i);
        if (e < 0) { errorMessage = 'unfinished string'; t.n = n; t.push(Tok.Error, i, len, ln); n = t.n; i = len; continue; }
        k = Tok.String; w = e - i; extra = crossed;
        break;
      }
      case 91: { // [
        const lv = longLevel(src, i);
        if (lv === -1) { k = Tok.LBracket; break; }
        const e = lv === -2 ? -1 : skipLong(src, i, lv);
        if (e < 0) {
          errorMessage = lv === -2 ? 'invalid long string delimiter' : 'unfinished long string';
          t.n = n; t.push(Tok.Error, i, len, ln); n = t.n; i = len; continue;
        }
        k = Tok.String; w = e - i; extra = crossed;
        break;
      }
      case 46: { // .
        const d = src.charCodeAt(i + 1);
        if (d === 46) {
          if (src.charCodeAt(i + 2) === 46) { k = Tok.Dots; w = 3; } else { k = Tok.Concat; w = 2; }
        } else if (d >= 48 && d <= 57) { k = Tok.Number; w = skipNumber(src, i) - i; } else k = Tok.Dot;
        break;
      }
      case 61: if (src.charCodeAt(i + 1) === 61) { k = Tok.Eq; w = 2; } else k = Tok.Assign; break;
      case 60: { // <
        const d = src.charCodeAt(i + 1);
        if (d === 60) { k = Tok.Shl; w = 2; } else if (d === 61) { k = Tok.Le; w = 2; } else k = Tok.Lt;
        break;
      }
      case 62: { // >
        const d = src.charCodeAt(i + 1);
        if (d === 62) { k = Tok.Shr; w = 2; } else if (d === 61) { k = Tok.Ge; w = 2; } else k = Tok.Gt;
        break;
      }
      case 47: if (src.charCodeAt(i + 1) === 47) { k = Tok.IDiv; w = 2; } else k = Tok.Slash; break;
      case 126: if (src.charCodeAt(i + 1) === 61) { k = Tok.Ne; w = 2; } else k = Tok.Tilde; break;
      case 58: if (src.charCodeAt(i + 1) === 58) { k = Tok.DbColon; w = 2; } else k = Tok.Colon; break;
      case 43: k = Tok.Plus; break;
      case 42: k = Tok.Star; break;
      case 37: k = Tok.Percent; break;
      case 94: k = Tok.Caret; break;
      case 35: k = Tok.Hash; break;
      case 38: k = Tok.Amp; break;
      case 124: k = Tok.Pipe; break;
      case 40: k = Tok.LParen; break;
      case 41: k = Tok.RParen; break;
      case 123: k = Tok.LBrace; break;
      case 125: k = Tok.RBrace; break;
      case 93: k = Tok.RBracket; break;
      case 59: k = Tok.Semi; break;
      case 44: k = Tok.Comma; break;
      case 63: k = Tok.Question; break;
      case 33: k = Tok.Bang; break;
      case 64: k = Tok.At; break;
      default:
        if (c < 128 && (CLS[c] & 1) !== 0) { // name or keyword
          let e = i + 1;
          while (e < len) { const d = src.charCodeAt(e); if (d >= 128 || (CLS[d] & 2) === 0) break; e++; }
          k = keyword(src, i, e); w = e - i;
        } else if (c >= 48 && c <= 57) {
          k = Tok.Number; w = skipNumber(src, i) - i;
        } else {
          errorMessage = `unexpected symbol near '${src[i]}'`;
          t.n = n; t.push(Tok.Error, i, i + 1, ln); n = t.n; i = len; continue;
        }
    }
    if (n + PAD >= t.cap) { t.n = n; t.grow(); kind = t.kind; start = t.start; end = t.end; line = t.line; }
    kind[n] = k; start[n] = i; end[n] = i + w; line[n] = ln;
    n++;
    i += w;
    ln += extra;
  }
  t.n = n;
  t.push(Tok.Eof, len, len, ln);
  n = t.n;
  for (let p = 0; p < PAD; p++) { t.kind[n + p] = Tok.Eof; t.start[n + p] = len; t.end[n + p] = len; t.line[n + p] = ln; }
  return { src, count: n, kind: t.kind, start: t.start, end: t.end, line: t.line, errorMessage };
}

/** Human-readable text of token `t` for messages (`'='`, `<eof>`, the token's own text). */
export function tokenText(toks: Tokens, t: number): string {
  if (toks.kind[t] === Tok.Eof) return '<eof>';
  const s = toks.src.slice(toks.start[t], toks.end[t]);
  return s.length > 24 ? `${s.slice(0, 21)}...` : s;
}
