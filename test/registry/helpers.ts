/**
 * Test helpers for the registry tests: temporary registry folders and problem assertions.
 * Not a test file itself (it declares no tests).
 */

import * as path from 'node:path';
import assert from 'node:assert/strict';
import { withRegistry } from '../../testkit/registry';
import { tempDir } from '../../testkit/temp';
import { loadRegistry, RegistryError, type LoadOptions, type Problem } from '../../registry';

/** The committed good registry (the tests run from dist/test/registry). */
export const GOOD = path.resolve(__dirname, '../../../test/registry/fixtures/good');

/** Write `files` (relative path -> content) into a fresh temp folder; returns the folder. */
export function tree(files: Record<string, string>): string {
  return withRegistry(files, tempDir('wippy-reg-'));
}

/** Load `target` expecting failure; returns the RegistryError. */
export function loadFails(target: string, opts?: LoadOptions): RegistryError {
  try {
    loadRegistry(target, opts);
  } catch (e) {
    assert.ok(e instanceof RegistryError, `expected RegistryError, got ${String(e)}`);
    assert.equal(e.code, 'REGISTRY_INVALID');
    assert.equal(e.userFacing, true);
    assert.ok(!/\n\s+at /.test(e.message), 'message must not contain a JS stack');
    assert.equal(e.message.split('\n').length, e.problems.length, 'one line per problem');
    return e;
  }
  assert.fail(`expected ${target} to fail to load`);
}

/**
 * The one problem in `err` (asserts there is exactly one) after checking that its formatted
 * line contains each of `parts`.
 */
export function onlyProblem(err: RegistryError, ...parts: string[]): Problem {
  assert.equal(err.problems.length, 1, `expected one problem, got:\n${err.message}`);
  for (const p of parts) assert.ok(err.message.includes(p), `expected "${p}" in:\n${err.message}`);
  return err.problems[0];
}

/** A Lua check that fails on any line containing `SYNTAX ERROR`, naming chunk and line. */
export function fakeCheckLua(source: string, chunkName: string): string | null {
  const lines = source.split('\n');
  const i = lines.findIndex((l) => l.includes('SYNTAX ERROR'));
  return i < 0 ? null : `${chunkName}:${i + 1}: unexpected symbol near 'ERROR'`;
}
