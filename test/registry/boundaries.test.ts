// What a registry may reach: sources and registry files stay inside the registry folder whatever
// path form or symlink leads out of it (one line naming the entry, the source and where it
// resolves), links that loop back inside still load, and library imports may not form a cycle
// (one line naming the entries, at load, before anything runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRegistry } from '../../registry';
import { loadFails, onlyProblem, tree } from './helpers';
import { assertNoJsStack } from '../helpers/cli';
import { wippy } from '../../testkit/wippy';

/** A registry folder `reg/` beside an `elsewhere/` folder it must not reach. */
function layout(entries: string): { dir: string; reg: string; elsewhere: string } {
  const dir = tree({
    'elsewhere/outside.lua': 'return function() return "outside" end',
    'elsewhere/tree/evil.yaml': 'namespace: evil\nentries:\n  - {name: x, kind: function.lua, source: "file://x.lua"}\n',
    'elsewhere/tree/x.lua': 'return function() return "evil" end',
    'reg/in.lua': 'return function() return "in" end',
    'reg/registry.yaml': `namespace: app\nentries:\n${entries}`,
  });
  return { dir, reg: path.join(dir, 'reg'), elsewhere: fs.realpathSync(path.join(dir, 'elsewhere')) };
}

const fn = (name: string, source: string): string => `  - name: ${name}\n    kind: function.lua\n    source: ${source}\n`;

test('an absolute file:/// source outside the registry folder is refused, naming entry, source and target', () => {
  const { reg, elsewhere } = layout('');
  const url = `file://${path.join(elsewhere, 'outside.lua')}`;
  fs.writeFileSync(path.join(reg, 'registry.yaml'), `namespace: app\nentries:\n${fn('abs', url)}`);
  onlyProblem(loadFails(reg), `registry.yaml:5: entry app:abs, field source: ${url} resolves to ${path.join(elsewhere, 'outside.lua')}, outside the registry root ${reg}`);
  // Through the real binary it does not run: exit 2 and that one line.
  const r = wippy(['run', reg, '-x', 'app:abs']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /entry app:abs, field source: .* outside the registry root/);
  assertNoJsStack(r.stderr);
});

test('a file symlink inside the registry that leads outside is refused; one that stays inside loads', () => {
  const { reg, elsewhere } = layout(fn('lnk', 'file://sub/link.lua') + fn('ok', 'file://sub/inlink.lua'));
  fs.mkdirSync(path.join(reg, 'sub'));
  fs.symlinkSync('../../elsewhere/outside.lua', path.join(reg, 'sub/link.lua'));
  fs.symlinkSync('../in.lua', path.join(reg, 'sub/inlink.lua'));
  onlyProblem(loadFails(reg), 'entry app:lnk, field source: file://sub/link.lua resolves to', `${path.join(elsewhere, 'outside.lua')}, outside the registry root`);
  fs.unlinkSync(path.join(reg, 'sub/link.lua'));
  fs.writeFileSync(path.join(reg, 'registry.yaml'), `namespace: app\nentries:\n${fn('ok', 'file://sub/inlink.lua')}${fn('abs_in', `file://${path.join(reg, 'in.lua')}`)}`);
  const r = wippy(['run', reg, '-x', 'app:ok']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '"in"');
  assert.equal(wippy(['run', reg, '-x', 'app:abs_in']).stdout.trim(), '"in"', 'an absolute URL inside the root is fine');
});

test('a folder symlink inside the registry that leads outside is refused: the outside tree is not read', () => {
  const { reg, elsewhere } = layout(fn('ok', 'file://in.lua'));
  fs.symlinkSync('../elsewhere/tree', path.join(reg, 'tree'));
  const err = loadFails(reg);
  onlyProblem(err, `tree: this folder link resolves to ${path.join(elsewhere, 'tree')}, outside the registry folder ${reg}`);
  assert.ok(!err.message.includes('evil'), 'no entry of the outside tree was read');
  // A YAML file linked in from outside is refused the same way.
  fs.unlinkSync(path.join(reg, 'tree'));
  fs.symlinkSync('../elsewhere/tree/evil.yaml', path.join(reg, 'evil.yaml'));
  onlyProblem(loadFails(reg), 'evil.yaml: this file link resolves to', 'outside the registry folder');
});

test('a folder symlink loop inside the registry still loads', () => {
  const { reg } = layout(fn('ok', 'file://in.lua'));
  fs.mkdirSync(path.join(reg, 'sub'));
  fs.writeFileSync(path.join(reg, 'sub/more.yaml'), `namespace: more\nentries:\n${fn('f', 'file://../in.lua')}`);
  fs.symlinkSync('..', path.join(reg, 'sub/loop'));
  fs.symlinkSync('.', path.join(reg, 'self'));
  const registry = loadRegistry(reg);
  assert.deepEqual([...registry.entries.keys()].sort(), ['app:ok', 'more:f']);
});

test('cyclic library imports are reported at load, one line naming the entries; the CLI runs nothing', () => {
  const dir = tree({
    'registry.yaml': `namespace: app
entries:
  - {name: l1, kind: library.lua, source: "file://l1.lua", imports: {l2: l2}}
  - {name: l2, kind: library.lua, source: "file://l2.lua", imports: {l1: app:l1}}
  - {name: l3, kind: library.lua, source: "file://l3.lua", imports: {me: l3}}
  - {name: f, kind: function.lua, source: "file://f.lua", imports: {l1: l1}}
`,
    'l1.lua': 'local l2 = require("l2")\nreturn {x = 1}',
    'l2.lua': 'local l1 = require("l1")\nreturn {y = 2}',
    'l3.lua': 'return {}',
    'f.lua': 'local l1 = require("l1")\nreturn function() return l1.x end',
  });
  const err = loadFails(dir);
  assert.equal(err.problems.length, 2, err.message);
  assert.ok(err.message.includes('registry.yaml:3: entry app:l1, field imports.l2: imports cycle: app:l1 -> app:l2 -> app:l1'), err.message);
  assert.ok(err.message.includes('entry app:l3, field imports.me: imports cycle: app:l3 -> app:l3'), err.message);
  const r = wippy(['run', dir, '-x', 'app:f']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 2, r.stderr);
  assert.ok(r.stderr.length < 600, `short report, got ${r.stderr.length} bytes`);
  assert.match(r.stderr, /imports cycle: app:l1 -> app:l2 -> app:l1/);
  assertNoJsStack(r.stderr);
  // Imports that share a library without a cycle load.
  fs.writeFileSync(path.join(dir, 'registry.yaml'), `namespace: app
entries:
  - {name: l1, kind: library.lua, source: "file://l3.lua", imports: {l2: l2}}
  - {name: l2, kind: library.lua, source: "file://l3.lua"}
  - {name: f, kind: function.lua, source: "file://f.lua", imports: {l1: l1, l2: l2}}
`);
  assert.doesNotThrow(() => loadRegistry(dir));
});
