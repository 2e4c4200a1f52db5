/**
 * Shared setup for the workflow benchmarks: one registry with every workload as a workflow.lua
 * entry AND, where a no-durability baseline is measured, the same Lua file as a function.lua
 * entry, so both sides of a ratio run the exact same script. The store is the default real
 * SQLite file (`.wippy/state.db` beside the registry, WAL, synchronous=FULL) in a temp folder.
 *
 * Also: small timing and statistics helpers. The registry is written with the testkit's builder;
 * `checkOutcome` and `startAndWatch` (testkit/outcome.ts) make every benchmark fail loudly when a
 * workflow did not complete with the value it should have.
 */
import { withRegistry, registryYaml, workflowEntry, functionEntry, processEntry, fixtureOf } from '../testkit/registry';
import { removeTemp } from '../testkit/temp';
import type { Runtime, RuntimeOptions } from '../app/runtime';
import type { WorkflowEngine } from '../runtime/engine/engine';

/** N x `funcs.call("b:inc", s)`: the throughput workload (also the 3-step latency one). */
export const STEPS_LUA = `local funcs = require("funcs")
return function(n)
  local s = 0
  for i = 1, n do s = funcs.call("b:inc", s) end
  return s
end
`;

/**
 * Sleep `d`, return `{n, late}`: `late` is how many ms after its due time (start + d) the
 * workflow woke, as recorded by the engine (the workflow clock is the time of the event).
 */
export const SLEEPER_LUA = `local time = require("time")
return function(n, d, ms)
  local t0 = time.now():unix_milli()
  time.sleep(d)
  local t1 = time.now():unix_milli()
  return {n = n, late = t1 - t0 - ms}
end
`;

/** The smallest workflow whose first slice ends in a durable command (start-cost bench). */
export const FIRST_COMMAND_LUA = `return function(n)
  require("time").sleep("1h")
  return n
end
`;

export const INC_LUA = 'return function(x) return x + 1 end\n';

/**
 * A process that starts `a.n` runs of `a.steps` steps the way users start work, through
 * `process.spawn_monitored`: the `b:steps` workflow on the worker (`a.durable`), or the same loop
 * as the `b:psteps` process, and sums their EXIT results. It times itself from its first spawn to
 * its last EXIT (the CLI's start-up and registry load are not in it): `{sum, seconds}`.
 */
export const DRIVER_LUA = `local time = require("time")
return function(a)
  local id = a.durable and "b:steps" or "b:psteps"
  local host = a.durable and "b:worker" or "b:procs"
  local t0 = time.now():unix_nano()
  for i = 1, a.n do
    local pid, err = process.spawn_monitored(id, host, a.steps)
    if not pid then error(err) end
  end
  local sum, got = 0, 0
  local events = process.events()
  while got < a.n do
    local ev = events:receive()
    if ev.kind == process.event.EXIT then
      got = got + 1
      if ev.result.error then error(tostring(ev.result.error)) end
      sum = sum + ev.result.value
    end
  end
  return {sum = sum, seconds = (time.now():unix_nano() - t0) / 1e9}
end
`;

/**
 * A workflow that calls the slow activity `b:slow` `n` times, each sleeping between ms/2 and
 * 3ms/2 (math.random is seeded per workflow, so it replays): load that holds a workflow busy but
 * costs little CPU, spread evenly over time once many run.
 */
export const BUSY_LUA = `local funcs = require("funcs")
return function(n, ms)
  for i = 1, n do funcs.call("b:slow", ms // 2 + math.random(0, ms)) end
  return n
end
`;

export const SLOW_LUA = `local time = require("time")
return function(ms) time.sleep(ms .. "ms") return ms end
`;

/** A function that prints one line (a CLI run's first step is seen on its stdout). */
export const MARK_LUA = 'return function(x) print("first step " .. tostring(x)) return x end\n';

export interface BenchFixture {
  dir: string;
  db: string;
  open(opts?: RuntimeOptions): Runtime;
  /** Remove the temp folder (registry and store). */
  cleanup(): void;
}

export function benchFixture(): BenchFixture {
  const dir = withRegistry({
    'bench.yaml': registryYaml('b', [
      { name: 'client', kind: 'temporal.client' },
      // Started with the node (auto_start), so `wippy run DIR -x b:driver` runs workflows.
      { name: 'worker', kind: 'temporal.worker', more: ['client: b:client', 'task_queue: bench', 'lifecycle: {auto_start: true}'] },
      { name: 'procs', kind: 'process.host' },
      workflowEntry('b', 'steps', 'steps.lua', ['funcs']),
      workflowEntry('b', 'busy', 'busy.lua', ['funcs']),
      workflowEntry('b', 'marked', 'marked.lua', ['funcs']),
      workflowEntry('b', 'sleeper', 'sleeper.lua', ['time']),
      workflowEntry('b', 'first_command', 'first_command.lua', ['time']),
      functionEntry('plain_steps', 'steps.lua', ['funcs']),
      functionEntry('plain_steps_isolated', 'steps.lua', ['funcs'], ['pool: {type: inline}']),
      functionEntry('plain_sleeper', 'sleeper.lua', ['time']),
      functionEntry('inc', 'inc.lua'),
      functionEntry('slow', 'slow.lua', ['time']),
      functionEntry('mark', 'mark.lua'),
      processEntry('psteps', 'steps.lua', ['funcs']),
      processEntry('driver', 'driver.lua', ['time']),
    ]),
    'steps.lua': STEPS_LUA,
    'sleeper.lua': SLEEPER_LUA,
    'first_command.lua': FIRST_COMMAND_LUA,
    'inc.lua': INC_LUA,
    'busy.lua': BUSY_LUA,
    'slow.lua': SLOW_LUA,
    'mark.lua': MARK_LUA,
    'marked.lua': 'local funcs = require("funcs")\nreturn function(x) return funcs.call("b:mark", x) end\n',
    'driver.lua': DRIVER_LUA,
  });
  return { ...fixtureOf(dir), cleanup: () => removeTemp(dir) };
}

// ------------------------------------------------------------------------------ helpers

export const now = (): bigint => process.hrtime.bigint();
export const secondsSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;
export const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
export const gc = (): void => { (globalThis as { gc?: () => void }).gc?.(); };
export const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
export const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The q-quantile (0..1) of a list of numbers, nearest-rank. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Wait until the engine has nothing to commit or activate (polled every turn). */
export async function engineIdle(engine: WorkflowEngine): Promise<void> {
  while (engine.busy) await turn();
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const pct = (r: number): string => `${(r * 100).toFixed(r < 0.1 ? 1 : 0)}%`;
export const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
