/**
 * Clocks: the shape every clock has, the real one, and the virtual one behind `--virtual-time`.
 *
 * The virtual clock keeps its own "now" and a queue of timers. When the runtime has nothing else
 * to do (no Lua task waiting to be resumed, no engine commit pending: see `busy` probes), it jumps
 * "now" to the earliest timer and fires it, so `time.sleep("24h")` takes milliseconds while every
 * recorded time is the virtual one. Invariants: time never goes backwards; timers fire in order
 * of due time (ties in the order they were set); a timer set for the past fires on the next jump.
 */
import type { Cancel } from './payload';

/** Wall clock and timers; VirtualClock below has the same shape. */
export interface Clock {
  now(): number;
  setTimer(ms: number, fn: () => void): Cancel;
}

/** Longest delay setTimeout takes: Node fires a longer one after 1 ms (with a warning). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // A sleep past ~24.8 days (e.g. time.sleep("720h")) waits in steps instead of firing at once.
    let t: NodeJS.Timeout;
    const arm = (left: number): void => {
      t = left > MAX_TIMEOUT_MS ? setTimeout(() => arm(left - MAX_TIMEOUT_MS), MAX_TIMEOUT_MS) : setTimeout(fn, left);
    };
    arm(Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

interface VTimer { at: number; seq: number; fn: () => void; live: boolean }

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers: VTimer[] = [];
  private scheduled = false;
  private readonly probes: Array<() => boolean> = [];

  constructor(start: number = Date.now()) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Register a "busy" probe: while any returns true, the clock does not jump. */
  addBusyProbe(p: () => boolean): void {
    this.probes.push(p);
  }

  setTimer(ms: number, fn: () => void): Cancel {
    const timer: VTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true };
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1].at > timer.at)) i--;
    this.timers.splice(i, 0, timer);
    this.schedule();
    return () => {
      timer.live = false;
      const k = this.timers.indexOf(timer);
      if (k >= 0) this.timers.splice(k, 1);
    };
  }

  get pending(): number {
    return this.timers.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    this.scheduled = false;
    if (this.timers.length === 0) return;
    if (this.probes.some((p) => p())) { this.schedule(); return; }
    // Jump to the earliest timer and fire every timer due at that instant, in order.
    const at = this.timers[0].at;
    if (at > this.t) this.t = at;
    while (this.timers.length && this.timers[0].at <= this.t) {
      const next = this.timers.shift()!;
      if (next.live) next.fn();
    }
    if (this.timers.length) this.schedule();
  }
}
