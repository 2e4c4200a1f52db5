/**
 * This engine's part in a store many nodes share (HistoryStore.membership, PostgreSQL): the
 * heartbeat that renews the node's lease and claims workflows nobody alive owns, and losing the
 * store.
 *
 * The lease itself is kept beside the main thread (the store's `onLost` says when it is lost);
 * the heartbeat here renews it too, claims, and notices a refused or failed renewal.
 *
 * Owns: the heartbeat timer (one renewal on its way at a time), handing claimed rows to the
 * engine (`adopt`: resumed as at start-up, then their pending signals), and the one report of a
 * loss (`lost`: a refused renewal or commit, a broken connection) after which this engine holds
 * nothing. Invariants: after `lost` or `stop` no claim is adopted; `lost` reaches the engine's
 * owner once; a claimed workflow already known here is not resumed twice (Lifecycle.resume).
 */
import type { Membership } from '../store/store';
import type { WorkflowRow } from '../store/events';

/** Workflows one heartbeat claims at most (start-up claims every one). */
export const CLAIMS_PER_BEAT = 1000;

export interface MembershipDeps {
  /** Resume these claimed rows (as at start-up); the ids actually resumed. */
  adopt(rows: WorkflowRow[]): string[];
  /** Their pending signals, now that this node owns them. */
  adoptSignals(ids: string[]): void;
  /** The store is lost to this node (reported once). */
  lost(err: Error): void;
}

export class NodeHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private asking = false;
  private ended = false;

  /** `limit`: workflows claimed at most at start-up and per beat (default: all at start-up, CLAIMS_PER_BEAT per beat). */
  constructor(private readonly m: Membership, private readonly deps: MembershipDeps, private readonly limit?: number) {}

  /** Claim what nobody alive owns, blocking (start-up); the number resumed. */
  claimAll(): number {
    const ids = this.deps.adopt(this.m.claim(this.limit ?? 2 ** 31 - 1));
    return ids.length;
  }

  /** Renew every `renewMs` and claim what has no live owner (a node that died or left). */
  start(): void {
    if (this.timer || this.ended) return;
    this.m.onLost((err) => this.lost(err));
    this.timer = setInterval(() => this.beat(), this.m.renewMs);
    this.timer.unref();
  }

  private beat(): void {
    // One on its way at a time; a hung one is the lease renewal's to notice (postgres-worker.ts).
    if (this.ended || this.asking) return;
    this.asking = true;
    this.m.heartbeat(this.limit ?? CLAIMS_PER_BEAT, (err, rows) => {
      this.asking = false;
      if (this.ended) return;
      if (err) { this.lost(err); return; }
      if (rows.length === 0) return;
      const ids = this.deps.adopt(rows);
      if (ids.length > 0) this.deps.adoptSignals(ids);
    });
  }

  /** The store is lost (a failed commit, renewal or read): stop, and say so once. */
  lost(err: Error): void {
    if (this.ended) return;
    this.stop();
    this.deps.lost(err);
  }

  stop(): void {
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
