/**
 * Running function entries: `funcs.call` outside workflows, and `wippy run -x` on a function.
 *
 * Owns: turning a CallRequest into a task on a pooled host, and the task's outcome into a
 * CallResult by Wippy's convention: the first return value is the result; an error object or a
 * string as second value is an error (`return nil, err`); a raised error is an `Internal` error carrying the message and
 * the Lua traceback. Each call runs as a process (its `CallSelf`, made lazily by the runtime); a
 * `process.lua` entry with a default host is run as a process by `processCaller` (Wippy's process
 * functions). Invariants: an unknown id or a non-function entry gives `NotFound` at once;
 * a result that cannot be encoded is an error, not a crash; the lease returns to its pool exactly
 * once; nesting deeper than MAX_CALL_DEPTH fails instead of exhausting the JS stack.
 */
import { lua } from '../../lua/vm';
import { encode, CodecError } from '../../lua/codec';
import { decode } from '../../lua/decode';
import { toErrorInfo, testError } from '../../lua/errorvalue';
import { LuaError, TaskOutcome, type Task } from '../../lua/task';
import type { LuaHost } from '../../lua/host';
import { CompileError } from '../../lua/chunks';
import { HostPool, PoolContext } from './pool';
import type { Services } from '../../lua/services';
import type { CallRequest, CallResult, Cancel } from '../../base/payload';
import type { Registry, LuaEntry, Entry } from '../../registry/types';
import { ErrorKind, type ErrorInfo } from '../../base/errors';
import { inertEntryNote } from '../../registry/query';

export const MAX_CALL_DEPTH = 200;

/**
 * The process a call runs as (runtime/process/api.ts): told the call's host and task before it
 * starts, and the call's result when it ends.
 */
export interface CallSelf {
  bind(host: LuaHost, task: Task): void;
  exit(result: CallResult): void;
}

/** Makes the Services a function call runs with (the runtime decides clock, output, nesting) and its process. */
export type ServicesFactory = (req: CallRequest, depth: number) => { services: Services; self?: CallSelf };

/**
 * Runs a `process.lua` entry called as a function (Wippy's process functions): null when the
 * entry is not one (no `meta.default_host`).
 */
export type ProcessCaller = (req: CallRequest, entry: Entry, done: (r: CallResult) => void) => Cancel | null;

export class FunctionRunner {
  private readonly pools = new Map<string, HostPool>();

  /** Set by the runtime: `process.lua` entries with a default host run through it. */
  processCaller: ProcessCaller | null = null;

  constructor(private readonly registry: Registry, private readonly ctx: PoolContext, private readonly services: ServicesFactory) {}

  call(req: CallRequest, done: (r: CallResult) => void, depth = 0): Cancel {
    const entry = this.registry.entries.get(req.id);
    if (entry?.kind === 'process.lua' && this.processCaller) {
      const cancel = this.processCaller(req, entry, done);
      if (cancel) return cancel;
    }
    if (!entry || entry.kind !== 'function.lua') {
      const what = entry ? `${req.id} is a ${entry.kind} entry, not a function.lua` : inertEntryNote(this.registry, req.id) ?? `no function ${req.id} in the registry`;
      done({ error: { kind: ErrorKind.NotFound, message: what, retryable: false } });
      return noop;
    }
    if (depth > MAX_CALL_DEPTH) {
      done({ error: { kind: ErrorKind.Internal, message: `funcs.call nested deeper than ${MAX_CALL_DEPTH} calls (runaway recursion?) at ${req.id}`, retryable: false } });
      return noop;
    }
    const pool = this.poolFor(entry as LuaEntry);
    let lease;
    try {
      lease = pool.acquire();
    } catch (e) {
      done({ error: loadFailure(e, req.id) });
      return noop;
    }
    const { host, fnRef } = lease;
    const { services, self } = this.services(req, depth);
    host.services = services;
    const task = host.newTask((outcome) => {
      const result = resultOf(outcome);
      self?.exit(result);
      host.endExecution();
      pool.release(lease!);
      done(result);
    });
    self?.bind(host, task);
    const T = task.thread;
    lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, fnRef);
    try {
      for (const a of req.args) decode(T, a);
    } catch (e) {
      task.kill({ kind: ErrorKind.Invalid, message: `bad argument for ${req.id}: ${(e as Error).message}`, retryable: false });
      return noop;
    }
    task.start(req.args.length);
    return () => task.kill({ kind: ErrorKind.Canceled, message: `call to ${req.id} was canceled` });
  }

  /** Idle pooled states per entry (for tests and stats). */
  idleStates(id: string): number {
    return this.pools.get(id)?.idleCount ?? 0;
  }

  private poolFor(entry: LuaEntry): HostPool {
    let p = this.pools.get(entry.id);
    // A new pool when the entry was replaced (registry module `changes:update`): old states hold old code.
    if (!p || p.entry !== entry) { p = new HostPool(entry, this.ctx); this.pools.set(entry.id, p); }
    return p;
  }
}

function noop(): void { /* nothing to cancel */ }

function loadFailure(e: unknown, id: string): ErrorInfo {
  if (e instanceof LuaError) return { ...e.info, retryable: false };
  if (e instanceof CompileError) return { kind: ErrorKind.Internal, message: e.message, retryable: false };
  return { kind: ErrorKind.Internal, message: `cannot load ${id}: ${(e as Error).message}`, retryable: false };
}

/** Wippy's return convention: value | nil, err | raised error. */
export function resultOf(outcome: TaskOutcome): CallResult {
  if (!outcome.ok) return { error: outcome.error.info };
  const { thread: T, nresults } = outcome;
  // Only an error object or a string in second place is an error (`return ch:receive()` returns
  // `v, true`, which is a success).
  if (nresults >= 2 && (testError(T, 2) || lua.lua_type(T, 2) === lua.LUA_TSTRING)) return { error: toErrorInfo(T, 2, ErrorKind.Internal) };
  if (nresults === 0) return { value: 'null' };
  try {
    return { value: encode(T, 1, 'payload', 'result') };
  } catch (e) {
    if (e instanceof CodecError) return { error: { kind: ErrorKind.Internal, message: `cannot return this value: ${e.message}`, retryable: false } };
    throw e;
  }
}
