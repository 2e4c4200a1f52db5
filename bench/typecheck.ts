/**
 * Benchmark: loading a ~20,000-line typed registry with type checking on, against loading the
 * same registry with it off (the target: at most 3x). Each load reads a fresh copy of the
 * registry (a salt in every file), so both pay the full compile: Fengari's chunk cache never
 * serves one from the other.
 *
 * The registry: `files` library.lua entries of typed Lua, each importing the one before it
 * (records with optional fields, unions, arrays, maps, typed functions calling each other and the
 * imported library), `linesPerFile` lines each.
 */
import * as path from 'node:path';
import { loadRegistry } from '../registry';
import { loadOptions } from '../app/runtime';
import { withRegistry } from '../testkit/registry';

export interface TypecheckResult { files: number; lines: number; uncheckedSeconds: number; checkedSeconds: number; ratio: number }

/** One typed library of about `lines` lines; `prev` is the import alias of the one before it, if any. */
function typedLibrary(i: number, lines: number, prev: string | null, salt: string): string {
  const out: string[] = [`-- library ${i} (${salt})`];
  if (prev) out.push(`local prev = require("${prev}")`);
  out.push(`type Point${i} = {x: number, y: number, label?: string}`);
  out.push(`type Shape${i} = {kind: "circle" | "square", size: number, tags: {string}, meta?: {[string]: string}}`);
  const exports: string[] = [`Point = Point${i}`];
  for (let k = 0; out.length < lines - 3; k++) {
    out.push(
      `local function dist${k}(a: Point${i}, b: Point${i}): number`,
      '  local dx: number = b.x - a.x',
      '  local dy: number = b.y - a.y',
      '  local name: string = (a.label or "p") .. tostring(a.x)',
      '  return math.sqrt(dx * dx + dy * dy) + #name',
      'end',
      `local function area${k}(s: Shape${i}, scale: number?): number`,
      '  local f: number = scale or 1',
      '  if s.kind == "circle" then return 3.14 * s.size * s.size * f end',
      '  local n: integer = #s.tags',
      '  for _, t in ipairs(s.tags) do n = n + #t end',
      '  return s.size * s.size * f + n',
      'end',
      `local function use${k}(): number`,
      `  local p: Point${i} = {x = ${k}, y = 2}`,
      `  local s: Shape${i} = {kind = "square", size = ${k + 1}, tags = {"a", "b"}}`,
      `  return dist${k}(p, {x = 0, y = 0}) + area${k}(s)${prev ? ' + prev.use0()' : ''}`,
      'end',
    );
    exports.push(`dist${k} = dist${k}`, `area${k} = area${k}`, `use${k} = use${k}`);
  }
  out.push(`return { ${exports.join(', ')} }`);
  return out.join('\n');
}

export function typedRegistry(files: number, linesPerFile: number, salt: string): string {
  const yaml: string[] = ['namespace: b', 'entries:'];
  const content: Record<string, string> = {};
  for (let i = 0; i < files; i++) {
    yaml.push(`  - name: lib${i}`, '    kind: library.lua', `    source: file://lib${i}.lua`);
    if (i > 0) yaml.push(`    imports: {prev: b:lib${i - 1}}`);
    content[`lib${i}.lua`] = typedLibrary(i, linesPerFile, i > 0 ? 'prev' : null, salt);
  }
  return withRegistry({ 'registry.yaml': `${yaml.join('\n')}\n`, ...content });
}

function timeLoad(dir: string, checked: boolean): number {
  const t0 = process.hrtime.bigint();
  const reg = loadRegistry(path.join(dir, 'registry.yaml'), loadOptions({ enabled: checked, strict: true }));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (reg.entries.size === 0) throw new Error('typecheck bench: nothing loaded');
  return s;
}

export function benchTypecheck(files = 100, linesPerFile = 200, runs = 3): TypecheckResult {
  let unchecked = Infinity, checked = Infinity;
  let lines = 0;
  for (let r = 0; r < runs; r++) {
    const a = typedRegistry(files, linesPerFile, `u${r}-${process.pid}`);
    unchecked = Math.min(unchecked, timeLoad(a, false));
    const b = typedRegistry(files, linesPerFile, `c${r}-${process.pid}`);
    checked = Math.min(checked, timeLoad(b, true));
    lines = files * linesPerFile;
  }
  return { files, lines, uncheckedSeconds: unchecked, checkedSeconds: checked, ratio: checked / unchecked };
}
