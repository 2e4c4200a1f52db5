/**
 * A `store.memory` store: keys and JSON payload texts in this process's memory, as Wippy's
 * memory store.
 *
 * Owns: the map, expiry and the size bound. Invariants: an expired key reads as absent (get:
 * NotFound, has: false, delete: false) and is removed when seen; a set first drops every expired
 * key, then refuses a new key when `max_size` keys are held (Unavailable, retryable: Wippy's
 * "store is full"), while an existing key may always be overwritten; every `cleanup_interval` the
 * expired keys are dropped (a timer that does not keep the process alive); every operation
 * completes before it returns; time is the runtime's clock (so --virtual-time expires keys too).
 */
import { ErrorKind, type ErrorInfo } from '../../base/errors';
import type { MemoryStoreEntry } from '../../registry/types';
import type { Done, KvStore } from '../../lua/resources';

export const KEY_NOT_FOUND: ErrorInfo = { kind: ErrorKind.NotFound, message: 'key not found', retryable: false };
const STORE_FULL: ErrorInfo = { kind: ErrorKind.Unavailable, message: 'store is full', retryable: true };

interface Item { value: string; expiresAt: number | null }

export class MemoryStore implements KvStore {
  private readonly data = new Map<string, Item>();
  private readonly timer: NodeJS.Timeout | null;

  constructor(private readonly entry: MemoryStoreEntry, private readonly now: () => number) {
    this.timer = entry.cleanupIntervalMs > 0 ? setInterval(() => this.purge(), entry.cleanupIntervalMs) : null;
    this.timer?.unref();
  }

  /** The live item of `key` (an expired one is removed). */
  private live(key: string): Item | undefined {
    const item = this.data.get(key);
    if (item && item.expiresAt !== null && this.now() >= item.expiresAt) {
      this.data.delete(key);
      return undefined;
    }
    return item;
  }

  private purge(): void {
    const now = this.now();
    for (const [k, item] of this.data) if (item.expiresAt !== null && now >= item.expiresAt) this.data.delete(k);
  }

  get(key: string, done: Done<string>): void {
    const item = this.live(key);
    done(item ? { ok: item.value } : { error: KEY_NOT_FOUND });
  }

  set(key: string, value: string, ttlMs: number, done: Done<true>): void {
    this.purge();
    if (!this.data.has(key) && this.data.size >= this.entry.maxSize) { done({ error: STORE_FULL }); return; }
    this.data.set(key, { value, expiresAt: ttlMs > 0 ? this.now() + ttlMs : null });
    done({ ok: true });
  }

  has(key: string, done: Done<boolean>): void {
    done({ ok: this.live(key) !== undefined });
  }

  delete(key: string, done: Done<boolean>): void {
    done({ ok: this.live(key) !== undefined && this.data.delete(key) });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
