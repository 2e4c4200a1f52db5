// The bad-input corpus, registries: broken registries (corpus/registries), a generated 20 MB file and
// a generated deeply nested one, through the real binary (harness: corpus-harness.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { tempDir } from '../../testkit/temp';
import { pool } from '../../testkit/wait';
import { wippyAsync } from '../../testkit/wippy';
import { runCase, KINDS, type Case } from './corpus-harness';


// ---------------------------------------------------------------- registries

const REGISTRY_CASES: Case[] = [
  {
    name: 'broken YAML', corpus: 'registries/broken-yaml', args: () => ['run', '.'], code: 2,
    stderr: 'error: registry.yaml:5:5: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n',
  },
  {
    name: 'unknown kind', corpus: 'registries/unknown-kind', args: () => ['run', '.', '-x', 'app:charge'], code: 2,
    stderr: `error: registry.yaml:4: entry app:charge, field kind: unknown kind functon.lua (did you mean function.lua?); valid kinds: ${KINDS}\n`,
  },
  {
    name: 'wrong field types (one line each)', corpus: 'registries/wrong-types', args: () => ['run', '.'], code: 2,
    stderr: [
      'error: registry.yaml:6: entry app:f, field modules: expected a list of strings, got a string "json"; write modules: [json]',
      'registry.yaml:10: entry app:h, field lifecycle.auto_start: expected true or false, got a string "yes"',
      'registry.yaml:11: entry app:h, field lifecycle.restart.max_attempts: expected a whole number >= 0 (0 = unlimited), got a number 1.5',
      'registry.yaml:14: entry app:w, field client: expected a reference like app:name or name, got a number 42',
      'registry.yaml:15: entry app:w, field task_queue: expected a non-empty string, got a list',
      '',
    ].join('\n'),
  },
  {
    name: 'a cycle in requires', corpus: 'registries/requires-cycle', args: () => ['run', '.'], code: 2,
    stderr: 'error: registry.yaml:12: entry app:a, field lifecycle.requires: requires cycle: app:a -> app:b -> app:c -> app:a; an entry cannot depend on itself, directly or through others\n',
  },
  {
    name: 'a source outside the registry (file://../x.lua)', corpus: 'registries/escape', args: () => ['run', 'reg', '-x', 'app:f'], code: 2,
    stderr: (dir) => `error: reg/registry.yaml:5: entry app:f, field source: ../outside.lua escapes the registry root ${fs.realpathSync(dir)}/reg (resolved to ${fs.realpathSync(dir)}/outside.lua); keep sources inside the registry folder\n`,
  },
  {
    name: 'a Lua syntax error', corpus: 'registries/lua-syntax', args: () => ['run', '.', '-x', 'app:bad'], code: 2,
    stderr: "error: registry.yaml:5: entry app:bad, field source: Lua syntax error: bad.lua:5: unexpected symbol near 'end'\n",
  },
  {
    name: 'durations "1d", "-5s" and "" in a registry', corpus: 'registries/durations', args: () => ['run', '.'], code: 2,
    stderr: [
      'error: registry.yaml:13: entry app:s, field lifecycle.stable_threshold: invalid duration "": it is empty; write a number with a unit, e.g. "1h30m", "10s" or "500ms"',
      'registry.yaml:14: entry app:s, field lifecycle.restart.initial_delay: invalid duration "1d": "d" (days) is not a unit; write hours instead, e.g. "24h"',
      'registry.yaml:14: entry app:s, field lifecycle.restart.max_delay: invalid duration "-5s": durations must be positive or zero (e.g. "1h30m", "10s" or "500ms")',
      '',
    ].join('\n'),
  },
  {
    name: 'the same id in two files', corpus: 'registries/duplicate-id', args: () => ['run', '.'], code: 2,
    stderr: 'error: b.yaml:3: entry app:h: duplicate id app:h: already declared at a.yaml:3; rename one of them\n',
  },
  {
    name: 'a file that is not a map', corpus: 'registries/not-a-map', args: () => ['run', '.'], code: 2,
    stderr: 'error: registry.yaml:1: expected a map with namespace and entries, got a list\n',
  },
  {
    name: 'a YAML alias bomb', corpus: 'registries/yaml-alias-bomb', args: () => ['run', '.'], code: 2,
    stderr: 'error: registry.yaml: invalid YAML: Excessive alias count indicates a resource exhaustion attack\n',
  },
  {
    // Looking the entry point up in a returned table runs its __index: it used to panic Fengari.
    name: 'a module table whose __index raises', corpus: 'registries/entry-lookup-raises', args: () => ['run', '.', '-x', 'app:f'], code: 1,
    stderr: "error: Invalid: app:f: f.lua: looking up its entry point 'main' failed: f.lua:2: no field main\n",
  },
];

test('registry corpus: each mistake is one line with file, line and field; exit 2; nothing starts', async () => {
  await pool(REGISTRY_CASES, 3, runCase);
});

test('a 20 MB registry file with a mistake after the huge part: reported with its line', async () => {
  const dir = tempDir('wippy-corpus-');
  const big = 'x'.repeat(20 * 1024 * 1024);
  fs.writeFileSync(path.join(dir, 'registry.yaml'),
    `namespace: app\nmeta: {comment: "${big}"}\nentries:\n  - name: h\n    kind: process.host\n  - name: s\n    kind: proces.service\n`);
  const r = await wippyAsync(['run', '.'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `error: registry.yaml:7: entry app:s, field kind: unknown kind proces.service (did you mean process.service?); valid kinds: ${KINDS}\n`);
  assert.equal(r.stdout, '');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('YAML nested 50,000 levels deep: a one-line YAML error with its position, not a crash', async () => {
  const dir = tempDir('wippy-corpus-');
  fs.writeFileSync(path.join(dir, 'registry.yaml'),
    `namespace: app\nentries:\n  - name: h\n    kind: process.host\n    meta: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
  const r = await wippyAsync(['run', '.'], { cwd: dir });
  assert.equal(r.code, 2);
  assertNoJsStack(r.stderr);
  // The parser's own recursion limit is what stops it; the column depends on the JS stack size.
  assert.match(r.stderr, /^error: registry\.yaml:5:\d+: invalid YAML: Maximum call stack size exceeded\n$/);
});

// ---------------------------------------------------------------- Lua at run time
