/**
 * Go reference layouts ("Mon Jan 2 15:04:05 MST 2006") for the `time` module: format and parse.
 *
 * Owns: splitting a layout into literal text and elements exactly as Go's nextStdChunk does,
 * formatting Wall fields, and parsing text into civil fields plus zone information. No Lua here.
 * Invariants: a layout is tokenised the way Go tokenises it ("Jan" is an element, "Jane" is not;
 * "_2006" is "_" then the year; ".000"/".999" are fractions only when no digit follows), so a
 * layout that works in Go works here. Parse errors carry Go's messages (`parsing time "x" as
 * "2006-01-02": cannot parse "x" as "2006"`). Parsing fills what the layout does not mention with
 * Go's defaults: year 0, January, day 1, midnight.
 */
import { civilFromDays, daysFromCivil, daysIn, fromCivil, isLeap, TimeValue, UTC, Wall, Zone, zoneAt } from './calendar';

export const LAYOUTS: Readonly<Record<string, string>> = {
  LAYOUT: "01/02 03:04:05PM '06 -0700",
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UNIX_DATE: 'Mon Jan _2 15:04:05 MST 2006',
  RUBY_DATE: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339NANO: '2006-01-02T15:04:05.999999999Z07:00',
  KITCHEN: '3:04PM',
  STAMP: 'Jan _2 15:04:05',
  STAMP_MILLI: 'Jan _2 15:04:05.000',
  STAMP_MICRO: 'Jan _2 15:04:05.000000',
  STAMP_NANO: 'Jan _2 15:04:05.000000000',
  DATE_TIME: '2006-01-02 15:04:05',
  DATE_ONLY: '2006-01-02',
  TIME_ONLY: '15:04:05',
};

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A layout element: `k` is its Go spelling ("2006", "Z07:00"), or "frac0"/"frac9". */
interface Elem { k: string; src: string; digits: number; sep: string }
type Token = string | Elem;

const TZ_NUM = ['-070000', '-07:00:00', '-0700', '-07:00', '-07'];
const TZ_ISO = ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07'];
const isDigitAt = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
const isLowerAt = (s: string, i: number): boolean => i < s.length && s[i] >= 'a' && s[i] <= 'z';

/** The element starting at layout[i] (Go's nextStdChunk), or null for a literal character. */
function elementAt(layout: string, i: number): Elem | null {
  const at = (s: string): boolean => layout.startsWith(s, i);
  const el = (k: string, len = k.length): Elem => ({ k, src: layout.slice(i, i + len), digits: 0, sep: '' });
  switch (layout[i]) {
    case 'J':
      if (at('January')) return el('January');
      return at('Jan') && !isLowerAt(layout, i + 3) ? el('Jan') : null;
    case 'M':
      if (at('Monday')) return el('Monday');
      if (at('Mon') && !isLowerAt(layout, i + 3)) return el('Mon');
      return at('MST') ? el('MST') : null;
    case '0':
      if (layout[i + 1] >= '1' && layout[i + 1] <= '6') return el(layout.slice(i, i + 2));
      return at('002') ? el('002') : null;
    case '1': return at('15') ? el('15') : el('1');
    case '2': return at('2006') ? el('2006') : el('2');
    case '_':
      if (layout[i + 1] === '2') return at('_2006') ? null : el('_2');
      return at('__2') ? el('__2') : null;
    case '3': case '4': case '5': return el(layout[i]);
    case 'P': return at('PM') ? el('PM') : null;
    case 'p': return at('pm') ? el('pm') : null;
    case '-': { const k = TZ_NUM.find(at); return k ? el(k) : null; }
    case 'Z': { const k = TZ_ISO.find(at); return k ? el(k) : null; }
    case '.': case ',': {
      const ch = layout[i + 1];
      if (ch !== '0' && ch !== '9') return null;
      let j = i + 1;
      while (layout[j] === ch) j++;
      if (isDigitAt(layout, j)) return null;
      return { k: ch === '0' ? 'frac0' : 'frac9', src: layout.slice(i, j), digits: Math.min(j - i - 1, 9), sep: layout[i] };
    }
    default: return null;
  }
}

