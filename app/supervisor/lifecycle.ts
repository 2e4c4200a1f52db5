/**
 * The lifecycle manager: starts the registry's `lifecycle.auto_start` entries in dependency order
 * and stops them in reverse.
 *
 * Owns: the order (registry `startOrder`: a service's `requires`, its host and a worker's client
 * come first), the map from entry kind to the `Starter` that knows how to run that kind, and the
 * report of what started, what failed and what was skipped. It knows nothing about any kind
 * itself: process.service supervision is one starter (service-starter.ts); a later engine adds
 * its own with `register('temporal.worker', starter)`.
 *
 * Invariants:
 * - Entries start one at a time, each after its dependencies' `start` resolved; an entry whose
 *   dependency failed (or was itself skipped) is not started and is reported as skipped.
 * - Dependencies of an auto_start entry are started even when they are not auto_start themselves
 *   (the dependant could not run without them).
 * - `stop()` stops exactly the entries whose start succeeded, in the reverse of the order they
 *   started, each given its own `lifecycle.stop_timeout`; a stop requested while `start()` is
 *   still running lets the current entry finish starting, starts nothing more, then stops.
 * - A kind without a registered starter is a no-op (logged once at debug level), never an error.
 * - A starter's failure never throws out of `start()`/`stop()`; it is logged and reported.
 * - `prepare()` (before `start()`) lets starters claim what they need for themselves (an
 *   http.service's port); its first failure is thrown, after releasing what was claimed, so a
 *   run stops before anything started. What was claimed and never started is released by `stop()`.
 */
import { startOrder, dependenciesOf } from '../../registry';
import type { Entry, EntryKind, EntryOfKind, Registry } from '../../registry';

/** How one kind of entry is run. `start` resolves once the entry is up (or rejects). */
export interface Starter<E extends Entry = Entry> {
  /**
   * Claim what the entry needs for itself (an http.service's listening address) before anything
   * of the run starts; a failure stops the run with its one line. Absent: nothing to claim.
   */
  prepare?(entry: E): Promise<void>;
  start(entry: E): Promise<void>;
  /** Stop the entry, taking at most about `timeoutMs` before forcing it. Never rejects for a stopped entry. */
  stop(entry: E, timeoutMs: number): Promise<void>;
  /** False for kinds with nothing running of their own (process.host): left out of `running()`. */
  readonly listed?: boolean;
  /**
   * Why an entry whose start succeeded is not up now (`failed: ...; restarting in 1s`, `exited`)
   * and whether it will come back by itself, or null when it is up. Absent: a started entry is up
   * until stopped.
   */
  down?(entry: E): DownReason | null;
}

export interface DownReason {
  why: string;
  /** A restart is pending: the entry may come back without anyone asking. */
  restarting: boolean;
}

/** For kinds that need nothing done (process.host: processes are placed on it on demand). */
export const noopStarter: Starter = {
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
  listed: false,
};

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface StartReport {
  /** Every id considered, in start order (dependencies first). */
  order: string[];
  /** Ids whose start resolved, in the order they started. */
  started: string[];
  failed: Array<{ id: string; error: string }>;
  /** Not started: a dependency did not start (`dependency` names it), or a stop came first (no `dependency`). */
  skipped: Array<{ id: string; dependency?: string }>;
}

export class LifecycleManager {
  private readonly starters = new Map<string, Starter>();
  private readonly started: Entry[] = [];
  /** Entries whose starter claimed something in `prepare` (released by `stop` if they never started). */
  private readonly prepared: Entry[] = [];
  private starting: Promise<StartReport> | null = null;
  private stopRequested = false;
  private stopping: Promise<void> | null = null;

  constructor(private readonly registry: Registry, private readonly log: LogFn) {}

  /** Run entries of `kind` with `starter` (replaces any previous starter for that kind). */
  register<K extends EntryKind>(kind: K, starter: Starter<EntryOfKind<K>>): this {
    this.starters.set(kind, starter as unknown as Starter);
    return this;
  }

  starterFor(kind: string): Starter | undefined {
    return this.starters.get(kind);
  }

  /** Ids of the entries with `lifecycle.auto_start: true`, in declaration order. */
  autoStartIds(): string[] {
    const out: string[] = [];
    for (const e of this.registry.entries.values()) if ('lifecycle' in e && e.lifecycle.autoStart) out.push(e.id);
    return out;
  }

