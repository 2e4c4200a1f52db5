/**
 * A workflow's history: one discriminated union of every record kind, in one file.
 *
 * The history is the ordered log of a workflow: COMMANDS that the script emitted (what it asked
 * for: a call, a timer, a uuid...) interleaved with EVENTS delivered to it (what happened: a call
 * finished, a timer fired, a signal arrived). Commands carry `cmd`, their emission number in the
 * workflow (0, 1, 2...); events that complete a command carry `of`, the command they complete.
 * Replay re-runs the script and matches each emitted command against the next recorded one.
 *
 * Invariants: records are append-only and never rewritten; a command's result, when it has an
 * immediate one (uuid, random, send, spawn, version), is stored in the command itself; payloads are JSON
 * text from the codec, so a value replays to exactly what was recorded; `at` is the workflow clock
 * in ms since the epoch at delivery (the workflow's `time.now()` reads it, so time replays too);
 * `line` is the Lua `file:line` that emitted a command (for non-determinism reports and goldens).
 *
 * BOOKKEEPING records are neither: the engine writes them for itself and replay steps over them
 * (they are never delivered to the script and never matched). `attempt_failed` records a
 * finished, failed attempt of an activity and when the next one is due, before that backoff
 * starts, so a restart continues with the next attempt at its due time (engine/effects.ts).
 */
import type { ErrorInfo } from '../../base/errors';
import type { Payload } from '../../base/payload';

export type HistoryRecord =
  // --- lifecycle ---
  | { type: 'started'; at: number; entry: string; input: Payload[]; worker: string; parent?: string; context?: Record<string, unknown> }
  | { type: 'completed'; at: number; value: Payload }
  | { type: 'failed'; at: number; error: ErrorInfo }
  | { type: 'terminated'; at: number; reason: string }
  // --- commands (emitted by the script) ---
  | { type: 'call'; cmd: number; fn: string; args: Payload[]; options?: Record<string, unknown>; line: string }
  | { type: 'timer'; cmd: number; ms: number; line: string }
  | { type: 'timer_cancel'; cmd: number; of: number; line: string }
  | { type: 'uuid'; cmd: number; version: 1 | 4 | 7; value: string; line: string }
  // random bytes drawn by `fn` (crypto.random.*, a cipher's nonce), base64 in `value`
  | { type: 'random'; cmd: number; fn: string; bytes: number; value: string; line: string }
  // messages: startup messages (a Spawner's with_message), the child's first signals
  | { type: 'spawn'; cmd: number; entry: string; child: string; args: Payload[]; wait: boolean; line: string; error?: ErrorInfo; messages?: Array<{ topic: string; payloads: Payload[] }> }
  | { type: 'send'; cmd: number; to: string; topic: string; payloads: Payload[]; line: string; error?: ErrorInfo }
  | { type: 'cancel_child'; cmd: number; to: string; terminate: boolean; line: string; error?: ErrorInfo }
  | { type: 'version'; cmd: number; change: string; version: number; line: string }
  // --- events (delivered to the script) ---
  | { type: 'call_done'; of: number; at: number; value?: Payload; error?: ErrorInfo; attempts: number }
  | { type: 'timer_fired'; of: number; at: number }
  | { type: 'child_done'; of: number; at: number; child: string; value?: Payload; error?: ErrorInfo }
  | { type: 'signal'; at: number; topic: string; from: string; payloads: Payload[]; signal: number }
  | { type: 'cancel_requested'; at: number; from: string; reason: string }
  // --- bookkeeping (for the engine; replay steps over it) ---
  | { type: 'attempt_failed'; of: number; at: number; attempt: number; error: ErrorInfo; due: number };

export type RecordType = HistoryRecord['type'];
export type RecordOf<T extends RecordType> = Extract<HistoryRecord, { type: T }>;

export type CommandRecord = Extract<HistoryRecord, { cmd: number }>;
export type EventRecord = RecordOf<'call_done' | 'timer_fired' | 'child_done' | 'signal' | 'cancel_requested'>;
export type EndRecord = RecordOf<'completed' | 'failed' | 'terminated'>;

/** A handler per record type: adding a type to the union breaks every map that misses it. */
export type RecordHandlers<R> = { [T in RecordType]: (r: RecordOf<T>) => R };

/** Run the handler of `r`'s type (e.g. app/control/views.ts's timeline details). */
export function handleRecord<R>(r: HistoryRecord, handlers: RecordHandlers<R>): R {
  return (handlers[r.type] as (r: HistoryRecord) => R)(r);
}

const KIND_OF: Record<RecordType, 'lifecycle' | 'command' | 'event' | 'bookkeeping'> = {
  started: 'lifecycle', completed: 'lifecycle', failed: 'lifecycle', terminated: 'lifecycle',
  call: 'command', timer: 'command', timer_cancel: 'command', uuid: 'command', random: 'command', spawn: 'command',
  send: 'command', cancel_child: 'command', version: 'command',
  call_done: 'event', timer_fired: 'event', child_done: 'event', signal: 'event', cancel_requested: 'event',
  attempt_failed: 'bookkeeping',
};

export function isCommand(r: HistoryRecord): r is CommandRecord {
  return KIND_OF[r.type] === 'command';
}

export function isEvent(r: HistoryRecord): r is EventRecord {
  return KIND_OF[r.type] === 'event';
}

/** A record the engine keeps for itself: not delivered to the script, not matched on replay. */
export function isBookkeeping(r: HistoryRecord): r is RecordOf<'attempt_failed'> {
  return KIND_OF[r.type] === 'bookkeeping';
}

export function isEnd(r: HistoryRecord): r is EndRecord {
  return r.type === 'completed' || r.type === 'failed' || r.type === 'terminated';
}

export type WorkflowStatus = 'running' | 'completed' | 'failed' | 'canceled' | 'terminated' | 'parked';

/** The row a store keeps per workflow (the history itself is separate). */
export interface WorkflowRow {
  id: string;
  entry: string;
  worker: string;
  status: WorkflowStatus;
  input: Payload[];
  parent: string | null;
  result: Payload | null;
  error: ErrorInfo | null;
  /** The non-determinism / budget report when parked. */
  parked: string | null;
  /** Workflow clock (ms): the virtual one in a --virtual-time run. */
  createdAt: number;
  updatedAt: number;
  /** Set by the store when it reads a row back; absent on rows written before it kept them. */
  wall?: WallTimes;
}

/** When the store really wrote a workflow's row, beside the workflow clock. */
export interface WallTimes {
  /** Machine clock (ms) when the row was created, and when its status last changed. */
  createdAt: number;
  updatedAt: number;
  /** A --virtual-time run created or updated it: its workflow-clock times ran ahead of the machine's. */
  virtual: boolean;
}

/**
 * The topic of a start request (`wippy workflow start`): a pending row whose `workflowId` is the
 * id the new workflow gets (no workflow has it yet), payload 1 the start as JSON
 * (`{"entry": "app:wf"}`), the rest its input. runtime/engine/addressing.ts reads it.
 */
export const START_TOPIC = '@start';

/** A durable signal accepted by `process.send` / `wippy workflow signal`, not yet delivered. */
export interface PendingSignal {
  id: number;
  workflowId: string;
  topic: string;
  from: string;
  payloads: Payload[];
  at: number;
}
