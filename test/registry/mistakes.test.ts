import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadRegistry } from '../../registry';
import { fakeCheckLua, loadFails, onlyProblem, tree } from './helpers';

/** A registry folder with `registry.yaml` = `yaml` (lines joined) plus `files`. */
function reg(yaml: string[], files: Record<string, string> = {}): string {
  return tree({ 'registry.yaml': `${yaml.join('\n')}\n`, ...files });
}
const LUA = { 'a.lua': 'return function() end' };

test('broken YAML: file:line:col from the YAML parser', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: a', '    kind: [function.lua', '    source: x']);
  const p = onlyProblem(loadFails(dir), 'registry.yaml:', 'invalid YAML');
  assert.ok(p.line !== undefined && p.line >= 4, `line ${p.line}`);
  assert.ok(p.column !== undefined);
  assert.match(loadFails(dir).message, /registry\.yaml:\d+:\d+: invalid YAML/);
});

test('duplicate YAML keys are a YAML error with a line', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: a', '    name: b', '    kind: process.host']);
  onlyProblem(loadFails(dir), 'registry.yaml:4:', 'unique');
});

test('missing namespace: an error telling what to add, not a skipped file', () => {
  const dir = reg(['entries:', '  - name: a', '    kind: process.host']);
  onlyProblem(loadFails(dir), 'registry.yaml:1:', 'field namespace', 'missing namespace', 'add `namespace: app`');
});

test('unknown kind: valid kinds listed, closest suggested', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: charge', '    kind: functon.lua', '    source: file://a.lua'], LUA);
  onlyProblem(
    loadFails(dir),
    'registry.yaml:4: entry app:charge, field kind: unknown kind functon.lua',
    'did you mean function.lua?',
    'valid kinds: function.lua, process.lua',
  );
});

test('missing required fields: name, kind, source, process, client, task_queue', () => {
  const noName = reg(['namespace: app', 'entries:', '  - kind: process.host']);
  onlyProblem(loadFails(noName), 'registry.yaml:3: field entries[0].name: missing required field name');

  const noKind = reg(['namespace: app', 'entries:', '  - name: h']);
  onlyProblem(loadFails(noKind), 'registry.yaml:3: entry app:h, field kind: missing required field kind');

  const noSource = reg(['namespace: app', 'entries:', '  - name: f', '    kind: function.lua']);
  onlyProblem(loadFails(noSource), 'registry.yaml:3: entry app:f, field source: missing required field source', 'file://f.lua');

  const noProcess = reg([
    'namespace: app', 'entries:',
    '  - {name: h, kind: process.host}',
    '  - name: s',
    '    kind: process.service',
    '    host: h',
  ]);
  onlyProblem(loadFails(noProcess), 'registry.yaml:4: entry app:s, field process: missing required field process');

  const noWorkerFields = reg(['namespace: app', 'entries:', '  - name: w', '    kind: temporal.worker']);
  const err = loadFails(noWorkerFields);
  assert.equal(err.problems.length, 2, err.message);
  assert.ok(err.message.includes('registry.yaml:3: entry app:w, field client: missing required field client'), err.message);
  assert.ok(err.message.includes('registry.yaml:3: entry app:w, field task_queue: missing required field task_queue'), err.message);
});

test('wrong field types name the expected type', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - name: f',
    '    kind: function.lua',
    '    source: file://a.lua',
    '    modules: json',
    '  - name: h',
    '    kind: process.host',
    '    lifecycle:',
    '      auto_start: "yes"',
    '      restart: {max_attempts: 1.5}',
    '    host: {workers: many}',
  ], LUA);
  const err = loadFails(dir);
  assert.equal(err.problems.length, 4, err.message);
  const lines = err.message.split('\n');
  assert.equal(lines[0], 'registry.yaml:6: entry app:f, field modules: expected a list of strings, got a string "json"; write modules: [json]'.replace('registry.yaml', err.problems[0].file));
  assert.ok(lines[1].endsWith(':10: entry app:h, field lifecycle.auto_start: expected true or false, got a string "yes"'), lines[1]);
  assert.ok(lines[2].endsWith(':11: entry app:h, field lifecycle.restart.max_attempts: expected a whole number >= 0 (0 = unlimited), got a number 1.5'), lines[2]);
  assert.ok(lines[3].endsWith(':12: entry app:h, field host.workers: expected a whole number >= 1, got a string "many"'), lines[3]);
});

test('bad durations are reported with the field and the Go-style example', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: h', '    kind: process.host', '    lifecycle:', '      start_timeout: 2d']);
  onlyProblem(loadFails(dir), 'registry.yaml:6: entry app:h, field lifecycle.start_timeout: invalid duration "2d"', '"48h"');
});

test('missing reference: full id named, closest suggested', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - {name: processes, kind: process.host}',
    '  - {name: worker_proc, kind: process.lua, source: "file://a.lua"}',
    '  - name: svc',
    '    kind: process.service',
    '    process: worker_prc',
    '    host: processes',
  ], LUA);
  onlyProblem(
    loadFails(dir),
    'registry.yaml:7: entry app:svc, field process: no entry app:worker_prc',
    'did you mean app:worker_proc?',
  );
});

