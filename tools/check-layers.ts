/**
 * The import check: every import of the sources points down a layer, no two Lua modules import
 * each other, and no import closes a circle (docs/architecture.md has the layers and why).
 *
 * Owns: the layer table (which top-level folder may import which), the extra rules (the one
 * facade of lua-stdlib, the one composition root, where each npm package may be used), reading
 * the import graph of every source file with TypeScript's own parser, and the report. Run by
 * `npm test` before the tests (`node dist/tools/check-layers.js [ROOT]`: exit 1 on any violation).
 *
 * Invariants: every import form counts (static and type-only imports, `export ... from`, `import()`
 * and `require()` with a literal path), since a type-only import circle is still a circle for a
 * reader; test/, bench/, testkit/ and tools/ are not sources: they may import any layer, no source
 * imports them, and among themselves they import only what HARNESS allows (tests and benches
 * share testkit/, never each other); a source file outside every layer is itself a violation; files over MAX_LINES are reported,
 * never failed (splitting them is ordinary work, not a broken rule).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules } from 'node:module';
import * as ts from 'typescript';

/** The layers bottom-up, each with the layers it may import (its own is always allowed). */
export const LAYERS: ReadonlyArray<{ dir: string; may: readonly string[]; what: string }> = [
  { dir: 'base', may: [], what: 'error codes and kinds, exit statuses, dispositions, durations, ids, payloads, clocks' },
  { dir: 'registry', may: ['base'], what: 'YAML loading and entry kinds' },
  { dir: 'lua', may: ['base', 'registry'], what: 'the Fengari host, the Services contract and the facade lua/api.ts' },
  { dir: 'lua-stdlib', may: ['base', 'lua'], what: 'the Lua modules, through lua/api.ts only' },
  { dir: 'runtime', may: ['base', 'registry', 'lua'], what: 'the kernel: store, engine, processes, functions' },
  { dir: 'app', may: ['base', 'registry', 'lua', 'lua-stdlib', 'runtime'], what: 'the composition root, supervisor, golden files, control' },
  { dir: 'bin', may: ['base', 'registry', 'lua', 'runtime', 'app'], what: 'the CLI wiring' },
];

/** The one file of lua/ that Lua modules may import. */
export const LUA_FACADE = 'lua/api.ts';
/** The one file that may import lua-stdlib/ (wires the modules into the host and the kernel). */
export const COMPOSITION_ROOT = 'app/runtime.ts';
/** The registration point of lua-stdlib/: the one file there that imports the modules. */
export const STDLIB_INDEX = 'lua-stdlib/index.ts';
/** npm packages and the folders that may use them (node builtins may be used anywhere). */
export const PACKAGES: Readonly<Record<string, readonly string[]>> = {
  fengari: ['lua/'],
  'better-sqlite3': ['runtime/store/', 'runtime/resources/sqlite-'],
  pg: ['runtime/resources/postgres-', 'runtime/store/postgres-worker'],
  yaml: ['registry/', 'lua-stdlib/yaml.ts', 'lua-stdlib/payload.ts'],
  '@cfworker/json-schema': ['lua-stdlib/json.ts'],
  re2js: ['lua-stdlib/text/'],
  'diff-match-patch': ['lua-stdlib/text/'],
  commander: ['bin/'],
  // Dev only: the harness drives Chromium with it (testkit/ui.ts); no source imports it.
  'playwright-core': ['testkit/'],
};
/**
 * The folders that are not layers (the harness) and which of them each may import, besides any
 * layer: the tests and the benchmarks share testkit/ and never import each other; testkit/ is
 * shared by both, so it imports neither; test/ also checks tools/. No source imports any of them.
 */
export const HARNESS: Readonly<Record<string, readonly string[]>> = {
  testkit: [],
  test: ['testkit', 'tools'],
  bench: ['testkit'],
  tools: [],
};

/** Longer files are listed in the report (not a failure). */
export const MAX_LINES = 400;

export interface Import {
  /** The module text as written. */
  spec: string;
  line: number;
}

export interface SourceFile {
  /** Path relative to the root, with `/` separators. */
  file: string;
  lines: number;
  imports: Import[];
}

export interface Violation {
  file: string;
  line: number;
  rule: 'outside-layers' | 'upward' | 'facade' | 'composition-root' | 'module-to-module' | 'package' | 'circle' | 'harness';
  message: string;
}

/** Every module path a file imports, in any form, with its line. */
export function importsOf(fileName: string, text: string): Import[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const out: Import[] = [];
  const add = (lit: ts.StringLiteral) => out.push({ spec: lit.text, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1 });
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) add(n.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) add(n.moduleReference.expression);
    else if (ts.isCallExpression(n) && n.arguments.length > 0 && ts.isStringLiteral(n.arguments[0])
      && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))) add(n.arguments[0]);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

