/**
 * The crash soak's verdict (testkit/soak/run.ts runs it): what the store holds against what the runs
 * printed.
 *
 * Input: the store, and every run in order, each with the stdout it wrote (to a FILE: a SIGKILL
 * drops lines still queued for a pipe, which would look like lost executions) and the length of
 * every workflow's history when it started (read while no run was alive). Nothing here depends on
 * timing: the runs are over and their files complete when it reads them.
 *
 * Checks: every order completed exactly once with its expected result (and the root with the
 * sum); every signal is in its workflow's history exactly once (external ones: one per order;
 * process ones: each accepted send once, none twice); every recorded activity result comes from an
 * execution that ran (its `activity_id` printed) and one logical call never ran under two activity
 * ids; and for every retried call: its attempts are numbered 1, 2, ... with a recorded failure
 * (`attempt_failed`) for each attempt but the last and `call_done.attempts` the last one, no
 * attempt beyond `maximum_attempts` ran, no attempt ran again in a run that started after its
 * failure was recorded (only an attempt cut off by a kill may repeat), and each ran at least once.
 * Every problem counts as lost or duplicated; repeats of a cut-off execution are counted apart
 * (`reexecuted`: at-least-once allows them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '../../runtime/store';
import { retryPolicyFrom } from '../../runtime/engine/retry';
import { expectedOrder } from './workload';
import { completeLines } from '../wippy';
import type { HistoryRecord, RecordOf, WorkflowRow } from '../../runtime/store/events';

/** One `wippy run` of the soak: its stdout lines and every history's length when it started. */
export interface SoakRun { lines: string[]; startLengths: Map<string, number> }

export interface Verdict {
  lost: number;
  duplicated: number;
  reexecuted: number;
  /** Retries whose next attempt ran in a later run than the one that recorded the failure. */
  retriesAcrossKills: number;
  problems: string[];
}

/** Where run `n` keeps its stdout and its start lengths, in the soak folder. */
export function runFiles(dir: string, n: number): { stdout: string; lengths: string } {
  const base = path.join(dir, `run-${String(n).padStart(3, '0')}`);
  return { stdout: `${base}.stdout`, lengths: `${base}.lengths.json` };
}

/** Every run kept in the soak folder, in order. */
export function readRuns(dir: string): SoakRun[] {
  const runs: SoakRun[] = [];
  for (let n = 1; fs.existsSync(runFiles(dir, n).lengths); n++) {
    const f = runFiles(dir, n);
    // A line cut by the kill (no newline yet) is dropped: the execution it reports did not finish printing.
    const lines = completeLines(f.stdout);
    runs.push({ lines, startLengths: new Map(Object.entries(JSON.parse(fs.readFileSync(f.lengths, 'utf8')) as Record<string, number>)) });
  }
  return runs;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join() !== kb.join()) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** One execution seen on stdout: in which run, and with which attempt number. */
interface Exec { run: number; attempt: number }

interface Ctx {
  v: Verdict;
  execs: Map<string, Exec[]>;
  runs: SoakRun[];
  lost(m: string): void;
  dup(m: string): void;
}

