/**
 * The process node: every live process of this runtime, by PID and by registered name.
 *
 * Owns: spawning (`process.lua` on a `process.host`; workflow entries are handed to the workflow
 * engine through `workflowSpawner`), message routing, cancel/terminate, monitors and links, the
 * name registry, the processes function calls run as (`adopt`, made lazily by api.ts, PIDs
 * `{function|id}`), process functions (`callProcess`), and the ProcessApi (api.ts) each
 * execution's `process` global talks to.
 * Invariants: a PID is never reused within a run; `send` to an unknown PID or name returns
 * `NotFound`; an exit is broadcast to monitors and links exactly once and the process is removed
 * from every table.
 */
import { Process, exitEvent, rfc3339 } from './process';
import type { MailboxCodec, Message } from './mailbox';
import { ExecutionApi, type NodeOps } from './api';
import type { LuaHost } from '../../lua/host';
import type { Task } from '../../lua/task';
import type { Registry, LuaEntry, Entry } from '../../registry/types';
import type { ProcessApi, Services, SpawnOptions } from '../../lua/services';
import type { CallRequest, CallResult, Cancel, Payload } from '../../base/payload';
import { ErrorKind, type ErrorInfo } from '../../base/errors';
import { inertEntryNote } from '../../registry/query';

export interface NodeDeps {
  registry: Registry;
  /** A fresh host for a process entry with its entry function loaded; throws on load failure. */
  makeHost(entry: LuaEntry, services: Services): { host: LuaHost; fnRef: number };
  /** Services for a process (live clock, calls...) whose `process()` is `api`, with the context and security its starter gave (SpawnOptions). */
  servicesFor(api: ProcessApi, from: Pick<SpawnOptions, 'context' | 'security'>): Services;
  codec: MailboxCodec;
  now(): number;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** Starts workflow entries (set by the workflow engine). */
export type WorkflowSpawner = (id: string, worker: string | null, args: Payload[], parent: string | null, opts: SpawnOptions, onExit?: (r: CallResult) => void) => { pid: string } | { error: ErrorInfo };

/** The host part of a function call's PID (`{function|id}`). */
export const FUNCTION_HOST = 'function';

const notFound = (message: string): ErrorInfo => ({ kind: ErrorKind.NotFound, message, retryable: false });

export class ProcessNode implements NodeOps {
  private readonly procs = new Map<string, Process>();
  private readonly names = new Map<string, string>();
  private seq = 0;
  workflowSpawner: WorkflowSpawner | null = null;
  /** Delivery hook for PIDs this node does not own (workflows). Returns null if delivered. */
  externalSend: ((to: string, msg: Message) => ErrorInfo | null | undefined) | null = null;
  /** Cancel/terminate hook for PIDs this node does not own (workflows); undefined = not mine. */
  externalControl: ((from: string, to: string, terminate: boolean, reason: string) => ErrorInfo | null | undefined) | null = null;
  /** Monitor/link (on or off) by process `from` of a PID this node does not own (a workflow); undefined = not mine. */
  externalWatch: ((from: string, to: string, kind: 'monitor' | 'link', on: boolean) => ErrorInfo | null | undefined) | null = null;

  constructor(private readonly deps: NodeDeps) {}

  get(pid: string): Process | undefined {
    return this.procs.get(pid);
  }

  get size(): number {
    return this.procs.size;
  }

  /** Resolve a PID or registered name. */
  resolve(target: string): string | null {
    if (this.procs.has(target)) return target;
    return this.names.get(target) ?? null;
  }