test('reference to an entry in another namespace needs the namespace', () => {
  const dir = tree({
    'a.yaml': 'namespace: app\nentries:\n  - {name: w, kind: temporal.worker, client: temporal, task_queue: q}\n',
    'b.yaml': 'namespace: infra\nentries:\n  - {name: temporal, kind: temporal.client}\n',
  });
  onlyProblem(loadFails(dir), 'a.yaml:3: entry app:w, field client: no entry app:temporal', 'did you mean infra:temporal?');
});

test('wrong-kind reference: both kinds named', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - {name: lib, kind: process.lua, source: "file://a.lua"}',
    '  - name: f',
    '    kind: function.lua',
    '    source: file://a.lua',
    '    imports:',
    '      util: lib',
  ], LUA);
  onlyProblem(loadFails(dir), 'registry.yaml:8: entry app:f, field imports.util: app:lib is a process.lua entry, expected a library.lua or function.lua');
});

test('requires may only name entries with a lifecycle', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - {name: f, kind: function.lua, source: "file://a.lua"}',
    '  - name: h',
    '    kind: process.host',
    '    lifecycle:',
    '      requires: [f]',
  ], LUA);
  onlyProblem(loadFails(dir), 'registry.yaml:7: entry app:h, field lifecycle.requires[0]: app:f is a function.lua entry', 'lifecycle');
});

test('duplicate id: both places named', () => {
  const dir = tree({
    'a.yaml': 'namespace: app\nentries:\n  - {name: h, kind: process.host}\n',
    'b/c.yaml': 'namespace: app\nentries:\n  - name: other\n    kind: process.host\n  - name: h\n    kind: process.host\n',
  });
  const p = onlyProblem(loadFails(dir), 'c.yaml:5: entry app:h: duplicate id app:h: already declared at ', 'a.yaml:3');
  assert.equal(p.entry, 'app:h');
});

test('unreadable source: the path as written and as resolved', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: charge', '    kind: function.lua', '    source: file://charge.lua']);
  onlyProblem(
    loadFails(dir),
    'registry.yaml:5: entry app:charge, field source: file not found: charge.lua (resolved to ',
    `${path.join(dir, 'charge.lua')})`,
  );
  const folder = reg(['namespace: app', 'entries:', '  - name: f', '    kind: function.lua', '    source: file://sub'], { 'sub/x.lua': '' });
  onlyProblem(loadFails(folder), 'field source: this is a folder, not a file: sub');
});

test('a source that is not a file:// URL gets the fix', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: f', '    kind: function.lua', '    source: a.lua'], LUA);
  onlyProblem(loadFails(dir), 'registry.yaml:5: entry app:f, field source:', 'write source: file://a.lua');
});

test('`..` escaping the registry root is refused; inside the root it is fine', () => {
  const dir = tree({ 'outside.lua': 'return 1', 'reg/registry.yaml': 'namespace: app\nentries:\n  - name: f\n    kind: function.lua\n    source: file://../outside.lua\n' });
  onlyProblem(loadFails(path.join(dir, 'reg')), 'registry.yaml:5: entry app:f, field source: ../outside.lua escapes the registry root');
  // The single-file form uses the file's folder as the root, so this escapes too.
  onlyProblem(loadFails(path.join(dir, 'reg/registry.yaml')), 'escapes the registry root');
  const ok = tree({ 'shared/x.lua': 'return 1', 'sub/registry.yaml': 'namespace: app\nentries:\n  - {name: f, kind: function.lua, source: "file://../shared/x.lua"}\n' });
  loadFailsNot(ok);
});

function loadFailsNot(dir: string): void {
  assert.doesNotThrow(() => loadRegistry(dir));
}

test('Lua syntax error from checkLua is surfaced with the chunk name and Lua line', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: charge', '    kind: function.lua', '    source: file://src/charge.lua'], {
    'src/charge.lua': 'local x = 1\nSYNTAX ERROR\nreturn x\n',
  });
  onlyProblem(
    loadFails(dir, { checkLua: fakeCheckLua }),
    "registry.yaml:5: entry app:charge, field source: Lua syntax error: src/charge.lua:2: unexpected symbol near 'ERROR'",
  );
});

test('a checkLua that throws is reported, not propagated', () => {
  const dir = reg(['namespace: app', 'entries:', '  - {name: f, kind: library.lua, source: "file://a.lua"}'], LUA);
  const err = loadFails(dir, { checkLua: () => { throw new Error('boom'); } });
  onlyProblem(err, 'entry app:f, field source:', 'a.lua: could not be checked: boom');
});

test('unknown module: known names listed, closest suggested', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: f', '    kind: function.lua', '    source: file://a.lua', '    modules:', '      - json', '      - tmie'], LUA);
  onlyProblem(
    loadFails(dir, { knownModules: new Set(['json', 'time', 'logger']) }),
    'registry.yaml:8: entry app:f, field modules[1]: unknown module tmie (did you mean time?); known modules: json, logger, time',
  );
});

