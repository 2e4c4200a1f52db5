// Issue 13 item 1: work that the instruction count did not see (inside one library call, in an
// xpcall message handler, raising and catching errors) is charged to the budget, so each of these
// runaways is stopped like an endless loop: in a function and in a process with the usual budget
// error, and in a workflow by parking it with the runaway report while a healthy workflow keeps
// making steps (counted, not timed). Before the fix each of them ran for minutes to forever, or
// reached the budget only after ~40 times more errors than it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLua } from '../helpers/lua';
import { runWf } from '../../testkit/outcome';
import { wfRegistry, TICK, HEALTHY } from '../../testkit/registry';
import { tick } from '../../testkit/wait';

const BUDGET = 5_000_000;

/** Each bypass as the body of a function; the stop must be at the line given. */
const BYPASSES: Record<string, { body: string; line: number }> = {
  backtrack: { body: 'string.find(string.rep("a", 3000), string.rep("a*", 6) .. "b")', line: 1 },
  rep_empty: { body: 'while true do\n  string.rep("", 2147483647)\nend', line: 2 },
  move: { body: 'table.move({}, 1, 2147483646, 2)', line: 1 },
  xpcall_handler: { body: 'xpcall(function() while true do end end, function(m) while true do end end)', line: 1 },
  swallowing_handler: { body: 'while true do\n  xpcall(function() while true do end end, function(m) while true do pcall(function() while true do end end) end end)\nend', line: 2 },
  sort: { body: 'local t = {}\nfor i = 1, 200000 do t[i] = (i * 7919) % 1000003 end\nwhile true do table.sort(t, function(a, b) return a > b end) table.sort(t) end', line: 3 },
  format_date: { body: 'local f = string.rep("%c", 100000)\nwhile true do os.date(f, 0) end', line: 2 },
};

/** Prints one line every 1,000 iterations: the count says how many errors were raised and caught. */
const ERRORS = 'local n = 0\nwhile true do\n  pcall(error, "x")\n  n = n + 1\n  if n % 1000 == 0 then print("caught " .. n) end\nend';

function stopMessage(label: string, file: string, line: number): RegExp {
  return new RegExp(`^instruction budget exceeded in ${label.replace('.', '\\.')} at ${file.replace('.', '\\.')}:${line}: more than 5,000,000 Lua instructions ran without waiting \\(an endless loop`);
}

test('each budget bypass in a function gets the usual budget error, at its line', async () => {
  for (const [name, b] of Object.entries(BYPASSES)) {
    const r = await runLua(b.body, { budget: BUDGET });
    assert.equal(r.error?.kind, 'Timeout', `${name}: ${JSON.stringify(r)}`);
    // runLua puts the body on line 2 of snippet.lua.
    assert.match(r.error!.message, stopMessage('test:snippet', 'snippet.lua', b.line + 1), name);
  }
});

test('raising and catching errors is charged: the budget stops the loop after a bounded number of them', async () => {
  const r = await runLua(ERRORS, { budget: BUDGET });
  assert.equal(r.error?.kind, 'Timeout');
  // Each pcall(error) is charged ~200 units (plus its calls); counting instructions only, 5M
  // allowed ~700,000 of them (the issue saw a loop run 51 s without reaching 100M).
  const caught = r.printed.length * 1000;
  assert.ok(caught >= 1000 && caught < 30_000, `${caught} errors before the stop`);
});

test('each budget bypass in a process fails the process with the budget error', async () => {
  const procs: Record<string, string> = {};
  for (const [name, b] of Object.entries(BYPASSES)) procs[name] = `return function()\n${b.body}\nend`;
  const fx = wfRegistry({}, {}, procs);
  const rt = fx.open({ budget: BUDGET });
  try {
    for (const [name, b] of Object.entries(BYPASSES)) {
      const r = await rt.execProcess(`app:${name}`, 'app:procs', []);
      assert.equal(r.error?.kind, 'Timeout', `${name}: ${JSON.stringify(r)}`);
      assert.match(r.error!.message, stopMessage(`app:${name}`, `proc_${name}.lua`, b.line + 1), name);
    }
  } finally {
    rt.close();
  }
});

