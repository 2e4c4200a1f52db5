/**
 * One running process: a `process.lua` entry's main function in its own Lua state, with a PID, a
 * mailbox, monitors and links.
 *
 * Owns: starting main as a task, turning its end into an exit result (same convention as
 * functions: value | nil, err | raised error), and telling monitors (EXIT) and links
 * (LINK_DOWN, or termination when the partner does not trap links) exactly once.
 * Invariants: a process exits once; after exit its mailbox is closed, its spawned coroutines are
 * killed, its names are released, and it is gone from the node's table.
 */
import { lua } from '../../lua/vm';
import { decode } from '../../lua/decode';
import { resultOf } from '../functions/runner';
import { Mailbox, MailboxCodec, ProcessEvent } from './mailbox';
import type { LuaHost } from '../../lua/host';
import type { Task } from '../../lua/task';
import type { CallResult, Payload } from '../../base/payload';
import { ErrorKind, type ErrorInfo } from '../../base/errors';

export type ExitListener = (pid: string, result: CallResult) => void;

export class Process {
  readonly mailbox: Mailbox;
  /** PIDs that get this process's EXIT event. */
  readonly monitors = new Set<string>();
  /** PIDs linked with this one. */
  readonly links = new Set<string>();
  trapLinks = false;
  exited = false;
  result: CallResult | null = null;
  private task: Task | null = null;
  private host: LuaHost | null = null;
  private readonly exitListeners: ExitListener[] = [];

  constructor(readonly pid: string, readonly entryId: string, readonly hostId: string, codec: MailboxCodec) {
    this.mailbox = new Mailbox(codec);
  }

  onExit(fn: ExitListener): void {
    if (this.exited) fn(this.pid, this.result!);
    else this.exitListeners.push(fn);
  }

  /** Run main(args...) on `host`; `fnRef` is the entry function's registry ref. */
  start(host: LuaHost, fnRef: number, args: Payload[]): void {
    this.host = host;
    host.onSpawnedError = (e) => this.kill({ ...e.info, message: `a coroutine failed: ${e.info.message}` });
    const task = host.newTask((outcome) => this.finish(resultOf(outcome)));
    this.task = task;
    lua.lua_rawgeti(task.thread, lua.LUA_REGISTRYINDEX, fnRef);
    try {
      for (const a of args) decode(task.thread, a);
    } catch (e) {
      task.kill({ kind: ErrorKind.Invalid, message: `bad argument for ${this.entryId}: ${(e as Error).message}` });
      return;
    }
    task.start(args.length);
  }

  /** A function call's process: the call's own host and task stand for main (api.ts). */
  adopt(host: LuaHost | null, task: Task | null): void {
    this.host = host;
    this.task = task;
  }

  /** Stop now (terminate, linked failure, failed coroutine). */
  kill(error: ErrorInfo): void {
    if (this.exited) return;
    if (this.task && !this.task.done) this.task.kill(error);
    else this.finish({ error });
  }

  /** Record the exit once and tell everyone who asked. */
  finish(result: CallResult): void {
    if (this.exited) return;
    this.exited = true;
    this.result = result;
    this.mailbox.close();
    this.host?.endExecution();
    for (const fn of this.exitListeners.splice(0)) fn(this.pid, result);
  }
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, (m) => (m === '.000Z' ? 'Z' : m));
}

export function exitEvent(from: string, at: number, result: CallResult): ProcessEvent {
  return { kind: 'pid.exit', from, at: rfc3339(at), result: { value: result.value, error: result.error } };
}
