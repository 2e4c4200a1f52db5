/**
 * Temp folders for tests and benches, removed when they are done.
 *
 * Owns: making every temp folder a test or a bench writes (`tempDir`), and removing them: when the
 * test that asked ends (pass its context `t`: `t.after`), else when the process exits (`node
 * --test` runs each test file in a process of its own). `WIPPY_KEEP_TMP=1` keeps them all and
 * prints where they are when the process exits; `keepTemp(dir)` keeps one (a failed soak's
 * post-mortem).
 *
 * Invariants: every folder is made under os.tmpdir() with a `wippy-` prefix, so a leak is easy
 * to count (`ls -d /tmp/wippy-*`); removal never throws (a folder a child process still writes
 * into, or one already removed, is skipped); nothing is removed while WIPPY_KEEP_TMP=1.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** `WIPPY_KEEP_TMP=1`: keep every temp folder (printed at exit). */
export const KEEP_TMP = process.env.WIPPY_KEEP_TMP === '1';

/** What `tempDir` needs of a test context (node:test's `t`). */
export interface AfterHook { after(fn: () => void | Promise<void>): void }

const pending = new Set<string>();
const kept = new Set<string>();

function removeNow(dir: string): void {
  pending.delete(dir);
  try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* in use or gone: the exit hook or the OS */ }
}

process.on('exit', () => {
  if (KEEP_TMP) {
    const all = [...kept, ...pending];
    if (all.length) process.stderr.write(`testkit: WIPPY_KEEP_TMP=1: kept ${all.length} temp folder${all.length === 1 ? '' : 's'}: ${all.join(' ')}\n`);
    return;
  }
  for (const dir of [...pending]) removeNow(dir);
});

/**
 * A new empty folder `os.tmpdir()/PREFIX…`, removed when test `t` ends (when given) or when the
 * process exits; `prefix` must start with `wippy-`.
 */
export function tempDir(prefix = 'wippy-test-', t?: AfterHook): string {
  if (!prefix.startsWith('wippy-')) throw new Error(`testkit tempDir: prefix ${prefix} must start with wippy- (so a leak is easy to count)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  pending.add(dir);
  if (t && !KEEP_TMP) t.after(() => removeNow(dir));
  return dir;
}

/** Keep `dir` after the process exits (say where it is yourself); it is never removed. */
export function keepTemp(dir: string): void {
  pending.delete(dir);
  kept.add(dir);
}

/** Remove `dir` now (a bench that is done with its store), unless WIPPY_KEEP_TMP=1. */
export function removeTemp(dir: string): void {
  if (!KEEP_TMP) removeNow(dir);
}
