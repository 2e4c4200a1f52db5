/**
 * UUID generation and checking (RFC 9562): v1 (time and node), v4 (random) and v7 (time-ordered).
 *
 * Owns: the byte layout of the versions we generate. Invariants: v7 ids generated from one
 * generator are strictly increasing even within one millisecond (a 12-bit counter in rand_a); v1
 * ids of one process never repeat (100-ns ticks counted on within a millisecond; a random clock
 * sequence and a random node id with the multicast bit set, as RFC 9562 asks when no MAC is used).
 */
import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

/** Random bytes drawn from the OS in 4 KiB at a time (one call per id costs more than the id). */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function random16(): Buffer {
  if (poolAt + 16 > pool.length) { randomFillSync(pool); poolAt = 0; }
  const b = Buffer.allocUnsafe(16);
  pool.copy(b, 0, poolAt, poolAt + 16);
  poolAt += 16;
  return b;
}

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
  const b = random16();
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
  return formatUuid(b);
}

/** 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch. */
export const GREGORIAN_OFFSET = 122192928000000000n;

const v1Node = (() => { const n = randomBytes(6); n[0] |= 0x01; return n; })();
const v1ClockSeq = randomBytes(2).readUInt16BE(0) & 0x3fff;
let v1Last = -1n;

/** A v1 UUID for the given time (ms since the epoch). */
/** The UUID versions that are generated (recorded in workflows); v3/v5 are pure functions of their input. */
export type UuidVersion = 1 | 4 | 7;

export function uuidV1(nowMs: number = Date.now()): string {
  let t = BigInt(Math.floor(nowMs)) * 10000n + GREGORIAN_OFFSET;
  if (t <= v1Last) t = v1Last + 1n;
  v1Last = t;
  const b = Buffer.alloc(16);
  b.writeUInt32BE(Number(t & 0xffffffffn), 0);
  b.writeUInt16BE(Number((t >> 32n) & 0xffffn), 4);
  b.writeUInt16BE(Number((t >> 48n) & 0x0fffn) | 0x1000, 6);
  b.writeUInt16BE(v1ClockSeq | 0x8000, 8);
  v1Node.copy(b, 10);
  return formatUuid(b);
}

/** The canonical lowercase text of 16 bytes. */
export function formatUuid(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
