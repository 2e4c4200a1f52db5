/**
 * Start cost (issue 7: "starting a workflow costs <= 2x a bare Lua state with its script").
 *
 * Measured: N workflows of the smallest kind (`require("time").sleep("1h")` as the first thing)
 * started in one go through the engine; the time until the engine is idle again, per workflow.
 * That covers the `started` record and its commit, a new sandboxed state, loading the entry's
 * precompiled chunk, running the first slice up to its first durable command (the timer), that
 * command's commit and arming the timer. Cache large enough that nothing is evicted.
 * Also, the host alone (`Runtime.makeEntryHost`: state, sandbox, chunk, entry function), to
 * split the figure.
 *
 * Baselines in the same run (bench/baseline.ts `bareStates`), per state, the same script:
 * luaL_newstate + luaL_openlibs + its precompiled chunk loaded and run (the reference for the
 * target); with only the base library; and with every library, parsed from text.
 */
import type { LuaEntry } from '../registry/types';
import type { Services } from '../lua/services';
import { benchFixture, FIRST_COMMAND_LUA, engineIdle, now, secondsSince, gc } from './fixture';
import { bareStates, BareStates } from './baseline';

export interface StartupOptions { workflows?: number }

export interface StartupResult {
  workflows: number;
  /** Per workflow, start call to first durable command committed (µs). */
  startUs: number;
  /** Per host: sandboxed state + chunk + entry function, no engine (µs); null if unmeasurable. */
  hostOnlyUs: number | null;
  bare: BareStates;
  /** startUs / bare.allLibsBytecodeUs (target <= 2). */
  ratioToBare: number;
  ratioToBareBaseOnly: number;
  ratioToBareText: number;
}

/** Services for a host that must never be used (load time only). */
const noServices = new Proxy({}, {
  get: (_t, p) => { throw new Error(`startup bench: the host used services.${String(p)} at load time`); },
}) as unknown as Services;

export async function benchStartup(opts: StartupOptions = {}): Promise<StartupResult> {
  const workflows = opts.workflows ?? 2000;
  const fx = benchFixture();
  const rt = fx.open({ cacheSize: workflows * 2 + 1000 });
  try {
    const engine = rt.startWorkflows()!;
    const start = (n: number): string[] => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const r = engine.start('b:first_command', [String(i)]);
        if ('error' in r) throw new Error(`startup bench: start failed: ${r.error.message}`);
        ids.push(r.id);
      }
      return ids;
    };
    // Warm-up (JIT, chunk cache, prepared statements).
    start(Math.min(500, workflows));
    await engineIdle(engine);
    gc();
    const t0 = now();
    const ids = start(workflows);
    await engineIdle(engine);
    const startUs = (secondsSince(t0) * 1e6) / workflows;
    // Every one must be running and waiting on its timer (nothing finished, failed or parked).
    let settled = 0;
    for (const id of ids) engine.watch(id, () => { settled++; });
    if (settled) throw new Error(`startup bench: ${settled} of ${workflows} workflows ended instead of waiting on their timer`);
    if (engine.active < workflows) throw new Error(`startup bench: only ${engine.active} workflows active, expected >= ${workflows}`);

    let hostOnlyUs: number | null = null;
    const entry = rt.registry.entries.get('b:first_command') as LuaEntry;
    try {
      for (let i = 0; i < 200; i++) rt.makeEntryHost(entry, noServices, i);
      gc();
      const keep: unknown[] = [];
      const h0 = now();
      for (let i = 0; i < workflows; i++) keep.push(rt.makeEntryHost(entry, noServices, i));
      hostOnlyUs = (secondsSince(h0) * 1e6) / workflows;
    } catch (e) {
      process.stderr.write(`startup bench: host-only figure skipped: ${(e as Error).message}\n`);
    }
    rt.close();
    gc();
    const bare = bareStates(FIRST_COMMAND_LUA, 'first_command.lua', workflows);
    return {
      workflows, startUs, hostOnlyUs, bare,
      ratioToBare: startUs / bare.allLibsBytecodeUs,
      ratioToBareBaseOnly: startUs / bare.baseBytecodeUs,
      ratioToBareText: startUs / bare.allLibsTextUs,
    };
  } finally {
    rt.close();
    fx.cleanup();
  }
}
