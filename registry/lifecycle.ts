/**
 * The `lifecycle:` block shared by every startable kind (process.host, process.service,
 * temporal.client, temporal.worker, http.service), with Wippy's defaults.
 *
 * Owns: the defaults and the validation of auto_start, requires/depends_on, the timeouts and
 * the restart policy. Invariants: `requires` is `requires` followed by the legacy `depends_on`,
 * resolved to full ids of entries that have a lifecycle, without repeats (one naming an entry of
 * a Wippy kind loaded inert is a warning and left out); durations are
 * milliseconds; a misspelt key (close to a known one) is an error, other unknown keys are
 * ignored as Wippy ignores them (`startup`, `security` are known and not used here).
 */

import type { Lifecycle, RestartPolicy } from './types';
import type { EntryContext } from './fields';
import { LIFECYCLE_KINDS, resolveRef } from './refs';
import { closest } from './suggest';

export const DEFAULT_RESTART: Readonly<RestartPolicy> = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 90_000,
  backoffFactor: 2.0,
  jitter: 0.1,
  maxAttempts: 0,
});

export const DEFAULT_LIFECYCLE: Readonly<Omit<Lifecycle, 'requires' | 'restart'>> = Object.freeze({
  autoStart: false,
  startTimeoutMs: 10_000,
  stopTimeoutMs: 10_000,
  stableThresholdMs: 5_000,
});

const LIFECYCLE_KEYS = ['auto_start', 'requires', 'depends_on', 'start_timeout', 'stop_timeout', 'stable_threshold', 'restart', 'startup', 'security'];
const RESTART_KEYS = ['initial_delay', 'max_delay', 'backoff_factor', 'jitter', 'max_attempts'];

/** A fresh lifecycle with every default. */
export function defaultLifecycle(): Lifecycle {
  return { ...DEFAULT_LIFECYCLE, requires: [], restart: { ...DEFAULT_RESTART } };
}

/** Read `data.lifecycle` of the entry in `ctx`; defaults for whatever is absent or wrong. */
export function readLifecycle(ctx: EntryContext): Lifecycle {
  const out = defaultLifecycle();
  const lc = ctx.map(['lifecycle'], ctx.raw.data.lifecycle, '{auto_start: true, requires: [app:db]}');
  if (lc === undefined) return out;
  checkKeys(ctx, ['lifecycle'], lc, LIFECYCLE_KEYS);

  out.autoStart = ctx.bool(['lifecycle', 'auto_start'], lc.auto_start, out.autoStart);
  out.startTimeoutMs = ctx.duration(['lifecycle', 'start_timeout'], lc.start_timeout, out.startTimeoutMs);
  out.stopTimeoutMs = ctx.duration(['lifecycle', 'stop_timeout'], lc.stop_timeout, out.stopTimeoutMs);
  out.stableThresholdMs = ctx.duration(['lifecycle', 'stable_threshold'], lc.stable_threshold, out.stableThresholdMs);

  for (const key of ['requires', 'depends_on'] as const) {
    const list = lc[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      const hint = typeof list === 'string' ? `; write ${key}: [${list}]` : '';
      ctx.problem(['lifecycle', key], `expected a list of entry references${hint}`);
      continue;
    }
    list.forEach((ref, i) => {
      const inert = typeof ref === 'string' ? ctx.inertKind(resolveRef(ref, ctx.raw.namespace)) : undefined;
      if (inert !== undefined) {
        ctx.warning(['lifecycle', key, i], `requires ${ref}, a ${inert} entry, which wippy-ts does not run yet; the dependency is ignored`);
        return;
      }
      const id = ctx.ref(['lifecycle', key, i], ref, LIFECYCLE_KINDS);
      if (id !== undefined && !out.requires.includes(id)) out.requires.push(id);
    });
  }

  const r = ctx.map(['lifecycle', 'restart'], lc.restart, '{max_attempts: 3, initial_delay: 1s}');
  if (r !== undefined) {
    const p = (k: string): string[] => ['lifecycle', 'restart', k];
    checkKeys(ctx, ['lifecycle', 'restart'], r, RESTART_KEYS);
    const rp = out.restart;
    rp.initialDelayMs = ctx.duration(p('initial_delay'), r.initial_delay, rp.initialDelayMs);
    rp.maxDelayMs = ctx.duration(p('max_delay'), r.max_delay, rp.maxDelayMs);
    rp.backoffFactor = ctx.num(p('backoff_factor'), r.backoff_factor, rp.backoffFactor, { min: 1, expected: 'a number >= 1 (e.g. 2.0)' });
    rp.jitter = ctx.num(p('jitter'), r.jitter, rp.jitter, { min: 0, max: 1, expected: 'a number from 0 to 1 (e.g. 0.1)' });
    rp.maxAttempts = ctx.num(p('max_attempts'), r.max_attempts, rp.maxAttempts, {
      integer: true,
      min: 0,
      expected: 'a whole number >= 0 (0 = unlimited)',
    });
  }
  return out;
}

/** Report keys that look like misspellings of known ones; leave other unknown keys alone. */
function checkKeys(ctx: EntryContext, at: string[], map: Record<string, unknown>, known: string[]): void {
  for (const key of Object.keys(map)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    if (near !== undefined) ctx.problem([...at, key], `unknown key ${key} (did you mean ${near}?)`);
  }
}
