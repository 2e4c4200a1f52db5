/**
 * How workflows are addressed from outside their code: their PIDs, and the reserved topics that
 * carry control requests (`@cancel`, `@terminate`), start requests (`@start`, for a workflow
 * that does not exist yet) and a child's end on another node (`@child_done`) through the
 * store's signals table.
 *
 * Owns: the PID form `{client@worker|id}` (one regex, one builder: the engine, the golden replay
 * driver and `wippy workflow` all use these), a worker's task queue, the reserved topics and how
 * an engine applies a control request it accepts (`applyControlSignal`), the form of a start
 * request (`startRequestRow` / `startRequestOf`). Writing requests (the
 * CLI side) is app/control/requests.ts. Invariants: every topic that starts with `@` belongs to
 * the runtime and never reaches Lua as an ordinary signal; a reserved topic this version does not
 * know is dropped with a warning; a malformed reason never loses the request.
 */
import type { ErrorInfo } from '../../base/errors';
import type { Registry } from '../../registry/types';
import { START_TOPIC, type PendingSignal, type RecordOf } from '../store/events';
import type { Payload } from '../../base/payload';

export { START_TOPIC } from '../store/events';

/** `{client@worker|id}`: group 1 is the workflow id. */
const WORKFLOW_PID_RE = /^\{[^|]*@[^|]*\|(.+)\}$/;

/** The PID of workflow `id` on `worker` (the worker entry's client, `temporal` by default). */
export function workflowPid(registry: Registry, worker: string, id: string): string {
  const client = (registry.entries.get(worker) as { client?: string } | undefined)?.client ?? 'temporal';
  return `{${client}@${worker}|${id}}`;
}

/** `{client@worker|id}` -> id; null for anything else. */
export function workflowIdOfPid(pid: string): string | null {
  const m = WORKFLOW_PID_RE.exec(pid);
  return m ? m[1] : null;
}

/** The task queue of a temporal.worker entry ('' when it has none). */
export function taskQueueOf(registry: Registry, worker: string): string {
  return (registry.entries.get(worker) as { taskQueue?: string } | undefined)?.taskQueue ?? '';
}

/**
 * The temporal.worker a spawn's host argument names: a worker entry id, or (as in Wippy, where
 * the host of a workflow spawn is a task queue) the task queue of one; null when neither.
 */
export function workerNamed(registry: Registry, hostOrQueue: string): string | null {
  if (registry.entries.get(hostOrQueue)?.kind === 'temporal.worker') return hostOrQueue;
  for (const e of registry.entries.values()) {
    if (e.kind === 'temporal.worker' && (e as { taskQueue?: string }).taskQueue === hostOrQueue) return e.id;
  }
  return null;
}

/** The registry's first temporal.worker: where a workflow entry with none of its own runs. */
export function defaultWorker(registry: Registry): string | null {
  for (const e of registry.entries.values()) if (e.kind === 'temporal.worker') return e.id;
  return null;
}

export const RESERVED_PREFIX = '@';
export const CANCEL_TOPIC = '@cancel';
export const TERMINATE_TOPIC = '@terminate';
/**
 * A child workflow ended on another node than its parent's (a shared store): the row carries the
 * parent's `child_done` record as its one payload, for the parent's owner to append.
 */
export const CHILD_DONE_TOPIC = '@child_done';

/** The `child_done` record a `@child_done` row carries; null when malformed. */
export function childDoneOf(s: Pick<PendingSignal, 'topic' | 'payloads'>): RecordOf<'child_done'> | null {
  if (s.topic !== CHILD_DONE_TOPIC || s.payloads.length !== 1) return null;
  try {
    const r = JSON.parse(s.payloads[0]) as RecordOf<'child_done'>;
    return r?.type === 'child_done' && typeof r.of === 'number' && typeof r.child === 'string' && typeof r.at === 'number' ? r : null;
  } catch {
    return null;
  }
}

export type ControlKind = 'cancel' | 'terminate';
export interface ControlRequest { kind: ControlKind; reason: string }

export function isReservedTopic(topic: string): boolean {
  return topic.startsWith(RESERVED_PREFIX);
}

/** The request a pending signal carries; null for an ordinary signal or an unknown reserved topic. */
export function controlRequestOf(s: Pick<PendingSignal, 'topic' | 'payloads'>): ControlRequest | null {
  const kind: ControlKind | null = s.topic === CANCEL_TOPIC ? 'cancel' : s.topic === TERMINATE_TOPIC ? 'terminate' : null;
  if (!kind) return null;
  let reason = kind === 'cancel' ? 'canceled' : 'terminated';
  try {
    const v: unknown = s.payloads[0] === undefined ? undefined : JSON.parse(s.payloads[0]);
    if (typeof v === 'string' && v !== '') reason = v;
  } catch {
    // A malformed reason is not worth losing the request over: keep the default.
  }
  return { kind, reason };
}

/** A start asked for from outside (`wippy workflow start`): what a `@start` row carries. */
export interface StartRequest { id: string; entry: string; input: Payload[] }

/** The pending row that asks an engine to start workflow `req.id` (payload 1: `{"entry"}`; then the input). */
export function startRequestRow(req: StartRequest, from: string, at: number): Omit<PendingSignal, 'id'> {
  return { workflowId: req.id, topic: START_TOPIC, from, payloads: [JSON.stringify({ entry: req.entry }), ...req.input], at };
}

/** The start a `@start` row asks for; null when the row is not one or is malformed. */
export function startRequestOf(s: Pick<PendingSignal, 'workflowId' | 'topic' | 'payloads'>): StartRequest | null {
  if (s.topic !== START_TOPIC || s.payloads.length === 0) return null;
  try {
    const head = JSON.parse(s.payloads[0]) as { entry?: unknown };
    return typeof head?.entry === 'string' && head.entry !== '' ? { id: s.workflowId, entry: head.entry, input: s.payloads.slice(1) } : null;
  } catch {
    return null;
  }
}

/** What an engine offers to apply a request (WorkflowEngine satisfies it). */
export interface ControlTarget {
  cancelOrTerminate(id: string, from: string, terminate: boolean, reason?: string): ErrorInfo | null | unknown;
  readonly output: { log(level: string, message: string): void };
}

/**
 * Apply a signal with a reserved topic to the workflow it names (the caller has checked that the
 * workflow is live in this engine and has consumed the signal row).
 */
export function applyControlSignal(engine: ControlTarget, s: PendingSignal): void {
  const req = controlRequestOf(s);
  if (!req) {
    engine.output.log('warn', `workflow ${s.workflowId}: dropped a request with the unknown reserved topic ${JSON.stringify(s.topic)} (topics starting with ${RESERVED_PREFIX} belong to the runtime)`);
    return;
  }
  engine.cancelOrTerminate(s.workflowId, s.from, req.kind === 'terminate', req.reason);
}
