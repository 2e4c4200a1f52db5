/**
 * Where a temporal.client keeps its workflow store: the rule behind "one registry always means one
 * default store" (SPEC section 5).
 *
 * Owns: the project root (the nearest folder at or above a path that holds one of Wippy's project
 * files, `.wippy.yaml` or `wippy.lock`), the default store of a client without `store:`, and the
 * resolution of a written `store:`. The rule:
 * - a client inside a project keeps its default store in `<project root>/.wippy/state.db`;
 * - a client outside any project keeps it in `.wippy/state.db` beside the YAML file that declares
 *   it (as if that file said `store: .wippy/state.db`);
 * - a written `store:` is relative to the YAML file that declares it.
 * Invariant: the store depends only on where the declaring file is, never on the path a command
 * was given (`src`, `src/_index.yaml`, `.`) or the folder it runs from; `wippy run` (through the
 * registry) and `wippy workflow` (through app/control/store-select.ts) both use this module.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The files that make a folder a Wippy project root. */
export const PROJECT_FILES: readonly string[] = ['.wippy.yaml', 'wippy.lock'];

/** `.wippy/state.db`, relative to the folder it is anchored to. */
export const DEFAULT_STORE = path.join('.wippy', 'state.db');

/** The nearest folder at or above `dir` (absolute or relative to the cwd) holding a project file; null when none. */
export function projectRoot(dir: string): string | null {
  let d = path.resolve(dir);
  for (;;) {
    if (PROJECT_FILES.some((f) => isFile(path.join(d, f)))) return d;
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/** The default store of a temporal.client declared in `file` (absolute). */
export function defaultStorePath(file: string): string {
  const dir = path.dirname(file);
  return path.join(projectRoot(dir) ?? dir, DEFAULT_STORE);
}

/**
 * The store of a client declared in `file` whose `store:` is `written` (undefined when absent):
 * absolute, or `:memory:` (SQLite's in-memory database). A `file://` prefix is tolerated.
 */
export function clientStorePath(file: string, written: string | undefined): string {
  if (written === undefined) return defaultStorePath(file);
  // A server's URL (postgres://...) is where it is; runtime/store checks the scheme.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(written) && !written.startsWith('file://')) return written;
  const p = written.startsWith('file://') ? written.slice('file://'.length) : written;
  return p === ':memory:' ? p : path.resolve(path.dirname(file), p);
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
