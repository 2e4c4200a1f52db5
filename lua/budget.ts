/**
 * The meter of a Lua state: its instruction budget, its memory guard, and the stop deadline.
 *
 * What a slice (one activation: from a resume to the next wait) is charged, as exact counts that
 * are the same on any machine (never time, so a workflow stops at the same point on every run):
 * - every VM instruction (Fengari's count hook, every HOOK_INTERVAL instructions);
 * - the work done inside one instruction or one library call, charged by the patched Fengari
 *   (node_modules/fengari/src/lstate.js luaE_charge) in units of about one instruction's time:
 *   calls, pattern-matching steps, bytes copied or compared, elements moved or sorted, formatted
 *   items, tokens parsed, errors raised and caught; and by the codec, values encoded or decoded.
 *   Library calls see the work hook at once (it runs when the charged work passes a quota); the
 *   VM's own work is seen by the count hook before the next instruction;
 * - the work of another state's activation run inside this one (host.ts endActivation).
 * When the slice passes its budget, or the heap grew past the memory limit (checked at every hook:
 * at least every CHECK_EVERY charged units and every HOOK_INTERVAL instructions), the meter keeps
 * the error and raises it in Lua. From then on the count hook fires on every instruction and every
 * charge raises again, so neither pcall nor an xpcall message handler (which runs under the hooks,
 * see the patch to ldebug.js) can swallow it for good; the task reads it with `takeError`.
 *
 * Not covered: host code (the runtime's own modules and bindings) is not charged unless it charges
 * itself (the codec does: lua_chargelater); time spent waiting is not a slice.
 *
 * The stop deadline: once `wippy run` is told to stop (bin/run.ts), the hooks also compare the
 * wall clock with the deadline and end the process when it has passed, so that a slice that is
 * still running then cannot hold the stop up past its timeout. This is the one place where time is
 * read, and only while stopping: it never changes what a script computes.
 */
import * as v8 from 'node:v8';
import { lua, lstr, LuaState, bytesToText, raise, perState } from './vm';
import { LuaError } from './task';
import { ErrorCode, ErrorKind } from '../base/errors';

/** Instructions (and charged units) one slice may run by default (`--budget` changes it). */
export const DEFAULT_BUDGET = 100_000_000;
/** Heap growth one slice may cause before it is stopped (Fengari has no memory limit). */
export const DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024;
/** Instructions between two runs of the count hook. */
const HOOK_INTERVAL = 10_000;
/** Charged units between two checks of the memory guard inside one library call. */
const CHECK_EVERY = 10_000;
/** Whatever runs is stopped when the whole JS heap passes this share of V8's limit. */
const HARD_HEAP_SHARE = 0.85;
const heapLimit = v8.getHeapStatistics().heap_size_limit;

/** What a meter needs from the host it serves. */
export interface MeterOwner {
  readonly label: string;
  /** True while this host's Lua runs (a work hook may raise only then). */
  active(): boolean;
}

const meters = perState<Meter>('meter');

/** Units charged by every meter of the process so far (schedulers split turns by it). */
let totalWork = 0;
export function workDone(): number {
  return totalWork;
}

let stopDeadline = 0;
let onDeadline: ((label: string) => void) | null = null;

/**
 * From now on, every hook compares the wall clock with `atMs` and calls `missed` with the label of
 * the script that is running once it has passed (`missed` ends the process). 0 turns it off.
 */
export function setStopDeadline(atMs: number, missed: ((label: string) => void) | null): void {
  stopDeadline = atMs;
  onDeadline = missed;
}

export class Meter {
  budget: number;
  memoryLimit: number;
  private used = 0;
  private heapAtStart = 0;
  private error: LuaError | null = null;

  constructor(private readonly owner: MeterOwner, private readonly L: LuaState, budget: number, memoryLimit: number) {
    this.budget = budget;
    this.memoryLimit = memoryLimit;
    meters.set(L, this);
    lua.lua_sethook(L, countHook, lua.LUA_MASKCOUNT, HOOK_INTERVAL);
    lua.lua_setworkhook(L, workHook);
    this.setQuota();
  }

  /** Start a new slice. */
  reset(): void {
    this.used = 0;
    lua.lua_takework(this.L);
    this.heapAtStart = memoryInUse(v8.getHeapStatistics());
    this.setQuota();
  }

  /** Count the work charged so far (no check); returns workDone(). */
  settle(): number {
    const w = lua.lua_takework(this.L);
    this.used += w;
    totalWork += w;
    return totalWork;
  }

  /** Memory the runtime allocated on the script's behalf (not its own growth). */
  excuse(bytes: number): void {
    this.heapAtStart += bytes;
  }

