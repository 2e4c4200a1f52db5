/**
 * Errors the runtime raises in JS, each with a stable code.
 *
 * Owns: the `WippyError` class and the list of codes; the error KINDS of Lua-level errors (the
 * constants every layer uses, and that the Lua `errors` module exposes); `ErrorInfo`, the
 * plain-data form of a Lua error, used when an error crosses from one Lua state to another or
 * into JSON, and its one-line rendering. Exit statuses are exit.ts, what to do about a failure is
 * disposition.ts. Invariants: a code or a kind never changes meaning once shipped; a message says
 * what went wrong and, where it can, what to do; `userFacing` errors are printed without a JS
 * stack (they describe the user's input, not a bug in the runtime).
 */

export const ErrorCode = {
  /** The registry (YAML, entries, references, Lua syntax) is invalid. */
  REGISTRY_INVALID: 'REGISTRY_INVALID',
  /** An entry id does not exist or is of the wrong kind for the operation. */
  ENTRY_NOT_FOUND: 'ENTRY_NOT_FOUND',
  /** A command-line argument is malformed (bad JSON argument, unknown option value). */
  BAD_ARGUMENT: 'BAD_ARGUMENT',
  /** Lua code raised an error or returned `nil, err` at the top of an execution. */
  LUA_ERROR: 'LUA_ERROR',
  /** A script ran past its instruction budget in one activation. */
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  /** A script grew past its memory allowance (huge strings/tables). */
  MEMORY_EXCEEDED: 'MEMORY_EXCEEDED',
  /** A value cannot cross between Lua and JSON (function, cycle, NaN...). */
  VALUE_INVALID: 'VALUE_INVALID',
  /** The history store cannot be opened or written (not a database, newer schema, unwritable). */
  STORE_INVALID: 'STORE_INVALID',
  /**
   * The history store is damaged: SQLite's integrity check failed, or SQLite reported corruption
   * (SQLITE_CORRUPT, or SQLITE_NOTADB on a file with a SQLite header) while reading or writing it.
   * Nothing is resumed or reported from it; `wippy store recover` salvages what can be read.
   */
  STORE_DAMAGED: 'STORE_DAMAGED',
  /** The history store is in use by another wippy process (its lock file names the pid). */
  STORE_LOCKED: 'STORE_LOCKED',
  /**
   * This node may no longer write to the shared store (PostgreSQL, many nodes): its lease ran out
   * (paused, or cut off longer than the lease) or its connection broke; other nodes own its
   * workflows. The node drops what it holds and joins again (app/runtime.ts).
   */
  NODE_LEASE_LOST: 'NODE_LEASE_LOST',
  /** No workflow with that id in the store (`wippy workflow ...`). */
  WORKFLOW_NOT_FOUND: 'WORKFLOW_NOT_FOUND',
  /** The workflow has finished: it takes no more signals, cancels or terminates. */
  WORKFLOW_FINISHED: 'WORKFLOW_FINISHED',
  /** A workflow with that id exists, or its start is already waiting (`wippy workflow start --id`). */
  WORKFLOW_EXISTS: 'WORKFLOW_EXISTS',
  /** An http.service cannot listen on its address (in use, not permitted, not this machine's). */
  HTTP_LISTEN: 'HTTP_LISTEN',
  /** A golden file (`*.golden.json`) cannot be read or is malformed (app/golden/format.ts). */
  GOLDEN_INVALID: 'GOLDEN_INVALID',
  /** A bug or an unexpected condition inside the runtime itself. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Kinds of Lua-level errors, as in Wippy: what `err:kind()` returns and what the Lua constants
 * `errors.NOT_FOUND`... are. A script may use any other string as a kind; '' is "unknown".
 */
export const ErrorKind = {
  NotFound: 'NotFound',
  Invalid: 'Invalid',
  Internal: 'Internal',
  AlreadyExists: 'AlreadyExists',
  PermissionDenied: 'PermissionDenied',
  Unavailable: 'Unavailable',
  Canceled: 'Canceled',
  Conflict: 'Conflict',
  Timeout: 'Timeout',
  RateLimited: 'RateLimited',
  Unknown: '',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** Plain-data form of a Lua error object; what crosses state boundaries and lands in JSON. */
export interface ErrorInfo {
  kind: string;
  message: string;
  retryable?: boolean;
  details?: unknown;
  /** Lua traceback, when the error was raised rather than returned. */
  stack?: string;
}

/** One-line rendering used by the CLI and tostring(): `Kind: message`. */
export function formatErrorInfo(e: ErrorInfo): string {
  return e.kind ? `${e.kind}: ${e.message}` : e.message;
}

export class WippyError extends Error {
  readonly code: ErrorCode;
  /** True when the message describes the user's input: print it without a JS stack. */
  readonly userFacing: boolean;
  /** The Lua-level error carried by this failure, if any. */
  readonly info?: ErrorInfo;

  constructor(code: ErrorCode, message: string, opts: { userFacing?: boolean; info?: ErrorInfo; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WippyError';
    this.code = code;
    this.userFacing = opts.userFacing ?? code !== ErrorCode.INTERNAL;
    this.info = opts.info;
  }
}

export function isWippyError(err: unknown, code?: ErrorCode): err is WippyError {
  return err instanceof WippyError && (code === undefined || err.code === code);
}

/**
 * The BAD_ARGUMENT for a command-line value that is not JSON (`what`: `argument 2`, `--stub
 * app:x`...; `each`: what one value is, e.g. `each argument is one JSON value`). Every example it
 * shows between single quotes is valid JSON, so it can be copied: a bare word gets its quoted
 * form; text that looks like JSON but does not parse gets the parser's complaint and a whole
 * object as the example.
 */
export function notJsonError(what: string, raw: string, each?: string): WippyError {
  const shown = raw.length > 60 ? `${raw.slice(0, 60)}...` : raw;
  const lead = each ? `${each}; ` : '';
  let hint: string;
  if (/^\s*[[{"]/.test(raw)) {
    let why = 'it does not parse';
    try { JSON.parse(raw); } catch (e) { why = (e as Error).message; }
    hint = `${why}; ${lead}quote the whole value for the shell, e.g. '{"approved": true}'`;
  } else {
    const quoted = JSON.stringify(raw);
    hint = `${lead}a string needs quotes, e.g. '${quoted.length <= 40 && !raw.includes("'") ? quoted : '"text"'}'`;
  }
  return new WippyError(ErrorCode.BAD_ARGUMENT, `${what} is not valid JSON: ${shown} (${hint})`);
}
