/**
 * `npm run soak`: a crash soak of the durable engine through the real `wippy run`.
 *
 * A generated registry (temp folder) holds a root workflow that starts N `order` workflows as its
 * children. Each order mixes every kind of durable step: an activity (retried once for some
 * orders), a timer (50-300ms), a child workflow (`leaf`: an activity and a timer), rounds of an
 * activity and a 20ms timer, a signal from a process (it asks the `pinger` service, which answers
 * with `process.send`; messages to processes are not durable, so it asks again after 1s without
 * an answer) and a signal from outside (the driver writes it into the store as `wippy workflow
 * signal` does, and sends every 10th with the real `wippy workflow signal` command), then a last
 * activity.
 *
 * Why a root workflow starts them: starting is then itself durable and idempotent (the children's
 * ids are recorded in the root's history, so a restart never starts an order twice), and the
 * first `wippy run -x soak:root N` is killed like any other run. The driver SIGKILLs the running
 * `wippy run` K times: every 4th kill at a random instant of its start-up (while it loads and
 * replays), the others at a random instant (0-300ms) after it has committed progress, so that
 * each run moves the work forward. After each kill it checks the store's integrity and restarts
 * it (`wippy run DIR`, resume mode); at the end it lets it finish and stops it with SIGINT.
 *
 * Then it checks, from the store and from the stdout of every run (functions have no file I/O:
 * each activity execution prints an `EXEC` line, the pinger a `PONG` line per accepted send):
 * every order completed exactly once with its expected result (and the root with the sum), every
 * signal is in its workflow's history exactly once (external ones: one per order; process ones:
 * each accepted send once, none twice), every recorded activity result comes from an execution
 * that ran (its `activity_id` printed), and one logical call never ran under two activity ids.
 *
 * Options (argv `--workflows N --kills K --seed S`, or env SOAK_WORKFLOWS / SOAK_KILLS /
 * SOAK_SEED; `--keep` keeps the temp folder, which a failed soak always keeps): 1,000 workflows and
 * 20 kills by default. Prints
 * `workflows N, kills K, lost L, duplicated D` and exits 1 when L or D > 0.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, ChildProcess } from 'node:child_process';
import { openStore, integrityCheck } from '../runtime/store';
import type { SqliteStore } from '../runtime/store';
import type { HistoryRecord, RecordOf, WorkflowRow } from '../runtime/store/events';

const WIPPY = path.resolve(__dirname, '../../bin/wippy.js');

export interface SoakOptions {
  workflows: number;
  kills: number;
  seed: number;
  /** A run is killed a random time in [minUpMs, maxUpMs] after it commits progress (default 0..300). */
  minUpMs?: number;
  maxUpMs?: number;
  /** Rounds of (activity, 20ms timer) per order (default 16): enough work for 20 kills at 200. */
  rounds?: number;
  /** Every n-th external signal goes through `wippy workflow signal` (0: never; default 10). */
  cliSignalEvery?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Give up waiting for completion after this long once the kills are done (default 180 s). */
  finishTimeoutMs?: number;
}

export interface SoakReport {
  workflows: number;
  kills: number;
  /** Kills of a run that had committed progress, with work still pending. */
  busyKills: number;
  /** Kills during a run's start-up (every 4th kill), with work still pending. */
  startupKills: number;
  lost: number;
  duplicated: number;
  /** Activity executions beyond the recorded attempts (ran again after a crash: allowed). */
  reexecuted: number;
  /** Signals sent: external (store + CLI) and accepted pinger sends. */
  signals: { external: number; viaCli: number; fromProcess: number };
  problems: string[];
  seconds: number;
  dir: string;
}

// ---------------------------------------------------------------- the registry

const REGISTRY = `version: "1.0"
namespace: soak
entries:
  - name: client
    kind: temporal.client
  - name: worker
    kind: temporal.worker
    client: soak:client
    task_queue: soak
  - name: procs
    kind: process.host
  - name: act
    kind: function.lua
    source: file://act.lua
    modules: [ctx]
  - name: pinger
    kind: process.lua
    source: file://pinger.lua
  - name: pinger_service
    kind: process.service
    process: soak:pinger
    host: soak:procs
    lifecycle: {auto_start: true, restart: {initial_delay: "20ms", max_attempts: 0}}
  - name: root
    kind: workflow.lua
    source: file://root.lua
    meta: {temporal: {workflow: {worker: soak:worker}}}
  - name: order
    kind: workflow.lua
    source: file://order.lua
    modules: [funcs, time, workflow]
    meta: {temporal: {workflow: {worker: soak:worker}}}
  - name: leaf
    kind: workflow.lua
    source: file://leaf.lua
    modules: [funcs, time]
    meta: {temporal: {workflow: {worker: soak:worker}}}
`;

