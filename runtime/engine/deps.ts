/**
 * What the workflow engine is built from and how a start is asked for: the types only (the
 * engine is engine.ts). Owns: `EngineDeps` (the store, clock, function runner, process node,
 * host factory, and the golden recorder's optional answers) and `StartOptions`. Invariant: every
 * optional member has a default in the engine, so a caller gives only what it changes.
 */
import type { UuidVersion } from '../../base/uuid';
import type { EngineOutput, KeptOutcome } from './hooks';
import type { HistoryStore } from '../store/store';
import type { CallAnswer } from './effects';
import type { CommandRecord, RecordOf } from '../store/events';
import type { Registry, LuaEntry } from '../../registry/types';
import type { Clock } from '../../base/clock';
import type { Services, StartupMessage } from '../../lua/services';
import type { CallRequest, CallResult, Cancel } from '../../base/payload';
import type { MailboxCodec } from '../process/mailbox';
import type { ProcessNode } from '../process/node';
import type { LuaHost } from '../../lua/host';

export interface EngineDeps {
  registry: Registry;
  store: HistoryStore;
  clock: Clock;
  call(req: CallRequest, done: (r: CallResult) => void): Cancel;
  node: ProcessNode;
  output: EngineOutput;
  codec: MailboxCodec;
  makeHost(entry: LuaEntry, services: Services, seed: number): { host: LuaHost; fnRef: number };
  /**
   * A store shared by nodes (HistoryStore.membership) refused a commit or a lease renewal, or
   * its connection broke: this engine has stopped (it commits and runs nothing more) and holds
   * nothing; the caller drops it and starts another (app/runtime.ts). Without it such a failure
   * is thrown, as a synchronous store's is.
   */
  onStoreLost?(err: Error): void;
  /** On a shared store: workflows claimed at most at start-up and per heartbeat (default: all, then membership.ts CLAIMS_PER_BEAT). */
  claimLimit?: number;
  /** At most this many live instances (default: no count, only the memory budget of cache.ts). */
  cacheSize?: number;
  /**
   * Golden recording (app/golden/record.ts): answer a workflow's function call without running
   * it (a recorded result or a stub). The answer is the activity's final result: no retry policy
   * applies. It completes at `at` (never before now; default now). Null: run the function.
   */
  answerCall?(workflowId: string, rec: RecordOf<'call'>): CallAnswer | null;
  /** Golden recording: the recorded outcome of a send, spawn or child cancel (hooks.ts KeptOutcome). */
  keptOutcome?(workflowId: string, rec: CommandRecord): KeptOutcome | null;
  /** Golden recording: the value for a live uuid command (a recorded one); undefined: a fresh one. */
  newUuid?(version: UuidVersion, clockMs: number, workflowId: string | undefined): string | undefined;
  /** Golden recording: the bytes for a live random command (recorded ones); undefined: fresh ones. */
  newRandom?(n: number, workflowId: string | undefined): Uint8Array | undefined;
}

export interface StartOptions {
  id?: string; worker?: string | null; parent?: string | null; parentCmd?: number;
  /** Startup messages: `signal` records right after `started`, before the first step; `from` is their sender. */
  messages?: StartupMessage[]; from?: string;
  /** Context values of the workflow (`ctx.get`), kept in its `started` record. */
  context?: Record<string, unknown>;
}
