/**
 * Recording a workflow's history for a golden file, without a service or a store on disk.
 *
 * Owns: running one workflow live on a MemoryStore with a VirtualClock that starts at the
 * recorded start, where
 * - a function call is answered without running anything when it matches a recorded call (same
 *   function id and arguments; each recorded call answers once, the earliest unused match first)
 *   or a stub (`--stub`); any other call runs the real function and is listed in `liveCalls`;
 *   an answer is the activity's final result (no retry policy), completed at its recorded time
 *   and preceded by the failed attempts recorded for it;
 * - a send, a spawn or a child cancel of the root workflow that matches a recorded one (same
 *   kind, target and payloads; each answers once, the earliest unused first) keeps its recorded
 *   outcome: delivered or its recorded error, and a kept spawn's child is not run, its recorded
 *   result arrives at its recorded time (no service runs while recording, so deciding these
 *   again would change what the golden says happened); others are decided live;
 * - uuids are handed out from the recorded ones, per version and in order, while they last;
 * - random bytes likewise, in order, while the next recorded draw has the size asked for;
 * - external events (signals, cancel requests, a termination) are delivered by a trigger:
 *   `inbox` — when the workflow waits to receive that topic (on its inbox or a `process.listen`
 *   channel), used by `--record --signal`; or a position — once the new history has at least as
 *   many commands and completion events as the recorded one had before the event, and the
 *   workflow is waiting (used by `--update`; a later recorded time is kept by waiting on the
 *   virtual clock). When nothing else can ever happen (no commit, no Lua work, no function
 *   running, no timer), the next event is delivered anyway, so a changed workflow that no longer
 *   reaches the recorded position still gets it (counted in `forced`).
 * The run ends when the workflow finishes, is parked, can make no more progress (`waiting`), or
 * after `timeoutMs` of real time.
 *
 * Invariants: the root workflow's id, input and start time are the plan's, so the result is a
 * history like one from a real run and `toGolden` writes it; nothing outside the Runtime's Lua
 * states is touched (the node's externalSend is restored when the run ends).
 */
import { WorkflowEngine, Outcome } from '../../runtime/engine/engine';
import type { CallAnswer } from '../../runtime/engine/effects';
import type { KeptOutcome } from '../../runtime/engine/hooks';
import { MemoryStore } from '../../runtime/store';
import { VirtualClock, type Clock } from '../../base/clock';
import { schedulerBusy } from '../../lua/scheduler';
import { describeCommand, matchCommand } from '../../runtime/engine/matcher';
import { isCommand, isEnd, type CommandRecord, type HistoryRecord, type RecordOf, type PendingSignal, type WorkflowRow, type WorkflowStatus } from '../../runtime/store/events';
import type { Batch, HistoryStore, StatusCounts, WorkflowQuery } from '../../runtime/store/store';
import type { Registry, LuaEntry } from '../../registry/types';
import type { ProcessNode } from '../../runtime/process/node';
import type { MailboxCodec } from '../../runtime/process/mailbox';
import type { LuaHost } from '../../lua/host';
import type { MailboxApi, Services } from '../../lua/services';
import type { CallRequest, CallResult, Cancel, Payload } from '../../base/payload';

/** What a recording needs from a loaded Runtime (session.ts builds it). */
export interface RecordHost {
  registry: Registry;
  node: ProcessNode;
  codec: MailboxCodec;
  callFunction(req: CallRequest, done: (r: CallResult) => void): Cancel;
  makeHost(entry: LuaEntry, services: Services, seed: number): { host: LuaHost; fnRef: number };
  /** Point the Runtime's clock (functions, processes) at this recording's clock. */
  useClock(clock: Clock): void;
}

/** When an external event is delivered (see the header). */
export type Trigger = 'inbox' | { afterCommands: number; afterEvents: number };

export type External =
  | { kind: 'signal'; topic: string; from: string; payloads: Payload[]; at?: number; when: Trigger }
  | { kind: 'cancel'; from: string; reason: string; at?: number; when: Trigger }
  | { kind: 'terminate'; reason: string; at?: number; when: Trigger };

export interface RecordedCall { fn: string; args: Payload[]; result: CallResult; at: number; attempts: number; failures?: Array<RecordOf<'attempt_failed'>> }

export interface RecordPlan {
  entry: string;
  input: Payload[];
  /** ms since the epoch: the virtual clock starts here. */
  startedAt: number;
  workflowId: string;
  worker?: string;
  /** function id -> its answer for every call (any workflow of the run, children included). */
  stubs?: Map<string, CallResult>;
  /** Recorded calls of the root workflow, in history order. */
  calls?: RecordedCall[];
  /** Recorded sends, spawns (with the child's result) and child cancels of the root, in order. */
  kept?: RecordedStep[];
  uuids?: { 1?: string[]; 4: string[]; 7: string[] };
  randoms?: RecordOf<'random'>[];
  externals?: External[];
  timeoutMs?: number;
}

