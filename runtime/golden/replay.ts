/**
 * Replaying a golden file against the current code, with no function executed.
 *
 * A ReplayDriver is the EngineHooks of one WorkflowInstance in replay-only mode: the script is run
 * from the recorded start and every command it emits is matched against the recording (tiers:
 * operation kind and target, arguments); recorded results answer calls; recorded events are
 * delivered at the recorded points; nothing is executed, stored or sent. When the script ends,
 * its outcome is compared with the recorded one (tier: outcome). The first difference is returned
 * as a report naming the step, both operations with their arguments, both Lua lines and a JSON
 * diff. Invariant: a replay never touches a store, a clock or the network.
 */
import { WorkflowInstance } from '../engine/instance';
import { WorkflowServices } from '../engine/wf-services';
import { workflowSeed } from '../engine/engine';
import { diffJson, describeCommand, formatDivergence } from '../engine/matcher';
import { isEnd } from '../store/events';
import type { EngineHooks, EngineOutput, SendTarget } from '../engine/hooks';
import type { GoldenFile } from './format';
import type { HistoryRecord } from '../store/events';
import type { Registry, LuaEntry } from '../../registry/types';
import type { MailboxCodec } from '../process/mailbox';
import type { LuaHost } from '../lua/host';
import type { CallResult, Services } from '../services';

export type ReplayTier = 'kind' | 'target' | 'arguments' | 'missing' | 'extra' | 'outcome' | 'budget' | 'load';

export type ReplayResult =
  | { ok: true; steps: number; finished: boolean }
  | { ok: false; tier: ReplayTier; report: string };

export interface ReplayEnv {
  registry: Registry;
  codec: MailboxCodec;
  makeHost(entry: LuaEntry, services: Services, seed: number): { host: LuaHost; fnRef: number };
}

const GOLDEN_FOOTER = ['The code no longer matches this golden file: fix the code, or re-record it with `wippy test --update` if the change is intended.'];

const silent: EngineOutput = { print: () => {}, log: () => {} };
const noop = (): void => {};

class ReplayDriver implements EngineHooks {
  readonly output = silent;
  outcome: { result: CallResult } | { parked: string } | null = null;

  constructor(readonly registry: Registry, readonly codec: MailboxCodec, private readonly id: string) {}

  appendRecord(): void { throw new Error('replay: a live record was appended (replay-only mode should have diverged)'); }
  onCommit = noop;
  startActivity = noop;
  armTimer = noop;
  disarmTimer = noop;
  createChild = noop;
  deliverSend = noop;
  caughtUp = noop;
  cancelOrTerminate(): null { return null; }
  resolveTarget(to: string): SendTarget { return { kind: 'process', pid: to }; }
  pidOf(id: string): string { return `{replay|${id}}`; }
  taskQueueOf(): string { return ''; }
  newUuid(): string { return '00000000-0000-4000-8000-000000000000'; }
  finished(_inst: WorkflowInstance, result: CallResult): void { this.outcome = { result }; }
  parked(_inst: WorkflowInstance, report: string): void { this.outcome = { parked: report }; }
}

/** Replay `golden` against the registry's current code. */
export function replayGolden(env: ReplayEnv, golden: GoldenFile, name = 'golden'): ReplayResult {
  const entry = env.registry.entries.get(golden.entry) as LuaEntry | undefined;
  if (!entry || entry.kind !== 'workflow.lua') {
    return { ok: false, tier: 'load', report: `${name}: the registry has no workflow.lua entry ${golden.entry}` };
  }
  const id = `replay:${name}`;
  const driver = new ReplayDriver(env.registry, env.codec, id);
  const inst = new WorkflowInstance(driver, id, entry, golden.history.slice());
  inst.replayOnly = true;
  try {
    const { host, fnRef } = env.makeHost(entry, new WorkflowServices(driver, inst), workflowSeed(id));
    inst.attach(host, fnRef);
  } catch (e) {
    return { ok: false, tier: 'load', report: `${name}: cannot load ${entry.id}: ${(e as Error).message}` };
  }
  inst.pump();
  const o = driver.outcome;
  if (o && 'parked' in o) {
    const d = inst.divergence;
    if (!d) return { ok: false, tier: 'budget', report: o.parked };
    return { ok: false, tier: d.tier as ReplayTier, report: formatDivergence({ id: name, entry: entry.id }, d, GOLDEN_FOOTER) };
  }
  const end = golden.history.find(isEnd);
  if (!o) {
    if (end) {
      return { ok: false, tier: 'outcome', report: outcomeReport(golden, inst, end, 'still waiting (it never finishes)') };
    }
    return { ok: true, steps: inst.pos, finished: false };
  }
  const attempted = o.result;
  const mismatch = compareOutcome(end, attempted);
  if (mismatch) return { ok: false, tier: 'outcome', report: outcomeReport(golden, inst, end ?? null, mismatch.attempted, mismatch.diff) };
  return { ok: true, steps: inst.pos, finished: true };
}

function describeResult(r: CallResult): string {
  return r.error ? `failed: ${r.error.kind}: ${r.error.message}` : `completed: ${r.value ?? 'null'}`;
}

function compareOutcome(end: HistoryRecord | undefined, r: CallResult): { attempted: string; diff: string } | null {
  const attempted = describeResult(r);
  if (!end) return { attempted, diff: 'the recording ends while the workflow was still running' };
  if (end.type === 'completed') {
    if (r.error) return { attempted, diff: `recorded a result, now an error (${r.error.kind})` };
    if (end.value === (r.value ?? 'null')) return null;
    return { attempted, diff: diffJson(end.value, r.value ?? 'null', 'result') };
  }
  if (end.type === 'failed') {
    if (!r.error) return { attempted, diff: 'recorded an error, now a result' };
    if (end.error.kind === r.error.kind && end.error.message === r.error.message) return null;
    return { attempted, diff: `error: ${end.error.kind}: ${end.error.message} -> ${r.error.kind}: ${r.error.message}` };
  }
  return { attempted, diff: `recorded ${end.type}` };
}

function outcomeReport(g: GoldenFile, inst: WorkflowInstance, end: HistoryRecord | null, attempted: string, diff = ''): string {
  return [
    `outcome differs for ${g.entry} after ${inst.pos} history records:`,
    `  recorded:  ${end ? describeCommand(end) : 'still running (the recording ends here)'}`,
    `  attempted: ${attempted}`,
    ...(diff ? [`  differs:   outcome (${diff})`] : []),
  ].join('\n');
}

