/**
 * Group commit: every record, row change and consumed signal of one scheduler turn goes into one
 * store transaction, then what waited for it runs, then the workflows it woke are activated.
 *
 * Owns: the open Batch, the work queued before the commit (activities, see below) and after it
 * (effects that need their command on disk, watchers), the set of workflows to activate, and the
 * per-turn budget of workflow code. Invariants:
 * - A record's index is assigned when it is appended (by the engine) and never changes; `flush`
 *   reports each committed append (`committed`) before anything queued with `onCommit` runs.
 * - Work queued with `beforeCommit` runs at the end of the turn BEFORE the commit: an activity
 *   started then can deliver a quick result into the same commit as its command (one commit per
 *   step instead of two). Safe because an activity is at-least-once either way: after a crash
 *   the replay re-emits the same command (same activity_id) and runs it again; the workflow
 *   sees the result only once both records are on disk.
 * - With an asynchronous store (commitAsync: PostgreSQL) a turn hands its batch over and goes on;
 *   what waited for it runs when the store says it is durable, in commit order. A synchronous
 *   store (SQLite) takes exactly the path it always did: commit, then what waited, in one turn.
 * - A turn that has run more than TURN_WORK budget units of workflow code (or TURN_MS of time)
 *   leaves the other activations to the next turn (Node hears a SIGTERM only between turns); once `closing`, no
 *   workflow is activated and nothing new starts, but records still commit.
 */
import { emptyBatch, batchSize, type Batch, type HistoryStore } from '../store/store';
import { ErrorCode, WippyError } from '../../base/errors';
import { workDone } from '../../lua/budget';
import { TURN_WORK } from '../../lua/scheduler';

/**
 * A turn's activations stop after this long even under TURN_WORK (ms): building states reads
 * each history from the store, which is no Lua work and on a server store takes a round trip
 * each; the rest goes to the next turn so that timers and I/O (a lease, a signal) get their turn.
 */
export const TURN_MS = 250;

export interface CommitDeps {
  store: HistoryStore;
  /** A new turn begins (the instance cache resets its per-turn budget and retries waiting workflows). */
  newTurn(): void;
  /** The workflow has a live state: it runs before those that need one built. */
  resident(id: string): boolean;
  /** `count` records of workflow `id` are committed (indices below it). */
  committed(id: string, count: number): void;
  /** Activate workflow `id` now that a commit woke it. */
  activate(id: string): void;
  /**
   * An asynchronous commit failed (nothing of it is durable): told instead of the throw, once;
   * nothing more is committed after it (the engine is dropped: EngineDeps.onStoreLost).
   */
  failed?(err: Error): void;
}

export class GroupCommit {
  private batch: Batch = emptyBatch();
  private postCommit: Array<() => void> = [];
  private preCommit: Array<() => void> = [];
  private scheduled = false;
  /**
   * Commits handed to an asynchronous store (commitAsync) and not yet durable, oldest first; each
   * with what must run after it (a turn that had nothing to write). Always empty with SQLite.
   */
  private readonly inFlight: Array<Array<() => void>> = [];
  private readonly toActivate = new Set<string>();
  /** No workflow code runs any more (the node is stopping); records still commit. */
  closing = false;
  /** Nothing more is committed. */
  closed = false;
  /** Abandoned (`abandon`): what is open or on its way is dropped, nothing waiting for it runs. */
  private abandoned = false;

  constructor(private readonly deps: CommitDeps) {}

  /** The batch of the current turn (the caller pushes to it, then `schedule()`s). */
  get open(): Batch {
    return this.batch;
  }

  /** Work is pending (a commit, or activations waiting for one): a virtual clock must wait. */
  get busy(): boolean {
    return this.scheduled || this.toActivate.size > 0 || this.preCommit.length > 0 || this.inFlight.length > 0;
  }

  /** Run `fn` once everything appended so far is committed. */
  onCommit(fn: () => void): void {
    this.postCommit.push(fn);
    this.schedule();
  }