  /** Ids started, owned by this manager and up now, in start order, without the unlisted kinds. */
  running(): string[] {
    return this.listedStarted().filter((e) => this.downReason(e) === null).map((e) => e.id);
  }

  /** Entries that started but are not up now (failed and waiting to restart, exited), and why. */
  notRunning(): Array<{ id: string } & DownReason> {
    return this.listedStarted().flatMap((e) => { const d = this.downReason(e); return d === null ? [] : [{ id: e.id, ...d }]; });
  }

  private listedStarted(): Entry[] {
    return this.started.filter((e) => { const s = this.starters.get(e.kind); return s !== undefined && s.listed !== false; });
  }

  private downReason(e: Entry): DownReason | null {
    return this.starters.get(e.kind)?.down?.(e) ?? null;
  }

  /**
   * Let the starters of `ids` (default: the auto_start entries) and their dependencies claim what
   * they need (`Starter.prepare`), before anything starts. On the first failure, what was claimed
   * is released (each prepared entry is stopped) and the error is thrown.
   */
  async prepare(ids: string[] = this.autoStartIds()): Promise<void> {
    const done: Entry[] = [];
    for (const id of startOrder(this.registry, ids)) {
      const entry = this.registry.entries.get(id)!;
      const starter = this.starters.get(entry.kind);
      if (!starter?.prepare) continue;
      try {
        await starter.prepare(entry);
        done.push(entry);
      } catch (e) {
        for (const d of done.reverse()) await this.starters.get(d.kind)!.stop(d, 0).catch(() => {});
        throw e;
      }
    }
    this.prepared.push(...done);
  }

  /** Start `ids` (default: the auto_start entries) and their dependencies, dependencies first. */
  start(ids: string[] = this.autoStartIds()): Promise<StartReport> {
    const run = this.startAll(ids);
    this.starting = run;
    return run;
  }

  private async startAll(ids: string[]): Promise<StartReport> {
    const order = startOrder(this.registry, ids);
    const report: StartReport = { order, started: [], failed: [], skipped: [] };
    const down = new Set<string>();
    for (const id of order) {
      const entry = this.registry.entries.get(id)!;
      if (this.stopRequested) { report.skipped.push({ id }); continue; }
      const missing = dependenciesOf(entry).find((d) => down.has(d));
      if (missing !== undefined) {
        down.add(id);
        report.skipped.push({ id, dependency: missing });
        this.log('warn', `${id} not started: it requires ${missing}, which did not start`);
        continue;
      }
      const starter = this.starters.get(entry.kind);
      if (!starter) {
        this.log('debug', `${id}: nothing to start (no starter for ${entry.kind} entries)`);
        this.started.push(entry);
        report.started.push(id);
        continue;
      }
      try {
        await starter.start(entry);
        this.started.push(entry);
        report.started.push(id);
      } catch (e) {
        down.add(id);
        const error = e instanceof Error ? e.message : String(e);
        report.failed.push({ id, error });
        this.log('error', `${id} did not start: ${error}`);
      }
    }
    return report;
  }

  /**
   * The longest `stop()` may take: the stop_timeout of every entry started that has something
   * running of its own (not a process.host), one after another.
   */
  stopTimeoutMs(): number {
    let ms = 0;
    for (const e of this.started) {
      if (this.starters.get(e.kind)?.listed === false) continue;
      ms += 'lifecycle' in e ? e.lifecycle.stopTimeoutMs : 0;
    }
    return ms;
  }

  /** Stop everything started, in reverse order. Safe to call more than once. */
  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.stopAll().finally(() => { this.stopping = null; });
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    this.stopRequested = true;
    if (this.starting) await this.starting;
    while (this.started.length > 0) {
      const entry = this.started.pop()!;
      const starter = this.starters.get(entry.kind);
      if (!starter) continue;
      const timeout = 'lifecycle' in entry ? entry.lifecycle.stopTimeoutMs : 0;
      try {
        await starter.stop(entry, timeout);
      } catch (e) {
        this.log('error', `${entry.id} did not stop cleanly: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    // Claimed in prepare but never started (a failed start, a stop that came first): release.
    for (const entry of this.prepared.splice(0).reverse()) await this.starters.get(entry.kind)!.stop(entry, 0).catch(() => {});
    this.stopRequested = false;
    this.starting = null;
  }
}
