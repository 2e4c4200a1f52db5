/**
 * The type checker's entry point: check the typed Lua of a set of registry entries at once.
 *
 * Owns: `checkTypes` (the registry loader's `checkTypes` hook, registry/types.ts), the order in
 * which entries are checked (an entry's imports first, so that `require("lib")` has the library's
 * exported types), the standard modules' published signatures (`StdModule.types`, typed-Lua type
 * text), and turning offsets into `line:column`.
 * Invariants: an entry whose source this parser cannot read is not checked (the compile check
 * reports real syntax errors) and exports `any`; a failure of the checker itself is a warning on
 * that entry, never a refusal; an import cycle (already a registry problem)
 * gives `any`; every issue names the entry, its chunk, line and column (1-based, columns in
 * UTF-16 code units of the line) and says what was expected and what was found.
 */
import type { TypeIssue, TypeUnit } from '../../registry/types';
import { checkChunk } from './check';
import { globalTypes } from './globals';
import { ParseStop, parseChunk, parseType } from './parse';
import { resolveType, type TypeEnv } from './resolve';
import { ANY, type Type } from './types';

export type { TypeIssue, TypeUnit };

/** A standard module's signature as typed-Lua type text, by module name. */
export type ModuleSignatures = (name: string) => string | undefined;

/** Check every unit; the issues, in unit order then source order. */
export function checkTypes(units: readonly TypeUnit[], signatures: ModuleSignatures = () => undefined): TypeIssue[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const exported = new Map<string, Type | 'pending'>();
  const issues: TypeIssue[] = [];
  const moduleTypes = new Map<string, Type | undefined>();

  const moduleType = (name: string): Type | undefined => {
    if (!moduleTypes.has(name)) {
      const text = signatures(name);
      let t: Type | undefined;
      if (text !== undefined) {
        t = moduleSignature(text);
      }
      moduleTypes.set(name, t);
    }
    return moduleTypes.get(name);
  };

  const check = (u: TypeUnit): Type => {
    const known = exported.get(u.id);
    if (known === 'pending') return ANY;
    if (known !== undefined) return known;
    exported.set(u.id, 'pending');
    let body;
    try {
      body = parseChunk(u.source);
    } catch (e) {
      if (!(e instanceof ParseStop) && !(e instanceof RangeError)) throw e;
      exported.set(u.id, ANY);
      return ANY;
    }
    const requireType = (name: string): Type | undefined => {
      const target = u.imports[name];
      if (target !== undefined) {
        const dep = byId.get(target);
        return dep === undefined ? undefined : check(dep);
      }
      return u.modules.includes(name) ? moduleType(name) : undefined;
    };
    let r: ReturnType<typeof checkChunk>;
    try {
      r = checkChunk(body, globalTypes(), requireType);
    } catch (e) {
      // A bug of the checker must not refuse the user's code: say so, as a warning, and go on.
      issues.push({ id: u.id, chunkName: u.chunkName, line: 1, column: 1, warning: true,
        message: `the type checker failed on this entry and did not check it (a bug in wippy, please report it): ${(e as Error)?.message ?? String(e)}` });
      exported.set(u.id, ANY);
      return ANY;
    }
    const lines = lineStarts(u.source);
    for (const d of r.diagnostics) {
      const { line, column } = position(lines, d.pos);
      issues.push({ id: u.id, chunkName: u.chunkName, line, column, message: d.message });
    }
    exported.set(u.id, r.exported);
    return r.exported;
  };

  for (const u of units) check(u);
  const order = new Map(units.map((u, i) => [u.id, i]));
  return issues.sort((a, b) => (order.get(a.id)! - order.get(b.id)!) || a.line - b.line || a.column - b.column);
}

/**
 * A module's published signature as a type; undefined when the text does not parse. Its tables
 * are open: a function the signature leaves out is `any`, never an unknown field.
 */
export function moduleSignature(text: string): Type | undefined {
  let t: Type;
  try { t = resolveType(parseType(text), EMPTY_ENV); } catch (e) {
    if (e instanceof ParseStop) return undefined;
    throw e;
  }
  return t.k === 'record' ? { ...t, open: true } : t;
}

const EMPTY_ENV: TypeEnv = { alias: () => undefined, valueType: () => undefined, exprType: () => ANY };

/** Offsets where each line starts (`\n`, `\r`, `\r\n`, `\n\r` end a line, as Lua counts). */
function lineStarts(src: string): number[] {
  const out = [0];
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 10 || c === 13) {
      const d = src.charCodeAt(i + 1);
      if ((d === 10 || d === 13) && d !== c) i++;
      out.push(i + 1);
    }
  }
  return out;
}

function position(starts: number[], pos: number): { line: number; column: number } {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= pos) lo = mid; else hi = mid - 1;
  }
  return { line: lo + 1, column: pos - starts[lo] + 1 };
}
