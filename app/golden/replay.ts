/**
 * Replaying a golden file against the current code, with no function executed.
 *
 * The golden replay drives one WorkflowInstance in replay-only mode: it delivers the whole
 * recording in one activation (runtime/engine/hooks.ts), in which the script is run from the
 * recorded start and every command it emits is matched against the recording (tiers: operation
 * kind and target, arguments); recorded results answer calls; recorded events are delivered at
 * the recorded points. Of what the activation hands back it reads only the outcome: a replay-only
 * instance emits no live command (a step past the recording diverges), and what it leaves open
 * is not started again, so nothing is executed, stored or sent. ReplayHooks answers what the code asks synchronously. When the script ends,
 * its outcome is compared with the recorded one (tier: outcome). The first difference is returned
 * as a report naming the step, both operations with their arguments, both Lua lines (for a missing
 * or extra step: the line of the last step both agree on), the `differs:` path and, for payloads
 * too big for one line, a short line diff (diff.ts). The workflow id, PIDs and task queue are the
 * recorded run's (the code can observe them). Invariant: a replay never touches a store, a clock or
 * the network.
 */
import { WorkflowInstance, workflowSeed } from '../../runtime/engine/instance';
import { WorkflowServices } from '../../runtime/engine/wf-services';
import { workflowPid } from '../../runtime/engine/addressing';
import { diffJson, describeCommand, formatDivergence, type Divergence } from '../../runtime/engine/matcher';
import { isCommand, isEnd, type CommandRecord, type HistoryRecord, type RecordOf } from '../../runtime/store/events';
import { payloadDiff } from './diff';
import type { EngineHooks, EngineOutput, SendTarget } from '../../runtime/engine/hooks';
import type { GoldenFile } from './format';
import type { Registry, LuaEntry } from '../../registry/types';
import type { MailboxCodec } from '../../runtime/process/mailbox';
import type { LuaHost } from '../../lua/host';
import type { Services } from '../../lua/services';
import type { CallResult } from '../../base/payload';

export type ReplayTier = 'kind' | 'target' | 'arguments' | 'missing' | 'extra' | 'outcome' | 'budget' | 'load';

export type ReplayResult =
  /** `steps`: history records replayed (the started record and every command and event). */
  | { ok: true; steps: number; finished: boolean }
  | { ok: false; tier: ReplayTier; report: string; divergence?: FirstDifference };

/**
 * Where a replay first differed, for a side-by-side view (the web UI): the history index of the
 * recorded record (the outcome's record for an outcome difference; the history's length when the
 * recording ends there) and what the code did instead.
 */
export interface FirstDifference { index: number; attempted: string; line?: string }

export interface ReplayEnv {
  registry: Registry;
  codec: MailboxCodec;
  makeHost(entry: LuaEntry, services: Services, seed: number): { host: LuaHost; fnRef: number };
}

export const GOLDEN_FOOTER = ['The code no longer matches this golden file: fix the code, or re-record it with `wippy test --update` if the change is intended.'];

const silent: EngineOutput = { print: () => {}, log: () => {} };

/** What the code asks while it replays: the recorded run's PIDs; sends go nowhere. */
class ReplayHooks implements EngineHooks {
  readonly output = silent;

  constructor(readonly registry: Registry, readonly codec: MailboxCodec, private readonly worker: string) {}

  resolveTarget(to: string): SendTarget { return { kind: 'process', pid: to }; }
  /** The PID the engine gives (`{client@worker|id}`); children are assumed on the parent's worker. */
  pidOf(id: string): string {
    return workflowPid(this.registry, this.worker, id);
  }
  /** Only a step past the recording asks (and then diverges as extra). */
  newUuid(): string { return '00000000-0000-4000-8000-000000000000'; }
  newRandom(n: number): Uint8Array { return new Uint8Array(n); }
}

/** Replay `golden` against the registry's current code. */
export function replayGolden(env: ReplayEnv, golden: GoldenFile, name = 'golden'): ReplayResult {
  const entry = env.registry.entries.get(golden.entry) as LuaEntry | undefined;
  if (!entry || entry.kind !== 'workflow.lua') {
    return { ok: false, tier: 'load', report: `${name}: the registry has no workflow.lua entry ${golden.entry}` };
  }
  const id = golden.workflowId ?? `replay:${name}`;
  const started = golden.history[0] as RecordOf<'started'>;
  const hooks = new ReplayHooks(env.registry, env.codec, started.worker);
  const inst = new WorkflowInstance(hooks, id, entry, started, { replayOnly: true });
  try {
    const { host, fnRef } = env.makeHost(entry, new WorkflowServices(hooks, inst), workflowSeed(id));
    inst.attach(host, fnRef);
  } catch (e) {
    return { ok: false, tier: 'load', report: `${name}: cannot load ${entry.id}: ${(e as Error).message}` };
  }
  const o = inst.activate(golden.history.slice(1)).outcome;
  if (o && 'parked' in o) {
    const d = o.divergence;
    if (!d) return { ok: false, tier: 'budget', report: o.parked };
    const attempted = d.attempted ? describeCommand(d.attempted) : 'nothing: the code now waits (or ends) here';
    return { ok: false, tier: d.tier as ReplayTier, report: divergenceReport(name, entry.id, golden.history, d), divergence: { index: d.index, attempted, line: d.attempted?.line } };
  }
  const endIndex = golden.history.findIndex(isEnd);
  const end = endIndex < 0 ? undefined : golden.history[endIndex];
  const at = endIndex < 0 ? golden.history.length : endIndex;
  if (!o) {
    if (end) {
      const attempted = 'still waiting (it never finishes)';
      return { ok: false, tier: 'outcome', report: outcomeReport(name, golden, inst, end, attempted), divergence: { index: at, attempted } };
    }
    return { ok: true, steps: inst.pos, finished: false };
  }
  const attempted = o.result;
  const mismatch = compareOutcome(end, attempted);
  if (mismatch) {
    const report = outcomeReport(name, golden, inst, end ?? null, mismatch.attempted, mismatch.diff, end?.type === 'completed' && !attempted.error ? payloadDiff(end.value, attempted.value ?? 'null') : []);
    return { ok: false, tier: 'outcome', report, divergence: { index: at, attempted: mismatch.attempted } };
  }
  return { ok: true, steps: inst.pos, finished: true };
}

