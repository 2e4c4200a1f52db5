/**
 * Golden test runs: finding golden files, checking each, re-recording (`--update`) and recording
 * new ones (`--record`). The CLI (bin/test.ts, bin/replay.ts) only prints what these return.
 *
 * Owns: discovery (`*.golden.json` under the given paths, skipping node_modules and dot-folders,
 * sorted so output is stable), one verdict per file, and writing golden files. Invariants: a file
 * that cannot be read or parsed is a failing verdict with one line, never a thrown error; a
 * golden that still replays is never rewritten by `--update`; a re-recorded golden is replayed
 * once more before it counts as passed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromGolden, toGolden, GoldenError, type GoldenFile } from './format';
import { replayGolden, ReplayTier, GOLDEN_FOOTER } from './replay';
import { changedOutcomes } from './changes';
import { recordWorkflow, RecordResult, External } from './record';
import { planFromGolden, defaultWorkflowId, RECORD_FLAGS } from './plan';
import { isCommand } from '../../runtime/store/events';
import type { GoldenSession } from './session';
import type { CallResult, Payload } from '../../base/payload';

export const GOLDEN_SUFFIX = '.golden.json';

/** Golden files under `paths` (files are taken as given), and the paths that do not exist. */
export function findGoldens(paths: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) { if (!d.name.startsWith('.') && d.name !== 'node_modules') walk(p); }
      else if (d.name.endsWith(GOLDEN_SUFFIX)) files.push(p);
    }
  };
  for (const p of paths) {
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch { missing.push(p); continue; }
    if (st.isDirectory()) walk(p); else files.push(p);
  }
  return { files: [...new Set(files)], missing };
}

export type Verdict =
  | { kind: 'ok'; steps: number; finished: boolean }
  | { kind: 'fail'; tier: ReplayTier | 'file' | 'record'; report: string }
  /** `was`: the report of why it had failed (without its advice to re-record). */
  | { kind: 'updated'; steps: number; was: string[]; notes: string[] };

/** Read and parse a golden file; a GoldenError (one line) when it cannot be. */
export function readGolden(file: string, shown = file): GoldenFile {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new GoldenError(`${shown}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return fromGolden(text, shown);
}

function commands(g: GoldenFile, records = g.history.length): number {
  let n = 0;
  for (let i = 0; i < records && i < g.history.length; i++) if (isCommand(g.history[i])) n++;
  return n;
}

/** Replay one golden file against the session's code. */
export function checkGolden(session: GoldenSession, file: string, shown = file): Verdict {
  let g: GoldenFile;
  try { g = readGolden(file, shown); } catch (e) {
    if (e instanceof GoldenError) return { kind: 'fail', tier: 'file', report: e.message };
    throw e;
  }
  return verdictOf(session, g, shown);
}

function verdictOf(session: GoldenSession, g: GoldenFile, shown: string): Verdict {
  const r = replayGolden(session.replayEnv, g, path.basename(shown));
  return r.ok ? { kind: 'ok', steps: commands(g, r.steps), finished: r.finished } : { kind: 'fail', tier: r.tier, report: r.report };
}

/**
 * What a recording did that the reader should know (calls run for real, outcomes that changed
 * from the `before` history, events forced...).
 */
function notesOf(r: RecordResult, mode: 'update' | 'record', before: GoldenFile | null = null): string[] {
  const notes = mode === 'update'
    ? [
      ...r.liveCalls.map((c) => `a new call ran the real function (no recorded result matched): ${c}`),
      ...(before ? changedOutcomes(before.history, r.history).map((c) => `outcome changed: ${c}`) : []),
    ]
    : r.liveCalls.length ? [`ran the real functions (not stubbed): ${[...new Set(r.liveCalls.map((c) => /^funcs\.call ([^(]+)/.exec(c)?.[1] ?? c))].join(', ')}`] : [];
  if (r.forced) notes.push(`${r.forced} signal(s) delivered late: the workflow never reached the recorded point (it was waiting with nothing else to do)`);
  for (const x of r.undelivered) notes.push(`not delivered (the workflow ended first): ${describeExternal(x)}`);
  if (r.status === 'waiting') notes.push('the workflow had not finished: it waits for something nothing sends (the golden records it unfinished)');
  return notes;
}

function describeExternal(x: External): string {
  return x.kind === 'signal' ? `signal ${JSON.stringify(x.topic)}(${x.payloads.join(', ')})` : `${x.kind} (${x.reason})`;
}

function recordFailure(r: RecordResult): string {
  if (r.status === 'parked') return `the workflow was parked while recording:\n${r.message}`;
  if (r.status === 'not-started') return `the workflow could not start: ${r.message}`;
  return `the recording ${r.message ?? 'failed'}`;
}

/** `--update`: keep a golden that replays; else re-record it from its own answers and rewrite it. */
export async function updateGolden(session: GoldenSession, file: string, shown = file): Promise<Verdict> {
  let g: GoldenFile;
  try { g = readGolden(file, shown); } catch (e) {
    if (e instanceof GoldenError) return { kind: 'fail', tier: 'file', report: e.message };
    throw e;
  }
  const before = verdictOf(session, g, shown);
  if (before.kind !== 'fail' || before.tier === 'load') return before;
  const plan = planFromGolden(g, session.rt.registry);
  const r = await recordWorkflow(session.recordHost, plan);
  if (r.status !== 'finished' && r.status !== 'waiting') return { kind: 'fail', tier: 'record', report: `cannot re-record ${shown}: ${recordFailure(r)}` };
  const text = toGolden(r.history, g.flags, { workflowId: plan.workflowId });
  fs.writeFileSync(file, text);
  const after = verdictOf(session, fromGolden(text, shown), shown);
  if (after.kind !== 'ok') return { kind: 'fail', tier: 'record', report: `re-recorded ${shown}, but it does not replay:\n${after.kind === 'fail' ? after.report : ''}` };
  const was = before.report.split('\n').filter((l) => !GOLDEN_FOOTER.includes(l));
  return { kind: 'updated', steps: after.steps, was, notes: notesOf(r, 'update', g) };
}

export interface RecordRequest {
  entry: string;
  input: Payload[];
  stubs: Map<string, CallResult>;
  signals: External[];
  startedAt: number;
  timeoutMs?: number;
}

/** `--record`: run a workflow with stubs and signals; the golden text, or a failure message. */
export async function recordGolden(session: GoldenSession, req: RecordRequest): Promise<{ text: string; steps: number; status: string; notes: string[] } | { error: string }> {
  const plan = { entry: req.entry, input: req.input, startedAt: req.startedAt, workflowId: defaultWorkflowId(req.entry), stubs: req.stubs, externals: req.signals, timeoutMs: req.timeoutMs };
  const r = await recordWorkflow(session.recordHost, plan);
  if (r.status !== 'finished' && r.status !== 'waiting') return { error: `cannot record ${req.entry}: ${recordFailure(r)}` };
  const text = toGolden(r.history, RECORD_FLAGS, { workflowId: plan.workflowId });
  const end = r.history[r.history.length - 1];
  const status = r.status === 'waiting' ? 'unfinished' : end.type;
  return { text, steps: r.history.filter(isCommand).length, status, notes: notesOf(r, 'record') };
}
