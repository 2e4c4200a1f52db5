/**
 * Which workflows keep a live Lua state, which wait for one, and how many new states one
 * scheduler turn may create.
 *
 * Owns: the live instances (bounded by an estimate of their memory, and by a count when one is
 * given), which of them to drop when room is needed, the queue of workflows waiting for room, and
 * the per-turn budget of new states (starts and replays).
 *
 * Invariants: dropping an instance is always correct (the workflow replays from its history when
 * it is needed again), so every rule here trades memory against replay work, never correctness.
 * The rules:
 * - Room goes first to what runs now: a workflow that needs a state when there is none to spare
 *   waits (FIFO) instead of pushing out a workflow that is itself about to run. Past the cache,
 *   work then runs in cache-sized waves with no replays, instead of every step replaying.
 * - A state is dropped in this order: idle ones (waiting on their inbox, a child, a timer),
 *   least recently used first; then busy ones (an activity in flight). Only those that have PAID
 *   for their replay: they ran at least as many records live since their state was built as it
 *   replayed (and, with an activity in flight, QUANTUM at least, so a short workflow runs to its
 *   end in one go). One that has not (pinned) is never dropped for room while it waits for
 *   something due soon, so replay work stays about the live work at most: no O(steps^2) for a
 *   long history. One waiting on its inbox or a child may be dropped at any time.
 * - When workflows have waited FORCE_AFTER_MS for room and none got any in that time (the live
 *   ones may all be waiting for a workflow that waits for room, e.g. an activity waiting for a
 *   child), the oldest may drop any state: waiting forever is not an option.
 * - A workflow whose only open commands are timers due LONG_SLEEP_MS or more away gives its
 *   state back right after its slice (it replays when it wakes).
 */
import { getHeapStatistics } from 'node:v8';
import type { WorkflowInstance } from './instance';

/** A workflow asleep for at least this long (only timers open) is not kept in the cache. */
export const LONG_SLEEP_MS = 10_000;

/** New states (starts and replays) one turn may create: 100,000 timers firing together make them in steps. */
export const STATES_PER_TURN = 1024;

/** Estimated memory of a live workflow state (an idle one measures ~31 KiB of heap; more while it runs). */
export const STATE_BYTES = 40 * 1024;
/** Estimated memory of one history record the instance keeps. */
export const RECORD_BYTES = 200;

/** The default memory budget of the live states: 512 MiB, or a quarter of the V8 heap limit if less. */
export function defaultCacheBytes(): number {
  return Math.min(512 * 2 ** 20, Math.floor(getHeapStatistics().heap_size_limit / 4));
}

/** Records a state runs live, at least, before it may be dropped for room (see the header). */
export const QUANTUM = 64;

/** After this long with workflows waiting and none let in, the oldest may drop any state (see the header). */
export const FORCE_AFTER_MS = 1000;

export interface CacheLimits {
  /** At most this many live states (none: only the memory budget). */
  size?: number;
  /** The memory budget (estimated) of the live states; default defaultCacheBytes(). */
  bytes?: number;
}

export interface CacheHooks {
  /** Forget the live instance of a workflow pushed out of the cache. */
  drop(id: string): void;
  /** These waiting workflows may have room now: activate them again. */
  retry(ids: string[]): void;
  /** Something changed that may give a waiting workflow room: run a turn. */
  schedule(): void;
}

/** Lua states built so far, those built again for a workflow that had one (replays), and the records those replayed. */
export interface CacheStats { states: number; rebuilt: number; replayedRecords: number }

type Kind = 'idle' | 'busy' | 'pinned';

interface Resident { kind: Kind; bytes: number }

/** A workflow waiting for room: since when (ms), and the bytes its state will take. */
interface Waiting { since: number; need: number }

export class InstanceCache {
  /** Each kind in least-recently-used order (a Map keeps insertion order). */
  private readonly kinds: Record<Kind, Map<string, Resident>> = { idle: new Map(), busy: new Map(), pinned: new Map() };
  private readonly all = new Map<string, Resident>();
  /** Bytes of the states that may be dropped for room (idle and busy). */
  private droppableBytes = 0;
  /** Workflows waiting for room, oldest first. */
  private readonly waiting = new Map<string, Waiting>();
  private bytes = 0;
  private left = 0;
  private force: NodeJS.Timeout | null = null;
  /** When a state was last let in or given back (ms, real clock). */
  private progress = Date.now();
  readonly maxBytes: number;
  readonly maxCount: number;
  /** What tests count (engine.stats). */
  readonly stats: CacheStats = { states: 0, rebuilt: 0, replayedRecords: 0 };

  constructor(limits: CacheLimits, private readonly hooks: CacheHooks) {
    this.maxBytes = limits.bytes ?? defaultCacheBytes();
    this.maxCount = limits.size ?? Infinity;
  }

  /** Live instances kept. */
  get count(): number {
    return this.all.size;
  }

  /** Workflows waiting for room. */
  get queued(): number {
    return this.waiting.size;
  }

  has(id: string): boolean {
    return this.all.has(id);
  }

  /**
   * A new turn: a fresh budget of states, and the waiting workflows that fit now (oldest first,
   * never past one that does not fit) are retried; or the oldest alone when waiting has stalled.
   */
  newTurn(now = Date.now()): void {
    this.left = STATES_PER_TURN;
    if (this.waiting.size === 0) return;
    const ids: string[] = [];
    let bytes = this.maxBytes - this.bytes + this.droppableBytes;
    let count = this.maxCount - this.all.size + this.kinds.idle.size + this.kinds.busy.size;
    for (const [id, w] of this.waiting) {
      if (ids.length >= this.left) break;
      const fits = (w.need <= bytes && count >= 1) || (this.all.size === 0 && ids.length === 0);
      if (!fits) {
        if (ids.length === 0 && this.stalled(w, now)) ids.push(id);
        break;
      }
      ids.push(id);
      bytes -= w.need;
      count--;
    }
    if (ids.length) this.hooks.retry(ids);
  }

