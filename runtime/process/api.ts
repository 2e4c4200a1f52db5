/**
 * The `process` API of one execution that is not a workflow: a process, or a function call.
 *
 * Owns: what `process.*` does for its execution (lua/services.ts ProcessApi) over the node, and
 * the process a function call runs as. As in Wippy (and SPEC section 1), a function call is a
 * short-lived process with its own PID, inbox, events, options and names; here that process is
 * made on first use, so a call that never touches `process` pays for nothing but this object.
 * Invariants: a function's process is made at most once and ends exactly once, with the call's
 * result, when the call ends (runner.ts calls `exit`); what it spawned lives on (a plain or
 * monitored child is not ended with it; a linked one follows the link rules on an error exit);
 * a killed function process (terminate, a failed link) kills the call's task.
 */
import type { Process } from './process';
import type { LuaHost } from '../../lua/host';
import type { Task } from '../../lua/task';
import type { ProcessApi, SpawnOptions } from '../../lua/services';
import type { CallResult, Cancel, Payload } from '../../base/payload';
import { ErrorKind, type ErrorInfo } from '../../base/errors';

/** What an execution's API needs of the node (node.ts implements it; declared here, where used). */
export interface NodeOps {
  spawn(id: string, host: string | null, args: Payload[], parent: string | null, opts: SpawnOptions): { pid: string } | { error: ErrorInfo };
  exec(id: string, host: string | null, args: Payload[], parent: string | null, done: (r: CallResult) => void): Cancel;
  send(from: string, to: string, topic: string, payloads: Payload[]): ErrorInfo | null;
  cancel(from: string, to: string, reason?: string): ErrorInfo | null;
  terminate(from: string, to: string): ErrorInfo | null;
  monitor(self: Process, target: string, on: boolean): ErrorInfo | null;
  link(self: Process, target: string, on: boolean): ErrorInfo | null;
  register(name: string, pid: string): ErrorInfo | null;
  resolve(target: string): string | null;
  lookup(name: string): string | null;
  unregister(name: string): boolean;
  /** A new process for a function call (PID, mailbox, in the node's tables). */
  adopt(entryId: string, host: LuaHost | null, task: Task | null): Process;
}

export class ExecutionApi implements ProcessApi {
  private proc: Process | null;
  private host: LuaHost | null = null;
  private task: Task | null = null;

  /** `self`: a process's own API; null with `entryId`: a function call's, its process made lazily. */
  constructor(private readonly node: NodeOps, self: Process | null, private readonly entryId: string) {
    this.proc = self;
  }

  /** The call's host and task (runner.ts), so that killing its process kills the call. */
  bind(host: LuaHost, task: Task): void {
    this.host = host;
    this.task = task;
  }

  /** The call ended: its process (if it was made) exits with the call's result. */
  exit(result: CallResult): void {
    this.proc?.finish(result);
  }

  private self(): Process {
    return this.proc ??= this.node.adopt(this.entryId, this.host, this.task);
  }

  id(): string {
    return this.entryId;
  }

  pid(): string {
    return this.self().pid;
  }

  mailbox() {
    return this.self().mailbox;
  }

  spawn(id: string, host: string | null, args: Payload[], opts: SpawnOptions) {
    // A plain child needs no parent; a monitored or linked one needs this execution's process.
    const parent = opts.monitor || opts.link ? this.self().pid : this.proc?.pid ?? null;
    return this.node.spawn(id, host, args, parent, opts);
  }

  exec(id: string, host: string | null, args: Payload[], done: (r: CallResult) => void): Cancel {
    return this.node.exec(id, host, args, this.proc?.pid ?? null, done);
  }

  send(to: string, topic: string, payloads: Payload[]): ErrorInfo | null {
    return this.node.send(this.self().pid, to, topic, payloads);
  }

  cancel(pid: string, reason?: string): ErrorInfo | null {
    return this.node.cancel(this.self().pid, pid, reason);
  }

  terminate(pid: string): ErrorInfo | null {
    return this.node.terminate(this.self().pid, pid);
  }

  monitor(pid: string, on: boolean): ErrorInfo | null {
    return this.node.monitor(this.self(), pid, on);
  }

  link(pid: string, on: boolean): ErrorInfo | null {
    return this.node.link(this.self(), pid, on);
  }

  register(name: string, pid?: string): ErrorInfo | null {
    if (pid === undefined) return this.node.register(name, this.self().pid);
    const target = this.node.resolve(pid);
    return target ? this.node.register(name, target) : { kind: ErrorKind.NotFound, message: `process ${pid} not found`, retryable: false };
  }

  lookup(name: string): string | null {
    return this.node.lookup(name);
  }

  unregister(name: string): boolean {
    return this.node.unregister(name);
  }

  options(): { trap_links: boolean } {
    return { trap_links: this.proc?.trapLinks ?? false };
  }

  setOptions(o: { trap_links?: boolean }): void {
    if (o.trap_links !== undefined) this.self().trapLinks = o.trap_links;
  }
}