  /** The error that stopped the last slice, if any (cleared on read; the thread's hook re-armed). */
  takeError(thread: LuaState = this.L): LuaError | null {
    const e = this.error;
    if (!e) return null;
    this.error = null;
    this.rearm(thread);
    this.setQuota();
    return e;
  }

  /** Put back the normal count hook on a thread (a stop may have set it to every instruction). */
  rearm(thread: LuaState): void {
    lua.lua_sethook(thread, countHook, lua.LUA_MASKCOUNT, HOOK_INTERVAL);
  }

  /** Count `work` units and stop the slice when it is over its budget or memory limit. */
  account(L: LuaState, ar: unknown, work: number): void {
    work += lua.lua_takework(this.L);
    this.used += work;
    totalWork += work;
    if (stopDeadline !== 0 && onDeadline && Date.now() > stopDeadline) onDeadline(this.owner.label);
    if (!this.error) {
      if (this.used > this.budget) {
        const message = `instruction budget exceeded in ${this.owner.label} at ${location(L, ar)}: more than ${this.budget.toLocaleString('en-US')} Lua instructions ran without waiting (${ar ? 'an endless loop?' : `an endless loop, or ${callee(L)} doing too much work?`})`;
        this.error = new LuaError({ kind: ErrorKind.Timeout, message, retryable: false }, message, ErrorCode.BUDGET_EXCEEDED);
      } else {
        const stats = v8.getHeapStatistics();
        const grown = memoryInUse(stats) - this.heapAtStart;
        if (grown > this.memoryLimit || stats.used_heap_size > heapLimit * HARD_HEAP_SHARE) {
          const message = `memory limit exceeded in ${this.owner.label} at ${location(L, ar)}: the heap grew by ${Math.round(grown / 2 ** 20)} MiB in one activation (limit ${Math.round(this.memoryLimit / 2 ** 20)} MiB; a huge string or table?)`;
          this.error = new LuaError({ kind: ErrorKind.Internal, message, retryable: false }, message, ErrorCode.MEMORY_EXCEEDED);
        }
      }
    }
    this.setQuota();
    if (!this.error) return;
    // A work hook outside this host's activation is host code (a traceback, an error value being
    // read): it must not raise there; the next instruction's hook will.
    if (!ar && !this.owner.active()) { lua.lua_chargelater(L, 0); return; }
    // Fire on every instruction from now on so that a pcall cannot swallow the stop.
    lua.lua_sethook(L, countHook, lua.LUA_MASKCOUNT, 1);
    raise(L, this.error.message);
  }

  /** Charged work the library may do before the work hook runs: the rest of the budget, in steps. */
  private setQuota(): void {
    lua.lua_setworkquota(this.L, this.error ? -1 : Math.min(this.budget - this.used, CHECK_EVERY));
  }
}

function countHook(L: LuaState, ar: unknown): void {
  meterOf(L).account(L, ar, HOOK_INTERVAL);
}

function workHook(L: LuaState): void {
  meterOf(L).account(L, null, 0);
}

function meterOf(L: LuaState): Meter {
  const m = meters.get(L);
  if (!m) throw new Error('budget: state has no meter');
  return m;
}

/** `file:line` of the code running in a count hook, or of the Lua code calling a library function. */
function location(L: LuaState, ar: unknown): string {
  if (ar) {
    lua.lua_getinfo(L, lstr('Sl'), ar);
    const a = ar as { short_src?: Uint8Array; currentline?: number };
    if (a.short_src && (a.currentline ?? 0) > 0) return `${bytesToText(a.short_src)}:${a.currentline}`;
  }
  const d = new lua.lua_Debug();
  for (let level = 0; level < 20 && lua.lua_getstack(L, level, d); level++) {
    lua.lua_getinfo(L, lstr('Sl'), d);
    if (d.currentline > 0) return `${bytesToText(d.short_src)}:${d.currentline}`;
  }
  return 'unknown location';
}

/** `a call to 'find'`: the library function running when a work hook stopped the slice. */
function callee(L: LuaState): string {
  const d = new lua.lua_Debug();
  if (!lua.lua_getstack(L, 0, d)) return 'a library call';
  lua.lua_getinfo(L, lstr('n'), d);
  return d.name ? `a call to '${bytesToText(d.name)}'` : 'a library call';
}

/**
 * What a script's allocations count against: the JS heap plus memory outside it. Lua strings are
 * Uint8Arrays whose bytes live outside the heap, so heap size alone misses a table of big strings.
 */
export function memoryInUse(stats: v8.HeapInfo = v8.getHeapStatistics()): number {
  return stats.used_heap_size + stats.external_memory;
}