// Every execution prints its idempotency key, its workflow and what it was asked; the first
// attempt of step "a" of every 5th order fails with a retryable error (retries keep the key).
const ACT = `local ctx = require("ctx")
return function(step, i)
  local attempt = ctx.get("attempt")
  print("EXEC " .. ctx.get("activity_id") .. " " .. ctx.get("workflow_id") .. " " .. step .. " " .. i .. " " .. attempt)
  if step == "a" and i % 5 == 0 and attempt == 1 then
    return nil, errors.new({message = "flaky", kind = errors.UNAVAILABLE, retryable = true})
  end
  return step .. ":" .. i
end
`;

// Answers every hello with a pong sent to the workflow (a durable signal once send returns true);
// stops when `wippy run` stops it (SIGINT).
const PINGER = `return function()
  process.registry.register("pinger")
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select({inbox:case_receive(), events:case_receive()})
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return "stopped" end
    else
      local d = r.value:payload():data()
      if process.send(d.wf, "pong", {n = d.n}) then print("PONG " .. d.wf .. " " .. d.n) end
    end
  end
end
`;

const ROOT = `return function(n)
  for i = 1, n do
    local pid, err = process.spawn_monitored("soak:order", "soak:worker", i)
    if not pid then error(err) end
  end
  local events, done, sum = process.events(), 0, 0
  while done < n do
    local e = events:receive()
    if e.kind == process.event.EXIT then
      done = done + 1
      if e.result and e.result.value then sum = sum + e.result.value.i end
    end
  end
  return {count = done, sum = sum}
end
`;

const order = (rounds: number) => `local funcs, time, workflow = require("funcs"), require("time"), require("workflow")
local flaky = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = "50ms", maximum_attempts = 5}})
return function(i)
  local exts = process.listen("ext")
  local pongs = process.listen("pong")
  local a = assert(flaky:call("soak:act", "a", i))
  time.sleep(tostring(50 + (i * 37) % 250) .. "ms")
  local leaf = assert(workflow.exec("soak:leaf", i))
  local rounds = {}
  for r = 1, ${rounds} do
    rounds[r] = assert(funcs.call("soak:act", "r" .. r, i))
    time.sleep("20ms")
  end
  local pong
  for attempt = 1, 100 do
    process.send("pinger", "hello", {wf = process.pid(), n = attempt})
    local r = channel.select({pongs:case_receive(), time.after("1s"):case_receive()})
    if r.channel == pongs then pong = r.value.n break end
  end
  local ext = exts:receive()
  local b = assert(funcs.call("soak:act", "b", i))
  return {i = i, a = a, leaf = leaf, rounds = rounds, pong = pong ~= nil, ext = ext, b = b}
end
`;

const LEAF = `local funcs, time = require("funcs"), require("time")
return function(i)
  local c = assert(funcs.call("soak:act", "leaf", i))
  time.sleep("100ms")
  return c .. "!"
end
`;

export function expectedOrder(i: number, rounds: number): unknown {
  return { i, a: `a:${i}`, leaf: `leaf:${i}!`, rounds: Array.from({ length: rounds }, (_, r) => `r${r + 1}:${i}`), pong: true, ext: i, b: `b:${i}` };
}

