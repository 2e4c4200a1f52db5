/**
 * UUID generation and checking (RFC 9562): v4 (random) and v7 (time-ordered).
 *
 * Owns: the byte layout of the versions we generate. Invariant: v7 ids generated from one
 * generator are strictly increasing even within one millisecond (a 12-bit counter in rand_a).
 */
import { randomBytes, randomUUID } from 'node:crypto';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidV4(): string {
  return randomUUID();
}

let lastMs = -1;
let counter = 0;

/** A v7 UUID for the given time (ms since the epoch). */
export function uuidV7(nowMs: number = Date.now()): string {
  const ms = Math.floor(nowMs);
  if (ms <= lastMs) {
    counter++;
    if (counter > 0xfff) { lastMs++; counter = 0; }
  } else {
    lastMs = ms;
    counter = 0;
  }
  const b = randomBytes(16);
  const t = lastMs;
  b[0] = Math.floor(t / 2 ** 40) & 0xff;
  b[1] = Math.floor(t / 2 ** 32) & 0xff;
  b[2] = (t >>> 24) & 0xff;
  b[3] = (t >>> 16) & 0xff;
  b[4] = (t >>> 8) & 0xff;
  b[5] = t & 0xff;
  b[6] = 0x70 | ((counter >>> 8) & 0x0f);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The version digit of a valid UUID, or null. */
export function uuidVersion(s: string): number | null {
  if (!UUID_RE.test(s)) return null;
  return parseInt(s[14], 16);
}
