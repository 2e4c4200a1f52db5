// A registry written for Wippy, through the real binary: Wippy modules and entry kinds this
// runtime does not provide load with one warning line each and fail only where they are used;
// `imports:` of a function.lua entry makes its code requirable by alias.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoJsStack } from '../helpers/cli';
import { wippy } from '../../testkit/wippy';
import { withRegistry } from '../../testkit/registry';

const app = () => withRegistry({
  'registry.yaml': `namespace: app
entries:
  - name: gateway
    kind: terminal.host
    addr: ":8080"
  - name: plain
    kind: function.lua
    source: file://plain.lua
    modules: [json, excel]
  - name: needs_excel
    kind: function.lua
    source: file://needs_excel.lua
    modules: [excel]
  - name: calls_gateway
    kind: function.lua
    source: file://calls_gateway.lua
    modules: [funcs]
  - name: activity
    kind: function.lua
    source: file://activity.lua
    modules: [json]
  - name: uses_activity
    kind: function.lua
    source: file://uses_activity.lua
    imports:
      act: app:activity
`,
  'plain.lua': 'local json = require("json")\nreturn function(x) return json.encode({got = x}) end',
  'needs_excel.lua': 'return function() local excel = require("excel") return excel end',
  'calls_gateway.lua': 'local funcs = require("funcs")\nreturn function() local _, err = funcs.call("app:gateway") return tostring(err) end',
  'activity.lua': 'local json = require("json")\nlocal function main(x) return json.encode({doubled = x * 2}) end\nreturn { main = main }',
  'uses_activity.lua': 'local act = require("act")\nreturn function(x) return {act.main(x), act == require("act")} end',
});

test('a Wippy registry with an unprovided module and an unsupported kind runs, with one warning line each', () => {
  const r = wippy(['run', app(), '-x', 'app:plain', '7']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), '"{\\"got\\":7}"');
  const warnings = r.stderr.split('\n').filter((l) => l.includes('warning:'));
  assert.equal(warnings.length, 3, r.stderr); // gateway, plain, needs_excel
  assert.match(warnings[0], /registry\.yaml:4: warning: entry app:gateway, field kind: kind terminal\.host is Wippy's but not supported by wippy-ts yet/);
  assert.match(warnings[1], /registry\.yaml:9: warning: entry app:plain, field modules\[1\]: module excel is Wippy's but not provided by wippy-ts yet; require\("excel"\) in this entry will fail/);
  assert.match(warnings[2], /registry\.yaml:13: warning: entry app:needs_excel, field modules\[0\]: module excel/);
  assertNoJsStack(r.stderr);
});

test('require of an unprovided module fails with a clear error naming the module and the entry', () => {
  const r = wippy(['run', app(), '-x', 'app:needs_excel']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /module 'excel' is not provided by this runtime \(wippy-ts\) yet: app:needs_excel lists it in modules:/);
  assertNoJsStack(r.stderr);
});

test('calling or running an inert entry says what it is, not "no entry"', () => {
  const called = wippy(['run', app(), '-x', 'app:calls_gateway']);
  assert.equal(called.code, 0, called.stderr);
  assert.match(called.stdout, /app:gateway is a terminal\.host entry, which wippy-ts does not run yet/);
  const run = wippy(['run', app(), '-x', 'app:gateway']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /app:gateway is a terminal\.host entry, which wippy-ts does not run yet/);
  assertNoJsStack(run.stderr);
});

test('imports of a function.lua entry: require(alias) returns what its chunk returns, with its own modules', () => {
  const r = wippy(['run', app(), '-x', 'app:uses_activity', '21']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), ['{"doubled":42}', true]);
});

test('a typo of a Wippy name still refuses the registry, with file:line and a suggestion', () => {
  const dir = withRegistry({
    'registry.yaml': 'namespace: app\nentries:\n  - name: gw\n    kind: http.servce\n  - {name: f, kind: function.lua, source: "file://f.lua", modules: [hsah]}\n',
    'f.lua': 'return function() end',
  });
  const r = wippy(['run', dir, '-x', 'app:f']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /registry\.yaml:4: entry app:gw, field kind: unknown kind http\.servce \(did you mean http\.service\?\)/);
  assert.match(r.stderr, /registry\.yaml:5: entry app:f, field modules\[0\]: unknown module hsah \(did you mean hash\?\)/);
  assertNoJsStack(r.stderr);
});