  /**
   * May a state for workflow `id` (`records` long) be created now? 'now' (counted in this turn's
   * budget, room made), 'turn' (this turn's budget is spent: try in the next), or 'wait' (no room:
   * it is queued, and retried by newTurn when there is).
   */
  admit(id: string, records: number, now = Date.now()): 'now' | 'turn' | 'wait' {
    if (this.left <= 0) return 'turn';
    const w = this.waiting.get(id);
    const need = STATE_BYTES + records * RECORD_BYTES;
    if (!this.makeRoom(need, w !== undefined && this.stalled(w, now))) {
      if (w === undefined) this.waiting.set(id, { since: now, need });
      else w.need = need;
      this.armForce();
      return 'wait';
    }
    this.waiting.delete(id);
    this.left--;
    this.progress = now;
    return 'now';
  }

  /**
   * The workflow just ran. Returns false when its state should be given back now (it sleeps
   * long). Otherwise it is kept as the most recent of its kind, and states beyond the limits
   * are dropped (never a pinned one).
   */
  touch(id: string, inst: WorkflowInstance, now: number): boolean {
    this.remove(id);
    if (sleepsLong(inst, now)) { this.progress = Date.now(); this.roomMade(); return false; }
    const r: Resident = { kind: kindOf(inst, now), bytes: STATE_BYTES + inst.records * RECORD_BYTES };
    this.all.set(id, r);
    this.kinds[r.kind].set(id, r);
    this.bytes += r.bytes;
    if (r.kind !== 'pinned') this.droppableBytes += r.bytes;
    this.makeRoom(0, false);
    if (r.kind !== 'pinned') this.roomMade();
    return true;
  }

  /** The workflow ended, was parked or dropped: it has no live state, and waits for none. */
  forget(id: string): void {
    this.waiting.delete(id);
    if (this.remove(id)) { this.progress = Date.now(); this.roomMade(); }
  }

  /** The engine built a state of `records` records; `rebuilt`: the workflow had one before (a replay). */
  built(rebuilt: boolean, records: number): void {
    this.stats.states++;
    if (rebuilt) { this.stats.rebuilt++; this.stats.replayedRecords += records; }
  }

  /** The engine is closing. */
  stop(): void {
    if (this.force) clearTimeout(this.force);
    this.force = null;
  }

  /** Waiting has stalled: `w` has waited FORCE_AFTER_MS, and no state was let in or given back meanwhile. */
  private stalled(w: Waiting, now: number): boolean {
    return now - w.since >= FORCE_AFTER_MS && now - this.progress >= FORCE_AFTER_MS;
  }

  private remove(id: string): boolean {
    const r = this.all.get(id);
    if (!r) return false;
    this.all.delete(id);
    this.kinds[r.kind].delete(id);
    this.bytes -= r.bytes;
    if (r.kind !== 'pinned') this.droppableBytes -= r.bytes;
    return true;
  }

  /**
   * Drop states until `need` more bytes (and one more state, when need > 0) fit: idle ones
   * first, then busy ones, pinned ones only when `forced`. False when they cannot; an empty
   * cache always takes one.
   */
  private makeRoom(need: number, forced: boolean): boolean {
    const extra = need > 0 ? 1 : 0;
    while (this.bytes + need > this.maxBytes || this.all.size + extra > this.maxCount) {
      if (this.all.size === 0) return true;
      const victim = first(this.kinds.idle) ?? first(this.kinds.busy) ?? (forced ? first(this.kinds.pinned) : undefined);
      if (victim === undefined) return false;
      this.remove(victim);
      this.hooks.drop(victim);
    }
    return true;
  }

  /** Room may have appeared: a waiting workflow gets a turn to take it. */
  private roomMade(): void {
    if (this.waiting.size > 0) this.hooks.schedule();
  }

  /** While workflows wait, a turn runs every FORCE_AFTER_MS, so the oldest may force its way in. */
  private armForce(): void {
    if (this.force) return;
    this.force = setTimeout(() => {
      this.force = null;
      if (this.waiting.size === 0) return;
      this.hooks.schedule();
      this.armForce();
    }, FORCE_AFTER_MS);
  }
}

function first(m: Map<string, Resident>): string | undefined {
  return m.keys().next().value;
}

/**
 * pinned: an activity in flight, and fewer records run live since its state was built than it
 * replayed (or QUANTUM); or a timer due soon and fewer run live than replayed. busy: an activity
 * in flight, paid for. idle: the rest (its inbox, a child, a timer it has paid for, nothing soon).
 */
function kindOf(inst: WorkflowInstance, now: number): Kind {
  let call = false;
  let timer = false;
  for (const o of inst.open.values()) {
    if (o.rec.type === 'call') { call = true; break; }
    if (o.rec.type === 'timer' && o.fireAt !== undefined && o.fireAt - now < LONG_SLEEP_MS) timer = true;
  }
  const live = inst.pos - inst.replayed;
  if (call) return live >= Math.max(QUANTUM, inst.replayed) ? 'busy' : 'pinned';
  return timer && live < inst.replayed ? 'pinned' : 'idle';
}

/** True when everything the instance waits for is a timer due LONG_SLEEP_MS or more from now. */
function sleepsLong(inst: WorkflowInstance, now: number): boolean {
  if (inst.open.size === 0) return false; // waiting on its inbox or a channel: keep it
  for (const o of inst.open.values()) {
    if (o.rec.type !== 'timer' || o.fireAt === undefined || o.fireAt - now < LONG_SLEEP_MS) return false;
  }
  return true;
}
