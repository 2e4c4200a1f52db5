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
