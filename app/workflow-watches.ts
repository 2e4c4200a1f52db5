/**
 * Processes watching workflows: `process.monitor` / `process.link` of a workflow PID from a
 * process (and `spawn_monitored` / `spawn_linked` of a workflow), as in Wippy.
 *
 * Owns: which process watches which workflow, and how (monitor or link); turning a workflow's
 * end into the process's EXIT event (monitor, and link on a normal end, as Wippy's Temporal
 * receiver does) or, for a link on an error end, LINK_DOWN / the process's termination
 * (runtime/process/node.ts `linkDown`). Invariants: a watch undone
 * (`unmonitor`, `unlink`) delivers nothing; each watch fires at most once; the link is one-way
 * (a process's failure never ends a workflow: Wippy's Temporal host has no bidirectional links);
 * nothing here is recorded (a process's watches live as long as the process).
 *
 * Also `routeToEngine`: how a process node reaches workflows at all (starts, sends, cancels,
 * watches), through the engine of the moment: between two engines (a node joining its shared
 * store again) a start is refused as Unavailable and a send finds no workflow.
 */
import type { WorkflowEngine, Outcome } from '../runtime/engine/engine';
import type { ProcessNode } from '../runtime/process/node';
import { exitEvent } from '../runtime/process/process';
import { ErrorKind, type ErrorInfo } from '../base/errors';
import type { CallResult } from '../base/payload';

export type WatchKind = 'monitor' | 'link';

export class WorkflowWatches {
  /** `${kind} ${pid} ${workflowId}` -> the token of its live watch. */
  private readonly live = new Map<string, number>();
  private seq = 0;

  constructor(
    /** The engine of the moment (app/runtime.ts: a node that lost its shared store gets another). */
    private readonly engineNow: () => WorkflowEngine | null,
    private readonly node: ProcessNode,
    private readonly now: () => number,
    private readonly resultOf: (o: Outcome) => CallResult,
  ) {}

  /** `pid` starts (on) or stops watching the workflow `to` (an id or a workflow PID); undefined: `to` is no workflow. */
  set(pid: string, to: string, kind: WatchKind, on: boolean): ErrorInfo | null | undefined {
    const engine = this.engineNow();
    const t = engine?.resolveTarget(to);
    if (!engine) return undefined;
    if (!t || t.kind !== 'workflow') return undefined;
    const key = `${kind} ${pid} ${t.id}`;
    if (!on) { this.live.delete(key); return null; }
    const token = ++this.seq;
    this.live.set(key, token);
    const wfPid = engine.pidOf(t.id);
    const watched = engine.watch(t.id, (o) => {
      if (this.live.get(key) !== token) return;
      this.live.delete(key);
      const result = this.resultOf(o);
      // As Wippy's Temporal receiver: a link hears a normal end as EXIT too, an error end as LINK_DOWN.
      if (kind === 'link' && result.error) this.node.linkDown(pid, wfPid, result.error);
      else this.node.get(pid)?.mailbox.deliverEvent(exitEvent(wfPid, this.now(), result));
    });
    if (!watched) { this.live.delete(key); return { kind: ErrorKind.NotFound, message: `no workflow ${to}`, retryable: false }; }
    return null;
  }
}

/** Wire `node`'s workflow starts, sends, cancels and watches to `current()` engine. */
export function routeToEngine(node: ProcessNode, current: () => WorkflowEngine | null, now: () => number, resultOf: (o: Outcome) => CallResult): void {
  const watches = new WorkflowWatches(current, node, now, resultOf);
  node.externalWatch = (from, to, kind, on) => watches.set(from, to, kind, on);
  node.workflowSpawner = (id, worker, args, parent, opts, onExit) => {
    const engine = current();
    if (!engine) return { error: { kind: ErrorKind.Unavailable, message: `cannot start workflow ${id}: this node is joining its workflow store again; retry`, retryable: true } };
    const r = engine.spawn(id, args, worker, parent ?? '', opts);
    if ('error' in r) return r;
    if (parent && opts.monitor) watches.set(parent, r.id, 'monitor', true);
    if (parent && opts.link) watches.set(parent, r.id, 'link', true);
    if (onExit) engine.watch(r.id, (o) => onExit(resultOf(o)));
    return { pid: r.pid };
  };
  node.externalSend = (to, msg) => {
    const engine = current();
    const t = engine?.resolveTarget(to);
    if (!engine || !t || t.kind !== 'workflow') return undefined;
    return engine.signal(t.id, msg.topic, msg.from, msg.payloads);
  };
  node.externalControl = (from, to, terminate, reason) => {
    const engine = current();
    const t = engine?.resolveTarget(to);
    if (!engine || !t || t.kind !== 'workflow') return undefined;
    return engine.cancelOrTerminate(t.id, from, terminate, reason);
  };
}