/** Check the store and the runs' stdout; every problem counts as lost or duplicated. */
export function verify(db: string, n: number, rounds: number, runs: SoakRun[], sentExternal: Map<string, unknown>): Verdict {
  const v: Verdict = { lost: 0, duplicated: 0, reexecuted: 0, retriesAcrossKills: 0, problems: [] };
  const lost = (msg: string) => { v.lost++; v.problems.push(`lost: ${msg}`); };
  const dup = (msg: string) => { v.duplicated++; v.problems.push(`duplicated: ${msg}`); };

  // stdout: executions by activity id, and accepted pinger sends by workflow.
  const execs = new Map<string, Exec[]>();
  const idsOfCall = new Map<string, Set<string>>();
  const pongsSent = new Map<string, Set<number>>();
  runs.forEach((run, r) => {
    for (const line of run.lines) {
      const e = /^EXEC (\S+) (\S+) (\S+) (\d+) (\d+)$/.exec(line);
      if (e) {
        execs.set(e[1], [...(execs.get(e[1]) ?? []), { run: r, attempt: Number(e[5]) }]);
        const call = `${e[2]} ${e[3]} ${e[4]}`;
        if (!idsOfCall.has(call)) idsOfCall.set(call, new Set());
        idsOfCall.get(call)!.add(e[1]);
        continue;
      }
      const p = /^PONG \{[^|]*\|(.+)\} (\d+)$/.exec(line);
      if (p) {
        if (!pongsSent.has(p[1])) pongsSent.set(p[1], new Set());
        pongsSent.get(p[1])!.add(Number(p[2]));
      }
    }
  });
  for (const [call, ids] of idsOfCall) {
    if (ids.size > 1) dup(`one call (${call}) ran under ${ids.size} activity ids: ${[...ids].join(', ')}`);
  }

  const store = openStore(db, { lock: false, create: false });
  try {
    const rows = store.listWorkflows();
    const root = rows.filter((r) => r.entry === 'soak:root');
    if (root.length !== 1) (root.length ? dup : lost)(`${root.length} root workflows`);
    else if (root[0].status !== 'completed') lost(`the root workflow is ${root[0].status}${root[0].error ? `: ${root[0].error.message}` : ''}`);
    else if (!sameJson(JSON.parse(root[0].result!), { count: n, sum: (n * (n + 1)) / 2 })) lost(`the root's result is ${root[0].result}`);

    const byInput = new Map<number, WorkflowRow[]>();
    for (const r of rows.filter((x) => x.entry === 'soak:order')) {
      const i = Number(JSON.parse(r.input[0]));
      byInput.set(i, [...(byInput.get(i) ?? []), r]);
    }
    const leaves = rows.filter((r) => r.entry === 'soak:leaf');
    if (leaves.length !== n) (leaves.length > n ? dup : lost)(`${leaves.length} leaf workflows for ${n} orders`);
    for (let i = 1; i <= n; i++) {
      const rs = byInput.get(i) ?? [];
      if (rs.length !== 1) { (rs.length ? dup : lost)(`order ${i} exists ${rs.length} times`); continue; }
      const row = rs[0];
      if (row.status !== 'completed') { lost(`order ${i} (${row.id}) is ${row.status}${row.error ? `: ${row.error.message}` : ''}${row.parked ? `: ${row.parked.split('\n')[0]}` : ''}`); continue; }
      if (!sameJson(JSON.parse(row.result!), expectedOrder(i, rounds))) lost(`order ${i} (${row.id}) returned ${row.result}`);
    }

    const ctx: Ctx = { v, execs, runs, lost, dup };
    for (const row of rows) {
      const h = store.history(row.id);
      checkHistory(row, h, ctx);
      checkSignals(row, h, pongsSent.get(row.id), sentExternal.has(row.id), ctx);
    }
    for (const [wf, ns] of pongsSent) {
      if (!rows.some((r) => r.id === wf)) lost(`pongs sent to workflow ${wf} (${[...ns].join(', ')}), which is not in the store`);
    }
  } finally {
    store.close();
  }
  return v;
}

function checkHistory(row: WorkflowRow, h: HistoryRecord[], ctx: Ctx): void {
  const { lost, dup } = ctx;
  const ends = h.filter((r) => r.type === 'completed' || r.type === 'failed' || r.type === 'terminated');
  if (ends.length > 1) dup(`workflow ${row.id} (${row.entry}) ended ${ends.length} times`);
  if (ends.length === 1 && h[h.length - 1] !== ends[0]) dup(`workflow ${row.id} has records after its end`);

  // Activities: a recorded result comes from executions that ran, under the recorded key.
  const calls = new Map<number, RecordOf<'call'>>();
  for (const r of h) if (r.type === 'call') calls.set(r.cmd, r);
  for (const r of h) {
    if (r.type !== 'call_done') continue;
    const call = calls.get(r.of);
    if (!call || call.fn !== 'soak:act') continue;
    const key = `${row.id}:${r.of}`;
    const ran = ctx.execs.get(key) ?? [];
    if (ran.length === 0) { lost(`activity ${key} (${call.args.join(' ')}) has a recorded result but never ran`); continue; }
    checkAttempts(row, h, call, r, ran, ctx);
  }
  const doneCount = new Map<number, number>();
  for (const r of h) if (r.type === 'call_done') doneCount.set(r.of, (doneCount.get(r.of) ?? 0) + 1);
  for (const [cmd, c] of doneCount) if (c > 1) dup(`activity ${row.id}:${cmd} completed ${c} times`);
}

