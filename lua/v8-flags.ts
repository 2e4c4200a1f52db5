/**
 * V8 settings that Fengari needs to run fast; imported by vm.ts before Fengari itself.
 *
 * Owns: one process-wide flag, `--no-sparkplug`. Fengari implements a coroutine yield (every
 * durable step of a workflow) as a JS throw that unwinds through `luaV_execute`, its interpreter
 * loop: a function too large for V8's optimizing tier, so it runs in the baseline tier
 * (Sparkplug) once warm. Finding the exception handler in a baseline frame maps the machine
 * address back to a bytecode offset by scanning the function's whole offset table, which made a
 * yield/resume round trip cost ~10 µs instead of ~4 µs (a perf profile showed half the time in
 * BaselineFrame::GetBytecodeOffset). Without Sparkplug, luaV_execute stays in the interpreter
 * until TurboFan takes it over on a long loop (OSR), and Lua code measured as fast or faster.
 * Invariant: set before any Fengari function has run (flags apply to code compiled after).
 * Measured by bench/yield.ts (`node --expose-gc dist/bench/run.js yield`, part of npm run bench).
 */
import * as v8 from 'node:v8';

export const V8_FLAGS = ['--no-sparkplug'];

for (const f of V8_FLAGS) v8.setFlagsFromString(f);
