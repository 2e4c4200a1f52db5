/**
 * Instants, zones and the proleptic Gregorian calendar for the `time` module. No Lua here.
 *
 * Owns: the Instant representation, zone offsets (UTC, fixed, the host's Local zone, IANA names
 * through Intl), civil date <-> day-number conversion, and the calendar operations Go's time
 * package defines on top (Date normalisation, AddDate, Truncate, Round).
 *
 * Invariants: an Instant is `ms` (an integer number of milliseconds since the Unix epoch, UTC) plus
 * `ns` (an integer 0..999999), so a time keeps every nanosecond digit for any date a JS number
 * can count in milliseconds; a JS float of Unix nanoseconds could not (2^53 ns is only 104 days).
 * Zone offsets are whole seconds east of UTC. A zone only changes how an instant is shown, never
 * the instant. Truncate/Round count from Go's zero time (January 1, year 1, UTC), as Go does, so
 * that odd multiples such as 7*24h land on the same boundaries; BigInt keeps that exact.
 */

export interface Instant {
  ms: number;
  ns: number;
}

export type Zone =
  | { kind: 'utc' }
  | { kind: 'local' }
  | { kind: 'fixed'; name: string; offset: number }
  | { kind: 'iana'; name: string };

export interface TimeValue extends Instant {
  zone: Zone;
}

/** The fields of a time as read on a clock in its zone. */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  /** 0 = Sunday. */
  weekday: number;
  /** 1..366. */
  yday: number;
  /** Seconds east of UTC. */
  offset: number;
  /** Zone abbreviation ("UTC", "EST"), or "" when none is known (formatted as "+0530"). */
  abbr: string;
}

export const UTC: Zone = Object.freeze({ kind: 'utc' });
export const LOCAL: Zone = Object.freeze({ kind: 'local' });
export const MS_PER_DAY = 86_400_000;
/** Go's zero Time (January 1, year 1, 00:00:00 UTC) in Unix milliseconds. */
export const ZERO_MS = -62_135_596_800_000;

const mod = (a: number, b: number): number => ((a % b) + b) % b;

/** An instant from milliseconds plus any number of nanoseconds (carried into ms). */
export function instant(ms: number, ns: number): Instant {
  const wholeMs = Math.floor(ms);
  const extraNs = ns + Math.round((ms - wholeMs) * 1e6);
  let carry = Math.floor(extraNs / 1e6);
  let rest = Math.round(extraNs - carry * 1e6);
  if (rest >= 1e6) { carry += 1; rest -= 1e6; } else if (rest < 0) { carry -= 1; rest += 1e6; }
  return { ms: wholeMs + carry, ns: rest };
}

/** t + d nanoseconds. The sub-millisecond part of d is split off first (`%` is exact), so t's
 * nanosecond digits survive even when d itself is past 2^53. */
export function addNanos(t: TimeValue, d: number): TimeValue {
  const rest = d % 1e6;
  return { ...instant(t.ms + Math.round((d - rest) / 1e6), t.ns + rest), zone: t.zone };
}

/** a - b in nanoseconds (exact while the difference is under 2^53 ns, about 104 days). */
export function diffNanos(a: Instant, b: Instant): number {
  return (a.ms - b.ms) * 1e6 + (a.ns - b.ns);
}

export function compare(a: Instant, b: Instant): number {
  return a.ms !== b.ms ? Math.sign(a.ms - b.ms) : Math.sign(a.ns - b.ns);
}

// Howard Hinnant's days_from_civil / civil_from_days (exact for any year).
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// ---- zones ----

