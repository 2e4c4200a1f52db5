/**
 * Finding the temporal.client entries of a registry without loading it: what the `wippy workflow`
 * commands need to locate a workflow store (and, the same way, the entries of another kind:
 * `findEntries`).
 *
 * Owns: a tolerant search for clients under a folder (or in one YAML file, or in the YAML files
 * directly inside one folder) and the store each one names (registry/project.ts decides that).
 * Invariants:
 * - Tolerant: only files whose text mentions `temporal.client` are parsed, and a mistake in any
 *   file (bad YAML, other entries' errors, duplicate ids elsewhere) is ignored; a client whose
 *   `store:` is not a non-empty string is skipped. Nothing is compiled, nothing is reported.
 * - The same files as the loader (registry/load.ts): *.yaml / *.yml, skipping `node_modules` and
 *   every name that starts with a dot.
 * - Bounded: a recursive search visits at most `maxFolders` folders and says when it stopped
 *   early (`truncated`), so running from a huge unrelated tree costs a bounded amount.
 * - Results are in path order, then the order written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProblemSink } from './errors';
import { parseFile, type RawEntry } from './load';
import { clientStorePath } from './project';

export interface FoundClient {
  id: string;
  /** The YAML file that declares it, absolute. */
  file: string;
  line?: number;
  /** Absolute path of its store, or `:memory:`. */
  store: string;
}

export interface ClientSearch {
  clients: FoundClient[];
  /** The recursive search hit `maxFolders` before it had seen every folder. */
  truncated: boolean;
}

export interface SearchOptions {
  /** Look in subfolders too (default true); false: only the YAML files directly in the folder. */
  recursive?: boolean;
  /** Folders a recursive search may visit (default 5,000). */
  maxFolders?: number;
}

export const DEFAULT_MAX_FOLDERS = 5000;

const YAML_RE = /\.ya?ml$/i;

/** The temporal.client entries in `target` (a YAML file or a folder); a missing target has none. */
export function findClients(target: string, opts: SearchOptions = {}): ClientSearch {
  const { files, truncated } = registryFiles(target, opts);
  return { clients: files.flatMap(clientsIn), truncated };
}

/** The YAML files of `target`: itself when it is a file, those under it when a folder, none when missing. */
function registryFiles(target: string, opts: SearchOptions): { files: string[]; truncated: boolean } {
  const abs = path.resolve(target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    return { files: [], truncated: false };
  }
  if (!stat.isDirectory()) return { files: [abs], truncated: false };
  return yamlFiles(abs, opts.recursive ?? true, opts.maxFolders ?? DEFAULT_MAX_FOLDERS);
}

/** YAML files under `root`, depth first, names sorted; at most `maxFolders` folders visited. */
function yamlFiles(root: string, recursive: boolean, maxFolders: number): { files: string[]; truncated: boolean } {
  const files: string[] = [];
  const stack = [root];
  const seen = new Set<string>();
  let visited = 0;
  while (stack.length > 0) {
    const dir = stack.pop()!;
    if (visited >= maxFolders) return { files, truncated: true };
    visited++;
    let names: fs.Dirent[];
    try {
      const real = fs.realpathSync(dir);
      if (seen.has(real)) continue; // a symlink loop
      seen.add(real);
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable: nothing to find there
    }
    const subdirs: string[] = [];
    for (const ent of names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (ent.name.startsWith('.') || ent.name === 'node_modules') continue;
      const full = path.join(dir, ent.name);
      const kind = entryKind(ent, full);
      if (kind === 'file' && YAML_RE.test(ent.name)) files.push(full);
      else if (kind === 'dir' && recursive) subdirs.push(full);
    }
    // Reversed onto the stack so folders are visited in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
  return { files, truncated: false };
}

function entryKind(ent: fs.Dirent, full: string): 'file' | 'dir' | null {
  if (ent.isFile()) return 'file';
  if (ent.isDirectory()) return 'dir';
  if (!ent.isSymbolicLink()) return null;
  try {
    const st = fs.statSync(full);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null;
  } catch {
    return null; // dangling link
  }
}

/** An entry found without loading the registry: its id, kind and where it is declared. */
export interface FoundEntry { id: string; kind: string; file: string; line?: number }

/**
 * The entries of `kind` in `target` (a YAML file or a folder), found as tolerantly as the clients
 * (`wippy workflow start` checks that its entry is a workflow.lua this way).
 */
export function findEntries(target: string, kind: string, opts: SearchOptions = {}): { entries: FoundEntry[]; truncated: boolean } {
  const { files, truncated } = registryFiles(target, opts);
  const entries = files.flatMap((f) => rawEntriesIn(f, kind).map((r) => ({ id: r.id, kind: r.kind, file: f, line: r.line })));
  return { entries, truncated };
}

/** The raw entries of `kind` in one file; none when it does not mention the kind or cannot be parsed. */
function rawEntriesIn(file: string, kind: string): RawEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  if (!text.includes(kind)) return [];
  return (parseFile(file, new ProblemSink()) ?? []).filter((raw) => raw.kind === kind);
}

/** The clients one file declares; none when it does not mention the kind or cannot be parsed. */
function clientsIn(file: string): FoundClient[] {
  const out: FoundClient[] = [];
  for (const raw of rawEntriesIn(file, 'temporal.client')) {
    const written = raw.data.store;
    if (written !== undefined && written !== null && (typeof written !== 'string' || written === '')) continue;
    out.push({ id: raw.id, file, line: raw.line, store: clientStorePath(file, written ?? undefined) });
  }
  return out;
}