/** A recorded step whose outcome re-recording keeps (see the header). */
export interface RecordedStep { rec: RecordOf<'send' | 'spawn' | 'cancel_child'>; child?: RecordOf<'child_done'> }

export type RecordStatus = 'finished' | 'waiting' | 'parked' | 'timeout' | 'not-started';

export interface RecordResult {
  status: RecordStatus;
  history: HistoryRecord[];
  outcome?: Outcome;
  /** Why it did not finish: the park report, the start error, the timeout. */
  message?: string;
  /** Calls that ran the real function: `funcs.call app:fn(args)  at file:line`. */
  liveCalls: string[];
  /** External events never delivered (the workflow ended first). */
  undelivered: External[];
  /** External events delivered only because nothing else could happen. */
  forced: number;
}

const COMPLETIONS = new Set(['call_done', 'timer_fired', 'child_done']);

/** The store, plus counts of the root workflow's committed commands and completion events. */
class CountingStore implements HistoryStore {
  commands = 0;
  events = 0;
  ended = false;
  constructor(private readonly inner: HistoryStore, private readonly root: string) {}
  commit(batch: Batch): void {
    this.inner.commit(batch);
    for (const a of batch.appends) {
      if (a.workflowId !== this.root) continue;
      if (isCommand(a.record)) this.commands++;
      else if (COMPLETIONS.has(a.record.type)) this.events++;
      else if (isEnd(a.record)) this.ended = true;
    }
  }
  addSignal(s: Omit<PendingSignal, 'id'>): number { return this.inner.addSignal(s); }
  pendingSignals(afterId?: number): PendingSignal[] { return this.inner.pendingSignals(afterId); }
  getWorkflow(id: string): WorkflowRow | null { return this.inner.getWorkflow(id); }
  listWorkflows(status?: WorkflowStatus[]): WorkflowRow[] { return this.inner.listWorkflows(status); }
  queryWorkflows(q: WorkflowQuery): WorkflowRow[] { return this.inner.queryWorkflows(q); }
  countWorkflows(q: Parameters<HistoryStore['countWorkflows']>[0], cap: number): StatusCounts { return this.inner.countWorkflows(q, cap); }
  childrenOf(id: string): WorkflowRow[] { return this.inner.childrenOf(id); }
  workflowEntries(): string[] { return this.inner.workflowEntries(); }
  history(id: string): HistoryRecord[] { return this.inner.history(id); }
  historyLength(id: string): number { return this.inner.historyLength(id); }
  close(): void { this.inner.close(); }
}

/** Answers for function calls: recorded ones first, then stubs; everything else runs. */
class Answers {
  private readonly used: boolean[];
  private readonly keptUsed: boolean[];
  readonly liveCalls: string[] = [];
  constructor(private readonly plan: RecordPlan) {
    this.used = (plan.calls ?? []).map(() => false);
    this.keptUsed = (plan.kept ?? []).map(() => false);
  }
  /** The recorded outcome of a root send/spawn/cancel that matches a recorded one. */
  kept(workflowId: string, rec: CommandRecord): KeptOutcome | null {
    if (workflowId !== this.plan.workflowId) return null;
    const steps = this.plan.kept ?? [];
    const i = steps.findIndex((s, k) => !this.keptUsed[k] && matchCommand(s.rec, rec, 0) === null);
    if (i < 0) return null;
    this.keptUsed[i] = true;
    const { rec: r, child } = steps[i];
    return { ...(r.error ? { error: r.error } : {}), ...(child ? { child } : {}) };
  }
  answer(workflowId: string, rec: RecordOf<'call'>): CallAnswer | null {
    if (workflowId === this.plan.workflowId) {
      const calls = this.plan.calls ?? [];
      const i = calls.findIndex((c, k) => !this.used[k] && c.fn === rec.fn && sameArgs(c.args, rec.args));
      if (i >= 0) {
        this.used[i] = true;
        const c = calls[i];
        return { result: c.result, at: c.at, attempts: c.attempts, ...(c.failures?.length ? { failures: c.failures } : {}) };
      }
    }
    const stub = this.plan.stubs?.get(rec.fn);
    if (stub) return { result: stub };
    this.liveCalls.push(`${describeCommand(rec)}  at ${rec.line}${workflowId === this.plan.workflowId ? '' : ` (in ${workflowId})`}`);
    return null;
  }
}