test('module not allowed in a workflow: says why', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: wf', '    kind: workflow.lua', '    source: file://a.lua', '    modules: [time, logger]'], LUA);
  onlyProblem(
    loadFails(dir, { knownModules: new Set(['json', 'time', 'logger']), workflowModules: new Set(['json', 'time']) }),
    'registry.yaml:6: entry app:wf, field modules[1]: module logger is not allowed in a workflow',
    'replayed',
    'deterministic',
  );
});

test('workflow worker reference must be a temporal.worker', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - name: wf', '    kind: workflow.lua', '    source: file://a.lua',
    '    meta:', '      temporal:', '        workflow:', '          worker: nope',
  ], LUA);
  onlyProblem(loadFails(dir), 'registry.yaml:9: entry app:wf, field meta.temporal.workflow.worker: no entry app:nope', 'no temporal.worker entries');
});

test('requires cycle: the cycle path is shown', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - name: a', '    kind: process.host', '    lifecycle:', '      requires: [b]',
    '  - name: b', '    kind: process.host', '    lifecycle:', '      depends_on: [c]',
    '  - name: c', '    kind: process.host', '    lifecycle:', '      requires: [app:a]',
    '  - name: self', '    kind: process.host', '    lifecycle:', '      requires: [self]',
  ]);
  const err = loadFails(dir);
  assert.equal(err.problems.length, 2, err.message);
  assert.ok(err.message.includes('registry.yaml:6: entry app:a, field lifecycle.requires: requires cycle: app:a -> app:b -> app:c -> app:a'), err.message);
  assert.ok(err.message.includes('entry app:self, field lifecycle.requires: requires cycle: app:self -> app:self'), err.message);
});

test('a cycle through an implicit dependency (service -> host) is shown as such', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - {name: p, kind: process.lua, source: "file://a.lua"}',
    '  - {name: h, kind: process.host, lifecycle: {requires: [s]}}',
    '  - {name: s, kind: process.service, process: p, host: h}',
  ], LUA);
  onlyProblem(loadFails(dir), 'entry app:h, field lifecycle.requires: requires cycle: app:h -> app:s -> app:h (its host)');
});

test('misspelt lifecycle keys and top-level keys are caught; other unknown keys are not', () => {
  const dir = reg([
    'namespace: app',
    'entres:',
    '  - {name: h, kind: process.host}',
  ]);
  onlyProblem(loadFails(dir), 'registry.yaml:2: field entres: unknown top-level key (did you mean entries?)');
  const lc = reg(['namespace: app', 'entries:', '  - name: h', '    kind: process.host', '    lifecycle: {auto_strat: true, security: {}, custom_thing: 1}']);
  onlyProblem(loadFails(lc), 'registry.yaml:5: entry app:h, field lifecycle.auto_strat: unknown key auto_strat (did you mean auto_start?)');
});

test('several mistakes across files are reported together, sorted by file and line', () => {
  const dir = tree({
    'a.yaml': [
      'namespace: app',
      'entries:',
      '  - {name: f, kind: function.lua, source: "file://missing.lua"}',
      '  - {name: w, kind: temporal.wrker}',
      '  - {name: s, kind: process.service, process: nothere, host: h}',
      '',
    ].join('\n'),
    'b.yaml': 'entries: []\n',
    'c.yaml': 'namespace: app\nentries:\n  - {name: f, kind: process.host, lifecycle: {stop_timeout: -1s}}\n',
    'd.yaml': 'namespace: x\nentries: {name: y}\n',
  });
  const err = loadFails(dir);
  const msgs = err.message.split('\n');
  assert.equal(msgs.length, 7, err.message);
  assert.match(msgs[0], /a\.yaml:3: entry app:f, field source: file not found: missing\.lua/);
  assert.match(msgs[1], /a\.yaml:4: entry app:w, field kind: unknown kind temporal\.wrker \(did you mean temporal\.worker\?\)/);
  assert.match(msgs[2], /a\.yaml:5: entry app:s, field process: no entry app:nothere/);
  assert.match(msgs[3], /a\.yaml:5: entry app:s, field host: no entry app:h/);
  assert.match(msgs[4], /b\.yaml:1: field namespace: missing namespace/);
  assert.match(msgs[5], /c\.yaml:3: entry app:f: duplicate id app:f: already declared at .*a\.yaml:3/);
  assert.match(msgs[6], /d\.yaml:2: field entries: expected a list of entries, got a map/);
  for (const p of err.problems) assert.ok(!path.isAbsolute(p.file) || p.file.length <= path.relative(process.cwd(), p.file).length);
});

test('a missing path and an empty folder are clear errors', () => {
  onlyProblem(loadFails('/nonexistent/wippy/registry'), '/nonexistent/wippy/registry: no such file or folder');
  onlyProblem(loadFails(tree({ 'x.txt': '' })), 'no *.yaml or *.yml files found');
});