const MIN_DATE_MS = -8.64e15;
const MAX_DATE_MS = 8.64e15;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(name: string | undefined): Intl.DateTimeFormat {
  const key = name ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

/** The canonical IANA name if the host knows the zone, else null. */
export function ianaZone(name: string): Zone | null {
  try {
    return { kind: 'iana', name: formatter(name).resolvedOptions().timeZone };
  } catch {
    return null;
  }
}

function intlOffset(name: string | undefined, ms: number): { offset: number; abbr: string } {
  const whole = Math.floor(Math.min(Math.max(ms, MIN_DATE_MS), MAX_DATE_MS) / 1000) * 1000;
  const parts = formatter(name).formatToParts(new Date(whole));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  let year = Number(get('year'));
  if (get('era').startsWith('B')) year = 1 - year;
  const local = daysFromCivil(year, Number(get('month')), Number(get('day'))) * MS_PER_DAY
    + (Number(get('hour')) * 3600 + Number(get('minute')) * 60 + Number(get('second'))) * 1000;
  const tzn = get('timeZoneName');
  return { offset: Math.round((local - whole) / 1000), abbr: /^[A-Z]{2,5}$/.test(tzn) ? tzn : '' };
}

/** Offset and abbreviation of `zone` at the instant `ms`. */
export function zoneAt(zone: Zone, ms: number): { offset: number; abbr: string } {
  switch (zone.kind) {
    case 'utc': return { offset: 0, abbr: 'UTC' };
    case 'fixed': return { offset: zone.offset, abbr: zone.name };
    case 'local': return intlOffset(undefined, ms);
    case 'iana': return intlOffset(zone.name, ms);
  }
}

export function zoneName(zone: Zone): string {
  switch (zone.kind) {
    case 'utc': return 'UTC';
    case 'local': return 'Local';
    case 'fixed': case 'iana': return zone.name;
  }
}

// ---- civil <-> instant ----

export function wall(t: TimeValue): Wall {
  const { offset, abbr } = zoneAt(t.zone, t.ms);
  const local = t.ms + offset * 1000;
  const days = Math.floor(local / MS_PER_DAY);
  const msOfDay = local - days * MS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  return {
    year, month, day,
    hour: Math.floor(msOfDay / 3_600_000),
    minute: Math.floor(msOfDay / 60_000) % 60,
    second: Math.floor(msOfDay / 1000) % 60,
    nanosecond: (msOfDay % 1000) * 1e6 + t.ns,
    weekday: mod(days + 4, 7),
    yday: days - daysFromCivil(year, 1, 1) + 1,
    offset, abbr,
  };
}

/**
 * Go's time.Date: the instant whose wall clock in `zone` reads the given fields. Out-of-range
 * fields are normalised (month 13 is January of the next year, day 0 the last day of the
 * previous month, and so on).
 */
export function fromCivil(
  year: number, month: number, day: number, hour: number, minute: number, second: number, nsec: number, zone: Zone,
): TimeValue {
  const m0 = month - 1;
  const days = daysFromCivil(year + Math.floor(m0 / 12), mod(m0, 12) + 1, 1) + day - 1;
  const local = instant(days * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000, nsec);
  // As Go does: take the offset at the wall time read as UTC, then the offset in force at the
  // instant that guess gives (they differ only next to a transition).
  const guess = zoneAt(zone, local.ms).offset;
  const offset = guess === 0 ? 0 : zoneAt(zone, local.ms - guess * 1000).offset;
  return { ms: local.ms - offset * 1000, ns: local.ns, zone };
}

/** Go's Time.AddDate: add calendar units on the wall clock, then normalise. */
export function addDate(t: TimeValue, years: number, months: number, days: number): TimeValue {
  const w = wall(t);
  return fromCivil(w.year + years, w.month + months, w.day + days, w.hour, w.minute, w.second, w.nanosecond, t.zone);
}

function remainderSinceZero(t: Instant, d: number): bigint {
  const D = BigInt(Math.round(d));
  const since = (BigInt(t.ms) - BigInt(ZERO_MS)) * 1_000_000n + BigInt(t.ns);
  const r = since % D;
  return r < 0n ? r + D : r;
}

/** Go's Time.Truncate: round down to a multiple of d since the zero time; d <= 0 leaves t. */
export function truncateTime(t: TimeValue, d: number): TimeValue {
  if (d <= 0) return t;
  return addNanos(t, -Number(remainderSinceZero(t, d)));
}

/** Go's Time.Round: to the nearest multiple of d since the zero time, halves rounding up. */
export function roundTime(t: TimeValue, d: number): TimeValue {
  if (d <= 0) return t;
  const r = remainderSinceZero(t, d);
  const D = BigInt(Math.round(d));
  return r + r < D ? addNanos(t, -Number(r)) : addNanos(t, Number(D - r));
}
