/**
 * Carrying out what an activation hands back to the durable engine: the effect of each live
 * command, and the effects the replay left open after a restart or an eviction.
 *
 * Owns: which effect each command type has (one `switch` over LiveCommand, exhaustive: a new
 * command type does not compile until it is handled here), starting children and delivering
 * workflow sends, and re-attaching a child that finished while its parent was not in memory.
 * Invariants: the activation's records are already appended when an effect is carried out (so a
 * record an effect appends, e.g. a child that cannot start, follows them); an activity starts
 * before its command's commit (commit.ts says why), a timer is armed, a timer disarmed, a
 * process send made and a child cancelled only once the command is committed; a send to a
 * workflow becomes a `signal` record in the same batch (a signal row, when another node owns
 * it); a kept outcome (golden re-recording)
 * replaces the child: it is not run, its recorded result arrives at its recorded time.
 */
import type { Effects } from './effects';
import type { GroupCommit } from './commit';
import type { KeptOutcome, LiveCommand, OpenCommand, SendTarget } from './hooks';
import type { HistoryRecord, RecordOf, WorkflowRow, WorkflowStatus } from '../store/events';
import type { Clock } from '../../base/clock';
import type { ErrorInfo } from '../../base/errors';
import type { Payload } from '../../base/payload';

/** What carrying out commands needs from the engine. */
export interface CommandDeps {
  clock: Clock;
  effects: Effects;
  commit: GroupCommit;
  appendRecord(id: string, rec: HistoryRecord): void;
  statusOf(id: string): WorkflowStatus | undefined;
  getWorkflow(id: string): WorkflowRow | null;
  start(entryId: string, input: Payload[], opts: { id: string; parent: string; parentCmd: number; worker: string; messages?: RecordOf<'spawn'>['messages']; from?: string }): { id: string } | { error: ErrorInfo };
  cancelOrTerminate(id: string, from: string, terminate: boolean): unknown;
  sendToProcess(from: string, pid: string, topic: string, payloads: Payload[]): void;
  pidOf(id: string): string;
  closed(): boolean;
  /** A replayed parent's finished child: true when its `child_done` comes from the child's row (signals.ts childDoneFromRow). */
  childDoneFromRow(parent: string, child: string): boolean;
}

/** The workflow whose activation it was. */
export interface Emitter { id: string; worker: string }

export class CommandEffects {
  constructor(private readonly deps: CommandDeps) {}

  /** The effect of a command the activation emitted live (its record is appended). */
  carryOut(wf: Emitter, c: LiveCommand): void {
    const { effects, commit } = this.deps;
    switch (c.type) {
      case 'call': commit.beforeCommit(() => effects.startActivity(wf.id, c.rec)); return;
      case 'timer': commit.onCommit(() => effects.armTimer(wf.id, c.rec.cmd, c.fireAt)); return;
      case 'timer_cancel': commit.onCommit(() => effects.disarmTimer(wf.id, c.rec.of)); return;
      case 'uuid':
      case 'random':
      case 'version': return;
      case 'spawn': if (!c.rec.error) this.startChild(wf, c.rec, c.worker, c.kept); return;
      case 'send': if (!c.rec.error && c.target) this.deliverSend(wf, c.target, c.rec); return;
      case 'cancel_child': {
        const target = c.target;
        if (!c.rec.error && target?.kind === 'workflow') {
          commit.onCommit(() => this.deps.cancelOrTerminate(target.id, this.deps.pidOf(wf.id), c.rec.terminate));
        }
        return;
      }
      default: {
        const unhandled: never = c;
        throw new Error(`no effect for the command ${(unhandled as LiveCommand).type}`);
      }
    }
  }

  /** The replay caught up: start again what the history left open (after a restart or an eviction). */
  reopen(wf: Emitter, open: OpenCommand[]): void {
    for (const o of open) {
      const r = o.rec;
      if (r.type === 'call') this.deps.commit.beforeCommit(() => this.deps.effects.startActivity(wf.id, r, o.retry));
      else if (r.type === 'timer') this.deps.effects.armTimer(wf.id, r.cmd, o.fireAt ?? this.deps.clock.now());
      else if (r.type === 'spawn') this.reattachChild(wf, r);
    }
  }

  /** The parent's spawn command was just appended: create the child in the same batch. */
  private startChild(parent: Emitter, rec: RecordOf<'spawn'>, worker: string | null, kept: KeptOutcome | null): void {
    const { clock } = this.deps;
    if (kept) {
      const done = kept.child;
      if (done) {
        clock.setTimer(Math.max(0, done.at - clock.now()), () => {
          if (!this.deps.closed() && this.deps.statusOf(parent.id) === 'running') this.deps.appendRecord(parent.id, { ...done, of: rec.cmd, child: rec.child });
        });
      }
      return;
    }
    const r = this.deps.start(rec.entry, rec.args, { id: rec.child, parent: parent.id, parentCmd: rec.cmd, worker: worker ?? parent.worker, messages: rec.messages, from: this.deps.pidOf(parent.id) });
    if ('error' in r) this.deps.appendRecord(parent.id, { type: 'child_done', of: rec.cmd, at: clock.now(), child: rec.child, error: r.error });
  }

  /** A workflow's recorded send: to a workflow in the same batch, to a process after commit. */
  private deliverSend(from: Emitter, target: SendTarget, rec: RecordOf<'send'>): void {
    const fromPid = this.deps.pidOf(from.id);
    if (target.kind === 'workflow' && this.deps.statusOf(target.id) === undefined) {
      // Another node's (a shared store): a signal row in this batch, for its owner to take.
      this.deps.commit.open.signals.push({ workflowId: target.id, topic: rec.topic, from: fromPid, payloads: rec.payloads, at: this.deps.clock.now() });
      this.deps.commit.schedule();
    } else if (target.kind === 'workflow') {
      this.deps.appendRecord(target.id, { type: 'signal', at: this.deps.clock.now(), topic: rec.topic, from: fromPid, payloads: rec.payloads, signal: 0 });
    } else {
      this.deps.commit.onCommit(() => this.deps.sendToProcess(fromPid, target.pid, rec.topic, rec.payloads));
    }
  }

  /** A child the parent still waits for, which finished while the parent was not in memory. */
  private reattachChild(parent: Emitter, rec: RecordOf<'spawn'>): void {
    if (this.deps.statusOf(rec.child) === 'running') return;
    const row = this.deps.getWorkflow(rec.child);
    if (!row || row.status === 'running' || row.status === 'parked') return;
    if (!this.deps.childDoneFromRow(parent.id, rec.child)) return;
    this.deps.appendRecord(parent.id, { type: 'child_done', of: rec.cmd, at: row.updatedAt, child: rec.child, ...(row.error ? { error: row.error } : { value: row.result ?? 'null' }) });
  }
}