  /** Run `fn` at the end of this turn, before its commit (see the header). */
  beforeCommit(fn: () => void): void {
    this.preCommit.push(fn);
    this.schedule();
  }

  /** Activate workflow `id` after the next commit. */
  wake(id: string): void {
    this.toActivate.add(id);
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** One transaction for the turn, then what waited for it, then activations. */
  flush(): void {
    this.scheduled = false;
    if (this.closed) return;
    this.guarded(() => this.turn());
  }

  /** Run `fn`; a shared store's read failing in it (its connection broke) is as a failed commit. */
  private guarded(fn: () => void): void {
    if (!this.deps.failed) { fn(); return; }
    try {
      fn();
    } catch (e) {
      if (!storeLost(e)) throw e;
      if (this.abandoned) return;
      this.abandon();
      this.deps.failed(e as Error);
    }
  }

  private turn(): void {
    this.deps.newTurn();
    // Activities first: a result that is ready at once joins this commit with its command.
    while (this.preCommit.length > 0 && !this.closing) {
      const pre = this.preCommit;
      this.preCommit = [];
      for (const fn of pre) fn();
    }
    const batch = this.batch;
    const post = this.postCommit;
    this.batch = emptyBatch();
    this.postCommit = [];
    const store = this.deps.store;
    if (batchSize(batch) === 0) {
      // Nothing to write, but a commit is still on its way (an asynchronous store): what waited
      // runs after it, or a woken workflow would find its records uncommitted and spin.
      if (this.inFlight.length > 0) this.inFlight[this.inFlight.length - 1].push(() => this.finish(batch, post));
      else this.finish(batch, post);
    } else if (store.commitAsync === undefined) {
      store.commit(batch);
      this.finish(batch, post);
    } else {
      const after: Array<() => void> = [];
      this.inFlight.push(after);
      store.commitAsync(batch, (err) => {
        this.inFlight.shift();
        if (this.abandoned) return;
        if (err) {
          if (!this.deps.failed) throw err; // as a synchronous store's commit throws out of flush
          this.abandon();
          this.deps.failed(err);
          return;
        }
        this.guarded(() => {
          this.finish(batch, post);
          for (const fn of after) fn();
        });
      });
    }
  }

  /** After `batch` is durable: report its appends, run what waited for it, then activations. */
  private finish(batch: Batch, post: Array<() => void>): void {
    for (const a of batch.appends) this.deps.committed(a.workflowId, a.index + 1);
    for (const fn of post) fn();
    if (this.closing) return;
    // Workflows with a live state first: a state built for another could push theirs out.
    const ids: string[] = [];
    const later: string[] = [];
    for (const id of this.toActivate) (this.deps.resident(id) ? ids : later).push(id);
    for (const id of later) ids.push(id);
    this.toActivate.clear();
    const start = workDone();
    const began = performance.now();
    for (let i = 0; i < ids.length; i++) {
      this.deps.activate(ids[i]);
      // Lua work, or time (a server store's reads, which are not Lua work) ends the turn.
      if ((workDone() - start > TURN_WORK || performance.now() - began > TURN_MS) && i + 1 < ids.length) {
        for (const id of ids.slice(i + 1)) this.toActivate.add(id);
        this.schedule();
        return;
      }
    }
  }

  /** Stop without committing what is open, and drop the answers of commits on their way (the node lost the store). */
  abandon(): void {
    this.abandoned = true;
    this.closing = true;
    this.closed = true;
    this.batch = emptyBatch();
    this.postCommit = [];
    this.preCommit = [];
    this.toActivate.clear();
  }

  /** Commit what is pending and stop: nothing queued before the commit starts any more. */
  close(): void {
    if (this.closed) return;
    this.closing = true;
    this.flush();
    this.closed = true;
  }
}

/** A failure that means the store is out of reach or this node lost its part in it (not a bug). */
export function storeLost(e: unknown): boolean {
  return e instanceof WippyError && (e.code === ErrorCode.STORE_INVALID || e.code === ErrorCode.NODE_LEASE_LOST);
}
