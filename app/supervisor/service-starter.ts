/**
 * The starter for `process.service` entries: one ServiceSupervisor per service id, created on
 * first start and kept, so that its status stays readable after it stopped, exited or failed.
 *
 * Owns: the map id -> supervisor, and saying whether a started service is up now (`down`).
 * Invariants: a service id has at most one supervisor; `stop` of a service that never started
 * resolves at once.
 */
import { ServiceSupervisor, ServiceStatus, SupervisorDeps } from './service';
import type { DownReason, Starter } from './lifecycle';
import type { ServiceEntry } from '../../registry/types';
import { formatErrorInfo } from '../../base/errors';
import { formatDuration } from '../../base/duration';

export class ServiceStarter implements Starter<ServiceEntry> {
  readonly listed = true;
  private readonly sups = new Map<string, ServiceSupervisor>();

  constructor(private readonly deps: SupervisorDeps) {}

  start(entry: ServiceEntry): Promise<void> {
    return this.supervisorFor(entry).start();
  }

  stop(entry: ServiceEntry, timeoutMs: number): Promise<void> {
    return this.sups.get(entry.id)?.stop(timeoutMs) ?? Promise.resolve();
  }

  /** The supervisor of `entry`, created (not started) if there is none yet. */
  supervisorFor(entry: ServiceEntry): ServiceSupervisor {
    let s = this.sups.get(entry.id);
    if (!s) {
      s = new ServiceSupervisor(entry, this.deps);
      this.sups.set(entry.id, s);
    }
    return s;
  }

  /** The supervisor of a service that has been started, if any. */
  get(id: string): ServiceSupervisor | undefined {
    return this.sups.get(id);
  }

  /** Null while its run is Starting or Running; otherwise what it is doing, in words. */
  down(entry: ServiceEntry): DownReason | null {
    const st = this.sups.get(entry.id)?.status();
    if (!st || st.state === 'Running' || st.state === 'Starting') return null;
    if (st.state === 'Failed') {
      const err = st.lastError ? `: ${formatErrorInfo(st.lastError).split('\n')[0]}` : '';
      const restarting = st.restartInMs !== null;
      return { why: `failed${err}; ${restarting ? `restarting in ${formatDuration(st.restartInMs!)}` : 'not restarting'}`, restarting };
    }
    return { why: st.state.toLowerCase(), restarting: false };
  }

  statuses(): ServiceStatus[] {
    return [...this.sups.values()].map((s) => s.status());
  }
}
