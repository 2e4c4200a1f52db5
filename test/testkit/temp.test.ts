// The testkit's temp folders (testkit/temp.ts) do not outlive their test: a folder made with the
// test's context is gone once the test ends, every other one when the process exits; with
// WIPPY_KEEP_TMP=1 they all stay and the process says where. Checked on child processes, so the
// exit hook really runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir } from '../../testkit/temp';
import { ROOT } from '../../testkit/wippy';

const TEMP = path.join(ROOT, 'dist', 'testkit', 'temp.js');

/** A child node that makes `n` temp folders (one of them kept with keepTemp) and prints them. */
function child(env: Record<string, string | undefined>): { dirs: string[]; kept: string; stderr: string } {
  const script = `const t = require(${JSON.stringify(TEMP)});
const dirs = [t.tempDir(), t.tempDir('wippy-other-')];
require('fs').writeFileSync(require('path').join(dirs[0], 'f'), 'x');
const kept = t.tempDir(); t.keepTemp(kept);
console.log(JSON.stringify({ dirs, kept }));`;
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) { if (v === undefined) delete e[k]; else e[k] = v; }
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: e });
  assert.equal(r.status, 0, r.stderr);
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

test('temp folders are removed when the process exits; keepTemp keeps one', () => {
  const { dirs, kept, stderr } = child({ WIPPY_KEEP_TMP: undefined });
  assert.equal(dirs.length, 2);
  for (const d of dirs) assert.equal(fs.existsSync(d), false, `${d} was removed`);
  assert.equal(fs.existsSync(kept), true, 'the kept one stays');
  assert.equal(stderr, '');
  fs.rmSync(kept, { recursive: true, force: true });
});

test('WIPPY_KEEP_TMP=1 keeps every temp folder and prints where they are', () => {
  const { dirs, kept, stderr } = child({ WIPPY_KEEP_TMP: '1' });
  for (const d of [...dirs, kept]) {
    assert.equal(fs.existsSync(d), true, `${d} was kept`);
    assert.ok(stderr.includes(d), `stderr names ${d}: ${stderr}`);
    fs.rmSync(d, { recursive: true, force: true });
  }
  assert.match(stderr, /^testkit: WIPPY_KEEP_TMP=1: kept 3 temp folders: /);
});

test('a temp folder made with a test context is removed when that test ends', async (t) => {
  let dir = '';
  await t.test('makes a folder', (st) => {
    dir = tempDir('wippy-test-', st);
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    assert.equal(fs.existsSync(dir), true);
  });
  assert.ok(dir);
  assert.equal(fs.existsSync(dir), false, 'gone once the subtest ended');
});

test('a prefix that does not start with wippy- is refused (leaks stay easy to count)', () => {
  assert.throws(() => tempDir('other-'), /must start with wippy-/);
});