const tokenCache = new Map<string, Token[]>();

function tokenize(layout: string): Token[] {
  const cached = tokenCache.get(layout);
  if (cached) return cached;
  const out: Token[] = [];
  let lit = '';
  for (let i = 0; i < layout.length;) {
    const e = elementAt(layout, i);
    if (!e) { lit += layout[i++]; continue; }
    if (lit) { out.push(lit); lit = ''; }
    out.push(e);
    i += e.src.length;
  }
  if (lit) out.push(lit);
  if (tokenCache.size > 256) tokenCache.clear();
  tokenCache.set(layout, out);
  return out;
}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
};

function formatOffset(k: string, offset: number): string {
  if (offset === 0 && k[0] === 'Z') return 'Z';
  const abs = Math.abs(offset);
  const colon = k.includes(':');
  let s = (offset < 0 ? '-' : '+') + pad(Math.floor(abs / 3600), 2);
  if (k.length > 3) s += (colon ? ':' : '') + pad(Math.floor(abs / 60) % 60, 2);
  if (k.length === 7 || k.length === 9) s += (colon ? ':' : '') + pad(abs % 60, 2);
  return s;
}

function formatElem(e: Elem, w: Wall): string {
  const h12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
  switch (e.k) {
    case 'January': return MONTHS[w.month - 1];
    case 'Jan': return MONTHS[w.month - 1].slice(0, 3);
    case 'Monday': return WEEKDAYS[w.weekday];
    case 'Mon': return WEEKDAYS[w.weekday].slice(0, 3);
    case 'MST': return w.abbr || formatOffset('-0700', w.offset);
    case '1': return String(w.month);
    case '01': return pad(w.month, 2);
    case '2': return String(w.day);
    case '_2': return String(w.day).padStart(2, ' ');
    case '02': return pad(w.day, 2);
    case '__2': return String(w.yday).padStart(3, ' ');
    case '002': return pad(w.yday, 3);
    case '06': return pad(((w.year % 100) + 100) % 100, 2);
    case '2006': return pad(w.year, 4);
    case '15': return pad(w.hour, 2);
    case '3': return String(h12);
    case '03': return pad(h12, 2);
    case '4': return String(w.minute);
    case '04': return pad(w.minute, 2);
    case '5': return String(w.second);
    case '05': return pad(w.second, 2);
    case 'PM': return w.hour >= 12 ? 'PM' : 'AM';
    case 'pm': return w.hour >= 12 ? 'pm' : 'am';
    case 'frac0': return e.sep + pad(w.nanosecond, 9).slice(0, e.digits);
    case 'frac9': {
      const digits = pad(w.nanosecond, 9).slice(0, e.digits).replace(/0+$/, '');
      return digits ? e.sep + digits : '';
    }
    default: return formatOffset(e.k, w.offset);
  }
}

/** Go's Time.Format. */
export function formatWall(w: Wall, layout: string): string {
  let out = '';
  for (const t of tokenize(layout)) out += typeof t === 'string' ? t : formatElem(t, w);
  return out;
}

// ---- parsing ----

export class TimeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeParseError';
  }
}

/** Leading digits of `s` as a number: exactly `max` of them when `fixed`, else 1..max. */
function getnum(s: string, max: number, fixed: boolean): [number, string] | null {
  let n = 0;
  while (n < max && isDigitAt(s, n)) n++;
  if (n === 0 || (fixed && n < max)) return null;
  return [Number(s.slice(0, n)), s.slice(n)];
}

