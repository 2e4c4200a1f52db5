// The bad-input corpus harness: copy a corpus folder (test/reliability/corpus) to a temp dir,
// run the real binary there, and check the exact stderr, exit status, no JS stack, and an intact
// store. The cases are in corpus-registry, corpus-lua and corpus-store.test.ts (split so each file
// stays well inside the per-file timeout on a loaded machine).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { integrityCheck } from '../../runtime/store';
import { tempDir } from '../../testkit/temp';
import { ROOT, wippyAsync } from '../../testkit/wippy';
import { ENTRY_KINDS } from '../../registry/types';

export const CORPUS = path.join(ROOT, 'test/reliability/corpus');

/** A copy of a corpus folder in a temp folder (runs may write a store beside the registry). */
export function copyOf(rel: string): string {
  const dir = tempDir('wippy-corpus-');
  fs.cpSync(path.join(CORPUS, rel), dir, { recursive: true });
  return dir;
}

export interface Case {
  name: string;
  /** Corpus folder copied to a temp dir that becomes the cwd (`.` is the registry). */
  corpus: string;
  args: (dir: string) => string[];
  code: number;
  /** The whole of stderr (exact), or a pattern for it. */
  stderr: string | RegExp | ((dir: string) => string);
  stdout?: string;
}

export async function runCase(c: Case): Promise<void> {
  const dir = copyOf(c.corpus);
  const r = await wippyAsync(c.args(dir), { cwd: dir });
  const where = `case ${c.name}: exit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`;
  assert.equal(r.code, c.code, where);
  assertNoJsStack(r.stderr);
  const expected = typeof c.stderr === 'function' ? c.stderr(dir) : c.stderr;
  if (expected instanceof RegExp) assert.match(r.stderr, expected, where);
  else assert.equal(r.stderr, expected, where);
  assert.equal(r.stdout, c.stdout ?? '', where);
  const db = path.join(dir, 'state.db');
  if (fs.existsSync(db)) assert.equal(integrityCheck(db), 'ok', `${where}\nstore integrity`);
}

/** The kinds the refusal lists, as registry/types.ts has them (each branch that adds a kind adds it there). */
export const KINDS = ENTRY_KINDS.join(', ');
