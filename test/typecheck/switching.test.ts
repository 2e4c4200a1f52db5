// Type checking at load is switched as in Wippy: off by default; on with `.wippy.yaml` (in the
// folder wippy runs from) `lua.type_system.enabled: true` (strict: errors, else warnings);
// `--type-check` for one run; always on in `wippy check`. Issues name the Lua file, line and
// column, all at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRegistry, readWippyConfig, RegistryError } from '../../registry';
import { loadOptions } from '../../app/runtime';
import { registryYaml, temporalEntries, workflowEntry, functionEntry, withRegistry } from '../../testkit/registry';
import { wippy } from '../../testkit/wippy';
import { assertNoJsStack } from '../helpers/cli';

const WRONG = 'local function main(): number\n  local x: number = "five"\n  return x\nend\nreturn { main = main }\n';
const ALSO_WRONG = 'local function add(a: number, b: number): number return a + b end\nreturn { main = function() return add(1) end }\n';
const RIGHT = 'local function main(): number\n  local x: number = 5\n  return x\nend\nreturn { main = main }\n';

function project(config: string | null, files: Record<string, string> = { 'a.lua': WRONG, 'b.lua': ALSO_WRONG }): string {
  return withRegistry({
    ...(config === null ? {} : { '.wippy.yaml': config }),
    'src/_index.yaml': registryYaml('app', Object.keys(files).map((f) => functionEntry(f.replace('.lua', ''), f, [], ['method: main']))),
    ...Object.fromEntries(Object.entries(files).map(([f, c]) => [`src/${f}`, c])),
  });
}

const STRICT = 'version: "1.0"\nlua:\n  type_system:\n    enabled: true\n    strict: true\n';

/** Load `dir/src` with the type checking `dir/.wippy.yaml` asks for (as `wippy run` in dir does). */
function load(dir: string) {
  const { config, warnings } = readWippyConfig(dir);
  return { reg: loadRegistry(path.join(dir, 'src'), loadOptions(config.lua.typeSystem)), warnings };
}

/** The problems of a load that must fail, one line each. */
function problemsOf(dir: string): string[] {
  try {
    load(dir);
  } catch (e) {
    if (e instanceof RegistryError) return e.message.split('\n');
    throw e;
  }
  assert.fail('the registry loaded');
}

test('strict: every type issue of every entry is a load error naming file:line:col, expected and found', () => {
  const dir = project(STRICT);
  const lines = problemsOf(dir);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /src[/\\]a\.lua:2:21: entry app:a: type error: local x: expected number, found string "five"$/);
  assert.match(lines[1], /src[/\\]b\.lua:2:35: entry app:b: type error: too few arguments to add: expected 2, found 1$/);
});

test('enabled without strict: the issues are warnings and the registry loads', () => {
  const dir = project('lua:\n  type_system:\n    enabled: true\n');
  const { reg } = load(dir);
  assert.deepEqual(reg.typeCheck, { enabled: true, strict: false });
  assert.deepEqual(reg.warnings.map((w) => w.message), [
    'type error: local x: expected number, found string "five"', 'type error: too few arguments to add: expected 2, found 1']);
});

test('off by default, and when enabled is false: nothing is checked', () => {
  for (const config of [null, 'lua:\n  type_system:\n    enabled: false\n    strict: true\n']) {
    const { reg } = load(project(config));
    assert.equal(reg.typeCheck.enabled, false);
    assert.deepEqual(reg.warnings, []);
  }
});

test('a type_system value that is not a boolean is a warning, and checking stays off', () => {
  const { reg, warnings } = load(project('lua:\n  type_system:\n    enabled: yes please\n'));
  assert.equal(reg.typeCheck.enabled, false);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /\.wippy\.yaml: warning: lua\.type_system\.enabled "yes please" is not true or false; taken as false$/);
});

test('wippy run --type-check refuses a typed workflow with a type error before anything starts or the store is opened', () => {
  const dir = withRegistry({
    'registry.yaml': registryYaml('app', [...temporalEntries('app', 'q'), workflowEntry('app', 'flow', 'flow.lua')]),
    'flow.lua': 'local function main(n: number): string\n  return n * 2\nend\nreturn { main = main }\n',
  });
  const r = wippy(['run', dir, '--type-check', '-x', 'app:flow', '2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /flow\.lua:2:10: entry app:flow: type error: return value 1 of main: expected string, found number/);
  assertNoJsStack(r.stderr);
  assert.equal(fs.existsSync(path.join(dir, '.wippy', 'state.db')), false, 'the store was opened');
  // Without the flag (and no .wippy.yaml) it runs: checking is off by default.
  const off = wippy(['run', dir, '--virtual-time', '-x', 'app:flow', '2']);
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.stdout.trim().split('\n').pop(), '4');
});

test('wippy run refuses the same when .wippy.yaml in the folder it runs from turns strict checking on', () => {
  const dir = project(STRICT);
  const r = wippy(['run', 'src', '-x', 'app:a'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 2);
  assert.match(r.stderr, /a\.lua:2:21: entry app:a: type error: local x: expected number/);
  // From another folder the file is not read: checking is off and the entry runs.
  const elsewhere = wippy(['run', path.join(dir, 'src'), '-x', 'app:a']);
  assert.equal(elsewhere.code, 0, elsewhere.stderr);
  assert.equal(elsewhere.stdout.trim().split('\n').pop(), '"five"');
});

test('wippy check: exit 2 with one line per error, --json for editors, exit 0 once fixed', () => {
  const dir = project(null);
  const r = wippy(['check', path.join(dir, 'src')]);
  assert.equal(r.code, 2);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /a\.lua:2:21: entry app:a: type error: local x: expected number, found string "five"$/);
  assert.match(lines[1], /b\.lua:2:35: entry app:b: type error: too few arguments to add/);
  assert.equal(lines[2], '2 errors, 0 warnings');
  const j = wippy(['check', path.join(dir, 'src'), '--json']);
  assert.equal(j.code, 2);
  const out = JSON.parse(j.stdout) as { ok: boolean; errors: { file: string; line: number; column: number; entry: string; message: string }[] };
  assert.equal(out.ok, false);
  assert.deepEqual(out.errors.map((e) => [path.basename(e.file), e.line, e.column, e.entry]), [['a.lua', 2, 21, 'app:a'], ['b.lua', 2, 35, 'app:b']]);
  fs.writeFileSync(path.join(dir, 'src', 'a.lua'), RIGHT);
  fs.writeFileSync(path.join(dir, 'src', 'b.lua'), RIGHT);
  const ok = wippy(['check', path.join(dir, 'src')]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(ok.stdout.trim(), 'ok: 2 entries checked, 0 warnings');
});

test('wippy check also reports the other load problems (YAML, Lua syntax) in the same list', () => {
  const dir = withRegistry({
    'registry.yaml': registryYaml('app', [functionEntry('a', 'a.lua'), functionEntry('b', 'b.lua'), functionEntry('c', 'missing.lua')]),
    'a.lua': WRONG,
    'b.lua': 'return function( end',
  });
  const r = wippy(['check', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /a\.lua:2:21: .*type error/);
  assert.match(r.stdout, /entry app:b, field source: Lua syntax error/);
  assert.match(r.stdout, /entry app:c, field source: file not found/);
  assert.match(r.stdout, /^3 errors, 0 warnings$/m);
});
