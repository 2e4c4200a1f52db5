/**
 * Registry files: finding them and turning each into raw entries with line numbers.
 *
 * Owns: the folder scan, YAML parsing, the file-level shape (`version`, `namespace`, `meta`,
 * `entries`) and the entry-level shape (`name`, `kind`, `meta`, everything else is data).
 * Invariants: files are read in sorted order (by path relative to the root, byte order) so ids,
 * problems and start order are the same on every machine; `node_modules` and every name starting
 * with a dot (`.wippy/`, `.wippy.yaml`) are skipped; a file that fails to parse contributes no
 * entries and is remembered as broken; a symlink inside the folder that leads outside it is
 * refused (a problem, not followed), while links that loop back inside are followed once; a file
 * without `namespace` is an error, never skipped (an empty file, with nothing to lose, is
 * skipped); file-level `meta` is deep-merged under each entry's own `meta` (the entry wins).
 * Nothing here knows entry kinds.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { describeValue, type ProblemSink } from './errors';
import { didYouMean } from './suggest';

/** A path into an entry's YAML: map keys and list indexes. */
export type FieldPath = ReadonlyArray<string | number>;

/** One entry as written, before kind-specific normalisation. */
export interface RawEntry {
  /** Absolute path of the YAML file. */
  file: string;
  /** 1-based line of the entry. */
  line?: number;
  namespace: string;
  name: string;
  id: string;
  /** As written; not yet checked against the known kinds. */
  kind: string;
  /** File-level meta merged with the entry's meta. */
  meta: Record<string, unknown>;
  /** Every key besides name/kind/meta (keys of an explicit `data:` map are lifted in). */
  data: Record<string, unknown>;
  /** Line of the field at `path` (relative to the entry), else its nearest ancestor's, else the entry's. */
  lineOf(path: FieldPath): number | undefined;
  /** Given through the registry module (registry/apply.ts): a Lua `source` may be the code itself. */
  inlineSource?: boolean;
}

export interface ParsedFiles {
  /** Absolute folder references are relative to (the folder given, or the file's folder). */
  root: string;
  /** Every YAML file found, absolute, sorted. */
  files: string[];
  /** Files that could not be parsed: their entries are unknown. */
  broken: string[];
  entries: RawEntry[];
}

const FILE_KEYS = ['version', 'namespace', 'meta', 'entries'];
const NAME_RE = /^[^\s:]+$/;

/** Find and parse every registry file under `target`. Problems go to `sink`. */
export function readRegistryFiles(target: string, sink: ProblemSink): ParsedFiles {
  const abs = path.resolve(target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    sink.add({ file: abs, message: 'no such file or folder; pass a registry YAML file or a folder of them' });
    return { root: abs, files: [], broken: [], entries: [] };
  }
  const root = stat.isDirectory() ? abs : path.dirname(abs);
  const files = stat.isDirectory() ? scanFolder(abs, sink) : [abs];
  if (stat.isDirectory() && files.length === 0 && sink.count === 0) {
    sink.add({ file: abs, message: 'no *.yaml or *.yml files found in this folder' });
  }
  const out: ParsedFiles = { root, files, broken: [], entries: [] };
  for (const file of files) {
    const entries = parseFile(file, sink);
    if (entries === undefined) out.broken.push(file);
    else for (const e of entries) out.entries.push(e); // no spread: a file may hold 200,000 entries
  }
  return out;
}

/**
 * `p` with every symlink resolved; for a path that does not exist, its nearest existing ancestor
 * resolved with the rest appended (so a missing file is still placed correctly).
 */
export function realPathOf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const up = path.dirname(p);
    return up === p ? p : path.join(realPathOf(up), path.basename(p));
  }
}

/** Whether `p` is `root` or below it (both absolute and already resolved). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Every *.yaml/*.yml below `dir`, sorted by relative path; skips node_modules and dot-names. A
 * symlink (to a folder or a YAML file) whose target lies outside `dir` is refused with a problem:
 * the registry is the folder given, not whatever its links reach.
 */
