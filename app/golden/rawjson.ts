/**
 * Lossless JSON for payloads inside golden files.
 *
 * A recorded payload is JSON text from the codec (compact, keys in the order the Lua program made
 * them, integral floats written `2.0`). A golden file shows it as readable, indented JSON, and must
 * give back the exact same text when read, or replay would see different arguments. So payloads
 * are parsed into a RawValue tree that keeps every number's source text and every object's key
 * order, and printed back from it. Invariant: `compact(parse(t)) === t` for codec output, and
 * `compact(parse(pretty(parse(t)))) === t`.
 */

export class RawNumber { constructor(readonly src: string) {} }
export class RawObject { constructor(readonly entries: Array<[string, RawValue]>) {} }
export type RawValue = null | boolean | string | RawNumber | RawObject | RawValue[];

const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseRaw(text: string): RawValue {
  let i = 0;
  const fail = (what: string): never => { throw new Error(`invalid JSON: ${what} at offset ${i}`); };
  // charCodeAt, not text[i]: golden files of 10,000-step histories are parsed on every replay.
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++; else return;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    let plainText = true;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) { plainText = false; i += 2; } else { if (c < 32) plainText = false; i++; }
    }
    i++;
    return plainText ? text.slice(start + 1, i - 1) : JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): RawValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: Array<[string, RawValue]> = [];
      ws();
      if (text[i] === '}') { i++; return new RawObject(entries); }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        entries.push([k, value()]);
        ws();
        const d = text[i++];
        if (d === '}') return new RawObject(entries);
        if (d !== ',') fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: RawValue[] = [];
      ws();
      if (text[i] === ']') { i++; return items; }
      for (;;) {
        items.push(value());
        ws();
        const d = text[i++];
        if (d === ']') return items;
        if (d !== ',') fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (!m) return fail('unexpected character');
    i += m[0].length;
    return new RawNumber(m[0]);
  };
  const v = value();
  ws();
  if (i < text.length) fail('trailing characters');
  return v;
}

/** Compact text, as the codec writes it. */
export function compact(v: RawValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof RawNumber) return v.src;
  if (Array.isArray(v)) return `[${v.map(compact).join(',')}]`;
  return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${compact(x)}`).join(',')}}`;
}

/** One-line text with a space after commas and colons (for short values in golden files). */
function spaced(v: RawValue): string {
  if (Array.isArray(v)) return `[${v.map(spaced).join(', ')}]`;
  if (v instanceof RawObject) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}: ${spaced(x)}`).join(', ')}}`;
  return compact(v);
}

/** Indented text for a golden file, starting at `indent`. Short values stay on one line. */
export function pretty(v: RawValue, indent = ''): string {
  const one = spaced(v);
  if (one.length <= 72 || v === null || typeof v !== 'object' || v instanceof RawNumber) return one;
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + pretty(x, inner)).join(',\n')}\n${indent}]`;
  return `{\n${v.entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner)}`).join(',\n')}\n${indent}}`;
}
