// The log encoding from Wippy's `.wippy.yaml` (`logger.encoding: console | json`) in the folder
// `wippy run` runs from, through the real binary: the Lua logger's entries and the runtime's own
// (a service starting) are one line each on stderr, JSON objects in Wippy's key order with json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { wippy } from '../../testkit/wippy';
import { withRegistry } from '../../testkit/registry';
import { jsonLogLine } from '../../app/output';

const app = (wippyYaml?: string) => {
  const dir = withRegistry({
    'src/registry.yaml': `namespace: app
entries:
  - {name: host, kind: process.host, lifecycle: {auto_start: true}}
  - {name: idle, kind: process.lua, source: "file://idle.lua"}
  - {name: svc, kind: process.service, process: idle, host: host, lifecycle: {auto_start: true}}
  - name: log
    kind: function.lua
    source: file://log.lua
    modules: [logger]
`,
    'src/idle.lua': 'return function() return "ok" end',
    'src/log.lua': `local logger = require("logger")
return function()
  logger:named("billing"):info("charged\\ncard", {amount = 42})
  logger:with({order = "o-1"}):warn("slow")
  return "done"
end`,
  });
  if (wippyYaml !== undefined) fs.writeFileSync(path.join(dir, '.wippy.yaml'), wippyYaml);
  return dir;
};

const entries = (stderr: string): string[] => stderr.split('\n').filter((l) => l !== '');

test('logger.encoding: json writes each entry as one JSON object: level, ts, logger, msg, then fields', () => {
  const dir = app('version: "1.0"\nlogger:\n  mode: production\n  level: info\n  encoding: json\nprofiler:\n  enabled: true\n');
  const r = wippy(['run', 'src', '-x', 'app:log'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), '"done"');
  const objs = entries(r.stderr).map((l) => JSON.parse(l) as Record<string, unknown>);
  const charged = objs.find((o) => o.msg === 'charged\ncard')!;
  assert.deepEqual(Object.keys(charged), ['level', 'ts', 'logger', 'msg', 'amount']);
  assert.deepEqual([charged.level, charged.logger, charged.amount], ['info', 'billing', 42]);
  assert.match(String(charged.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(objs.find((o) => o.msg === 'slow'), { level: 'warn', ts: objs.find((o) => o.msg === 'slow')!.ts, msg: 'slow', order: 'o-1' });
  assert.ok(objs.some((o) => o.level === 'info' && String(o.msg).includes('service app:svc')), 'the runtime\'s own entries are JSON too');
});

test('without .wippy.yaml, or with logger.encoding: console, entries are [level] message {fields}', () => {
  for (const dir of [app(), app('logger:\n  encoding: console\n')]) {
    const r = wippy(['run', 'src', '-x', 'app:log'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes('[info] charged\ncard {"logger":"billing","amount":42}\n'), r.stderr);
    assert.ok(r.stderr.includes('[warn] slow {"order":"o-1"}\n'), r.stderr);
  }
});

test('an unknown encoding or a broken .wippy.yaml: one warning line, then the console encoding', () => {
  const bad = wippy(['run', 'src', '-x', 'app:log'], { cwd: app('logger:\n  encoding: xml\n') });
  assert.equal(bad.code, 0, bad.stderr);
  assert.match(bad.stderr, /\.wippy\.yaml: warning: logger\.encoding "xml" is not one of console, json; using console\n/);
  assert.ok(bad.stderr.includes('[warn] slow'));
  const broken = wippy(['run', 'src', '-x', 'app:log'], { cwd: app('logger: [\n') });
  assert.equal(broken.code, 0, broken.stderr);
  assert.match(broken.stderr, /\.wippy\.yaml: warning: invalid YAML \(.*\); using the default settings\n/);
  assert.ok(broken.stderr.includes('[warn] slow'));
});

test('a field named like a key of the entry does not replace it', () => {
  const line = jsonLogLine('error', 'boom', { level: 'x', msg: 'y', ts: 'z', code: 7 }, new Date(0));
  assert.equal(line, '{"level":"error","ts":"1970-01-01T00:00:00.000Z","msg":"boom","code":7}');
});
