/**
 * A first-in first-out queue whose `shift` is O(1) amortised, for channel buffers and wait queues.
 *
 * Owns: nothing but the data structure. `Array.prototype.shift` moves every remaining element
 * (V8 trims small arrays in place, but not large ones), so draining an n-item buffer with it costs
 * O(n^2): a million messages in a process inbox never finished. Here the head is an index; the
 * consumed prefix is dropped by one copy when it is at least half the array (and at least
 * COMPACT_AT slots), so each element is copied at most once per time it is the live half.
 * Invariants: items come out in the order they went in; `moved` counts the elements ever copied
 * by compaction, and never exceeds the number of items shifted (tests count it, not time).
 */

/** Consumed slots kept before compacting: small queues never copy. */
const COMPACT_AT = 1024;

export class Queue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  /** Elements copied by compaction over the queue's life (for tests and benchmarks). */
  moved = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined; // let it be collected now
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.items.length) {
      this.moved += this.items.length - this.head;
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** True when some queued item satisfies `pred` (oldest first). */
  some(pred: (item: T) => boolean): boolean {
    for (let i = this.head; i < this.items.length; i++) if (pred(this.items[i] as T)) return true;
    return false;
  }

  /** Remove the oldest item satisfying `pred`; true when one was found. O(length). */
  removeFirst(pred: (item: T) => boolean): boolean {
    for (let i = this.head; i < this.items.length; i++) {
      if (!pred(this.items[i] as T)) continue;
      if (i === this.head) this.shift();
      else this.items.splice(i, 1);
      return true;
    }
    return false;
  }

  /** Every queued item, oldest first, leaving the queue empty. */
  drain(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }
}
