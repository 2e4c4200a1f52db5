/**
 * Running a child process as another user, for tests of permission errors. Root ignores file
 * permissions, so when the tests run as root the child runs as `nobody` (uid/gid 65534); as anyone
 * else it runs as that user, unchanged.
 *
 * `nobody` must be able to load the child's code. The clone may live in a folder it cannot enter
 * (`mktemp -d` makes mode 700 folders), so as root the child gets its own copy of what it loads in
 * a fresh world-readable temp folder: the compiled runtime (dist/ without its tests and bench),
 * bin/wippy.js, package.json, and the packages the runtime depends on (package.json
 * `dependencies` and theirs, without build intermediates and C sources). The copy is made once per
 * test process and removed when it exits.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../../testkit/wippy';

export interface OtherUser {
  /** Spawn options for the child: uid/gid when running as root, nothing otherwise. */
  spawn: { uid?: number; gid?: number };
  /** The folder the child's code is in (ROOT when not root). */
  root: string;
  /** bin/wippy.js in that folder. */
  wippy: string;
  /** A compiled module in that folder (a path relative to the repository root, e.g. `dist/runtime/store/index.js`). */
  module(rel: string): string;
}

const NOBODY = 65534;
const SKIP_DIRS = new Set(['obj', 'obj.target', '.deps', 'deps', 'test', 'bench']);
const SKIP_FILES = /\.(a|o|c|cc|cpp|h|hpp|map|md|gyp|gypi|mk)$|^Makefile$/;

let copy: string | null = null;

/** Copy `from` into `to`, skipping what is never loaded. */
function copyLoadable(from: string, to: string): void {
  if (fs.statSync(from).isDirectory()) {
    fs.mkdirSync(to, { recursive: true });
    for (const name of fs.readdirSync(from)) {
      if (!SKIP_DIRS.has(name) && !SKIP_FILES.test(name)) copyLoadable(path.join(from, name), path.join(to, name));
    }
    return;
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** Everyone may enter every folder and read every file (whatever the umask made them). */
function makeReadable(p: string): void {
  if (fs.statSync(p).isDirectory()) {
    fs.chmodSync(p, 0o755);
    for (const name of fs.readdirSync(p)) makeReadable(path.join(p, name));
  } else {
    fs.chmodSync(p, 0o644);
  }
}

/** The folder of package `name` as Node resolves it from `fromDir` (its node_modules, then up). */
function packageDir(name: string, fromDir: string): string {
  for (let d = fromDir; ; d = path.dirname(d)) {
    const p = path.join(d, 'node_modules', name);
    if (fs.existsSync(path.join(p, 'package.json'))) return p;
    if (d === ROOT || d === path.dirname(d)) throw new Error(`other-user copy: package ${name} not found from ${fromDir}`);
  }
}

/** Every package the runtime needs: package.json dependencies and theirs. */
function runtimePackages(): string[] {
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      const p = packageDir(name, dir);
      if (seen.has(p)) continue;
      seen.add(p);
      visit(p);
    }
  };
  visit(ROOT);
  return [...seen];
}

function makeCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wippy-as-nobody-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  for (const rel of ['package.json', path.join('bin', 'wippy.js'), 'dist', ...runtimePackages().map((p) => path.relative(ROOT, p))]) {
    copyLoadable(path.join(ROOT, rel), path.join(dir, rel));
  }
  makeReadable(dir);
  return dir;
}

/** How to run a child as another user (see the header). */
export function otherUser(): OtherUser {
  const asRoot = process.getuid?.() === 0;
  const root = asRoot ? (copy ??= makeCopy()) : ROOT;
  return {
    spawn: asRoot ? { uid: NOBODY, gid: NOBODY } : {},
    root,
    wippy: path.join(root, 'bin', 'wippy.js'),
    module: (rel) => path.join(root, rel),
  };
}