/** Go's skip: literal text, where a space matches any run of spaces. */
function skip(value: string, lit: string): string | null {
  while (lit.length > 0) {
    if (lit[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') return null;
      lit = lit.replace(/^ +/, '');
      value = value.replace(/^ +/, '');
      continue;
    }
    if (value.length === 0 || value[0] !== lit[0]) return null;
    lit = lit.slice(1);
    value = value.slice(1);
  }
  return value;
}

function lookupName(names: string[], value: string, len: number | null): [number, string] | null {
  for (let i = 0; i < names.length; i++) {
    const n = len === null ? names[i] : names[i].slice(0, len);
    if (value.slice(0, n.length).toLowerCase() === n.toLowerCase()) return [i, value.slice(n.length)];
  }
  return null;
}

/** Go's parseTimeZone: how many characters of `value` look like a zone abbreviation (0: none). */
function zoneNameLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4;
  if (value.startsWith('GMT')) {
    const m = /^[+-](\d+)/.exec(value.slice(3));
    return m && Number(m[1]) <= 23 ? 3 + m[0].length : 3;
  }
  const upper = /^[A-Z]{0,6}/.exec(value)![0].length;
  if (upper === 3) return 3;
  if (upper === 4 && (value[3] === 'T' || value.startsWith('WITA'))) return 4;
  if (upper === 5 && value[4] === 'T') return 5;
  return 0;
}

function parseNanos(value: string, n: number): number | null {
  if (value[0] !== '.' && value[0] !== ',') return null;
  const digits = value.slice(1, n);
  if (!/^\d+$/.test(digits)) return null;
  return Number(digits.slice(0, 9).padEnd(9, '0'));
}

