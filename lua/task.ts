/**
 * Tasks: a Lua function running as a coroutine driven from JS. This file is the one place where
 * Lua code suspends.
 *
 * A binding that must wait (funcs.call, time.sleep, a channel receive...) calls `suspend(L, op)`:
 * it records `op` on the running task and yields a private sentinel. The driver sees the
 * sentinel, starts `op`, and when `op` completes it pushes the results and resumes the thread;
 * Lua sees them as the binding's return values. User coroutines forward the sentinel upwards
 * (sandbox.ts), so blocking calls work inside `coroutine.wrap` too.
 *
 * Invariants: bindings never re-enter Lua; a completion that arrives during `op` itself resumes
 * in the same loop (no recursion), a later one goes through the scheduler; each wait completes at
 * most once; a task reports exactly one outcome; the instruction budget is per activation (from
 * one resume to the next yield).
 */
import { lua, lauxlib, LuaState, bytesToText, raise, typeName } from './vm';
import { toErrorInfo } from './errorvalue';
import { ErrorCode, ErrorInfo, formatErrorInfo, ErrorKind } from '../base/errors';
import type { Cancel } from '../base/payload';

/** Pushes the values a suspended binding returns; returns how many. */
export type Pusher = (L: LuaState) => number;
/** Starts the wait; calls `resume` once when done; may return a canceller. */
export type Operation = (resume: (push: Pusher) => void) => Cancel | void;

export const HOST_YIELD = Object.freeze({ wippyHostYield: true });

/** A failed task: the error value as data, and the Lua traceback. */
export class LuaError extends Error {
  constructor(readonly info: ErrorInfo, readonly traceback: string, readonly code: ErrorCode = ErrorCode.LUA_ERROR) {
    super(formatErrorInfo(info));
    this.name = 'LuaError';
  }
}

/**
 * What a task needs of the host it runs on, declared here where it is used (lua/host.ts's
 * LuaHost is the one implementation; this keeps task.ts from importing host.ts).
 */
export interface TaskHost {
  readonly L: LuaState;
  /** The task whose activation is running, null between activations and while loading. */
  readonly currentTask: Task | null;
  defer(fn: () => void): void;
  beginActivation(task: Task | null): void;
  endActivation(): void;
  takeBudgetError(): LuaError | null;
  protectedCall(fn: (L: LuaState) => void): string | null;
  takeSpareThread(): { thread: LuaState; ref: number } | null;
  recycleThread(thread: LuaState, ref: number): boolean;
}

export type TaskOutcome =
  | { ok: true; thread: LuaState; nresults: number }
  | { ok: false; error: LuaError };

export class Task {
  readonly thread: LuaState;
  private readonly ref: number;
  private op: Operation | null = null;
  private cancelWait: Cancel | null = null;
  private waitToken = 0;
  done = false;

  /** `onExit` reads the results from `thread` (on success) before the thread is released. */
  constructor(readonly host: TaskHost, private readonly onExit: (outcome: TaskOutcome) => void) {
    const spare = host.takeSpareThread();
    if (spare) {
      this.thread = spare.thread;
      this.ref = spare.ref;
    } else {
      const L = host.L;
      this.thread = lua.lua_newthread(L) as LuaState;
      this.ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    }
  }

  /** Run the function pushed on `thread` with its `nargs` arguments (pushed after it). */
  start(nargs: number): void {
    this.step(nargs);
  }

  /** Stop the task where it waits; its outcome is the given error. */
  kill(info: ErrorInfo): void {
    if (this.done) return;
    this.waitToken++;
    const c = this.cancelWait;
    this.cancelWait = null;
    if (c) c();
    this.finish({ ok: false, error: new LuaError(info, '') });
  }

  /** Called by `suspend` from inside a binding running on this task. */
  setOperation(op: Operation): void {
    this.op = op;
  }

