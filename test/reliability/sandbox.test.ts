// The sandbox from the point of view of workflows and processes (test/lua/sandbox.test.ts covers
// functions): no way out to io, os.execute/exit/getenv, package.loadlib, debug or bytecode; no
// files outside the registry; no state shared between two workflows; an endless loop is stopped by
// the budget, reported, and the rest of the runtime keeps going; and a runaway workflow delays the
// others by exactly the one budget slice it is given (counted in steps, not timed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Runtime } from '../../app/runtime';
import { openStore } from '../../runtime/store';
import { runWf, valueOf } from '../../testkit/outcome';
import { wfRegistry, TICK, HEALTHY } from '../../testkit/registry';
import { tick } from '../../testkit/wait';

/** Every global after forcing the lazily opened ones, and probes of what must be absent. */
const PROBE = `return function()
  local function kind(f) local ok, v = pcall(f) return ok and type(v) or "error" end
  local out = {
    io = type(io), debug = type(debug), package = type(package), dofile = type(dofile), loadfile = type(loadfile),
    execute = type(os.execute), exit = type(os.exit), getenv = type(os.getenv), remove = type(os.remove),
    loadlib = kind(function() return package.loadlib end), dump = type(string.dump),
    dumped = select(2, pcall(function() return load(string.dump(print)) end)),
    bytecode = select(2, load(string.char(27) .. "LuaS" .. string.rep("\\0", 40))),
    bytecode_reader = select(2, load(coroutine.wrap(function() coroutine.yield(string.char(27) .. "LuaS\\0") end))),
    binary_mode = select(2, pcall(load, "return 1", "x", "bt")),
    req_io = select(2, pcall(require, "io")), req_path = select(2, pcall(require, "../registry.yaml")),
    req_debug = select(2, pcall(require, "debug")),
  }
  setmetatable(_G, nil) -- opens the lazy globals, so pairs sees them all
  local names = {}
  for k in pairs(_G) do names[#names + 1] = k end
  table.sort(names)
  out.globals = table.concat(names, " ")
  return out
end`;

const ALLOWED_GLOBALS = '_G _VERSION __wt assert boolean channel collectgarbage coroutine error errors getmetatable integer ipairs load math next number os pairs payload pcall print process rawequal rawget rawlen rawset require select setmetatable string table tonumber tostring type utf8 xpcall';

test('workflows and processes cannot reach io, os.execute/exit/getenv, package.loadlib, debug, bytecode or files by require', async () => {
  const fx = wfRegistry({ probe: PROBE }, {}, { pprobe: PROBE });
  const rt = fx.open();
  try {
    const fromWorkflow = await valueOf(runWf(rt, 'app:probe')) as Record<string, string>;
    const r = await rt.execProcess('app:pprobe', 'app:procs', []);
    const fromProcess = JSON.parse(r.value!) as Record<string, string>;
    for (const [where, v] of [['workflow', fromWorkflow], ['process', fromProcess]] as const) {
      const id = where === 'workflow' ? 'app:probe' : 'app:pprobe';
      const file = where === 'workflow' ? 'wf_probe.lua' : 'proc_pprobe.lua';
      const can = where === 'workflow' ? 'this entry can require: funcs, time, uuid, workflow, json, ctx' : 'this entry can require: time';
      const { globals, ...probes } = v;
      assert.deepEqual(probes, {
        io: 'nil', debug: 'nil', package: 'nil', dofile: 'nil', loadfile: 'nil',
        execute: 'nil', exit: 'nil', getenv: 'nil', remove: 'nil', loadlib: 'error', dump: 'nil',
        dumped: `${file}:7: attempt to call a nil value (field 'dump')`,
        bytecode: "attempt to load a binary chunk (mode is 't')",
        bytecode_reader: "attempt to load a binary chunk (mode is 't')",
        binary_mode: `load: only text chunks are allowed (binary chunks are disabled in the sandbox)`,
        req_io: `module 'io' is not available to ${id}: ${can}`,
        req_path: `module '../registry.yaml' is not available to ${id}: ${can}`,
        req_debug: `module 'debug' is not available to ${id}: ${can}`,
      }, where); // (called through pcall, the errors carry no file:line: pcall is their caller)
      // A new global is a new way out: review the sandbox (lua/sandbox.ts), then add it here.
      assert.equal(globals, ALLOWED_GLOBALS, where);
    }
  } finally {
    rt.close();
  }
});

