/**
 * Durable requests to workflows from outside an engine: signals, cancel and terminate, as sent by
 * `wippy workflow signal|cancel|terminate`, possibly while a `wippy run` in another process owns
 * the store.
 *
 * Owns: how a request is written (one row in the store's signals table) and how the workflow a
 * user names is found. The reserved topics (every topic that starts with `@` belongs to the
 * runtime; `@cancel` and `@terminate` are the two in use), the PID form and how an engine applies
 * a request it accepts are runtime/engine/addressing.ts (re-exported here).
 *
 * Why the signals table: it is already durable, a running engine polls it every 200ms, and
 * `resumeAll` drains it at start-up. So a request reaches a `wippy run` in another process, or
 * the next one to start, with no second channel and no write to a history from outside its engine
 * (histories have exactly one writer: the engine holding the store's lock).
 *
 * Invariants: a request is in the store before `send*` returns; a user signal never uses a
 * reserved topic; requests are refused (WORKFLOW_NOT_FOUND / WORKFLOW_FINISHED) for a workflow that
 * does not exist or has finished; a workflow whose start is requested (`wippy workflow start`)
 * but not yet taken counts as existing: its requests are stored after the start's row, so an
 * engine applies them once it has created the workflow; a reserved topic this version does not
 * know is dropped with a warning, never delivered to Lua as an ordinary signal.
 */
import { ErrorCode, WippyError, notJsonError } from '../../base/errors';
import type { HistoryStore } from '../../runtime/store/store';
import type { WorkflowRow, WorkflowStatus } from '../../runtime/store/events';
import type { Payload } from '../../base/payload';
import { commandLineTextProblem, parsedPayloadProblem } from '../../lua/limits';
import { CANCEL_TOPIC, TERMINATE_TOPIC, RESERVED_PREFIX, START_TOPIC, isReservedTopic, startRequestOf, workflowIdOfPid, type ControlKind } from '../../runtime/engine/addressing';

export {
  CANCEL_TOPIC, TERMINATE_TOPIC, RESERVED_PREFIX, isReservedTopic, controlRequestOf, applyControlSignal,
} from '../../runtime/engine/addressing';
export type { ControlKind, ControlRequest, ControlTarget } from '../../runtime/engine/addressing';

/** The `from` of requests sent by the CLI (what `cancel requested by ...` and reasons name). */
export const CLI_SENDER = 'wippy-cli';

export const FINISHED: readonly WorkflowStatus[] = ['completed', 'failed', 'canceled', 'terminated'];

// ---------------------------------------------------------------- sending (the CLI side)

/**
 * The workflow a user named: its id, its PID (`{client@worker|id}`), or a prefix of its id that
 * only one workflow has (ids are long; a prefix is what people type). A child's id extends its
 * parent's (`<parent>.<n>`), so every prefix of a parent also matches its descendants: a prefix
 * that matches one workflow and only its descendants means that workflow. One-line error otherwise.
 */
export function findWorkflow(store: HistoryStore, given: string): WorkflowRow {
  const id = workflowIdOfPid(given) ?? given.trim();
  const exact = id === '' ? null : store.getWorkflow(id);
  if (exact) return exact;
  const matches = id.length >= 4 ? store.listWorkflows().filter((r) => r.id.startsWith(id)) : [];
  const top = matches.filter((r) => !matches.some((o) => o !== r && r.id.startsWith(`${o.id}.`)));
  if (top.length === 1) return top[0];
  if (matches.length > 1) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT,
      `${JSON.stringify(given)} is the start of ${matches.length} workflow ids (${matches.slice(0, 3).map((r) => r.id).join(', ')}${matches.length > 3 ? ', ...' : ''}); give more of the id`);
  }
  const requested = id === '' ? null : pendingStart(store, id);
  if (requested !== null) {
    throw new WippyError(ErrorCode.WORKFLOW_NOT_FOUND,
      `workflow ${id} (${requested.entry}) is requested (\`wippy workflow start\`) but not started yet, so it has no history: a running \`wippy run\` on this store starts it within a second, or the next one does`);
  }
  throw new WippyError(ErrorCode.WORKFLOW_NOT_FOUND, `no workflow ${given} in the store; \`wippy workflow list\` shows the ids`);
}

