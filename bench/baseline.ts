/**
 * No-durability baselines the workflow figures are divided by (measured in the same run):
 *
 * - `plainThroughput`: the throughput workload's exact Lua file (N concurrent runs of a loop of
 *   M `funcs.call("b:inc", s)`) as a function.lua entry, called N times at once through
 *   `Runtime.callFunction`: every run gets its own Lua state like a workflow does, the calls go
 *   through the same function runner, but nothing is recorded or committed.
 * - `plainLatency`: one run of that entry with M steps at a time, sequentially (p50/p99 ms).
 * - `rawCommitLatency`: one better-sqlite3 row per transaction, synchronous=FULL (p50/p99 ms): the
 *   floor for anything that waits for its own fsync.
 * - `bareStates`: creating bare Fengari states (luaL_newstate + libraries) and loading a script
 *   into them (as text or as precompiled bytecode) and running its chunk, per state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { lua, lauxlib, lualib, toLua, LuaState } from '../lua/vm';
import { compile, bytecodeOf } from '../lua/chunks';
import { tempDir } from '../testkit/temp';
import type { Runtime } from '../app/runtime';
import { now, secondsSince, msSince, quantile } from './fixture';

export interface PlainThroughput { runs: number; stepsPerRun: number; seconds: number; stepsPerSecond: number }

/**
 * N concurrent no-durability runs of the M-step loop. `b:plain_steps` runs them all on one pooled
 * state (nothing waits, so one state serves every run in turn); `isolated` uses
 * `b:plain_steps_isolated` (pool type inline): a fresh state per run, the isolation each workflow
 * gets, so the difference to the durable run is durability alone.
 */
export async function plainThroughput(rt: Runtime, runs: number, steps: number, isolated = false): Promise<PlainThroughput> {
  const id = isolated ? 'b:plain_steps_isolated' : 'b:plain_steps';
  const t0 = now();
  const outs = await Promise.all(Array.from({ length: runs }, () => rt.callFunction(id, [String(steps)])));
  const seconds = secondsSince(t0);
  const bad = outs.filter((o) => o.error || o.value !== String(steps));
  if (bad.length) throw new Error(`plain Fengari baseline: ${bad.length} of ${runs} runs wrong, e.g. ${JSON.stringify(bad[0])}`);
  return { runs, stepsPerRun: steps, seconds, stepsPerSecond: (runs * steps) / seconds };
}

export interface LatencyStats { runs: number; p50ms: number; p99ms: number; meanMs: number; maxMs: number }

export function latencyStats(samples: number[]): LatencyStats {
  return {
    runs: samples.length,
    p50ms: quantile(samples, 0.5),
    p99ms: quantile(samples, 0.99),
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    maxMs: Math.max(...samples),
  };
}

/** Sequential no-durability runs of the M-step loop, after `warmup` unmeasured ones. */
export async function plainLatency(rt: Runtime, steps: number, warmup: number, runs: number): Promise<LatencyStats> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = now();
    const r = await rt.callFunction('b:plain_steps', [String(steps)]);
    const ms = msSince(t0);
    if (r.error || r.value !== String(steps)) throw new Error(`plain latency baseline: run ${i} gave ${JSON.stringify(r)}`);
    if (i >= warmup) samples.push(ms);
  }
  return latencyStats(samples);
}

/** One row per transaction with synchronous=FULL in WAL mode: commit latency in ms. */
export function rawCommitLatency(commits: number): LatencyStats {
  const dir = tempDir('wippy-bench-');
  const db = new Database(path.join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE h (wf TEXT, idx INTEGER, data TEXT, PRIMARY KEY (wf, idx)) WITHOUT ROWID');
    const ins = db.prepare('INSERT INTO h VALUES (?, ?, ?)');
    const samples: number[] = [];
    for (let i = 0; i < commits; i++) {
      const t0 = now();
      ins.run('wf-1', i, '{"type":"call_done","of":1,"value":"42"}');
      samples.push(msSince(t0));
    }
    return latencyStats(samples);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface BareStates {
  states: number;
  /** luaL_newstate + luaopen_base only, chunk loaded from precompiled bytecode and run. */
  baseBytecodeUs: number;
  /** luaL_newstate + luaL_openlibs (every library), chunk loaded from bytecode and run. */
  allLibsBytecodeUs: number;
  /** luaL_newstate + luaL_openlibs, chunk parsed from its text and run. */
  allLibsTextUs: number;
}

type Variant = 'base-bytecode' | 'all-bytecode' | 'all-text';

function bareState(variant: Variant, source: Uint8Array, bytecode: Uint8Array, name: Uint8Array): LuaState {
  const L = lauxlib.luaL_newstate() as LuaState;
  if (variant === 'base-bytecode') {
    lauxlib.luaL_requiref(L, toLua('_G'), lualib.luaopen_base, 1);
    lua.lua_pop(L, 1);
  } else {
    lualib.luaL_openlibs(L);
  }
  const st = variant === 'all-text'
    ? lauxlib.luaL_loadbufferx(L, source, source.length, name, toLua('t'))
    : lauxlib.luaL_loadbufferx(L, bytecode, bytecode.length, name, toLua('b'));
  if (st !== lua.LUA_OK) throw new Error(`bare state: load failed: ${lua.lua_tojsstring(L, -1)}`);
  // Run the chunk: it returns the entry function (as the runtime's loadEntry does).
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) throw new Error(`bare state: chunk failed: ${lua.lua_tojsstring(L, -1)}`);
  if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) throw new Error('bare state: the chunk did not return a function');
  return L;
}

/**
 * Microseconds per bare state with `script` loaded, for each variant (states are kept alive until
 * the variant is done, as the engine keeps cached instances; each variant is warmed up first).
 */
export function bareStates(script: string, chunkName: string, states: number): BareStates {
  const source = toLua(script);
  const bytecode = bytecodeOf(compile(script, chunkName));
  const name = toLua(`@${chunkName}`);
  const run = (v: Variant): number => {
    for (let i = 0; i < Math.min(200, states); i++) bareState(v, source, bytecode, name);
    const keep: LuaState[] = [];
    const t0 = now();
    for (let i = 0; i < states; i++) keep.push(bareState(v, source, bytecode, name));
    const us = (secondsSince(t0) * 1e6) / states;
    keep.length = 0;
    return us;
  };
  return { states, baseBytecodeUs: run('base-bytecode'), allLibsBytecodeUs: run('all-bytecode'), allLibsTextUs: run('all-text') };
}
