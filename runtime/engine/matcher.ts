/**
 * Matching what a workflow does against what its history recorded, and saying what differs.
 *
 * Owns: the pure comparison of an emitted command with a recorded record, and the wording of a
 * non-determinism report. Used by the engine's replay and by golden-file replay, so both speak
 * the same language. Invariants: no I/O, no Lua; a report names the step (command number and
 * history index), the recorded operation with its arguments and Lua line, the attempted one with
 * its arguments and line, and what to do.
 */
import type { CommandRecord, HistoryRecord } from '../store/events';

export type Tier = 'kind' | 'target' | 'arguments';

export interface Divergence {
  tier: Tier | 'missing' | 'extra';
  /** Command number in the workflow (0-based) and index in the history. */
  cmd: number;
  index: number;
  recorded: HistoryRecord | null;
  attempted: CommandRecord | null;
  /** What differs, in a few words (e.g. `arguments[1].amount: 10 -> 12`). */
  detail: string;
}

/** One-line description of a command: `funcs.call app:charge("order-1", {"amount":10})`. */
export function describeCommand(c: HistoryRecord): string {
  switch (c.type) {
    case 'call': return `funcs.call ${c.fn}(${c.args.join(', ')})`;
    case 'timer': return `timer ${formatMs(c.ms)}`;
    case 'timer_cancel': return `timer stop (timer of step ${c.of})`;
    case 'uuid': return `uuid.v${c.version}()`;
    case 'random': return `${c.fn}: ${c.bytes} random bytes`;
    case 'spawn': return `${c.wait ? 'workflow.exec' : 'process.spawn'} ${c.entry}(${c.args.join(', ')})`;
    case 'send': return `process.send ${c.to} ${JSON.stringify(c.topic)}(${c.payloads.join(', ')})`;
    case 'cancel_child': return `process.${c.terminate ? 'terminate' : 'cancel'} ${c.to}`;
    case 'version': return `workflow.version(${JSON.stringify(c.change)}) = ${c.version}`;
    case 'call_done': return `result of step ${c.of}: ${c.error ? `error ${c.error.kind}: ${c.error.message}` : c.value}`;
    case 'timer_fired': return `timer of step ${c.of} fired`;
    case 'child_done': return `child ${c.child} finished`;
    case 'signal': return `signal ${JSON.stringify(c.topic)}(${c.payloads.join(', ')})`;
    case 'cancel_requested': return `cancel requested by ${c.from || 'the runtime'}`;
    case 'attempt_failed': return `attempt ${c.attempt} of step ${c.of} failed: ${c.error.kind}: ${c.error.message} (next attempt in ${formatMs(Math.max(0, c.due - c.at))})`;
    case 'started': return `workflow started (${c.entry})`;
    case 'completed': return `workflow completed: ${c.value}`;
    case 'failed': return `workflow failed: ${c.error.kind}: ${c.error.message}`;
    case 'terminated': return `workflow terminated: ${c.reason}`;
  }
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** What identifies a command's target: the function, entry, recipient or duration. */
function target(c: CommandRecord): string {
  switch (c.type) {
    case 'call': return c.fn;
    case 'timer': return String(c.ms);
    case 'timer_cancel': return String(c.of);
    case 'uuid': return `v${c.version}`;
    case 'random': return `${c.fn} ${c.bytes}`;
    case 'spawn': return `${c.entry}${c.wait ? ' (wait)' : ''}`;
    case 'send': return `${c.to} ${c.topic}`;
    case 'cancel_child': return `${c.to}${c.terminate ? ' terminate' : ''}`;
    case 'version': return c.change;
  }
}

function args(c: CommandRecord): string[] {
  switch (c.type) {
    case 'call': return c.args;
    case 'spawn': return c.args;
    case 'send': return c.payloads;
    case 'timer': case 'timer_cancel': case 'uuid': case 'random': case 'cancel_child': case 'version': return [];
  }
}

/** Compare an attempted command with the recorded one; null when they match. */
export function matchCommand(recorded: HistoryRecord, attempted: CommandRecord, index: number): Divergence | null {
  const base = { cmd: attempted.cmd, index, recorded, attempted };
  if (recorded.type !== attempted.type) {
    return { ...base, tier: 'kind', detail: `recorded ${recorded.type}, attempted ${attempted.type}` };
  }
  const r = recorded as CommandRecord;
  if (target(r) !== target(attempted)) {
    return { ...base, tier: 'target', detail: `${target(r)} -> ${target(attempted)}` };
  }
  const ra = args(r);
  const aa = args(attempted);
  for (let i = 0; i < Math.max(ra.length, aa.length); i++) {
    if (ra[i] !== aa[i]) {
      const d = diffJson(ra[i], aa[i], `arguments[${i + 1}]`);
      return { ...base, tier: 'arguments', detail: d };
    }
  }
  return null;
}

/** The first difference between two JSON payloads, as `path: old -> new`. */
export function diffJson(a: string | undefined, b: string | undefined, root: string): string {
  if (a === undefined) return `${root}: (none) -> ${b}`;
  if (b === undefined) return `${root}: ${a} -> (none)`;
  let va: unknown;
  let vb: unknown;
  try { va = JSON.parse(a); vb = JSON.parse(b); } catch { return `${root}: ${a} -> ${b}`; }
  return firstDiff(va, vb, root) ?? `${root}: ${a} -> ${b}`;
}

function firstDiff(a: unknown, b: unknown, path: string): string | null {
  if (a === b) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])];
    for (const k of keys) {
      const p = Array.isArray(a) ? `${path}[${Number(k) + 1}]` : `${path}.${k}`;
      if (!(k in ao)) return `${p}: (none) -> ${JSON.stringify(bo[k])}`;
      if (!(k in bo)) return `${p}: ${JSON.stringify(ao[k])} -> (none)`;
      const d = firstDiff(ao[k], bo[k], p);
      if (d) return d;
    }
    return null;
  }
  return `${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`;
}

/** Human report for a divergence (printed by -x, stored as the parked reason). */
export const PARKED_FOOTER = [
  'The workflow is parked, not failed: restore the code that produced this history (or guard the change with',
  'workflow.version(...)), then restart `wippy run` and it resumes from its history.',
];

export function formatDivergence(wf: { id: string; entry: string }, d: Divergence, footer: string[] = PARKED_FOOTER): string {
  const lineOf = (r: HistoryRecord | null) => (r && 'line' in r ? r.line : 'n/a');
  const lines = [`non-determinism in ${wf.id} (${wf.entry}) at step ${d.cmd} (history record ${d.index}):`];
  if (d.tier === 'missing') {
    lines.push(`  recorded:  ${describeCommand(d.recorded!)}  at ${lineOf(d.recorded)}`);
    lines.push(`  attempted: nothing — the code now waits (or ends) where the history has this step${d.attempted ? ` (last step at ${lineOf(d.attempted)})` : ''}`);
  } else if (d.tier === 'extra') {
    lines.push(`  recorded:  ${d.recorded ? describeCommand(d.recorded) : 'nothing more (the history ends here)'}`);
    lines.push(`  attempted: ${describeCommand(d.attempted!)}  at ${lineOf(d.attempted)}`);
  } else {
    lines.push(`  recorded:  ${describeCommand(d.recorded!)}  at ${lineOf(d.recorded)}`);
    lines.push(`  attempted: ${describeCommand(d.attempted!)}  at ${lineOf(d.attempted)}`);
  }
  lines.push(`  differs:   ${d.tier === 'missing' || d.tier === 'extra' ? `${d.tier} step` : d.tier} (${d.detail})`);
  return [...lines, ...footer].join('\n');
}