function scanFolder(dir: string, sink: ProblemSink): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const realRoot = realPathOf(dir);
  const walk = (d: string): void => {
    let real: string;
    let names: fs.Dirent[];
    try {
      real = fs.realpathSync(d);
      if (seen.has(real)) return; // a symlink loop
      seen.add(real);
      names = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      sink.add({ file: d, message: `cannot read folder: ${(e as Error).message}` });
      return;
    }
    for (const ent of names) {
      if (ent.name.startsWith('.') || ent.name === 'node_modules') continue;
      const full = path.join(d, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const st = fs.statSync(full);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // dangling link: not a registry file
        }
        const yaml = isFile && /\.ya?ml$/i.test(ent.name);
        const real = realPathOf(full);
        if ((isDir || yaml) && !isInside(realRoot, real)) {
          sink.add({ file: full, message: `this ${isDir ? 'folder' : 'file'} link resolves to ${real}, outside the registry folder ${dir}; registry files are read only inside it (move or copy them in, or remove the link)` });
          continue;
        }
      }
      if (isDir) walk(full);
      else if (isFile && /\.ya?ml$/i.test(ent.name)) found.push(full);
    }
  };
  walk(dir);
  const key = (f: string): string => path.relative(dir, f).split(path.sep).join('/');
  return found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Parse one file into raw entries; undefined when the file cannot be used at all. */