/** What a request is addressed to: a workflow's row, or a start requested for that id and not yet taken. */
export type Target = Pick<WorkflowRow, 'id' | 'entry'>;

/** The start requested for exactly `id` that no engine has taken yet, or null (reads the pending requests: only for ids not found). */
export function pendingStart(store: HistoryStore, id: string): Target | null {
  for (const s of store.pendingSignals()) {
    if (s.topic !== START_TOPIC || s.workflowId !== id) continue;
    const req = startRequestOf(s);
    if (req !== null) return { id, entry: req.entry };
  }
  return null;
}

/**
 * The workflow a request goes to: its row, or the start requested under exactly that id (the
 * request is then applied after the start); a one-line user error when it is unknown or finished.
 */
export function liveWorkflow(store: HistoryStore, given: string, what: string): Target {
  const id0 = workflowIdOfPid(given) ?? given.trim();
  if (id0 !== '' && store.getWorkflow(id0) === null) {
    const requested = pendingStart(store, id0);
    if (requested !== null) return requested;
  }
  const row = findWorkflow(store, given);
  const id = row.id;
  if (FINISHED.includes(row.status)) {
    throw new WippyError(ErrorCode.WORKFLOW_FINISHED,
      `workflow ${id} (${row.entry}) has already ${row.status === 'canceled' ? 'been canceled' : row.status === 'terminated' ? 'been terminated' : row.status}; there is nothing to ${what}`);
  }
  return row;
}

/** Each argument must be one JSON value: returns them as payloads (their text, unchanged). */
export function parsePayloads(raw: string[]): Payload[] {
  return raw.map((text, i) => {
    const notText = commandLineTextProblem(text);
    if (notText) throw new WippyError(ErrorCode.BAD_ARGUMENT, `payload ${i + 1} ${notText}`);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw notJsonError(`payload ${i + 1}`, text, 'each payload is one JSON value');
    }
    // Valid JSON that Lua cannot hold would be delivered, and fail the workflow that reads it.
    const problem = parsedPayloadProblem(v);
    if (problem) throw new WippyError(ErrorCode.BAD_ARGUMENT, `payload ${i + 1} cannot be passed to Lua: ${problem}`);
    return text;
  });
}

export function checkUserTopic(topic: string): void {
  if (topic === '') throw new WippyError(ErrorCode.BAD_ARGUMENT, 'the signal topic is empty');
  const notText = commandLineTextProblem(topic);
  if (notText) throw new WippyError(ErrorCode.BAD_ARGUMENT, `the signal topic ${notText}`);
  if (isReservedTopic(topic)) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT,
      `topic ${JSON.stringify(topic)} is reserved (topics starting with ${RESERVED_PREFIX} belong to the runtime); use \`wippy workflow cancel\` or \`terminate\` to stop a workflow`);
  }
}

export interface Sent { signalId: number; row: Target }

/** Store a user signal for a live workflow (topic and payloads already validated). */
export function sendSignal(store: HistoryStore, id: string, topic: string, payloads: Payload[], now = Date.now()): Sent {
  checkUserTopic(topic);
  const row = liveWorkflow(store, id, 'signal');
  const signalId = store.addSignal({ workflowId: row.id, topic, from: CLI_SENDER, payloads, at: now });
  return { signalId, row };
}

/** Store a cancel (cooperative: a pid.cancel event) or terminate (immediate) request. */
export function sendControl(store: HistoryStore, id: string, kind: ControlKind, reason: string | undefined, now = Date.now()): Sent {
  const row = liveWorkflow(store, id, kind);
  const payloads = reason === undefined || reason === '' ? [] : [JSON.stringify(reason)];
  const signalId = store.addSignal({ workflowId: row.id, topic: kind === 'cancel' ? CANCEL_TOPIC : TERMINATE_TOPIC, from: CLI_SENDER, payloads, at: now });
  return { signalId, row };
}

/** True while the signal row is still waiting for an engine to accept it. */
export function isPending(store: HistoryStore, signalId: number): boolean {
  return store.pendingSignals(signalId - 1)[0]?.id === signalId;
}

/** Wait until an engine accepted the signal (its row is gone) or `timeoutMs` passed. */
export async function waitAccepted(store: HistoryStore, signalId: number, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (!isPending(store, signalId)) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
