// The import check (tools/check-layers.ts, run by `npm test` before the tests): it passes on this
// repository, and fails on a copy of it with one bad import injected: an upward import, a circle,
// a Lua module importing another module or reaching past lua/api.ts; and between the tests, the
// benchmarks and the testkit they share, an import other than into testkit/.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkSources, checkHarness, readSources, readHarness, LAYERS, type Violation } from '../../tools/check-layers';
import { tempDir } from '../../testkit/temp';
import { ROOT } from '../../testkit/wippy';

const CHECK = path.join(ROOT, 'dist', 'tools', 'check-layers.js');

function runCheck(root: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CHECK, root], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

/** A copy of the repository's source layers (what the check reads), to break on purpose. */
const copies: string[] = [];
after(() => { for (const d of copies) fs.rmSync(d, { recursive: true, force: true }); });

function copyOfSources(): string {
  const dir = tempDir('wippy-layers-');
  copies.push(dir);
  for (const l of LAYERS) fs.cpSync(path.join(ROOT, l.dir), path.join(dir, l.dir), { recursive: true, filter: (p) => !p.endsWith('.js') });
  return dir;
}

function inject(root: string, file: string, line: string): void {
  const p = path.join(root, file);
  fs.writeFileSync(p, `${line}\n${fs.readFileSync(p, 'utf8')}`);
}

function rules(root: string): Array<Pick<Violation, 'file' | 'rule'>> {
  return checkSources(readSources(root)).map((v) => ({ file: v.file, rule: v.rule }));
}

test('the check passes on this repository (every import points down, no circles)', () => {
  const r = runCheck(ROOT);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /every import points down, no circles/);
  assert.deepEqual(rules(ROOT), []);
});

test('an upward import fails the check: registry/ importing runtime/', () => {
  const root = copyOfSources();
  assert.deepEqual(rules(root), [], 'the copy starts clean');
  inject(root, 'registry/types.ts', "import type { HistoryStore } from '../runtime/store/store';");
  assert.deepEqual(rules(root), [{ file: 'registry/types.ts', rule: 'upward' }]);
  const r = runCheck(root);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /registry\/types\.ts:1: upward: .*registry\/ may import only base\//);
});

test('an import circle fails the check, even one made of type-only imports', () => {
  const root = copyOfSources();
  // base/exit.ts imports base/errors.ts; the other way round closes a circle inside one layer.
  inject(root, 'base/errors.ts', "import type { ExitOutcome } from './exit';");
  const found = rules(root);
  assert.deepEqual(found, [{ file: 'base/errors.ts', rule: 'circle' }]);
  assert.match(runCheck(root).stderr, /import circle: base\/errors\.ts -> base\/exit\.ts -> base\/errors\.ts/);
});

test('a Lua module importing another module, or a lua/ file other than lua/api.ts, fails the check', () => {
  const root = copyOfSources();
  inject(root, 'lua-stdlib/workflow.ts', "import { openFuncs } from './funcs';");
  inject(root, 'lua-stdlib/json.ts', "import { hostOf } from '../lua/host';");
  assert.deepEqual(rules(root), [
    { file: 'lua-stdlib/workflow.ts', rule: 'module-to-module' },
    { file: 'lua-stdlib/json.ts', rule: 'facade' },
  ].sort((a, b) => a.file.localeCompare(b.file)));
  // The files of one module (under time/) may import each other.
  const ok = copyOfSources();
  inject(ok, 'lua-stdlib/time/channels.ts', "import type { TimeParseError } from './gotime/layout';");
  assert.deepEqual(rules(ok), []);
});

test('the kernel may not wire Lua modules in: only app/runtime.ts imports lua-stdlib/', () => {
  const root = copyOfSources();
  inject(root, 'runtime/engine/engine.ts', "import { stdModule } from '../../lua-stdlib';");
  inject(root, 'app/golden/session.ts', "import { mailboxCodec } from '../../lua-stdlib/process';");
  assert.deepEqual(rules(root).map((v) => v.rule).sort(), ['composition-root', 'composition-root']);
});

test('tests and benches share testkit/ only: a bench importing test/, a test importing bench/, testkit/ importing either, or a source importing testkit/ fails the check', () => {
  const root = copyOfSources();
  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('testkit/wait.ts', 'export const tick = 1;\n');
  write('test/helpers/cli.ts', 'export const x = 1;\n');
  write('bench/fixture.ts', "import { tick } from '../testkit/wait';\nexport const y = tick;\n");
  write('test/ok.test.ts', "import { tick } from '../testkit/wait';\nimport { LAYERS } from '../tools/check-layers';\nimport { x } from './helpers/cli';\n");
  write('tools/check-layers.ts', 'export const LAYERS = [];\n');
  const harness = (r: string) => checkHarness(readSources(r), readHarness(r)).map((v) => ({ file: v.file, rule: v.rule }));
  assert.deepEqual(harness(root), [], 'testkit/ from test/ and bench/, tools/ from test/: allowed');
  write('bench/bad.ts', "import { x } from '../test/helpers/cli';\n");
  write('test/bad.test.ts', "import { y } from '../bench/fixture';\n");
  write('testkit/bad.ts', "import { x } from '../test/helpers/cli';\n");
  inject(root, 'app/runtime.ts', "import { tick } from '../testkit/wait';");
  assert.deepEqual(harness(root).sort((a, b) => a.file.localeCompare(b.file)), [
    { file: 'app/runtime.ts', rule: 'harness' },
    { file: 'bench/bad.ts', rule: 'harness' },
    { file: 'test/bad.test.ts', rule: 'harness' },
    { file: 'testkit/bad.ts', rule: 'harness' },
  ]);
  const r = runCheck(root);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bench\/bad\.ts:1: harness: .*bench\/ may import the layers and testkit\/ only/);
});