export function parseFile(file: string, sink: ProblemSink): RawEntry[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    sink.add({ file, message: `cannot read file: ${(e as Error).message}` });
    return undefined;
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = lc.linePos(err.pos[0]);
      sink.add({ file, line: pos.line, column: pos.col, message: `invalid YAML: ${err.message}` });
    }
    return undefined;
  }
  const lineAt = (n: unknown): number | undefined => {
    const r = (n as YamlNode | null)?.range;
    return r ? lc.linePos(r[0]).line : undefined;
  };
  let top: unknown;
  try {
    top = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    sink.add({ file, message: `invalid YAML: ${(e as Error).message}` });
    return undefined;
  }
  if (top === null || top === undefined) return []; // empty file: nothing declared, nothing lost
  if (!isPlainMap(top) || !isMap(doc.contents)) {
    sink.add({ file, line: lineAt(doc.contents), message: `expected a map with namespace and entries, got ${describeValue(top)}` });
    return undefined;
  }
  const topNode = doc.contents;
  const keyLine = (key: string): number | undefined => lineAt(topNode.items.find((p) => isScalar(p.key) && p.key.value === key)?.key);

  // Namespace: required, never guessed.
  const ns = top.namespace;
  if (ns === undefined || ns === null) {
    sink.add({ file, line: 1, field: 'namespace', message: 'missing namespace: every registry file needs one; add `namespace: app` at the top' });
    return undefined;
  }
  if (typeof ns !== 'string' || !NAME_RE.test(ns)) {
    sink.add({ file, line: keyLine('namespace'), field: 'namespace', message: `expected a namespace like app or app.api (no spaces or colons), got ${describeValue(ns)}` });
    return undefined;
  }
  if (top.version !== undefined && typeof top.version !== 'string' && typeof top.version !== 'number') {
    sink.add({ file, line: keyLine('version'), field: 'version', message: `expected a version string like "1.0", got ${describeValue(top.version)}` });
  }
  let fileMeta: Record<string, unknown> = {};
  const singleEntry = top.entries === undefined && top.kind !== undefined;
  if (!singleEntry && top.meta !== undefined) {
    if (isPlainMap(top.meta)) fileMeta = top.meta;
    else sink.add({ file, line: keyLine('meta'), field: 'meta', message: `expected a map, got ${describeValue(top.meta)}` });
  }

  // Entries: the `entries:` list, or (as Wippy allows) one entry written at the top level.
  let items: Array<{ value: unknown; node: unknown; label: string }>;
  if (singleEntry) {
    const { version: _v, namespace: _n, ...entry } = top;
    items = [{ value: entry, node: topNode, label: 'entry' }];
  } else {
    for (const p of topNode.items) {
      const k = isScalar(p.key) ? String(p.key.value) : undefined;
      if (k === undefined || FILE_KEYS.includes(k)) continue;
      const hint = didYouMean(k, FILE_KEYS);
      if (hint !== '' || top.entries === undefined) {
        sink.add({ file, line: lineAt(p.key), field: k, message: `unknown top-level key${hint}; a registry file has version, namespace, meta and entries` });
      }
    }
    if (top.entries === undefined || top.entries === null) return [];
    const listNode = topNode.get('entries', true);
    if (!Array.isArray(top.entries) || !isSeq(listNode)) {
      sink.add({ file, line: keyLine('entries'), field: 'entries', message: `expected a list of entries, got ${describeValue(top.entries)}` });
      return undefined;
    }
    items = top.entries.map((value, i) => ({ value, node: listNode.items[i], label: `entries[${i}]` }));
  }

  const out: RawEntry[] = [];
  for (const { value, node, label } of items) {
    const line = lineAt(node);
    if (!isPlainMap(value)) {
      sink.add({ file, line, field: label, message: `expected an entry (a map with name and kind), got ${describeValue(value)}` });
      continue;
    }
    const { name, kind, meta, ...rest } = value;
    let ok = true;
    const bad = (field: string, message: string): void => {
      ok = false;
      const entryNode = node as YamlNode;
      const fieldLine = isMap(entryNode) ? lineAt(entryNode.items.find((p) => isScalar(p.key) && p.key.value === field)?.key) : undefined;
      sink.add({ file, line: fieldLine ?? line, entry: typeof name === 'string' ? `${ns}:${name}` : undefined, field: typeof name === 'string' ? field : `${label}.${field}`, message });
    };
    if (name === undefined || name === null) bad('name', 'missing required field name; every entry needs name and kind');
    else if (typeof name !== 'string' || !NAME_RE.test(name)) bad('name', `expected a name without spaces or colons, got ${describeValue(name)}`);
    if (kind === undefined || kind === null) bad('kind', 'missing required field kind (e.g. kind: function.lua)');
    else if (typeof kind !== 'string') bad('kind', `expected a kind like function.lua, got ${describeValue(kind)}`);
    if (meta !== undefined && meta !== null && !isPlainMap(meta)) bad('meta', `expected a map, got ${describeValue(meta)}`);
    if (!ok) continue;

    // An explicit `data:` map is the entry's data (Wippy accepts both forms).
    const lifted = isPlainMap(rest.data) ? { ...rest.data } : {};
    const data: Record<string, unknown> = { ...lifted, ...rest };
    if (isPlainMap(rest.data)) delete data.data;
    const entryNode = node as YamlNode;
    out.push({
      file,
      line,
      namespace: ns,
      name: name as string,
      id: `${ns}:${name as string}`,
      kind: kind as string,
      meta: deepMerge(fileMeta, isPlainMap(meta) ? meta : {}),
      data,
      lineOf: (p) => {
        if (p.length > 0 && typeof p[0] === 'string' && p[0] !== 'meta' && !(p[0] in rest) && p[0] in lifted) {
          return lineIn(entryNode, ['data', ...p], lineAt) ?? line;
        }
        return lineIn(entryNode, p, lineAt) ?? line;
      },
    });
  }
  return out;
}

/** Line of the deepest node found along `p` below `node`. */
function lineIn(node: YamlNode, p: FieldPath, lineAt: (n: unknown) => number | undefined): number | undefined {
  let cur: unknown = node;
  let found: number | undefined;
  for (const seg of p) {
    if (isMap(cur)) {
      const pair = cur.items.find((it) => isScalar(it.key) && it.key.value === seg);
      if (!pair) break;
      found = lineAt(pair.key) ?? found;
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      const item = cur.items[seg];
      if (item === undefined) break;
      found = lineAt(item) ?? found;
      cur = item;
    } else {
      break;
    }
  }
  return found;
}

export function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set);
}

/** `over` merged onto `base`, recursing into maps present in both; `over` wins. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainMap(b) && isPlainMap(v) ? deepMerge(b, v) : v;
  }
  return out;
}