const NOT_SOURCES = new Set(['node_modules', 'dist', 'types', 'examples', 'docs', 'patches', ...Object.keys(HARNESS)]);

/** The source files under `root`: every .ts file outside test/, bench/, testkit/, tools/ and the like. */
export function readSources(root: string): SourceFile[] {
  return readTs(root, (top) => !NOT_SOURCES.has(top));
}

/** The harness files under `root`: every .ts file (tests included) of the HARNESS folders. */
export function readHarness(root: string): SourceFile[] {
  return readTs(root, (top, isDir) => isDir && top in HARNESS, true);
}

/** Every .ts file under the entries of `root` that `takeTop` takes (test files only `withTests`). */
function readTs(root: string, takeTop: (name: string, isDir: boolean) => boolean, withTests = false): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || (dir === root && !takeTop(e.name, e.isDirectory()))) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && (withTests || !e.name.endsWith('.test.ts'))) {
        const text = fs.readFileSync(p, 'utf8');
        out.push({ file: path.relative(root, p).split(path.sep).join('/'), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports: importsOf(p, text) });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

function layerOf(file: string): string | null {
  const top = file.split('/')[0];
  return LAYERS.some((l) => l.dir === top) ? top : null;
}

/** `lua-stdlib/time-format.ts` and `lua-stdlib/time/x.ts` belong to module `time`; null for the index. */
export function stdlibModuleOf(file: string): string | null {
  if (file === STDLIB_INDEX) return null;
  const rest = file.slice('lua-stdlib/'.length);
  return rest.split('/')[0].replace(/\.ts$/, '').split('-')[0];
}

/** The file a relative import names (`./x` -> `dir/x.ts` or `dir/x/index.ts`); null when none. */
function resolve(from: string, spec: string, known: ReadonlySet<string>): string | null {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec.replace(/\.js$/, '')));
  for (const c of [`${base}.ts`, `${base}/index.ts`, base]) if (known.has(c)) return c;
  return null;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const BUILTINS = new Set(builtinModules);

/** Check one import of `file`; returns the violation or null. */
function checkEdge(file: string, imp: Import, to: string): Violation | null {
  const from = layerOf(file)!;
  const target = layerOf(to);
  const v = (rule: Violation['rule'], message: string): Violation => ({ file, line: imp.line, rule, message });
  if (target === null) return v('outside-layers', `${file} imports ${to}, which is in no layer: move it into one of ${LAYERS.map((l) => l.dir).join(', ')}`);
  if (target === 'lua-stdlib' && from !== 'lua-stdlib' && file !== COMPOSITION_ROOT) {
    return v('composition-root', `${file} imports ${to}: only the composition root (${COMPOSITION_ROOT}) wires Lua modules in; take what you need from it (or from lua/ if the kernel needs it)`);
  }
  if (from !== target && !LAYERS.find((l) => l.dir === from)!.may.includes(target)) {
    const may = LAYERS.find((l) => l.dir === from)!.may;
    return v('upward', `${file} imports ${to}: ${from}/ may import only ${may.length ? may.map((m) => `${m}/`).join(', ') : 'node builtins'}; move what it needs down a layer, or declare an interface here that the upper layer implements`);
  }
  if (from === 'lua-stdlib' && target === 'lua' && to !== LUA_FACADE) {
    return v('facade', `${file} imports ${to}: Lua modules reach the host only through ${LUA_FACADE}; export what it needs there`);
  }
  if (from === 'lua-stdlib' && target === 'lua-stdlib' && file !== STDLIB_INDEX) {
    const a = stdlibModuleOf(file);
    const b = stdlibModuleOf(to);
    if (a !== b) return v('module-to-module', `${file} imports ${to}: one Lua module never imports another (module ${a} -> ${b}); move what they share into lua/ (exported by ${LUA_FACADE}) or base/`);
  }
  return null;
}

function checkPackage(file: string, imp: Import): Violation | null {
  const name = packageName(imp.spec.replace(/^node:/, ''));
  if (imp.spec.startsWith('node:') || BUILTINS.has(name)) return null;
  const where = PACKAGES[name];
  const v = (message: string): Violation => ({ file, line: imp.line, rule: 'package', message });
  if (!where) return v(`${file} imports the package ${name}, which PACKAGES in tools/check-layers.ts does not list: add it with the folders that may use it`);
  if (!where.some((w) => file.startsWith(w))) return v(`${file} imports ${name}: only ${where.join(', ')} may use it (keep the package behind that layer)`);
  return null;
}

