/**
 * The Lua source behind a history's `file:line`: which file of the registry a chunk name is, and
 * its lines as they are on disk now (the current code; a history was recorded by the code of its
 * time, which the parked report compares).
 *
 * Owns: the chunk name -> file map (built from the registry's Lua entries, the only files served:
 * a `line` read from a store never opens any other path) and a cache of file lines, re-read when
 * the file changes. Invariants: a chunk the registry does not have, or a file that cannot be read,
 * gives null, never an error; no path is built from a store's text.
 */
import * as fs from 'node:fs';
import type { LuaEntry, Registry } from '../../registry';

const LUA_KINDS = new Set(['function.lua', 'workflow.lua', 'library.lua', 'process.lua']);

/** `workflows/payment.lua:5` -> {chunk, line}; null when it is not that form. */
export function parseLine(line: string | undefined): { chunk: string; line: number } | null {
  const m = /^(.+):(\d+)$/.exec(line ?? '');
  return m ? { chunk: m[1], line: Number(m[2]) } : null;
}

export class SourceIndex {
  private readonly files = new Map<string, string>();
  private readonly cache = new Map<string, { mtimeMs: number; lines: string[] }>();

  /** `chunkName` as the runtime names an entry's chunk (Runtime.chunkName). */
  constructor(registry: Registry | null, chunkName: (e: LuaEntry) => string) {
    if (registry === null) return;
    for (const e of registry.entries.values()) {
      if (LUA_KINDS.has(e.kind)) {
        const lua = e as LuaEntry;
        this.files.set(chunkName(lua), lua.sourcePath);
      }
    }
  }

  get available(): boolean {
    return this.files.size > 0;
  }

  /** The current lines of a chunk (1-based line n is `[n - 1]`), or null. */
  lines(chunk: string): string[] | null {
    const file = this.files.get(chunk);
    if (file === undefined) return null;
    try {
      const st = fs.statSync(file);
      const hit = this.cache.get(file);
      if (hit && hit.mtimeMs === st.mtimeMs) return hit.lines;
      const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
      this.cache.set(file, { mtimeMs: st.mtimeMs, lines });
      return lines;
    } catch {
      return null;
    }
  }

  /** The text of `file:line` now (trimmed), or null. */
  lineText(at: string | undefined): string | null {
    const p = parseLine(at);
    if (p === null) return null;
    const text = this.lines(p.chunk)?.[p.line - 1];
    return text === undefined ? null : text.trim();
  }

  /** Lines around `file:line`: up to `around` before and after, numbered. */
  context(at: string | undefined, around = 3): { chunk: string; line: number; lines: Array<{ n: number; text: string }> } | null {
    const p = parseLine(at);
    if (p === null) return null;
    const all = this.lines(p.chunk);
    if (all === null || p.line < 1 || p.line > all.length) return null;
    const lines: Array<{ n: number; text: string }> = [];
    for (let n = Math.max(1, p.line - around); n <= Math.min(all.length, p.line + around); n++) lines.push({ n, text: all[n - 1] });
    return { chunk: p.chunk, line: p.line, lines };
  }
}
