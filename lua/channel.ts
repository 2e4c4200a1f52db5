/**
 * Channels: Go-style queues between the tasks of one Lua state, and the wait machinery of
 * `channel.select`.
 *
 * Owns: buffering, hand-off between a sender and a waiting receiver, close semantics, and select
 * over several cases. Items are Pushers (push one Lua value onto the receiving thread), so a
 * channel can carry Lua values sent by Lua (registry refs) and values made by the host (messages,
 * events, timer ticks) alike. Invariants: a waiter fires at most once; a select group fires at
 * most one of its cases and withdraws the rest; when several cases are ready, the first in case
 * order wins (deterministic, which workflow replay needs); receivers are served in FIFO order.
 * A closed channel delivers its buffered items, then `nil, false` forever; sending on it is an
 * error. Host-fed channels (inbox, events, timers) are unbounded so delivery never blocks.
 */
import type { LuaState } from './vm';
import { Queue } from './queue';

/** Pushes exactly one value; returns 1. */
export type Item = (L: LuaState) => number;

/** One pending receive or send, owned by a task (or a select group). */
export interface Waiter {
  /** False once fired or withdrawn. Shared by every case of one select. */
  group: { active: boolean };
  /** For receivers: called with the item (null when closed). For senders: called with ok. */
  fire(item: Item | null, ok: boolean): void;
}

interface PendingSend { waiter: Waiter; item: Item }

let nextId = 1;

export class Channel {
  readonly id = nextId++;
  // Queues, not arrays: Array.shift is O(length) on a large array, and a host-fed inbox may hold
  // a million messages (receiving them all must cost O(1) each).
  private readonly buf = new Queue<Item>();
  private readonly recvq = new Queue<Waiter>();
  private readonly sendq = new Queue<PendingSend>();
  closed = false;

  /** `capacity` 0 = unbuffered; Infinity = host-fed (never blocks a sender). */
  constructor(readonly capacity: number) {}

  get length(): number {
    return this.buf.length;
  }

  /** Send without waiting. 'sent', or 'block' when it would wait, or 'closed'. */
  trySend(item: Item): 'sent' | 'block' | 'closed' {
    if (this.closed) return 'closed';
    const r = this.takeReceiver();
    if (r) { r.group.active = false; r.fire(item, true); return 'sent'; }
    if (this.buf.length < this.capacity) { this.buf.push(item); return 'sent'; }
    return 'block';
  }

  /** Receive without waiting: the item and ok, or null when it would wait. */
  tryReceive(): { item: Item | null; ok: boolean } | null {
    if (this.buf.length > 0) {
      const item = this.buf.shift()!;
      // A blocked sender can now move into the buffer.
      const s = this.takeSender();
      if (s) { this.buf.push(s.item); s.waiter.group.active = false; s.waiter.fire(null, true); }
      return { item, ok: true };
    }
    const s = this.takeSender();
    if (s) { s.waiter.group.active = false; s.waiter.fire(null, true); return { item: s.item, ok: true }; }
    if (this.closed) return { item: null, ok: false };
    return null;
  }

  /** True while a task (or a select) waits to receive here (golden recording asks this). */
  get hasReceiver(): boolean { return this.recvq.some((w) => w.group.active); }

  addReceiver(w: Waiter): void { this.recvq.push(w); }
  addSender(w: Waiter, item: Item): void { this.sendq.push({ waiter: w, item }); }

  removeWaiter(w: Waiter): void {
    this.recvq.removeFirst((x) => x === w);
    this.sendq.removeFirst((p) => p.waiter === w);
  }

  /** Close: wake every receiver with (nil, false) and every sender with an error. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.recvq.drain()) if (r.group.active) { r.group.active = false; r.fire(null, false); }
    for (const s of this.sendq.drain()) if (s.waiter.group.active) { s.waiter.group.active = false; s.waiter.fire(null, false); }
  }

  private takeReceiver(): Waiter | undefined {
    while (this.recvq.length) {
      const w = this.recvq.shift()!;
      if (w.group.active) return w;
    }
    return undefined;
  }

  private takeSender(): PendingSend | undefined {
    while (this.sendq.length) {
      const s = this.sendq.shift()!;
      if (s.waiter.group.active) return s;
    }
    return undefined;
  }
}

export interface SelectCase {
  channel: Channel;
  /** Present for send cases. */
  send?: Item;
}

export type SelectOutcome =
  | { index: number; item: Item | null; ok: boolean }
  | { index: -1 }; // default

/** Try every case in order; the first that can proceed wins. Null when all would wait. */
export function trySelect(cases: SelectCase[]): SelectOutcome | null {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    if (c.send) {
      const r = c.channel.trySend(c.send);
      if (r === 'sent') return { index: i, item: null, ok: true };
      if (r === 'closed') return { index: i, item: null, ok: false };
    } else {
      const r = c.channel.tryReceive();
      if (r) return { index: i, item: r.item, ok: r.ok };
    }
  }
  return null;
}

/** Wait on every case; `done` is called once with the winner. Returns a canceller. */
export function waitSelect(cases: SelectCase[], done: (o: SelectOutcome) => void): () => void {
  const group = { active: true };
  const waiters = cases.map((c, index): Waiter => ({
    group,
    fire: (item, ok) => {
      withdraw();
      done({ index, item: c.send ? null : item, ok });
    },
  }));
  const withdraw = () => cases.forEach((c, i) => c.channel.removeWaiter(waiters[i]));
  cases.forEach((c, i) => (c.send ? c.channel.addSender(waiters[i], c.send) : c.channel.addReceiver(waiters[i])));
  return () => { group.active = false; withdraw(); };
}