/** Write the soak registry into a new temp folder; returns the folder. */
export function writeSoakRegistry(rounds: number, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wippy-soak-'))): string {
  const files: Record<string, string> = {
    'registry.yaml': REGISTRY, 'act.lua': ACT, 'pinger.lua': PINGER, 'root.lua': ROOT, 'order.lua': order(rounds), 'leaf.lua': LEAF,
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

// ---------------------------------------------------------------- running wippy

interface Run { proc: ChildProcess; exited: Promise<number | null>; startedAt: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeded PRNG (mulberry32): the same seed gives the same kill instants. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Driver {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private run: Run | null = null;

  constructor(private readonly dir: string, private readonly db: string) {}

  start(args: string[]): Run {
    const proc = spawn(process.execPath, [WIPPY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    proc.stdout!.on('data', (d) => {
      const lines = (partial + String(d)).split('\n');
      partial = lines.pop()!;
      this.stdout.push(...lines);
    });
    proc.stdout!.on('end', () => { if (partial) this.stdout.push(partial); partial = ''; });
    proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    this.run = { proc, exited, startedAt: Date.now() };
    return this.run;
  }

  startResume(): Run {
    return this.start(['run', this.dir, '--db', this.db]);
  }

  async kill(): Promise<void> {
    const r = this.run;
    if (!r) return;
    r.proc.kill('SIGKILL');
    await r.exited;
    this.run = null;
  }

  async stop(): Promise<number | null> {
    const r = this.run;
    if (!r) return 0;
    r.proc.kill('SIGINT');
    const code = await r.exited;
    this.run = null;
    return code;
  }

  get alive(): boolean {
    return this.run !== null && this.run.proc.exitCode === null && this.run.proc.signalCode === null;
  }
}

/** Sends the external signal ("ext", payload i) to every order workflow, once. */
class Signaller {
  readonly sent = new Map<string, 'store' | 'cli'>();
  private readonly cliPending = new Set<Promise<void>>();
  private reader: SqliteStore | null = null;
  private n = 0;
  readonly problems: string[] = [];

  constructor(private readonly db: string, private readonly cliEvery: number) {}

  /** One pass: look for order workflows that have not had their signal yet. */
  tick(): void {
    if (!this.reader) {
      if (!fs.existsSync(this.db)) return;
      try { this.reader = openStore(this.db, { lock: false, create: false }); } catch { return; }
    }
    let rows: WorkflowRow[];
    try { rows = this.reader.listWorkflows(['running']); } catch { return; }
    for (const row of rows) {
      if (row.entry !== 'soak:order' || this.sent.has(row.id)) continue;
      const i = row.input[0];
      this.n++;
      if (this.cliEvery > 0 && this.n % this.cliEvery === 0) {
        this.sent.set(row.id, 'cli');
        this.viaCli(row.id, i);
      } else {
        this.reader.addSignal({ workflowId: row.id, topic: 'ext', from: '', payloads: [i], at: Date.now() });
        this.sent.set(row.id, 'store');
      }
    }
  }

  private viaCli(id: string, payload: string): void {
    const p = new Promise<void>((resolve) => {
      const proc = spawn(process.execPath, [WIPPY, 'workflow', 'signal', id, 'ext', payload, '--db', this.db, '--no-wait'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      proc.stderr!.on('data', (d) => { err += String(d); });
      proc.on('exit', (code) => {
        if (code !== 0) this.problems.push(`wippy workflow signal ${id} failed (exit ${code}): ${err.trim()}`);
        resolve();
      });
    });
    this.cliPending.add(p);
    void p.then(() => this.cliPending.delete(p));
  }

  async drain(): Promise<void> {
    await Promise.all([...this.cliPending]);
  }

  close(): void {
    this.reader?.close();
    this.reader = null;
  }
}

// ---------------------------------------------------------------- the soak

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const rand = prng(opts.seed);
  const minUp = opts.minUpMs ?? 0;
  const maxUp = opts.maxUpMs ?? 300;
  const rounds = opts.rounds ?? 16;
  const dir = writeSoakRegistry(rounds);
  const db = path.join(dir, 'soak.db');
  const driver = new Driver(dir, db);
  const signaller = new Signaller(db, opts.cliSignalEvery ?? 10);
  const problems: string[] = [];
  let busyKills = 0;
  let startupKills = 0;

  const rootStatus = (): string | null => {
    if (!fs.existsSync(db)) return null;
    const s = openStore(db, { lock: false, create: false });
    try { return s.listWorkflows().find((r) => r.entry === 'soak:root')?.status ?? null; } finally { s.close(); }
  };
  const rootDone = (): boolean => { const st = rootStatus(); return st !== null && st !== 'running'; };
  /** Records in every history: grows while a run makes progress. */
  const records = (): number => {
    if (!fs.existsSync(db)) return 0;
    const s = openStore(db, { lock: false, create: false });
    try { return s.listWorkflows().reduce((n, r) => n + s.history(r.id).length, 0); } finally { s.close(); }
  };
  // Until the root's start is committed, a restart must start it again (-x); after that, resume.
  const restart = (): void => {
    if (rootStatus() === null) driver.start(['run', dir, '--db', db, '-x', 'soak:root', String(opts.workflows)]);
    else driver.startResume();
  };
  const poll = setInterval(() => signaller.tick(), 100);
  try {
    restart();
    for (let k = 1; k <= opts.kills; k++) {
      // Every 4th kill lands at a random instant of the start-up (loading, replaying every
      // unfinished workflow); the others at a random instant once the run has committed progress.
      const before = records();
      const duringStartup = k % 4 === 0;
      if (duringStartup) {
        await sleep(50 + rand() * 400);
      } else {
        // Wait for this run's first commit, so that every run moves the work forward.
        const until = Date.now() + 10_000;
        while (records() === before && Date.now() < until && !rootDone()) await sleep(40);
        await sleep(minUp + rand() * (maxUp - minUp));
      }
      const busy = !rootDone();
      await driver.kill();
      const progressed = records() > before;
      if (busy && !duringStartup && progressed) busyKills++;
      if (busy && duringStartup) startupKills++;
      if (fs.existsSync(db)) {
        const ok = integrityCheck(db);
        if (ok !== 'ok') problems.push(`after kill ${k}: integrity check: ${ok}`);
      }
      log(`kill ${k}/${opts.kills}${!busy ? ' (all work already done)' : duringStartup ? ' (during start-up)' : ` (after ${records() - before} new records)`}`);
      restart();
    }
    const deadline = Date.now() + (opts.finishTimeoutMs ?? 180_000);
    while (!rootDone()) {
      if (Date.now() > deadline) { problems.push('the root workflow did not finish in time'); break; }
      if (!driver.alive) restart(); // the -x run exits by itself once the root is done
      await sleep(100);
    }
    const code = await driver.stop();
    if (code !== 0 && code !== null) problems.push(`the last wippy run exited with ${code}: ${driver.stderr.slice(-3).join('').trim()}`);
  } finally {
    clearInterval(poll);
    await driver.kill();
    await signaller.drain();
    signaller.close();
  }
  problems.push(...signaller.problems);
  // Kept beside the store for a post-mortem: every EXEC / PONG line of every run, in order.
  fs.writeFileSync(path.join(dir, 'stdout.log'), `${driver.stdout.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'stderr.log'), driver.stderr.join(''));
  const verdict = verify(db, opts.workflows, rounds, driver.stdout, signaller.sent);
  problems.push(...verdict.problems);
  const ok = integrityCheck(db);
  if (ok !== 'ok') problems.push(`final integrity check: ${ok}`);
  return {
    workflows: opts.workflows,
    kills: opts.kills,
    busyKills,
    startupKills,
    lost: verdict.lost,
    duplicated: verdict.duplicated,
    reexecuted: verdict.reexecuted,
    signals: {
      external: signaller.sent.size,
      viaCli: [...signaller.sent.values()].filter((v) => v === 'cli').length,
      fromProcess: driver.stdout.filter((l) => l.startsWith('PONG ')).length,
    },
    problems,
    seconds: (Date.now() - t0) / 1000,
    dir,
  };
}

// ---------------------------------------------------------------- the checks

interface Verdict { lost: number; duplicated: number; reexecuted: number; problems: string[] }

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join() !== kb.join()) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Check the store and the collected stdout; every problem counts as lost or duplicated. */
export function verify(db: string, n: number, rounds: number, stdout: string[], sentExternal: Map<string, unknown>): Verdict {
  const v: Verdict = { lost: 0, duplicated: 0, reexecuted: 0, problems: [] };
  const lost = (msg: string) => { v.lost++; v.problems.push(`lost: ${msg}`); };
  const dup = (msg: string) => { v.duplicated++; v.problems.push(`duplicated: ${msg}`); };

  // stdout: executions by activity id, and accepted pinger sends by workflow.
  const execs = new Map<string, number>();
  const idsOfCall = new Map<string, Set<string>>();
  const pongsSent = new Map<string, Set<number>>();
  for (const line of stdout) {
    const e = /^EXEC (\S+) (\S+) (\S+) (\d+) (\d+)$/.exec(line);
    if (e) {
      execs.set(e[1], (execs.get(e[1]) ?? 0) + 1);
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

    for (const row of rows) {
      const h = store.history(row.id);
      checkHistory(row, h, execs, pongsSent.get(row.id), sentExternal.has(row.id), v, lost, dup);
    }
    for (const [wf, ns] of pongsSent) {
      if (!rows.some((r) => r.id === wf)) lost(`pongs sent to workflow ${wf} (${[...ns].join(', ')}), which is not in the store`);
    }
  } finally {
    store.close();
  }
  return v;
}

function checkHistory(
  row: WorkflowRow, h: HistoryRecord[], execs: Map<string, number>, pongs: Set<number> | undefined, hadExternal: boolean,
  v: Verdict, lost: (m: string) => void, dup: (m: string) => void,
): void {
  const ends = h.filter((r) => r.type === 'completed' || r.type === 'failed' || r.type === 'terminated');
  if (ends.length > 1) dup(`workflow ${row.id} (${row.entry}) ended ${ends.length} times`);
  if (ends.length === 1 && h[h.length - 1] !== ends[0]) dup(`workflow ${row.id} has records after its end`);

  // Activities: a recorded result comes from an execution that ran, under the recorded key.
  const calls = new Map<number, RecordOf<'call'>>();
  for (const r of h) if (r.type === 'call') calls.set(r.cmd, r);
  for (const r of h) {
    if (r.type !== 'call_done') continue;
    const call = calls.get(r.of);
    if (!call || call.fn !== 'soak:act') continue;
    const key = `${row.id}:${r.of}`;
    const ran = execs.get(key) ?? 0;
    if (ran === 0) lost(`activity ${key} (${call.args.join(' ')}) has a recorded result but never ran`);
    else if (ran > r.attempts) v.reexecuted += ran - r.attempts;
  }
  const doneCount = new Map<number, number>();
  for (const r of h) if (r.type === 'call_done') doneCount.set(r.of, (doneCount.get(r.of) ?? 0) + 1);
  for (const [cmd, c] of doneCount) if (c > 1) dup(`activity ${row.id}:${cmd} completed ${c} times`);

  if (row.entry !== 'soak:order') return;
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

// ---------------------------------------------------------------- command line

function option(name: string, env: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  if (raw === undefined) return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} / ${env}: expected a whole number, got ${raw}`);
  return v;
}

async function main(): Promise<void> {
  // 1,000: enough work that all the kills land while it runs (200 finished within half of them).
  const workflows = option('workflows', 'SOAK_WORKFLOWS', 1000);
  const kills = option('kills', 'SOAK_KILLS', 20);
  const seed = option('seed', 'SOAK_SEED', Date.now() % 1_000_000);
  process.stderr.write(`soak: ${workflows} workflows (+ ${workflows} children and a root), ${kills} kills, seed ${seed}\n`);
  const r = await runSoak({
    workflows, kills, seed,
    log: (l) => process.stderr.write(`soak: ${l}\n`),
  });
  for (const p of r.problems.slice(0, 50)) process.stderr.write(`soak: ${p}\n`);
  if (r.problems.length > 50) process.stderr.write(`soak: ... ${r.problems.length - 50} more problems\n`);
  process.stderr.write(`soak: ${r.seconds.toFixed(1)}s; kills: ${r.busyKills} while committing, ${r.startupKills} during start-up; ` +
    `${r.signals.external} external signals (${r.signals.viaCli} with wippy workflow signal), ${r.signals.fromProcess} from a process; ` +
    `${r.reexecuted} activity executions repeated after a crash (at-least-once)\n`);
  const failed = r.lost > 0 || r.duplicated > 0 || r.problems.length > 0;
  // The registry, the store and every run's stdout/stderr stay for a post-mortem when it failed.
  if (failed || process.argv.includes('--keep')) process.stderr.write(`soak: kept ${r.dir} (soak.db, stdout.log, stderr.log)\n`);
  else fs.rmSync(r.dir, { recursive: true, force: true });
  console.log(`workflows ${r.workflows}, kills ${r.kills}, lost ${r.lost}, duplicated ${r.duplicated}`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
  main().catch((e) => { process.stderr.write(`soak: ${(e as Error).stack ?? String(e)}\n`); process.exitCode = 2; });
}
