// The env entry kinds (env.storage.memory/os/static/router, env.variable): loaded as real
// entries (no inert warning), validated as Wippy validates them, but at load time with file:line;
// and the `env` module refused in workflows, as Wippy classes it nondeterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistry, type EnvVariableEntry, type EnvStorageEntry } from '../../registry';
import { MODULE_NAMES, WORKFLOW_MODULE_NAMES } from '../../lua-stdlib';
import { loadFails, onlyProblem, tree } from './helpers';

const STD = { knownModules: MODULE_NAMES, workflowModules: WORKFLOW_MODULE_NAMES };
const reg = (yaml: string[]): string => tree({ 'registry.yaml': `${yaml.join('\n')}\n`, 'a.lua': 'return function() end' });
const HEAD = ['namespace: app', 'entries:', '  - {name: mem, kind: env.storage.memory}', '  - {name: os, kind: env.storage.os}'];

test('env kinds load as entries, without warnings; references resolve in the namespace; names default to ids', () => {
  const r = loadRegistry(reg([
    ...HEAD,
    '  - {name: fixed, kind: env.storage.static, values: {REGION: eu, PORT: 8080}}',
    '  - {name: router, kind: env.storage.router, storages: [mem, app:os]}',
    '  - {name: db, kind: env.variable, variable: DATABASE_URL, storage: router, default: "sqlite://x", readonly: true}',
    '  - {name: plain, kind: env.variable, storage: mem}',
    '  - {name: f, kind: function.lua, source: "file://a.lua", modules: [env]}',
  ]), STD);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.unsupported.size, 0);
  assert.deepEqual((r.entries.get('app:router') as EnvStorageEntry).storages, ['app:mem', 'app:os']);
  assert.deepEqual((r.entries.get('app:fixed') as EnvStorageEntry).values, { REGION: 'eu', PORT: '8080' });
  const db = r.entries.get('app:db') as EnvVariableEntry;
  assert.deepEqual([db.variable, db.storage, db.default, db.readonly], ['DATABASE_URL', 'app:router', 'sqlite://x', true]);
  assert.equal((r.entries.get('app:plain') as EnvVariableEntry).variable, 'app:plain');
});

test('a router needs storages, and only env storages', () => {
  onlyProblem(loadFails(reg([...HEAD, '  - {name: r, kind: env.storage.router}']), STD),
    'registry.yaml:5: entry app:r, field storages: router storage must have at least one storage');
  onlyProblem(loadFails(reg([...HEAD, '  - {name: r, kind: env.storage.router, storages: [mem, f]}', '  - {name: f, kind: function.lua, source: "file://a.lua"}']), STD),
    'entry app:r, field storages[1]: app:f is a function.lua entry, expected a env.storage.memory');
  onlyProblem(loadFails(reg([...HEAD, '  - {name: r, kind: env.storage.router, storages: [memm]}']), STD),
    'no entry app:memm', 'did you mean app:mem?');
});

test('routers that read through each other are a cycle', () => {
  onlyProblem(loadFails(reg([
    ...HEAD,
    '  - {name: r1, kind: env.storage.router, storages: [mem, r2]}',
    '  - {name: r2, kind: env.storage.router, storages: [r1]}',
  ]), STD), 'entry app:r1, field storages: router storage cycle: app:r1 -> app:r2 -> app:r1');
});

test('a variable: storage required and an env storage; name of letters, digits and _; each name once', () => {
  onlyProblem(loadFails(reg([...HEAD, '  - {name: v, kind: env.variable, variable: V}']), STD),
    'entry app:v, field storage: missing required field storage');
  onlyProblem(loadFails(reg([...HEAD, '  - {name: v, kind: env.variable, variable: V, storage: v}']), STD),
    'app:v is a env.variable entry, expected a env.storage.memory');
  onlyProblem(loadFails(reg([...HEAD, '  - {name: v, kind: env.variable, variable: MY-VAR, storage: mem}']), STD),
    'registry.yaml:5: entry app:v, field variable: invalid environment variable name "MY-VAR": must only contain alphanumeric characters');
  onlyProblem(loadFails(reg([
    ...HEAD,
    '  - {name: a, kind: env.variable, variable: TOKEN, storage: mem}',
    '  - {name: b, kind: env.variable, variable: TOKEN, storage: os}',
  ]), STD), 'registry.yaml:6: entry app:b, field variable: variable name TOKEN is already used by app:a (', 'registry.yaml:5)');
});

test('env in a workflow is refused, as Wippy refuses nondeterministic modules there', () => {
  onlyProblem(loadFails(reg(['namespace: app', 'entries:', '  - {name: wf, kind: workflow.lua, source: "file://a.lua", modules: [time, env]}']), STD),
    'registry.yaml:3: entry app:wf, field modules[1]: module env is not allowed in a workflow', 'do this work in a function.lua activity');
});