  /** `onExit` is attached before main starts (a process may finish before spawn returns). */
  spawn(id: string, hostId: string | null, args: Payload[], parent: string | null, opts: SpawnOptions = {}, onExit?: (r: CallResult) => void): { pid: string } | { error: ErrorInfo } {
    const entry = this.deps.registry.entries.get(id);
    if (!entry) return { error: notFound(inertEntryNote(this.deps.registry, id) ?? `no entry ${id} in the registry`) };
    if (entry.kind === 'workflow.lua') {
      if (!this.workflowSpawner) return { error: { kind: ErrorKind.Unavailable, message: `cannot start workflow ${id}: no temporal.worker is running` } };
      return this.workflowSpawner(id, hostId, args, parent, opts, onExit);
    }
    if (entry.kind !== 'process.lua') return { error: { kind: ErrorKind.Invalid, message: `${id} is a ${entry.kind} entry; process.spawn starts process.lua and workflow.lua entries`, retryable: false } };
    const host = hostId ?? this.defaultHost();
    const hostEntry = host ? this.deps.registry.entries.get(host) : undefined;
    if (!host || !hostEntry || hostEntry.kind !== 'process.host') {
      return { error: notFound(host ? `no process.host ${host} in the registry` : `no process.host in the registry to run ${id} on`) };
    }
    const pid = `{${host}|${(++this.seq).toString(36)}}`;
    const proc = new Process(pid, id, host, this.deps.codec);
    let loaded;
    try {
      loaded = this.deps.makeHost(entry as LuaEntry, this.deps.servicesFor(this.apiFor(proc), { context: opts.context, security: opts.security }));
    } catch (e) {
      return { error: { kind: ErrorKind.Internal, message: `cannot start ${id}: ${(e as Error).message}`, retryable: false } };
    }
    this.procs.set(pid, proc);
    if (parent && opts.monitor) proc.monitors.add(parent);
    if (parent && opts.link && this.procs.has(parent)) { proc.links.add(parent); this.procs.get(parent)!.links.add(pid); }
    proc.onExit((p, r) => this.onExit(proc, r));
    if (onExit) proc.onExit((_p, r) => onExit(r));
    for (const m of opts.messages ?? []) proc.mailbox.deliver({ topic: m.topic, from: parent ?? '', payloads: m.payloads });
    proc.start(loaded.host, loaded.fnRef, args);
    return { pid };
  }

  send(from: string, to: string, topic: string, payloads: Payload[]): ErrorInfo | null {
    if (topic.startsWith('@')) return { kind: ErrorKind.Invalid, message: `topic '${topic}' is reserved (topics may not start with @)` };
    const pid = this.resolve(to);
    const msg: Message = { topic, from, payloads };
    if (pid) { this.procs.get(pid)!.mailbox.deliver(msg); return null; }
    const ext = this.externalSend?.(to, msg);
    if (ext !== undefined) return ext;
    return notFound(`process ${to} not found (it never existed or has exited)`);
  }

  cancel(from: string, to: string, reason = 'canceled'): ErrorInfo | null {
    const pid = this.resolve(to);
    if (!pid) return this.controlElsewhere(from, to, false, reason);
    this.procs.get(pid)!.mailbox.deliverEvent({ kind: 'pid.cancel', from, at: rfc3339(this.deps.now()), reason });
    return null;
  }

  terminate(from: string, to: string): ErrorInfo | null {
    const pid = this.resolve(to);
    if (!pid) return this.controlElsewhere(from, to, true, 'terminated');
    this.procs.get(pid)!.kill({ kind: ErrorKind.Canceled, message: `terminated by ${from || 'the runtime'}` });
    return null;
  }

  /** Cancel/terminate a PID this node does not own (a workflow), or NotFound. */
  private controlElsewhere(from: string, to: string, terminate: boolean, reason: string): ErrorInfo | null {
    const r = this.externalControl?.(from, to, terminate, reason);
    return r === undefined ? notFound(`process ${to} not found`) : r;
  }

  /** Monitor/link a PID this node does not own (a workflow), or NotFound. */
  private watchElsewhere(from: string, to: string, kind: 'monitor' | 'link', on: boolean): ErrorInfo | null {
    const r = this.externalWatch?.(from, to, kind, on);
    return r === undefined ? notFound(`process ${to} not found`) : r;
  }

  /** Run a process to completion and report its result. */
  exec(id: string, hostId: string | null, args: Payload[], parent: string | null, done: (r: CallResult) => void): Cancel {
    let live = true;
    const r = this.spawn(id, hostId, args, parent, {}, (res) => { if (live) done(res); });
    if ('error' in r) { done({ error: r.error }); return () => {}; }
    return () => { live = false; };
  }