/** A call's attempts: numbered on across restarts, within maximum_attempts, none run twice once recorded. */
function checkAttempts(row: WorkflowRow, h: HistoryRecord[], call: RecordOf<'call'>, done: RecordOf<'call_done'>, ran: Exec[], ctx: Ctx): void {
  const { v, lost, dup } = ctx;
  const key = `${row.id}:${call.cmd}`;
  const what = `activity ${key} (${call.args.join(' ')})`;
  const max = retryPolicyFrom(call.options).maximumAttempts;
  const failures: Array<{ rec: RecordOf<'attempt_failed'>; index: number }> = [];
  h.forEach((r, index) => { if (r.type === 'attempt_failed' && r.of === call.cmd) failures.push({ rec: r, index }); });
  const numbers = failures.map((f) => f.rec.attempt);
  if (numbers.some((a, k) => a !== k + 1)) dup(`${what}: failed attempts recorded as ${numbers.join(', ')} (expected 1, 2, ...)`);
  if (done.attempts !== failures.length + 1) dup(`${what}: call_done says ${done.attempts} attempts after ${failures.length} recorded failures`);
  if (max > 0 && done.attempts > max) dup(`${what}: ${done.attempts} attempts recorded, maximum_attempts ${max}`);
  for (const e of ran) {
    if (max > 0 && e.attempt > max) dup(`${what}: attempt ${e.attempt} ran (maximum_attempts ${max})`);
    if (e.attempt > done.attempts) dup(`${what}: attempt ${e.attempt} ran, but only ${done.attempts} are recorded`);
    const f = failures[e.attempt - 1];
    // Its failure was already in the store when this run started: a finished attempt ran again.
    if (f && f.index < (ctx.runs[e.run].startLengths.get(row.id) ?? 0)) dup(`${what}: attempt ${e.attempt} ran again in run ${e.run + 1}, after its failure was recorded`);
  }
  for (let a = 1; a <= done.attempts; a++) {
    const times = ran.filter((e) => e.attempt === a).length;
    if (times === 0) lost(`${what}: attempt ${a} is recorded but never ran`);
    else v.reexecuted += times - 1;
  }
  // A backoff a kill landed in: the next attempt first ran in a later run than the failure's.
  for (const f of failures) {
    const next = ran.find((e) => e.attempt === f.rec.attempt + 1);
    if (next && f.index < (ctx.runs[next.run].startLengths.get(row.id) ?? 0)) v.retriesAcrossKills++;
  }
}

function checkSignals(row: WorkflowRow, h: HistoryRecord[], pongs: Set<number> | undefined, hadExternal: boolean, ctx: Ctx): void {
  if (row.entry !== 'soak:order') return;
  const { lost, dup } = ctx;
  const signals = h.filter((r): r is RecordOf<'signal'> => r.type === 'signal');
  const ext = signals.filter((s) => s.topic === 'ext');
  if (ext.length > 1) dup(`workflow ${row.id} got its external signal ${ext.length} times`);
  if (ext.length === 0 && hadExternal) lost(`workflow ${row.id}: the external signal that was sent is not in its history`);
  const seen = new Map<number, number>();
  for (const s of signals.filter((x) => x.topic === 'pong')) {
    const nn = (JSON.parse(s.payloads[0]) as { n: number }).n;
    seen.set(nn, (seen.get(nn) ?? 0) + 1);
  }
  for (const [nn, c] of seen) if (c > 1) dup(`workflow ${row.id} got pong ${nn} ${c} times`);
  for (const nn of pongs ?? []) if (!seen.has(nn)) lost(`workflow ${row.id}: pong ${nn} was accepted by process.send but is not in its history`);
}
