/**
 * The boundary between a workflow instance and the driver that runs it: what the instance asks of
 * its driver while its code runs (EngineHooks), and what one activation hands back (Activation).
 *
 * Like Temporal's worker activating a workflow (`activate(jobs) -> commands`), a driver delivers
 * history records to `WorkflowInstance.activate` and acts on what comes back: the commands the
 * code emitted live (records to append, each with the effect to carry out), what the replay left
 * open (to re-dispatch after a restart or an eviction), and the outcome (finished or parked). Two
 * drivers exist: the durable WorkflowEngine (engine.ts: a store, effects, a cache) and the golden
 * ReplayDriver (app/golden/replay.ts: a recorded history, nothing executed).
 *
 * Invariants: the hooks are only what must be answered synchronously while Lua runs (a uuid's
 * value, a send's target, a PID, a kept outcome), never a side effect; effects are asked for only
 * through an Activation; every command record reaches the driver complete (`cmd` and `line` set
 * by the instance), in emission order, and the driver appends them in that order right after the
 * records it delivered; `LiveCommand` has one member per command record type (adding a command
 * type to store/events.ts does not compile until `EffectOf` gives it its effect fields).
 */
import type { CommandRecord, RecordOf } from '../store/events';
import type { ErrorInfo } from '../../base/errors';
import type { Registry } from '../../registry/types';
import type { MailboxCodec } from '../process/mailbox';
import type { CallResult } from '../../base/payload';
import type { UuidVersion } from '../../base/uuid';
import type { Divergence } from './matcher';

export interface EngineOutput {
  print(text: string): void;
  log(level: string, message: string, fields?: Record<string, unknown>): void;
}

export type SendTarget = { kind: 'workflow'; id: string } | { kind: 'process'; pid: string };

/**
 * The recorded outcome of a send, spawn or child cancel, kept when a golden is re-recording: its
 * error (none: it was delivered / started), and for a spawn the child's recorded result (the
 * child is then not run).
 */
export interface KeptOutcome { error?: ErrorInfo; child?: RecordOf<'child_done'> }

/** What an instance and its Services ask of their driver while the workflow's code runs. */
export interface EngineHooks {
  readonly registry: Registry;
  readonly output: EngineOutput;
  readonly codec: MailboxCodec;
  /** A fresh UUID for a live command (a driver may answer from a recording). */
  newUuid(version: UuidVersion, clockMs: number, workflowId?: string): string;
  /** `n` fresh random bytes for a live `random` command (a driver may answer from a recording). */
  newRandom(n: number, workflowId?: string): Uint8Array;
  /** A workflow id or PID, or a process PID or name, as a send target; null: nobody. */
  resolveTarget(to: string): SendTarget | null;
  pidOf(id: string): string;
  /** Golden re-recording: the recorded outcome of this live send/spawn/cancel, if it has one. */
  keptOutcome?(workflowId: string, rec: CommandRecord): KeptOutcome | null;
}

export type CommandType = CommandRecord['type'];

/** Per command type: what the driver needs, beyond the record, to carry out its effect. */
export interface EffectOf {
  /** Start the activity (before the turn's commit: see engine.ts). */
  call: object;
  /** Arm a durable timer for `fireAt` (workflow clock) once committed. */
  timer: { fireAt: number };
  /** Disarm the timer of command `rec.of` once committed. */
  timer_cancel: object;
  /** No effect: the value is in the record. */
  uuid: object;
  /** No effect: the bytes are in the record. */
  random: object;
  /** Start the child (unless `rec.error`), on `worker` (null: the parent's), or take its kept outcome. */
  spawn: { worker: string | null; kept: KeptOutcome | null };
  /** Deliver to `target` (unless `rec.error`). */
  send: { target: SendTarget | null };
  /** Cancel or terminate the workflow `target` names once committed (unless `rec.error`). */
  cancel_child: { target: SendTarget | null };
  /** No effect: the version is in the record. */
  version: object;
}

/** A command emitted live in an activation: its complete record and its effect's arguments. */
export type LiveCommand = { [T in CommandType]: { type: T; rec: RecordOf<T> } & EffectOf[T] }[CommandType];

/** A command the replayed history left open (its completion is not recorded yet). */
export interface OpenCommand {
  rec: CommandRecord;
  /** Emitted by this process (its effect was started with its LiveCommand) rather than replayed. */
  live: boolean;
  /** Timers: when it fires (workflow clock). */
  fireAt?: number;
  /** Activities: the last recorded failed attempt and when the next one is due. */
  retry?: { attempt: number; due: number };
}

export type InstanceOutcome =
  | { result: CallResult }
  /** `divergence`: set when non-determinism is why (golden replay reads its tier). */
  | { parked: string; divergence: Divergence | null };

/** What one activation hands back to its driver. */
export interface Activation {
  /** Commands emitted live, in order: append their records, then carry out their effects. */
  commands: LiveCommand[];
  /**
   * Set by the activation that caught up with the recorded history (once per instance): the
   * replayed commands still open, whose effects the driver starts again.
   */
  reopened: OpenCommand[] | null;
  /** The workflow finished or was parked in this activation (the last activation it has). */
  outcome: InstanceOutcome | null;
}
