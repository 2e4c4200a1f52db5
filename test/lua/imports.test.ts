// require of library.lua entries through `imports:`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { withRegistry } from '../../testkit/registry';

test('imports load library.lua entries once per state, each library with its own modules', async () => {
  const dir = withRegistry({
    'registry.yaml': `namespace: app
entries:
  - name: main
    kind: function.lua
    source: file://main.lua
    imports: {util: app.lib:util}
`,
    'lib/registry.yaml': `namespace: app.lib
entries:
  - name: util
    kind: library.lua
    source: file://util.lua
    modules: [uuid]
`,
    'main.lua': `
local util = require("util")
local again = require("util")
return function()
  local ok = pcall(require, "uuid")  -- main does not list uuid; the library does
  return {util.twice(21), util.valid("00000000-0000-4000-8000-000000000000"), util == again, ok, util.loads}
end`,
    'lib/util.lua': `
local uuid = require("uuid")
loads = (loads or 0) + 1
return { twice = function(x) return x * 2 end, valid = uuid.validate, loads = loads }`,
  });
  const rt = Runtime.load(dir);
  const r = await rt.callFunction('app:main', []);
  assert.equal(r.error, undefined);
  assert.deepEqual(JSON.parse(r.value!), [42, true, true, false, 1]);
});
