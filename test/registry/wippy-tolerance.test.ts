// A Wippy registry that uses modules or entry kinds this runtime does not provide still loads,
// with one warning each; mistakes (names that are no Wippy name) still refuse, with file:line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistry, formatProblem, type LuaEntry } from '../../registry';
import { loadFails, onlyProblem, tree } from './helpers';

const KNOWN = { knownModules: new Set(['json', 'time', 'funcs']), workflowModules: new Set(['json', 'time', 'funcs']) };
const LUA = { 'a.lua': 'return function() end' };
const reg = (yaml: string[]): string => tree({ 'registry.yaml': `${yaml.join('\n')}\n`, ...LUA });

test('a Wippy module not provided here: one warning naming entry and module, the entry loads without it', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - name: sign',
    '    kind: function.lua',
    '    source: file://a.lua',
    '    modules: [json, hash, crypto]',
  ]);
  const r = loadRegistry(dir, KNOWN);
  const e = r.entries.get('app:sign') as LuaEntry;
  assert.deepEqual(e.modules, ['json']);
  assert.deepEqual(e.unprovided, ['hash', 'crypto']);
  assert.equal(r.warnings.length, 1);
  const line = formatProblem(r.warnings[0], true);
  assert.match(line, /registry\.yaml:6: warning: entry app:sign, field modules\[1\]: modules hash, crypto are Wippy's but not provided by wippy-ts yet; require\("hash"\), require\("crypto"\) in this entry will fail/);
});

test('a Wippy module in a workflow.lua is the same warning, not the workflow-module refusal', () => {
  const dir = reg(['namespace: app', 'entries:', '  - {name: wf, kind: workflow.lua, source: "file://a.lua", modules: [time, crypto]}']);
  const r = loadRegistry(dir, KNOWN);
  assert.deepEqual((r.entries.get('app:wf') as LuaEntry).unprovided, ['crypto']);
  assert.equal(r.warnings.length, 1);
});

test('a module name that is no Wippy module stays an error with its did-you-mean', () => {
  const dir = reg(['namespace: app', 'entries:', '  - name: f', '    kind: function.lua', '    source: file://a.lua', '    modules: [json, hsah]']);
  onlyProblem(loadFails(dir, KNOWN), 'registry.yaml:6: entry app:f, field modules[1]: unknown module hsah (did you mean hash?)');
  const far = reg(['namespace: app', 'entries:', '  - name: f', '    kind: function.lua', '    source: file://a.lua', '    modules: [zzzzzz]']);
  onlyProblem(loadFails(far, KNOWN), 'unknown module zzzzzz; known modules: funcs, json, time');
});

test('Wippy entry kinds not run here load inert, one warning each, and are listed as unsupported', () => {
  const dir = reg([
    'namespace: app', 'entries:',
    '  - name: gateway',
    '    kind: terminal.host',
    '    addr: ":8080"',
    '  - name: db',
    '    kind: db.sql.sqlite',
    '    file: ./x.db',
    '  - name: policy',
    '    kind: security.token_store',
    '  - {name: f, kind: function.lua, source: "file://a.lua"}',
  ]);
  const r = loadRegistry(dir, KNOWN);
  assert.deepEqual([...r.entries.keys()], ['app:f']);
  assert.deepEqual([...r.unsupported], [['app:gateway', 'terminal.host'], ['app:db', 'db.sql.sqlite'], ['app:policy', 'security.token_store']]);
  const lines = r.warnings.map((w) => formatProblem(w, true));
  assert.equal(lines.length, 3);
  assert.match(lines[0], /registry\.yaml:4: warning: entry app:gateway, field kind: kind terminal\.host is Wippy's but not supported by wippy-ts yet; the entry is loaded inert/);
  assert.match(lines[1], /registry\.yaml:7: warning: entry app:db, field kind: kind db\.sql\.sqlite/);
});

test('a kind that is no Wippy kind stays an error; a typo of a Wippy kind is suggested', () => {
  const typo = reg(['namespace: app', 'entries:', '  - name: gw', '    kind: http.servce']);
  onlyProblem(loadFails(typo, KNOWN), 'registry.yaml:4: entry app:gw, field kind: unknown kind http.servce (did you mean http.service?)');
  const ours = reg(['namespace: app', 'entries:', '  - name: f', '    kind: functon.lua', '    source: file://a.lua']);
  onlyProblem(loadFails(ours, KNOWN), 'unknown kind functon.lua (did you mean function.lua?)');
  const none = reg(['namespace: app', 'entries:', '  - name: x', '    kind: spaceship.engine']);
  onlyProblem(loadFails(none, KNOWN), 'unknown kind spaceship.engine; valid kinds:');
});

test('requiring an inert entry in lifecycle is a warning and the dependency is dropped; using one as a host is an error', () => {
  const requires = reg([
    'namespace: app', 'entries:',
    '  - {name: db, kind: db.sql.sqlite}',
    '  - name: processes',
    '    kind: process.host',
    '    lifecycle:',
    '      requires: [db]',
  ]);
  const r = loadRegistry(requires, KNOWN);
  const host = r.entries.get('app:processes');
  assert.ok(host !== undefined && host.kind === 'process.host');
  assert.deepEqual(host.lifecycle.requires, []);
  assert.equal(r.warnings.length, 2);
  assert.match(formatProblem(r.warnings[1], true), /registry\.yaml:7: warning: entry app:processes, field lifecycle\.requires\[0\]: requires db, a db\.sql\.sqlite entry, which wippy-ts does not run yet; the dependency is ignored/);

  const asHost = reg([
    'namespace: app', 'entries:',
    '  - {name: term, kind: terminal.host}',
    '  - {name: p, kind: process.lua, source: "file://a.lua"}',
    '  - {name: s, kind: process.service, process: p, host: term}',
  ]);
  onlyProblem(loadFails(asHost, KNOWN), 'entry app:s, field host: app:term is a terminal.host entry, which wippy-ts does not run yet; expected a process.host');
});

test('imports may name a function.lua entry (its code, by alias), not a process.lua', () => {
  const ok = reg([
    'namespace: app', 'entries:',
    '  - {name: act, kind: function.lua, source: "file://a.lua"}',
    '  - {name: t, kind: function.lua, source: "file://a.lua", imports: {runtime_activity: app:act}}',
  ]);
  assert.deepEqual((loadRegistry(ok, KNOWN).entries.get('app:t') as LuaEntry).imports, { runtime_activity: 'app:act' });
  const bad = reg([
    'namespace: app', 'entries:',
    '  - {name: p, kind: process.lua, source: "file://a.lua"}',
    '  - {name: t, kind: function.lua, source: "file://a.lua", imports: {p: app:p}}',
  ]);
  onlyProblem(loadFails(bad, KNOWN), 'field imports.p: app:p is a process.lua entry, expected a library.lua or function.lua');
});