function commandsBefore(history: HistoryRecord[], index: number): number {
  let n = 0;
  for (let i = 0; i < index && i < history.length; i++) if (isCommand(history[i])) n++;
  return n;
}

/** The last command recorded before history index `index` (the last step code and file agree on). */
function lastStepBefore(history: HistoryRecord[], index: number): CommandRecord | null {
  for (let i = Math.min(index, history.length) - 1; i >= 0; i--) {
    const r = history[i];
    if (isCommand(r)) return r;
  }
  return null;
}

function where(r: CommandRecord | null): string {
  return r ? `${describeCommand(r)}  at ${r.line || '?'}` : 'none (the workflow had just started)';
}

function indented(lines: string[]): string[] {
  return lines.length ? ['  diff (- recorded, + attempted):', ...lines.map((l) => `    ${l}`)] : [];
}

function divergenceReport(name: string, entry: string, history: HistoryRecord[], d: Divergence): string {
  const wf = { id: name, entry };
  if (d.tier !== 'missing' && d.tier !== 'extra') {
    const base = formatDivergence(wf, d, []);
    const diff = d.tier === 'arguments' ? argumentDiff(d) : [];
    return [base, ...indented(diff), ...GOLDEN_FOOTER].join('\n');
  }
  const last = lastStepBefore(history, d.index);
  const lines = [`non-determinism in ${name} (${entry}) at step ${d.cmd} (history record ${d.index}):`];
  if (d.tier === 'missing') {
    const rec = d.recorded!;
    lines.push(`  recorded:  ${describeCommand(rec)}  at ${'line' in rec ? rec.line : 'n/a'}`);
    lines.push(`  attempted: nothing — the code ${d.detail.includes('ends') ? 'now ends' : 'now waits (or ends)'} here; its last step was ${where(last)}`);
    lines.push('  differs:   missing step (the golden file has this step; the code no longer does it)');
  } else {
    const rec = d.recorded;
    const at = rec ? `the history has ${describeCommand(rec)} here` : 'the history ends here';
    lines.push(`  recorded:  nothing more — ${at}; its last step was ${where(last)}`);
    lines.push(`  attempted: ${describeCommand(d.attempted!)}  at ${d.attempted!.line || '?'}`);
    lines.push('  differs:   extra step (the code now does a step the golden file does not have)');
  }
  return [...lines, ...GOLDEN_FOOTER].join('\n');
}

/** Line diff of the first differing argument, when it is too big for the `differs:` line. */
function argumentDiff(d: Divergence): string[] {
  const r = d.recorded as CommandRecord;
  const a = d.attempted!;
  const ra = payloadsOf(r);
  const aa = payloadsOf(a);
  for (let i = 0; i < Math.max(ra.length, aa.length); i++) {
    if (ra[i] !== aa[i]) return payloadDiff(ra[i], aa[i]);
  }
  return [];
}

function payloadsOf(c: CommandRecord): string[] {
  return c.type === 'call' || c.type === 'spawn' ? c.args : c.type === 'send' ? c.payloads : [];
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

function outcomeReport(name: string, g: GoldenFile, inst: WorkflowInstance, end: HistoryRecord | null, attempted: string, diff = '', lineDiff: string[] = []): string {
  const last = lastStepBefore(g.history, inst.pos);
  const n = commandsBefore(g.history, inst.pos);
  return [
    `outcome differs in ${name} (${g.entry}) after ${n} step${n === 1 ? '' : 's'} (history record ${inst.pos}):`,
    `  recorded:  ${end ? describeCommand(end) : 'still running (the recording ends here)'}`,
    `  attempted: ${attempted}`,
    `  last step: ${where(last)}`,
    ...(diff ? [`  differs:   outcome (${diff})`] : []),
    ...indented(lineDiff),
    ...GOLDEN_FOOTER,
  ].join('\n');
}
