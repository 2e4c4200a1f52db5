/**
 * Go's Duration as text and its units, for the `time` module. No Lua here.
 *
 * Owns: the unit constants (`time.SECOND`...) in nanoseconds and Go's Duration.String().
 * Invariants: a duration is a whole number of nanoseconds (negative allowed); its text is exactly
 * Go's ("1h30m0s", "1.5s", "500ms", "300µs", "0s"), computed in BigInt so no digit is lost.
 * Reading a duration from text is base/duration.ts (shared with the registry), not here.
 */

/** Go's time units in nanoseconds (also the module's constants). */
export const UNITS_NS: Readonly<Record<string, number>> = {
  NANOSECOND: 1, MICROSECOND: 1e3, MILLISECOND: 1e6, SECOND: 1e9, MINUTE: 60e9, HOUR: 3600e9,
};

/** Go's Duration.String(): "1h30m0s", "1.5s", "500ms", "300µs", "10ns", "0s", "-2m3s". */
export function durationString(ns: number): string {
  let n = BigInt(Math.round(ns));
  if (n === 0n) return '0s';
  const sign = n < 0n ? '-' : '';
  if (n < 0n) n = -n;
  const fixed = (v: bigint, unit: bigint, digits: number): string => {
    const frac = (v % unit).toString().padStart(digits, '0').replace(/0+$/, '');
    return frac ? `${v / unit}.${frac}` : `${v / unit}`;
  };
  if (n < 1_000n) return `${sign}${n}ns`;
  if (n < 1_000_000n) return `${sign}${fixed(n, 1_000n, 3)}µs`;
  if (n < 1_000_000_000n) return `${sign}${fixed(n, 1_000_000n, 6)}ms`;
  const h = n / 3_600_000_000_000n;
  n -= h * 3_600_000_000_000n;
  const m = n / 60_000_000_000n;
  n -= m * 60_000_000_000n;
  const hm = h > 0n ? `${h}h${m}m` : m > 0n ? `${m}m` : '';
  return `${sign}${hm}${fixed(n, 1_000_000_000n, 9)}s`;
}