function sameArgs(a: Payload[], b: Payload[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Run the plan's workflow to its end (or until it can go no further) and return its history. */
export async function recordWorkflow(host: RecordHost, plan: RecordPlan): Promise<RecordResult> {
  const clock = new VirtualClock(plan.startedAt);
  host.useClock(clock);
  const root = plan.workflowId;
  const store = new CountingStore(new MemoryStore('golden recording'), root);
  const answers = new Answers(plan);
  const uuids = { 1: [...(plan.uuids?.[1] ?? [])], 4: [...(plan.uuids?.[4] ?? [])], 7: [...(plan.uuids?.[7] ?? [])] };
  const randoms = [...(plan.randoms ?? [])];
  const nextRandom = (n: number): Uint8Array | undefined => (randoms[0]?.bytes === n ? new Uint8Array(Buffer.from(randoms.shift()!.value, 'base64')) : undefined);
  let running = 0;
  let mailbox: MailboxApi | null = null;
  const engine = new WorkflowEngine({
    registry: host.registry,
    store,
    clock,
    call: (req, done) => {
      running++;
      let open = true;
      const finish = () => { if (open) { open = false; running--; } };
      const cancel = host.callFunction(req, (r) => { finish(); done(r); });
      return () => { finish(); cancel(); };
    },
    node: host.node,
    output: { print: () => {}, log: () => {} },
    codec: host.codec,
    makeHost: (entry, services, seed) => {
      if (services.context().workflow_id === root) mailbox = services.process().mailbox();
      return host.makeHost(entry, services, seed);
    },
    cacheSize: 1 << 20,
    answerCall: (id, rec) => answers.answer(id, rec),
    keptOutcome: (id, rec) => answers.kept(id, rec),
    newUuid: (version, _ms, id) => (id === root ? uuids[version].shift() : undefined),
    newRandom: (n, id) => (id === root ? nextRandom(n) : undefined),
  });

  const externals = [...(plan.externals ?? [])];
  let scheduled = false;
  let forced = 0;
  const quiet = () => !engine.busy && !schedulerBusy();
  const due = (): boolean => {
    const x = externals[0];
    if (!x || scheduled || store.ended) return false;
    if (x.when === 'inbox') return x.kind !== 'signal' || (mailbox?.waitingFor(x.topic) ?? false);
    return store.commands >= x.when.afterCommands && store.events >= x.when.afterEvents;
  };
  const refused: External[] = [];
  const deliver = (): void => {
    const x = externals.shift()!;
    const err = x.kind === 'signal' ? engine.signal(root, x.topic, x.from, x.payloads)
      : engine.cancelOrTerminate(root, x.kind === 'cancel' ? x.from : '', x.kind === 'terminate', x.reason);
    if (err) refused.push(x); // the workflow ended in the meantime
  };
  /** Deliver now, or at its recorded time when that is later (the virtual clock jumps there). */
  const deliverInTime = (): void => {
    const at = externals[0].at;
    if (at === undefined || at <= clock.now()) { deliver(); return; }
    scheduled = true;
    clock.setTimer(at - clock.now(), () => { scheduled = false; if (!store.ended) deliver(); });
  };
  clock.addBusyProbe(schedulerBusy);
  clock.addBusyProbe(() => engine.busy);
  clock.addBusyProbe(due); // a due event goes before the clock moves on

  const savedSend = host.node.externalSend;
  host.node.externalSend = (to, msg) => {
    const t = engine.resolveTarget(to);
    if (!t || t.kind !== 'workflow') return savedSend?.(to, msg);
    return engine.signal(t.id, msg.topic, msg.from, msg.payloads);
  };

  let outcome: Outcome | null = null;
  let status: RecordStatus = 'finished';
  let message: string | undefined;
  try {
    const started = engine.start(plan.entry, plan.input, { id: root, worker: plan.worker });
    if ('error' in started) {
      return { status: 'not-started', history: [], message: `${started.error.kind}: ${started.error.message}`, liveCalls: [], undelivered: externals, forced: 0 };
    }
    engine.watch(root, (o) => { outcome = o; });
    const deadline = Date.now() + (plan.timeoutMs ?? 60_000);
    status = await new Promise<RecordStatus>((resolve) => {
      let stillSince = 0;
      const turn = (): void => {
        if (outcome) { resolve('parked' in outcome ? 'parked' : 'finished'); return; }
        if (Date.now() > deadline) { resolve('timeout'); return; }
        if (quiet() && due()) { stillSince = 0; deliverInTime(); }
        else if (quiet() && running === 0 && clock.pending === 0) {
          // Nothing can happen any more. Deliver the next event anyway, or give up waiting.
          if (externals.length && !scheduled && !store.ended) { forced++; stillSince = 0; deliverInTime(); }
          else if (!stillSince) stillSince = Date.now();
          else if (Date.now() - stillSince > 30) { resolve('waiting'); return; }
        } else stillSince = 0;
        setImmediate(turn);
      };
      setImmediate(turn);
    });
    const o = outcome as Outcome | null;
    if (o && 'parked' in o) message = o.parked;
    if (status === 'timeout') message = `did not finish within ${Math.round((plan.timeoutMs ?? 60_000) / 1000)}s of real time (a loop that never ends?)`;
    engine.close();
    return { status, history: store.history(root), ...(o ? { outcome: o } : {}), ...(message ? { message } : {}), liveCalls: answers.liveCalls, undelivered: [...refused, ...externals], forced };
  } finally {
    engine.close();
    host.node.externalSend = savedSend;
  }
}