/** Import circles: strongly connected groups of files (Tarjan), each as a path that closes. */
export function findCircles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (;;) { const w = stack.pop()!; onStack.delete(w); group.push(w); if (w === v) break; }
    if (group.length > 1 || edges.get(v)?.has(v)) groups.push(group);
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.map((g) => circlePath(g, edges));
}

/** One concrete circle through a group: a -> b -> ... -> a (what a reader follows to break it). */
function circlePath(group: string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const inGroup = new Set(group);
  const start = [...group].sort()[0];
  // Breadth-first from start back to start, inside the group.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of [...(edges.get(v) ?? [])].sort()) {
      if (!inGroup.has(w)) continue;
      if (w === start) {
        const p = [start];
        for (let x = v; x !== start; x = prev.get(x)!) p.splice(1, 0, x);
        return [...p, start];
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return [...group, group[0]];
}

/** Every violation in a set of source files (paths relative to one root). */
export function checkSources(sources: readonly SourceFile[]): Violation[] {
  const known = new Set(sources.map((s) => s.file));
  const out: Violation[] = [];
  const edges = new Map<string, Set<string>>();
  for (const s of sources) {
    edges.set(s.file, new Set());
    if (layerOf(s.file) === null) {
      out.push({ file: s.file, line: 1, rule: 'outside-layers', message: `${s.file} is in no layer: move it into one of ${LAYERS.map((l) => `${l.dir}/`).join(', ')} (docs/architecture.md)` });
      continue;
    }
    for (const imp of s.imports) {
      if (!imp.spec.startsWith('.')) {
        const p = checkPackage(s.file, imp);
        if (p) out.push(p);
        continue;
      }
      const to = resolve(s.file, imp.spec, known);
      if (!to) continue; // a .d.ts or a file outside the sources: the compiler checks it exists
      edges.get(s.file)!.add(to);
      const v = checkEdge(s.file, imp, to);
      if (v) out.push(v);
    }
  }
  for (const c of findCircles(edges)) {
    out.push({ file: c[0], line: 1, rule: 'circle', message: `import circle: ${c.join(' -> ')}; break it by declaring the interface where it is used (the importer of the lower file)` });
  }
  return out;
}

/** The top folder a relative import of `file` lands in. */
function topOf(file: string, spec: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).split('/')[0];
}

/**
 * Imports into and within the harness: no source imports a HARNESS folder, and a harness file
 * imports only the layers and the HARNESS folders its own folder lists.
 */
export function checkHarness(sources: readonly SourceFile[], harness: readonly SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const s of sources) {
    for (const imp of s.imports) {
      const top = imp.spec.startsWith('.') ? topOf(s.file, imp.spec) : null;
      if (top !== null && top in HARNESS) out.push({ file: s.file, line: imp.line, rule: 'harness', message: `${s.file} imports ${top}/: the sources never import the tests, benchmarks, testkit or tools; move what it needs into a layer` });
    }
  }
  for (const h of harness) {
    const from = h.file.split('/')[0];
    for (const imp of h.imports) {
      const top = imp.spec.startsWith('.') ? topOf(h.file, imp.spec) : null;
      if (top === null || top === from || !(top in HARNESS) || HARNESS[from].includes(top)) continue;
      const may = HARNESS[from];
      out.push({ file: h.file, line: imp.line, rule: 'harness', message: `${h.file} imports ${top}/: ${from}/ may import the layers${may.length ? ` and ${may.map((m) => `${m}/`).join(', ')}` : ''} only; what tests and benchmarks share goes in testkit/` });
    }
  }
  return out;
}

/** Source files longer than MAX_LINES, longest first. */
export function longFiles(sources: readonly SourceFile[]): SourceFile[] {
  return sources.filter((s) => s.lines > MAX_LINES).sort((a, b) => b.lines - a.lines);
}

/** The CLI: check the tree at `root`; print violations (exit 1) and the long files (a note). */
export function main(root: string): number {
  const sources = readSources(root);
  const harness = readHarness(root);
  const violations = [...checkSources(sources), ...checkHarness(sources, harness)];
  for (const v of violations) process.stderr.write(`check-layers: ${v.file}:${v.line}: ${v.rule}: ${v.message}\n`);
  const long = longFiles(sources);
  if (long.length) process.stderr.write(`check-layers: note: over ${MAX_LINES} lines: ${long.map((s) => `${s.file} (${s.lines})`).join(', ')}\n`);
  if (violations.length) {
    process.stderr.write(`check-layers: ${violations.length} violation${violations.length === 1 ? '' : 's'} in ${sources.length} files (docs/architecture.md says where things go)\n`);
    return 1;
  }
  process.stderr.write(`check-layers: ${sources.length} files, every import points down, no circles; ${harness.length} test, bench and testkit files share only testkit/\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..')));
