/**
 * Durations: Go-style strings and Wippy's numeric nanoseconds, converted to milliseconds.
 *
 * Owns: `parseDuration` (input -> milliseconds) and `formatDuration` (milliseconds -> Go's
 * `time.Duration.String()` form). Invariants: every duration inside the runtime is a finite,
 * non-negative number of milliseconds (a float: sub-millisecond values are kept); a string
 * needs a unit on every number ("1h30m", never "90"); a bare number (YAML/JSON/Lua number) is
 * NANOSECONDS, as in Wippy and Go; days are not a unit (Go has none) and the message says "24h".
 * Errors are `DurationError`s with no file or field: callers add that context.
 */

/** A malformed duration. The message quotes the input and shows an example. */
export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

/** Milliseconds per unit. Both micro signs (U+00B5, U+03BC) are accepted, as in Go. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  '\u00b5s': 1e-3,
  '\u03bcs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const UNITS_TEXT = 'ns, us (or µs), ms, s, m, h';
const EXAMPLE = 'e.g. "1h30m", "10s" or "500ms"';

function quote(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v === 'object' ? 'map' : typeof v}`;
}

/**
 * Parse a duration into milliseconds.
 * @param v a Go-style string ("500ms", "1h30m", "2h45m30.5s", "0") or a number of nanoseconds.
 * @param what optional label put before the message ("start_timeout: invalid duration ...").
 */
export function parseDuration(v: unknown, what?: string): number {
  const fail = (msg: string): never => {
    throw new DurationError(what ? `${what}: ${msg}` : msg);
  };
  if (typeof v === 'bigint') v = Number(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      return fail(`invalid duration ${quote(v)}: expected a string like "1h30m" or a finite number of nanoseconds`);
    }
    if (v < 0) return fail(`invalid duration ${quote(v)}: durations must be positive or zero (${EXAMPLE})`);
    return v / 1e6;
  }
  if (typeof v !== 'string') {
    return fail(`invalid duration ${quote(v)}: expected a string like "1h30m" or a number of nanoseconds`);
  }
  return parseGoDuration(v, fail);
}

function parseGoDuration(text: string, fail: (msg: string) => never): number {
  const q = quote(text);
  if (text === '') return fail(`invalid duration "": it is empty; write a number with a unit, ${EXAMPLE}`);
  let s = text;
  if (s[0] === '-') return fail(`invalid duration ${q}: durations must be positive or zero (${EXAMPLE})`);
  if (s[0] === '+') s = s.slice(1);
  if (s === '0') return 0;
  if (s === '') return fail(`invalid duration ${q}: expected a number with a unit, ${EXAMPLE}`);

  let total = 0;
  while (s !== '') {
    // One component: digits with an optional fraction, then a unit made of letters.
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [numText, whole, frac] = num;
    if (whole === '' && (frac === undefined || frac === '')) {
      const what = /\s/.test(s[0]) ? 'spaces are not allowed' : `expected a number at ${JSON.stringify(s)}`;
      return fail(`invalid duration ${q}: ${what}; write numbers with units (${UNITS_TEXT}), ${EXAMPLE}`);
    }
    s = s.slice(numText.length);
    const unitMatch = /^[^\d.\s+-]*/.exec(s)!;
    const unit = unitMatch[0];
    if (unit === '') {
      const bare = whole + (frac !== undefined ? `.${frac}` : '');
      return fail(
        `invalid duration ${q}: missing unit after ${bare}; write e.g. "${bare}s" or "${bare}ms" ` +
          `(units: ${UNITS_TEXT}; an unquoted number means nanoseconds)`,
      );
    }
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined) {
      if (unit === 'd') {
        const days = Number(numText);
        const hours = Number.isFinite(days) ? `${+(days * 24).toFixed(6)}h` : '24h';
        return fail(`invalid duration ${q}: "d" (days) is not a unit; write hours instead, e.g. "${hours}"`);
      }
      return fail(`invalid duration ${q}: unknown unit ${JSON.stringify(unit)}; units are ${UNITS_TEXT}, ${EXAMPLE}`);
    }
    s = s.slice(unit.length);
    total += Number(`${whole || '0'}.${frac || '0'}`) * perUnit;
  }
  if (!Number.isFinite(total)) return fail(`invalid duration ${q}: too large`);
  return total;
}

/**
 * Format milliseconds the way Go's `time.Duration.String()` does: "1h30m0s", "1.5s", "500ms",
 * "300µs", "10ns", "0s". Sub-nanosecond parts are rounded away. Non-finite input is returned as text.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  // Exact integer nanoseconds: whole milliseconds and the fraction are converted separately so
  // that large values do not pick up float noise in the low digits.
  const wholeMs = Math.trunc(abs);
  let ns = BigInt(wholeMs) * 1_000_000n + BigInt(Math.round((abs - wholeMs) * 1e6));
  if (ns === 0n) return '0s';

  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${fixed(ns, 1_000n)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${fixed(ns, 1_000_000n)}ms`;

  const hours = ns / 3_600_000_000_000n;
  ns -= hours * 3_600_000_000_000n;
  const minutes = ns / 60_000_000_000n;
  ns -= minutes * 60_000_000_000n;
  let out = sign;
  if (hours > 0n) out += `${hours}h`;
  if (hours > 0n || minutes > 0n) out += `${minutes}m`;
  return `${out}${fixed(ns, 1_000_000_000n)}s`;
}

/** `n / unit` as a decimal with trailing zeros of the fraction removed. */
function fixed(n: bigint, unit: bigint): string {
  const whole = n / unit;
  const rest = n % unit;
  if (rest === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  const frac = rest.toString().padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${frac}`;
}