test('two workflows never see each other\'s globals, string metatable or patched library functions', async () => {
  const fx = wfRegistry({
    left: `local time = require("time")
return function()
  shared = "left"
  string.upper = function() return "patched by left" end
  getmetatable("").__index.lower = function() return "patched by left" end
  math.randomseed(1)
  time.sleep("30ms")
  return {shared = shared, upper = ("x"):upper()}
end`,
    right: `local time = require("time")
return function()
  time.sleep("10ms") -- the left one has patched its state by now
  return {shared = rawget(_G, "shared") or "unset", upper = ("x"):upper(), lower = ("X"):lower(), rnd = math.random(1, 1000000)}
end`,
  });
  const rt = fx.open();
  try {
    const [left, right, again] = await Promise.all([valueOf(runWf(rt, 'app:left')), valueOf(runWf(rt, 'app:right')), valueOf(runWf(rt, 'app:right'))]);
    assert.deepEqual(left, { shared: 'left', upper: 'patched by left' });
    const r = right as Record<string, unknown>;
    assert.deepEqual({ ...r, rnd: undefined }, { shared: 'unset', upper: 'X', lower: 'x', rnd: undefined });
    assert.notEqual(r.rnd, (again as Record<string, unknown>).rnd, 'math.random is seeded per workflow, not shared');
  } finally {
    rt.close();
  }
});

interface Captured { rt: Runtime; events: string[] }

/** A runtime whose prints and logs land, in order, in one list. */
function capturing(fx: ReturnType<typeof wfRegistry>, budget: number): Captured {
  const events: string[] = [];
  const rt = fx.open({ budget, output: { print: (t) => events.push(t), log: (l, m) => events.push(`[${l}] ${m}`) } });
  return { rt, events };
}

const RUNAWAY = `local funcs = require("funcs")
return function()
  funcs.call("app:tick", "runaway", 0)
  print("RUNAWAY spins")
  local x = 0
  while true do x = x + 1 end
end`;

test('an endless loop in a workflow is stopped by the budget and reported; the others and new ones keep running', async () => {
  const fx = wfRegistry({ healthy: HEALTHY, runaway: RUNAWAY }, { tick: TICK });
  const { rt, events } = capturing(fx, 3_000_000);
  try {
    const runaway = runWf(rt, 'app:runaway');
    const healthy = runWf(rt, 'app:healthy', 'h', 20);
    const o = await runaway;
    assert.ok('parked' in o, JSON.stringify(o));
    assert.match(o.parked, /^workflow \S+ \(app:runaway\) was stopped in one activation:\n {2}Timeout: instruction budget exceeded in app:runaway at wf_runaway\.lua:6: more than 3,000,000 Lua instructions ran without waiting \(an endless loop\?\)\nThe workflow is parked, not failed/);
    assert.ok(events.some((e) => e.startsWith('[error] workflow ') && e.includes('instruction budget exceeded in app:runaway')), 'reported in the log');
    assert.equal(await valueOf(healthy), 'h done');
    assert.equal(await valueOf(runWf(rt, 'app:healthy', 'later', 3)), 'later done', 'a workflow started afterwards runs');
    const row = openStore(fx.db, { lock: false }).listWorkflows().find((w) => w.entry === 'app:runaway');
    assert.equal(row?.status, 'parked');
  } finally {
    rt.close();
  }
});

test('a runaway workflow delays the others by one budget slice: counted in steps around its one activation', async () => {
  // Two healthy workflows make steady progress (one activity per step). Once they are under way, a
  // third spins. Everything shares one thread, so while it spins nobody progresses; the budget
  // ends its activation after one slice, it is parked (never activated again), and the healthy
  // ones carry on at once. So: no step of theirs between its start and its stop, steps before and
  // after, exactly one activation that spun, and every step of the healthy ones done.
  const fx = wfRegistry({ healthy: HEALTHY, runaway: RUNAWAY }, { tick: TICK });
  const { rt, events } = capturing(fx, 5_000_000);
  try {
    const a = runWf(rt, 'app:healthy', 'a', 40);
    const b = runWf(rt, 'app:healthy', 'b', 40);
    while (!events.includes('STEP a 10')) await tick(1);
    const runaway = runWf(rt, 'app:runaway');
    assert.deepEqual(await Promise.all([valueOf(a), valueOf(b)]), ['a done', 'b done']);
    assert.ok('parked' in await runaway);

    const spin = events.indexOf('RUNAWAY spins');
    const stop = events.findIndex((e) => e.includes('instruction budget exceeded in app:runaway'));
    assert.ok(spin >= 0 && stop > spin, events.join('\n'));
    assert.equal(events.filter((e) => e === 'RUNAWAY spins').length, 1, 'the runaway had one activation that spun, not one per retry');
    const steps = (from: number, to: number) => events.slice(from, to).filter((e) => /^STEP [ab] /.test(e)).length;
    assert.equal(steps(spin, stop), 0, 'nothing else ran inside its slice (one thread)');
    assert.ok(steps(0, spin) >= 10, `the healthy ones were under way before it spun (${steps(0, spin)} steps)`);
    assert.ok(steps(stop, events.length) >= 10, `and carried on right after its one slice (${steps(stop, events.length)} steps)`);
    assert.equal(steps(0, events.length), 80, 'every healthy step ran exactly once');
    // After the stop, the very next thing to happen is healthy progress: no second slice for it.
    const next = events.slice(stop + 1).find((e) => e.startsWith('STEP') || e.startsWith('RUNAWAY'));
    assert.match(next!, /^STEP [ab] /);
  } finally {
    rt.close();
  }
});
