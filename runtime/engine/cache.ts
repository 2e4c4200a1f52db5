/**
 * Which workflows keep a live Lua state, and how many new states one scheduler turn may create.
 *
 * Owns: the LRU of live instances (at most `size`), giving back at once the state of a workflow
 * that only waits on far timers, and the per-turn budget of new states (starts and replays).
 * Invariants: dropping an instance is always correct — the workflow replays from its history
 * when it is needed again — so every rule here trades memory against replay work, never
 * correctness; the engine asks `takeInstantiation()` before it creates a state and defers the
 * workflow to the next turn when it says no.
 */
import type { WorkflowInstance } from './instance';

/** A workflow asleep for at least this long (only timers open) is not kept in the cache. */
export const LONG_SLEEP_MS = 10_000;

/** Lower bound of the per-turn state budget, so a small cache does not slow a burst of starts. */
const MIN_INSTANTIATIONS_PER_TURN = 1024;

export class InstanceCache {
  private readonly lru = new Map<string, true>();
  private left = 0;

  /** `drop(id)` is told to forget the live instance of a workflow pushed out of the cache. */
  constructor(readonly size: number, private readonly drop: (id: string) => void) {}

  /** Live instances kept. */
  get count(): number {
    return this.lru.size;
  }

  /**
   * A new turn: at most a cache's worth of states may be created in it. 100,000 timers firing
   * at once would otherwise build 100,000 states in one synchronous loop, and the heap with them.
   */
  newTurn(): void {
    this.left = Math.max(MIN_INSTANTIATIONS_PER_TURN, this.size);
  }

  /** True (and counted) when one more state may be created this turn. */
  takeInstantiation(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    return true;
  }

  /**
   * The workflow just ran. Returns false when its state should be given back now: nothing will
   * happen to it for a while (it replays on waking), and a state dropped young costs the GC
   * little. Otherwise it becomes the most recent, and the oldest beyond `size` are dropped.
   */
  touch(id: string, inst: WorkflowInstance, now: number): boolean {
    this.lru.delete(id);
    if (sleepsLong(inst, now)) return false;
    this.lru.set(id, true);
    while (this.lru.size > this.size) {
      const oldest = this.lru.keys().next().value as string;
      this.lru.delete(oldest);
      this.drop(oldest);
    }
    return true;
  }

  /** The workflow ended or was parked: it has no live state any more. */
  forget(id: string): void {
    this.lru.delete(id);
  }
}

/** True when everything the instance waits for is a timer due LONG_SLEEP_MS or more from now. */
function sleepsLong(inst: WorkflowInstance, now: number): boolean {
  if (inst.open.size === 0) return false; // waiting on its inbox or a channel: keep it
  for (const o of inst.open.values()) {
    if (o.rec.type !== 'timer' || o.fireAt === undefined || o.fireAt - now < LONG_SLEEP_MS) return false;
  }
  return true;
}