test('the memory guard is checked inside library calls, not only every 10,000 instructions', async () => {
  // Ten doublings by table.move: ~1M entries (well over 32 MiB) in ~50 instructions, which the
  // count hook alone never saw. The work hook checks the heap every 10,000 charged units.
  const r = await runLua(`local t = {}
for i = 1, 1000 do t[i] = i end
for k = 1, 10 do table.move(t, 1, #t, #t + 1) end
return #t`, { memoryLimit: 32 * 2 ** 20 });
  assert.equal(r.error?.kind, 'Internal', JSON.stringify(r));
  assert.match(r.error!.message, /^memory limit exceeded in test:snippet at snippet\.lua:4: the heap grew by \d+ MiB in one activation \(limit 32 MiB/);
});

test('a process whose spawned processes spin as they start is charged their slices: it is stopped too', async () => {
  // A spawned process runs until it first waits inside process.spawn: the spawner's own count saw
  // a few instructions per child while each child spun a whole budget.
  const fx = wfRegistry({}, {}, {
    spawner: 'return function()\n  while true do process.spawn("app:spinner", "app:procs") end\nend',
    spinner: 'return function()\n  string.find(string.rep("a", 3000), string.rep("a*", 6) .. "b")\nend',
  });
  const logs: string[] = [];
  const rt = fx.open({ budget: BUDGET, output: { print: () => {}, log: (_l, m) => logs.push(m) } });
  try {
    const r = await rt.execProcess('app:spawner', 'app:procs', []);
    assert.equal(r.error?.kind, 'Timeout', JSON.stringify(r));
    assert.match(r.error!.message, stopMessage('app:spawner', 'proc_spawner.lua', 2));
    const children = logs.filter((m) => /app:spinner\) exited with error: instruction budget exceeded in app:spinner/.test(m)).length;
    assert.ok(children >= 1 && children <= 2, `${children} children spun before the spawner was stopped`);
  } finally {
    rt.close();
  }
});

test('each budget bypass in a workflow parks it with the runaway report while a healthy workflow keeps making steps', async () => {
  const wfs: Record<string, string> = { healthy: HEALTHY };
  for (const [name, b] of Object.entries(BYPASSES)) {
    // One step first, so that the runaway's history has something to replay.
    wfs[name] = `local funcs = require("funcs")\nreturn function()\nfuncs.call("app:tick", "${name}", 0) print("SPIN ${name}")\n${b.body}\nend`;
  }
  const fx = wfRegistry(wfs, { tick: TICK });
  const events: string[] = [];
  const rt = fx.open({ budget: BUDGET, output: { print: (t) => events.push(t), log: (l, m) => events.push(`[${l}] ${m}`) } });
  try {
    // Longer than the test: terminated at the end.
    const healthy = rt.startWorkflows()!.start('app:healthy', ['"h"', '1000000']);
    assert.ok('id' in healthy);
    while (!events.includes('STEP h 5')) await tick(1);
    for (const [name, b] of Object.entries(BYPASSES)) {
      const o = await runWf(rt, `app:${name}`);
      assert.ok('parked' in o, `${name}: ${JSON.stringify(o)}`);
      const report = o.parked.split('\n');
      assert.match(report[0], new RegExp(`^workflow \\S+ \\(app:${name}\\) was stopped in one activation:$`));
      assert.match(report[1].trim(), new RegExp(`^Timeout: ${stopMessage(`app:${name}`, `wf_${name}.lua`, b.line + 3).source.slice(1)}`), name);
      assert.equal(report[2], 'The workflow is parked, not failed: fix the code and restart `wippy run`.');
      // The healthy one makes steps again once the runaway is stopped.
      const stop = events.findIndex((e) => e.startsWith('[error] workflow ') && e.includes(`(app:${name})`));
      while (events.slice(stop).filter((e) => e.startsWith('STEP h ')).length < 3) await tick(1);
    }
    const steps = events.filter((e) => e.startsWith('STEP h ')).map((e) => Number(e.split(' ')[2]));
    assert.deepEqual(steps, steps.map((_, i) => i + 1), 'the healthy steps ran in order, each once');
    for (const name of Object.keys(BYPASSES)) {
      assert.equal(events.filter((e) => e === `SPIN ${name}`).length, 1, `${name} had one activation that spun`);
      const spin = events.indexOf(`SPIN ${name}`);
      const stop = events.findIndex((e) => e.startsWith('[error] workflow ') && e.includes(`(app:${name})`));
      assert.ok(spin >= 0 && stop > spin, `${name}: spun, then was stopped`);
      const inside = events.slice(spin, stop).filter((e) => e.startsWith('STEP h ')).length;
      assert.equal(inside, 0, `${name}: nothing else ran inside its slice (one thread)`);
    }
    assert.equal(rt.startWorkflows()!.cancelOrTerminate(healthy.id, 'test', true), null);
  } finally {
    rt.close();
  }
});