  /**
   * Wippy's process functions: a `process.lua` entry with `meta.default_host` (or the call option
   * `default_host`) called as a function runs on that host, monitored by the call; the process's
   * exit is the call's result. Canceling the call sends the process a cancel event. Null when the
   * entry is not callable this way.
   */
  callProcess(req: CallRequest, entry: Entry, done: (r: CallResult) => void): Cancel | null {
    const meta = entry.meta?.default_host;
    const host = typeof meta === 'string' && meta ? meta : typeof req.options?.default_host === 'string' ? req.options.default_host : null;
    if (!host) return null;
    let live = true;
    const r = this.spawn(entry.id, host, req.args, null, {}, (res) => { if (live) { live = false; done(res); } });
    if ('error' in r) {
      live = false;
      done({ error: { kind: ErrorKind.Internal, message: `failed to start process ${entry.id} on ${host}: ${r.error.message}`, retryable: false } });
      return () => {};
    }
    return () => { if (live) this.cancel('', r.pid, 'canceled'); };
  }

  /** Watch a process's exit from JS (CLI, supervisor). */
  watch(pid: string, fn: (result: CallResult) => void): boolean {
    const p = this.procs.get(pid);
    if (!p) return false;
    p.onExit((_x, r) => fn(r));
    return true;
  }

  private onExit(proc: Process, result: CallResult): void {
    this.procs.delete(proc.pid);
    for (const [name, pid] of this.names) if (pid === proc.pid) this.names.delete(name);
    const at = this.deps.now();
    for (const m of proc.monitors) this.procs.get(m)?.mailbox.deliverEvent(exitEvent(proc.pid, at, result));
    for (const l of proc.links) {
      this.procs.get(l)?.links.delete(proc.pid);
      if (result.error) this.linkDown(l, proc.pid, result.error);
    }
    if (result.error) this.deps.log('debug', `process ${proc.pid} (${proc.entryId}) exited with error: ${result.error.message}`);
  }

  /** `from` (linked to process `pid`) failed: LINK_DOWN when `pid` traps links, else `pid` is killed. */
  linkDown(pid: string, from: string, error: ErrorInfo): void {
    const partner = this.procs.get(pid);
    if (!partner) return;
    if (partner.trapLinks) {
      partner.mailbox.deliverEvent({ kind: 'pid.link.down', from, at: rfc3339(this.deps.now()), result: { error } });
    } else {
      partner.kill({ kind: ErrorKind.Canceled, message: `linked process ${from} failed: ${error.message}` });
    }
  }

  private defaultHost(): string | null {
    for (const e of this.deps.registry.entries.values()) if (e.kind === 'process.host') return e.id;
    return null;
  }

  /** The ProcessApi of a process (`self`), or of a function call of `entryId` (its process made on first use). */
  apiFor(self: Process | null, entryId = self?.entryId ?? ''): ExecutionApi {
    return new ExecutionApi(this, self, entryId);
  }

  /** A function call's process (api.ts makes it when the call first needs it). */
  adopt(entryId: string, host: LuaHost | null, task: Task | null): Process {
    const pid = `{${FUNCTION_HOST}|${(++this.seq).toString(36)}}`;
    const proc = new Process(pid, entryId, FUNCTION_HOST, this.deps.codec);
    proc.adopt(host, task);
    this.procs.set(pid, proc);
    proc.onExit(() => this.onExit(proc, proc.result!));
    return proc;
  }

  monitor(self: Process, pid: string, on: boolean): ErrorInfo | null {
    const target = this.procs.get(this.resolve(pid) ?? '');
    if (!target) return this.watchElsewhere(self.pid, pid, 'monitor', on);
    if (on) target.monitors.add(self.pid); else target.monitors.delete(self.pid);
    return null;
  }

  link(self: Process, pid: string, on: boolean): ErrorInfo | null {
    const target = this.procs.get(this.resolve(pid) ?? '');
    if (!target) return this.watchElsewhere(self.pid, pid, 'link', on);
    if (on) { target.links.add(self.pid); self.links.add(target.pid); } else { target.links.delete(self.pid); self.links.delete(target.pid); }
    return null;
  }

  register(name: string, target: string): ErrorInfo | null {
    const owner = this.names.get(name);
    if (owner && owner !== target) return { kind: ErrorKind.AlreadyExists, message: `name '${name}' is already registered to ${owner}` };
    this.names.set(name, target);
    return null;
  }

  lookup(name: string): string | null {
    return this.names.get(name) ?? null;
  }

  unregister(name: string): boolean {
    return this.names.delete(name);
  }
}
