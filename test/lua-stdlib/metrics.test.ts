// The `metrics` module as Wippy documents it: counters, gauges and histograms recorded in the
// process's collector by name and string labels (other labels ignored), `true` on success,
// Invalid errors for a bad name or value; refused in workflows (nondeterministic), where
// `compress` (deterministic) is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';
import { metricsSnapshot } from '../../lua-stdlib/metrics';
import { loadRegistry, RegistryError } from '../../registry';
import { checkSyntax } from '../../lua/chunks';
import { MODULE_NAMES, WORKFLOW_MODULE_NAMES } from '../../lua-stdlib';
import { withRegistry } from '../../testkit/registry';

const M = { modules: ['metrics'] };

test('counters, gauges and histograms record by name and string labels, each returning true', async () => {
  const v = await evalLua(`
    local metrics = require("metrics")
    return {
      metrics.counter_inc("t.c"), metrics.counter_inc("t.c"), metrics.counter_add("t.c", 5),
      metrics.counter_add("t.c", 2, {b = "2", a = "1", n = 123, flag = true}),
      metrics.gauge_set("t.g", 42), metrics.gauge_inc("t.g"), metrics.gauge_dec("t.g"), metrics.gauge_dec("t.g"),
      metrics.histogram("t.h", 0.5, {m = "GET"}), metrics.histogram("t.h", 1.5, {m = "GET"}),
    }`, M);
  assert.deepEqual(v, Array(10).fill(true));
  const s = metricsSnapshot();
  assert.equal(s['t.c'].value, 7);
  assert.equal(s['t.c{a="1",b="2"}'].value, 2);
  assert.equal(s['t.g'].value, 41);
  assert.deepEqual([s['t.h{m="GET"}'].count, s['t.h{m="GET"}'].sum], [2, 2]);
});

test('a non-string name or a non-number value: nil and an Invalid error, never raised', async () => {
  const v = await evalLua(`
    local metrics = require("metrics")
    local out = {}
    for _, f in ipairs({
      function() return metrics.counter_inc(42) end,
      function() return metrics.gauge_set("t.bad", "x") end,
      function() return metrics.histogram("t.bad") end,
    }) do
      local r, err = f()
      out[#out + 1] = {r == nil, err:kind()}
    end
    return out`, M);
  assert.deepEqual(v, [[true, 'Invalid'], [true, 'Invalid'], [true, 'Invalid']]);
  assert.equal(metricsSnapshot()['t.bad'], undefined);
});

test('metrics in a workflow is refused at load; compress is allowed there', () => {
  const load = (mod: string): void => {
    const dir = withRegistry({
      'r.yaml': `namespace: app\nentries:\n  - {name: wf, kind: workflow.lua, source: "file://wf.lua", modules: [${mod}]}\n`,
      'wf.lua': 'return function() end',
    });
    loadRegistry(dir, { checkLua: checkSyntax, knownModules: MODULE_NAMES, workflowModules: WORKFLOW_MODULE_NAMES });
  };
  assert.throws(() => load('metrics'), (e: unknown) => e instanceof RegistryError && /module metrics is not allowed in a workflow/.test(e.message));
  assert.doesNotThrow(() => load('compress'));
});