  private step(nargs: number): void {
    const thread = this.thread;
    for (;;) {
      const host = this.host;
      host.beginActivation(this);
      let st: number;
      try {
        st = lua.lua_resume(thread, null, nargs);
      } finally {
        host.endActivation();
      }
      const blown = host.takeBudgetError();
      if (blown) { this.finish({ ok: false, error: blown }); return; }
      if (st === lua.LUA_YIELD) {
        const op = this.op;
        this.op = null;
        if (!op || lua.lua_touserdata(thread, -1) !== HOST_YIELD) {
          this.finish({ ok: false, error: new LuaError({ kind: ErrorKind.Internal, message: 'coroutine.yield() was called outside a coroutine (the main function cannot yield)' }, '') });
          return;
        }
        lua.lua_pop(thread, lua.lua_gettop(thread));
        const token = ++this.waitToken;
        let inside = true;
        let sync: Pusher | null = null;
        const resume = (push: Pusher): void => {
          if (token !== this.waitToken || this.done) return;
          this.waitToken++;
          this.cancelWait = null;
          if (inside) sync = push;
          else this.host.defer(() => { if (!this.done) this.step(push(this.thread)); });
        };
        const cancel = op(resume);
        inside = false;
        if (sync) { nargs = (sync as Pusher)(thread); continue; }
        if (token === this.waitToken) this.cancelWait = cancel || null;
        return;
      }
      if (st === lua.LUA_OK) {
        this.finish({ ok: true, thread, nresults: lua.lua_gettop(thread) });
        return;
      }
      this.finish({ ok: false, error: this.errorFromThread() });
      return;
    }
  }

  private errorFromThread(): LuaError {
    const thread = this.thread;
    const L = this.host.L;
    // A dead thread's frame may have no free slots: inspect the error value on the main state.
    // Reading it may run its __tostring / __index (user code that may raise): under pcall.
    lua.lua_xmove(thread, L, 1);
    const isString = lua.lua_type(L, -1) === lua.LUA_TSTRING;
    let info: ErrorInfo = { kind: ErrorKind.Internal, message: `(error object is a ${typeName(L, -1)} value whose __tostring or __index failed)` };
    this.host.protectedCall((L1) => { info = toErrorInfo(L1, 1); });
    const msg = isString ? info.message : formatErrorInfo(info);
    lauxlib.luaL_traceback(L, thread, null, 0);
    const tb = bytesToText(lua.lua_tolstring(L, -1));
    lua.lua_pop(L, 1);
    const traceback = `${msg}\n${tb}`;
    return new LuaError({ ...info, stack: info.stack ?? traceback }, traceback);
  }

  private finish(outcome: TaskOutcome): void {
    if (this.done) return;
    this.done = true;
    try {
      this.onExit(outcome);
    } finally {
      lua.lua_settop(this.thread, 0);
      // A coroutine that returned can run the host's next task (no new thread per call); one that
      // failed or was killed mid-wait is dead or suspended and is dropped.
      const reusable = outcome.ok && lua.lua_status(this.thread) === lua.LUA_OK;
      if (!reusable || !this.host.recycleThread(this.thread, this.ref)) lauxlib.luaL_unref(this.host.L, lua.LUA_REGISTRYINDEX, this.ref);
    }
  }
}

/**
 * From inside a binding: suspend the running task until `op` completes. Use as
 * `return suspend(L, op)`.
 */
export function suspend(L: LuaState, host: TaskHost, op: Operation): number {
  const task = host.currentTask;
  if (!task) raise(L, 'cannot wait here: blocking calls are not allowed while a module or entry is being loaded');
  if (!lua.lua_isyieldable(L)) raise(L, 'cannot wait inside a table.sort comparator, a string.gsub callback or a metamethod called from the host');
  task.setOperation(op);
  lua.lua_pushlightuserdata(L, HOST_YIELD);
  return lua.lua_yield(L, 1);
}

/**
 * From inside a binding: START an asynchronous operation now (so that anything it records, like a
 * workflow command and its sequence number, happens at the call site, before any yield), then
 * wait for it. If it completes synchronously its results are returned at once without yielding.
 * Use as `return waitFor(L, host, (done) => services.x(..., (r) => done(pusherFor(r))))`.
 */
export function waitFor(L: LuaState, host: TaskHost, start: (done: (push: Pusher) => void) => Cancel | void): number {
  if (!host.currentTask) raise(L, 'cannot wait here: blocking calls are not allowed while a module or entry is being loaded');
  if (!lua.lua_isyieldable(L)) raise(L, 'cannot wait inside a table.sort comparator, a string.gsub callback or a metamethod called from the host');
  let early: Pusher | null = null;
  let resume: ((p: Pusher) => void) | null = null;
  const cancel = start((push) => {
    if (resume) resume(push);
    else if (!early) early = push;
  });
  if (early) return (early as Pusher)(L);
  return suspend(L, host, (r) => { resume = r; return cancel || undefined; });
}