/** Go's time.ParseInLocation: `zone` is used when the text names no zone. */
export function parseTime(layout: string, input: string, zone: Zone = UTC): TimeValue {
  const q = JSON.stringify;
  const tokens = tokenize(layout);
  let value = input;
  let year = 0; let month = -1; let day = -1; let yday = -1;
  let hour = 0; let minute = 0; let second = 0; let nsec = 0;
  let pm: boolean | null = null;
  let utc = false; let offset: number | null = null; let name = '';
  const bad = (elem: string, rest: string): never => {
    throw new TimeParseError(`parsing time ${q(input)} as ${q(layout)}: cannot parse ${q(rest)} as ${q(elem)}`);
  };
  const range = (what: string): never => { throw new TimeParseError(`parsing time ${q(input)}: ${what} out of range`); };

  for (let ti = 0; ti < tokens.length; ti++) {
    const tok = tokens[ti];
    if (typeof tok === 'string') {
      const rest = skip(value, tok);
      if (rest === null) bad(tok, value);
      value = rest as string;
      continue;
    }
    const hold = value;
    const num = (max: number, fixed: boolean): number => {
      const r = getnum(value, max, fixed);
      if (!r) return bad(tok.src, hold);
      value = r[1];
      return r[0];
    };
    switch (tok.k) {
      case '2006': {
        if (!/^\d{4}/.test(value)) bad(tok.src, hold);
        year = Number(value.slice(0, 4)); value = value.slice(4); break;
      }
      case '06': { const y = num(2, true); year = y >= 69 ? 1900 + y : 2000 + y; break; }
      case 'January': case 'Jan': {
        const r = lookupName(MONTHS, value, tok.k === 'Jan' ? 3 : null);
        if (!r) bad(tok.src, hold);
        [month, value] = r as [number, string]; month++; break;
      }
      case 'Monday': case 'Mon': {
        const r = lookupName(WEEKDAYS, value, tok.k === 'Mon' ? 3 : null);
        if (!r) bad(tok.src, hold);
        value = (r as [number, string])[1]; break;
      }
      case '1': case '01': month = num(2, tok.k === '01'); if (month < 1 || month > 12) range('month'); break;
      case '2': case '_2': case '02':
        if (tok.k === '_2' && value[0] === ' ') value = value.slice(1);
        day = num(2, tok.k === '02'); break;
      case '__2': case '002':
        if (tok.k === '__2') value = value.replace(/^ {1,2}/, '');
        yday = num(3, tok.k === '002'); break;
      case '15': hour = num(2, false); if (hour > 23) range('hour'); break;
      case '3': case '03': hour = num(2, tok.k === '03'); if (hour > 12) range('hour'); break;
      case '4': case '04': minute = num(2, tok.k === '04'); if (minute > 59) range('minute'); break;
      case '5': case '05': {
        second = num(2, tok.k === '05');
        if (second > 59) range('second');
        // A fraction in the text but not in the layout is accepted, as in Go.
        const next = tokens.slice(ti + 1).find((t): t is Elem => typeof t !== 'string');
        if (/^[.,]\d/.test(value) && !(next && next.k.startsWith('frac'))) {
          const n = /^[.,]\d+/.exec(value)![0].length;
          nsec = parseNanos(value, n) as number;
          value = value.slice(n);
        }
        break;
      }
      case 'PM': case 'pm': {
        const p = value.slice(0, 2);
        const [P, A] = tok.k === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
        if (p !== P && p !== A) bad(tok.src, hold);
        pm = p === P; value = value.slice(2); break;
      }
      case 'frac0': {
        const n = tok.digits + 1;
        const ns = value.length >= n ? parseNanos(value, n) : null;
        if (ns === null) bad(tok.src, hold);
        nsec = ns as number; value = value.slice(n); break;
      }
      case 'frac9': {
        const m = /^[.,]\d+/.exec(value);
        if (m) { nsec = parseNanos(value, m[0].length) as number; value = value.slice(m[0].length); }
        break;
      }
      case 'MST': {
        if (value.startsWith('UTC')) { utc = true; value = value.slice(3); break; }
        const n = zoneNameLength(value);
        if (n === 0) bad(tok.src, hold);
        name = value.slice(0, n); value = value.slice(n); break;
      }
      default: { // numeric zone offsets, "Z" variants accept a literal Z for UTC
        if (tok.k[0] === 'Z' && value[0] === 'Z') { utc = true; value = value.slice(1); break; }
        const shape = tok.k.slice(1).replace(/\d/g, 'd');
        const re = new RegExp(`^[+-]${shape.replace(/d/g, '\\d')}`);
        const m = re.exec(value);
        if (!m) bad(tok.src, hold);
        const d = (m as RegExpExecArray)[0].slice(1).replace(/:/g, '');
        const [hh, mm, ss] = [Number(d.slice(0, 2)), Number(d.slice(2, 4) || 0), Number(d.slice(4, 6) || 0)];
        if (hh > 24) range('time zone offset hour');
        if (mm > 60) range('time zone offset minute');
        if (ss > 60) range('time zone offset second');
        offset = (value[0] === '-' ? -1 : 1) * (hh * 3600 + mm * 60 + ss);
        value = value.slice((m as RegExpExecArray)[0].length);
      }
    }
  }
  if (value.length > 0) throw new TimeParseError(`parsing time ${q(input)}: extra text: ${q(value)}`);
  if (pm === true && hour < 12) hour += 12;
  else if (pm === false && hour === 12) hour = 0;

  if (yday >= 0) {
    if (yday < 1 || yday > (isLeap(year) ? 366 : 365)) range('day-of-year');
    const [, m, d] = civilFromDays(daysFromCivil(year, 1, 1) + yday - 1);
    if (month >= 0 && month !== m) throw new TimeParseError(`parsing time ${q(input)}: day-of-year does not match month`);
    if (day >= 0 && day !== d) throw new TimeParseError(`parsing time ${q(input)}: day-of-year does not match day`);
    month = m; day = d;
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) range('day');

  if (utc) return fromCivil(year, month, day, hour, minute, second, nsec, UTC);
  if (offset !== null) {
    const t = fromCivil(year, month, day, hour, minute, second, nsec, UTC);
    const at = t.ms - offset * 1000;
    const inZone = zoneAt(zone, at);
    const z: Zone = inZone.offset === offset && (name === '' || inZone.abbr === name) ? zone : { kind: 'fixed', name, offset };
    return { ms: at, ns: t.ns, zone: z };
  }
  if (name !== '') {
    const t = fromCivil(year, month, day, hour, minute, second, nsec, UTC);
    const inZone = zoneAt(zone, t.ms);
    if (inZone.abbr === name) return { ms: t.ms - inZone.offset * 1000, ns: t.ns, zone };
    // An unknown abbreviation: Go records it with a zero offset (GMT+h gets its hours).
    const gmt = /^GMT([+-]\d+)$/.exec(name);
    const off = gmt ? Number(gmt[1]) * 3600 : 0;
    return { ms: t.ms - off * 1000, ns: t.ns, zone: { kind: 'fixed', name, offset: off } };
  }
  return fromCivil(year, month, day, hour, minute, second, nsec, zone);
}
