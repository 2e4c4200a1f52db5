// The `env` module through the real binary: an env.storage.os variable reads the environment the
// `wippy` process was started with; a missing one is Wippy's NotFound, one line, no JS stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoJsStack } from '../helpers/cli';
import { wippy } from '../../testkit/wippy';
import { withRegistry } from '../../testkit/registry';

const app = () => withRegistry({
  'registry.yaml': `namespace: app
entries:
  - {name: os, kind: env.storage.os}
  - {name: mem, kind: env.storage.memory}
  - {name: env, kind: env.storage.router, storages: [mem, os]}
  - {name: key, kind: env.variable, variable: WIPPY_TS_API_KEY, storage: env}
  - name: show
    kind: function.lua
    source: file://show.lua
    modules: [env]
`,
  'show.lua': `local env = require("env")
return function()
  local v, err = env.get("WIPPY_TS_API_KEY")
  if err then return nil, err end
  return v
end`,
});

test('wippy run -x: env.get reads the process environment through an env.storage.os variable', () => {
  const dir = app();
  const r = wippy(['run', dir, '-x', 'app:show'], { env: { WIPPY_TS_API_KEY: 'sekrit' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), '"sekrit"');
  assert.equal(r.stderr, '', 'env kinds load without warnings');

  const missing = wippy(['run', dir, '-x', 'app:show'], { env: { WIPPY_TS_API_KEY: undefined } });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: NotFound: environment variable not found$/m);
  assertNoJsStack(missing.stderr);
});
