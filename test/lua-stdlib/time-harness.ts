/**
 * Shared by the tests of the `time` module (test/lua-stdlib/time-*.test.ts): fake clocks, and
 * running a Lua body with `time` required through the real runtime (test/helpers/lua.ts), so
 * `time.now()` and `time.sleep` are deterministic.
 */
import assert from 'node:assert/strict';
import { evalLua, runLua, SnippetOptions } from '../helpers/lua';
import type { Clock } from '../../base/clock';

/** 2024-01-15T10:30:00.00025Z: the fraction is exact in binary, so the ns digits are known. */
export const T0 = Date.UTC(2024, 0, 15, 10, 30, 0) + 0.25;

export interface FakeClock extends Clock { timers: number[]; t: number }

/** now() is fixed; every timer fires at once (synchronously) and its ms is recorded. */
export function instantClock(start = T0): FakeClock {
  const c: FakeClock = {
    t: start,
    timers: [],
    now: () => c.t,
    setTimer(ms, fn) { c.timers.push(ms); fn(); return () => {}; },
  };
  return c;
}

/** Timers fire on a later turn and move the clock forward by their ms. */
export function steppingClock(start = T0): FakeClock {
  const c: FakeClock = {
    t: start,
    timers: [],
    now: () => c.t,
    setTimer(ms, fn) {
      c.timers.push(ms);
      const h = setTimeout(() => { c.t += ms; fn(); }, 0);
      return () => clearTimeout(h);
    },
  };
  return c;
}

export function opts(clock: Clock = instantClock(), extra: SnippetOptions = {}): SnippetOptions {
  return { modules: ['time'], clock, ...extra };
}

/** Run a body with `time` required; fail on a Lua error. */
export function run(body: string, clock?: Clock): Promise<unknown> {
  return evalLua(`local time = require("time")\n${body}`, opts(clock));
}

/** Run a body that must fail; returns the error message. */
export async function fails(body: string, clock?: Clock): Promise<string> {
  const r = await runLua(`local time = require("time")\n${body}`, opts(clock));
  assert.ok(r.error, `expected an error, got ${r.value}`);
  return r.error.message;
}
