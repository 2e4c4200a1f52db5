/**
 * Registry problems: how the loader reports mistakes in the user's YAML and Lua.
 *
 * Owns: the `Problem` record, the `ProblemSink` every loading step writes to, the one-line
 * format (`file:line: entry ns:name, field f: message`) and `RegistryError`, the single error
 * `loadRegistry` throws. Invariants: loading never stops at the first mistake: every step adds
 * problems and carries on, and the sink throws once at the end with all of them, sorted by file
 * then line; a problem's `file` is already in display form (relative to the working directory
 * when that is shorter); messages never contain JS stacks.
 */

import * as path from 'node:path';
import { ErrorCode, WippyError } from '../base/errors';

/** One mistake in the registry, pointing at where the user must look. */
export interface Problem {
  /** The YAML file (or folder), relative to the working directory when that is shorter. */
  file: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** 1-based column, when known (YAML syntax errors, type errors). */
  column?: number;
  /** Entry id (`ns:name`), when the problem belongs to one entry. */
  entry?: string;
  /** Field path inside the entry (`source`, `lifecycle.restart.max_delay`, `modules[1]`). */
  field?: string;
  /** What is wrong and, where possible, what to write instead. */
  message: string;
}

/** A problem as reported by a loading step: `file` is absolute and converted on the way in. */
export type ProblemInput = Problem;

/** `abs` relative to the working directory when that is shorter, else `abs` itself. */
export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel !== '' && rel.length < abs.length ? rel : abs;
}

/** One line: `file:line:col: entry id, field f: message` (`file:line: warning: ...` for a warning). */
export function formatProblem(p: Problem, warning = false): string {
  let where = p.file;
  if (p.line !== undefined) where += `:${p.line}`;
  if (p.line !== undefined && p.column !== undefined) where += `:${p.column}`;
  const subject: string[] = [];
  if (p.entry !== undefined) subject.push(`entry ${p.entry}`);
  if (p.field !== undefined) subject.push(`field ${p.field}`);
  const prefix = subject.length > 0 ? `${subject.join(', ')}: ` : '';
  // One problem, one line: the message must not break the format.
  return `${where}: ${warning ? 'warning: ' : ''}${prefix}${p.message.replace(/\s*\n\s*/g, ' ')}`;
}

/** Everything wrong with a registry. `message` holds one line per problem. */
export class RegistryError extends WippyError {
  readonly problems: readonly Problem[];
  /** The warnings found beside the problems (for `wippy check`, which lists both). */
  readonly warnings: readonly Problem[];

  constructor(problems: Problem[], warnings: Problem[] = []) {
    super(ErrorCode.REGISTRY_INVALID, problems.map((p) => formatProblem(p)).join('\n'), { userFacing: true });
    this.name = 'RegistryError';
    this.problems = problems;
    this.warnings = warnings;
  }
}

/** Collects problems from every loading step; throws them together at the end. */
export class ProblemSink {
  private readonly items: Problem[] = [];
  private readonly warns: Problem[] = [];

  /** Record a problem; `file` is given absolute and stored in display form. */
  add(p: ProblemInput): void {
    this.items.push(toDisplay(p));
  }

  /**
   * Record a warning: something Wippy has that this runtime does not provide yet. It does not
   * stop the load; the loaded registry carries it (`Registry.warnings`) for the caller to print.
   */
  warn(p: ProblemInput): void {
    this.warns.push(toDisplay(p));
  }

  /** The warnings so far, sorted like problems. */
  warnings(): Problem[] {
    return sortProblems(this.warns);
  }

  get count(): number {
    return this.items.length;
  }

  /** The problems so far, sorted by file then line (stable within a line). */
  sorted(): Problem[] {
    return sortProblems(this.items);
  }

  /** Throw one `RegistryError` holding every problem, if there are any. */
  throwIfAny(): void {
    if (this.items.length > 0) throw new RegistryError(this.sorted(), this.warnings());
  }
}

function toDisplay(p: ProblemInput): Problem {
  const out: Problem = { file: displayPath(p.file), message: p.message };
  if (p.line !== undefined) out.line = p.line;
  if (p.column !== undefined) out.column = p.column;
  if (p.entry !== undefined) out.entry = p.entry;
  if (p.field !== undefined) out.field = p.field;
  return out;
}

/** Sorted by file then line (stable within a line). */
function sortProblems(items: readonly Problem[]): Problem[] {
  return items
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      if (a.p.file !== b.p.file) return a.p.file < b.p.file ? -1 : 1;
      const la = a.p.line ?? 0;
      const lb = b.p.line ?? 0;
      return la !== lb ? la - lb : a.i - b.i;
    })
    .map((x) => x.p);
}

/** How a JS value looks in a message: `a string "json"`, `a list`, `true`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (an empty value)';
  if (typeof v === 'string') return `a string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'number') return `a number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `a ${typeof v}`;
}
