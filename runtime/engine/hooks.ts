/**
 * What a workflow instance and its Services need from the engine that drives them.
 *
 * Two drivers implement it: the durable WorkflowEngine (engine.ts: a store, effects, cache) and
 * the golden-file ReplayDriver (runtime/golden/replay.ts: a recorded history, no effects). Keeping
 * the instance behind this interface is what lets one replay machine serve both.
 */
import type { CommandRecord, HistoryRecord, RecordOf } from '../store/events';
import type { ErrorInfo } from '../errors';
import type { Registry } from '../../registry/types';
import type { MailboxCodec } from '../process/mailbox';
import type { CallResult, UuidVersion } from '../services';
import type { WorkflowInstance } from './instance';

export interface EngineOutput {
  print(text: string): void;
  log(level: string, message: string, fields?: Record<string, unknown>): void;
}

export type SendTarget = { kind: 'workflow'; id: string } | { kind: 'process'; pid: string };

/**
 * The recorded outcome of a send, spawn or child cancel, kept when a golden is re-recorded: its
 * error (none: it was delivered / started), and for a spawn the child's recorded result (the
 * child is then not run).
 */
export interface KeptOutcome { error?: ErrorInfo; child?: RecordOf<'child_done'> }

export interface EngineHooks {
  readonly registry: Registry;
  readonly output: EngineOutput;
  readonly codec: MailboxCodec;
  /** Append a record to a workflow's history (live commands and events). */
  appendRecord(id: string, rec: HistoryRecord): void;
  /** Run once everything appended so far is committed. */
  onCommit(fn: () => void): void;
  /**
   * Start an activity at the end of this turn, BEFORE the turn's commit, so that a quick result
   * joins the same commit as its command (one commit per step instead of two). Safe because an
   * activity is at-least-once either way: after a crash the replay re-emits the same command
   * (same activity_id) and runs it again. The workflow still sees the result only once both
   * records are on disk. `retry`: the last failed attempt recorded for it (after a restart): the
   * next attempt is number `attempt + 1`, due at `due`.
   */
  startActivity(id: string, rec: RecordOf<'call'>, retry?: { attempt: number; due: number }): void;
  armTimer(id: string, cmd: number, fireAt: number): void;
  disarmTimer(id: string, cmd: number): void;
  createChild(parent: WorkflowInstance, rec: RecordOf<'spawn'>, worker: string | null, kept?: KeptOutcome | null): void;
  /** Golden re-recording: the recorded outcome of this live send/spawn/cancel, if it has one. */
  keptOutcome?(workflowId: string, rec: CommandRecord): KeptOutcome | null;
  resolveTarget(to: string): SendTarget | null;
  deliverSend(from: WorkflowInstance, target: SendTarget, rec: RecordOf<'send'>): void;
  cancelOrTerminate(id: string, from: string, terminate: boolean, reason?: string): unknown;
  pidOf(id: string): string;
  taskQueueOf(worker: string): string;
  /** A fresh UUID for a live command (a driver may answer from a recording). */
  newUuid(version: UuidVersion, clockMs: number, workflowId?: string): string;
  /** `n` fresh random bytes for a live `random` command (a driver may answer from a recording). */
  newRandom(n: number, workflowId?: string): Uint8Array;
  /** The instance caught up with its history (re-dispatch what is still open). */
  caughtUp(inst: WorkflowInstance): void;
  finished(inst: WorkflowInstance, result: CallResult): void;
  parked(inst: WorkflowInstance, report: string): void;
}
