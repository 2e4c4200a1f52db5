/**
 * `npm run bench [-- NAME ...] [--quick] [--count N] [--steps N]`: the benchmarks of issue 7,
 * printed one figure a line with its ratio to a baseline measured in the same run and the target
 * it is held to, and written to bench/results.json (a run replaces only the sections it measured,
 * re-reading the file when it writes; `measuredAt` says when, and whether with --quick, each was).
 *
 * NAME: processes, mailbox, durable, latency, timers, startup, replay, typestrip, typecheck, yield,
 * memory, http, ui, scale, longhist, resume, postgres (the PostgreSQL store, with DBOS's figures
 * in the same run unless --no-peers), peers (default: all, in that order; the peers run
 * alone at the end, after our workloads, never beside them). `timers100k` (100,000 sleepers on the
 * real clock) runs only when named.
 * `--quick` (or BENCH_QUICK=1) shrinks every workload ~10x for a smoke run (the peers' too);
 * `--count N` sets the main count of the selected benches (workflows, runs, or steps for replay);
 * `--steps N` the steps per workflow of the durable bench; `--no-peers` (or BENCH_PEERS=0) leaves
 * the peers out of a full run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchProcesses } from './processes';
import { benchMailbox } from './mailbox';
import { benchDurable, benchIdleMemory, DurableResult } from './durable';
import { benchTypestrip } from './typestrip';
import { benchTypecheck } from './typecheck';
import { benchYield } from './yield';
import { benchReplay } from './replay';
import { benchLatency, LatencyResult } from './latency';
import { benchTimers } from './timers';
import { benchStartup } from './startup';
import { benchMemoryInChild } from './memory';
import { runPeers, comparePeers } from './compare-peers';
import { benchHttp } from './http';
import { benchPostgres } from './postgres';
import { benchScale } from './scale';
import { benchLongHistory } from './longhist';
import { benchResume } from './resume';
import { benchUi, LABELS as UI_PAGES } from './ui';
import { fmtInt, pct, mib } from './fixture';

const ALL = ['processes', 'mailbox', 'durable', 'latency', 'timers', 'startup', 'replay', 'typestrip', 'typecheck', 'yield', 'memory', 'http', 'ui', 'scale', 'longhist', 'resume', 'postgres', 'peers', 'timers100k'] as const;
type Name = typeof ALL[number];
/** Run only when named. */
const ON_REQUEST: readonly Name[] = ['timers100k'];

interface Args { names: Name[]; quick: boolean; peers: boolean; count?: number; steps?: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { names: [], quick: process.env.BENCH_QUICK === '1', peers: process.env.BENCH_PEERS !== '0' };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--quick') a.quick = true;
    else if (s === '--no-peers') a.peers = false;
    else if (s === '--count' || s === '--steps') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${s} needs a positive integer`);
      if (s === '--count') a.count = n; else a.steps = n;
    } else if ((ALL as readonly string[]).includes(s)) a.names.push(s as Name);
    else throw new Error(`unknown bench or option ${s} (benches: ${ALL.join(', ')}; options: --quick, --count N, --steps N, --no-peers)`);
  }
  if (a.names.length === 0) a.names = ALL.filter((n) => (n !== 'peers' || a.peers) && !ON_REQUEST.includes(n));
  return a;
}

const line = (name: string, text: string): void => console.log(`${name.padEnd(11)} ${text}`);
const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const x = (r: number): string => `${r.toFixed(r < 10 ? 2 : 1)}x`;
const progress = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const q = (full: number, quick: number): number => args.count ?? (args.quick ? quick : full);
  const out = path.resolve(__dirname, '../../bench/results.json');
  const readPrevious = (): Record<string, unknown> => {
    try { return JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>; } catch { return {}; }
  };
  /** This run's sections only (merged into the file at the end). */
  const results: Record<string, unknown> = {};
  const measuredAt: Record<string, string> = {};
  const record = (name: string, value: unknown): void => {
    results[name] = value;
    measuredAt[name] = `${new Date().toISOString()}${args.quick ? ' (quick)' : ''}`;
  };

  for (const name of args.names) {
    if (name === 'processes') {
      const n = q(10_000, 1000);
      progress(`${fmtInt(n)} processes x ${fmtInt(n * 10)} messages...`);
      const p = await benchProcesses(n);
      record('processes', p);
      line('processes', `${fmtInt(p.processes)} processes, ${fmtInt(p.messages)} messages in ${p.seconds.toFixed(2)} s = ${fmtInt(p.messagesPerSecond)} msg/s` +
        ` = ${pct(p.ratioToBaseline)} of in-state channel ops ${fmtInt(p.baselineChannelOpsPerSecond)}/s (no target)`);
    } else if (name === 'mailbox') {
      const sizes = args.count !== undefined ? [args.count / 100, args.count / 10, args.count].map(Math.round) : args.quick ? [1000, 10_000, 100_000] : [10_000, 100_000, 1_000_000];
      progress(`mailbox: one process sends itself ${sizes.map(fmtInt).join(' / ')} messages and drains them...`);
      const m = await benchMailbox(sizes);
      record('mailbox', m);
      line('mailbox', `${m.sizes.map((z) => `${fmtInt(z.messages)}: ${z.usPerMessage.toFixed(2)} µs/msg (${z.seconds.toFixed(2)} s)`).join(', ')}` +
        ` = ${x(m.ratioLargestToSmallest)} per message at ${fmtInt(m.sizes[m.sizes.length - 1].messages)} vs ${fmtInt(m.sizes[0].messages)} (target: flat, <= 2x)`);
    } else if (name === 'durable') {
      const wf = q(1000, 200);
      const steps = args.steps ?? 10;
      progress(`${fmtInt(wf)} workflows x ${steps} durable steps, and the same Lua with no durability...`);
      const d = await benchDurable({ workflows: wf, steps, ...(args.quick ? { sqliteSingleRows: 500, sqliteBatchedRows: 10_000 } : {}) });
      record('durable', d);
      line('durable', `${fmtInt(d.stepsPerSecond)} steps/s (${fmtInt(d.workflows)} workflows x ${d.stepsPerWorkflow} steps in ${d.seconds.toFixed(2)} s)` +
        ` = ${pct(d.ratioToPlain)} of plain Fengari ${fmtInt(d.plain.stepsPerSecond)} steps/s on one pooled state (target >= 25%)`);
      line('', `= ${pct(d.ratioToPlainIsolated)} of plain Fengari with a fresh state per run, as each workflow has: ${fmtInt(d.plainIsolated.stepsPerSecond)} steps/s`);
      line('', `= ${pct(d.ratioToBatchedSqlite)} of raw SQLite batched ${fmtInt(d.sqliteRowsPerSecondBatched)} rows/s (target >= 15%);` +
        ` ${x(d.ratioToSingleSqlite)} raw SQLite one row per commit ${fmtInt(d.sqliteRowsPerSecondSingle)} rows/s`);
      const m = await benchIdleMemory(q(1000, 200));
      record('idleMemory', m);
      line('idle mem', `${fmtInt(m.workflows)} cached idle workflows: ${(m.heapBytesPerIdleWorkflow / 1024).toFixed(0)} KiB heap, ${m.bytesPerIdleWorkflow > 0 ? `${(m.bytesPerIdleWorkflow / 1024).toFixed(0)} KiB` : 'n/a (RSS fell: freed pages reused)'} RSS each (no target)`);
    } else if (name === 'latency') {
      const runs = q(200, 30);
      progress(`3-step workflow latency, ${args.quick ? 5 : 20} warm-up + ${runs} sequential runs...`);
      const l = await benchLatency({ runs, warmup: args.quick ? 5 : 20 });
      record('latency', l);
      line('latency', `${l.steps}-step workflow start-to-result p50 ${ms(l.p50ms)}, p99 ${ms(l.p99ms)} (${l.runs} runs, fsync on)` +
        ` = ${l.p50InRawCommits.toFixed(1)} raw fsync'd commits (p50 ${ms(l.rawCommit.p50ms)}); ${x(l.p50RatioToPlain)} plain Fengari p50 ${ms(l.plain.p50ms)} (peers: target p50 <= 1/5 of the faster)`);
    } else if (name === 'timers' || name === 'timers100k') {
      const n = name === 'timers' ? q(10_000, 1000) : q(100_000, 10_000);
      progress(`${fmtInt(n)} workflows each sleeping 1 s (default settings)...`);
      const t = await benchTimers({ workflows: n, plain: name === 'timers' });
      record(name, t);
      line(name, `${fmtInt(t.workflows)} workflows x sleep 1 s: all done in ${t.seconds.toFixed(2)} s (target <= 1 s + 2 x ${t.durableStepsSeconds.toFixed(2)} s,` +
        ` this run's time for 10,000 durable steps = ${t.targetSeconds.toFixed(2)} s: ${t.seconds <= t.targetSeconds ? 'met' : 'missed'})` +
        `${t.plainSeconds === null ? '' : `; ${x(t.ratioToPlain!)} plain Fengari ${t.plainSeconds.toFixed(2)} s`}`);
      line('', `wakes late p50 ${fmtInt(t.wakeLateP50Ms)} ms, p99 ${fmtInt(t.wakeLateP99Ms)} ms, last ${fmtInt(t.wakeLateMaxMs)} ms; last outcome +${fmtInt(t.lastOutcomeLateMs)} ms; start loop ${t.startLoopSeconds.toFixed(2)} s`);
    } else if (name === 'startup') {
      const n = q(2000, 300);
      progress(`start cost: ${fmtInt(n)} workflows to their first durable command, and bare Fengari states...`);
      const s = await benchStartup({ workflows: n });
      record('startup', s);
      const hostRatio = s.hostOnlyUs === null ? null : s.hostOnlyUs / s.bare.baseBytecodeUs;
      line('startup', `a workflow's Lua state (sandbox, its chunk, entry function) ${s.hostOnlyUs === null ? 'n/a' : `${fmtInt(s.hostOnlyUs)} µs`}` +
        ` = ${hostRatio === null ? 'n/a' : x(hostRatio)} a bare state with the base library and its precompiled chunk ${fmtInt(s.bare.baseBytecodeUs)} µs (target <= 2x)`);
      line('', `whole durable start (start record and first command committed, its state, first slice) ${fmtInt(s.startUs)} µs = ${x(s.ratioToBareBaseOnly)} that bare state;` +
        ` ${x(s.ratioToBare)} bare + openlibs ${fmtInt(s.bare.allLibsBytecodeUs)} µs; ${x(s.ratioToBareText)} bare + openlibs + parsing text ${fmtInt(s.bare.allLibsTextUs)} µs`);
    } else if (name === 'replay') {
      const n = q(10_000, 2000);
      progress(`replaying a ${fmtInt(n)}-step golden...`);
      const r = await benchReplay(n);
      record('replay', r);
      line('replay', `${fmtInt(r.steps)} steps (${fmtInt(r.events)} records) replayed in ${r.replaySeconds.toFixed(2)} s = ${fmtInt(r.eventsPerSecond)} records/s (parse ${r.parseSeconds.toFixed(2)} s)` +
        ` = ${x(r.replaySeconds / r.baselineSeconds)} the time of the same Lua with no durability ${r.baselineSeconds.toFixed(2)} s (target <= 2x)`);
    } else if (name === 'typestrip') {
      const t = benchTypestrip();
      record('typestrip', t);
      line('typestrip', `${(t.bytes / 1e6).toFixed(2)} MB typed Lua: strip ${t.stripMBps.toFixed(1)} MB/s = ${pct(t.costVsCompile)} of Fengari compile time (${t.compileMBps.toFixed(2)} MB/s) (no target)`);
    } else if (name === 'typecheck') {
      const files = q(100, 10);
      progress(`typecheck: loading a ${fmtInt(files * 200)}-line typed registry with and without type checking...`);
      const t = benchTypecheck(files);
      record('typecheck', t);
      line('typecheck', `${fmtInt(t.lines)} lines of typed Lua in ${t.files} entries: load with type checking ${t.checkedSeconds.toFixed(2)} s` +
        ` = ${x(t.ratio)} the load without ${t.uncheckedSeconds.toFixed(2)} s (target <= 3x)`);
    } else if (name === 'yield') {
      const y = benchYield();
      record('yield', y);
      line('yield', `Fengari yield/resume round trip ${y.noSparkplugUs.toFixed(2)} µs with --no-sparkplug (as the runtime runs) = ${x(y.ratio)} V8's default ${y.defaultUs.toFixed(2)} µs (no target)`);
    } else if (name === 'memory') {
      const n = q(100_000, 10_000);
      progress(`memory: ${fmtInt(n)} sleeping workflows, default cache, virtual time, in a fresh process...`);
      const m = await benchMemoryInChild({ workflows: n });
      record('memory', m);
      line('memory', `${fmtInt(m.workflows)} sleeping workflows (${m.cacheSize === null ? 'default cache' : `cache ${fmtInt(m.cacheSize)}`}, ${fmtInt(m.cachedWhileSleeping)} live): RSS ${mib(m.rssSleeping)} after GC (heap ${mib(m.heapSleeping)} used of ${mib(m.heapTotalSleeping)}, external ${mib(m.externalSleeping)})` +
        ` (peak ${mib(m.rssPeakStarting)} starting, ${mib(m.rssPeakWaking)} waking, heap reserved then ${mib(m.heapTotalPeakWaking)}) = ${pct(m.ratioToGiB)} of 1 GiB (target < 100%)`);
      line('', `all ${fmtInt(m.workflows)} woke and returned their own value; RSS after ${mib(m.rssAfter)} (heap ${mib(m.heapAfter)} used of ${mib(m.heapTotalAfter)}; before the runtime ${mib(m.rssBaseline)});` +
        ` ${fmtInt(m.bytesPerSleepingWorkflow)} B RSS per sleeping workflow; started in ${m.startSeconds.toFixed(1)} s, woke and finished in ${m.wakeSeconds.toFixed(1)} s`);
      line('', `start ${fmtInt(m.startPerSecond)}/s = ${x(m.startRatio)}, wake and finish ${fmtInt(m.wakePerSecond)}/s = ${x(m.wakeRatio)}` +
        ` this run's durable steps/s ${fmtInt(m.durableStepsPerSecond)} (target >= 0.5x each)`);
    } else if (name === 'scale') {
      const small = q(1000, 100);
      progress(`scale: through the CLI, default settings: ${fmtInt(small)} and ${fmtInt(small * 10)} workflows x 10 steps, ${fmtInt(small * 4)} durable and plain...`);
      const s = await benchScale({ small, large: small * 10, ratioAt: small * 4, steps: args.steps ?? 10 });
      record('scale', s);
      line('scale', `${fmtInt(s.large.workflows)} x ${s.steps} ${fmtInt(s.large.stepsPerSecond)} steps/s = ${pct(s.ratioLargeToSmall)} of ${fmtInt(s.small.workflows)} x ${s.steps} ${fmtInt(s.small.stepsPerSecond)} steps/s` +
        ` (target >= 80%); CLI peak RSS ${s.large.peakRss === null ? 'n/a' : mib(s.large.peakRss)} (target < 1 GiB)`);
      line('', `${fmtInt(s.at.workflows)} x ${s.steps}: durable ${s.at.durableSeconds.toFixed(2)} s / plain processes ${s.at.plainSeconds.toFixed(2)} s = ${x(s.at.ratio)} (target <= 2.5);` +
        ` whole CLI run ${s.at.durableWallSeconds.toFixed(2)} s / ${s.at.plainWallSeconds.toFixed(2)} s = ${x(s.at.ratioWall)} (medians of ${s.repeats})`);
      for (const c of [s.cli.sequential, s.cli.parallel]) {
        line('', `${fmtInt(c.workflows)} x ${s.steps} started by \`wippy workflow start\` against the running \`wippy run\`, ${c.parallel === 1 ? 'one invocation at a time' : `${c.parallel} at a time`}:` +
          ` ${c.startsPerSecond.toFixed(1)} starts/s (invocation p50 ${fmtInt(c.invocationP50ms)} ms, p90 ${fmtInt(c.invocationP90ms)} ms), all completed in ${c.completedSeconds.toFixed(1)} s = ${fmtInt(c.stepsPerSecond)} steps/s`);
      }
      const spawnMs = 1000 * s.steps / s.small.stepsPerSecond; // one workflow's share of the driver's time
      const dominates = s.cli.sequential.invocationP50ms > 10 * spawnMs;
      line('', `= ${pct(s.cli.ratioToSpawn)} of process.spawn's ${fmtInt(s.small.stepsPerSecond)} steps/s at ${fmtInt(s.small.workflows)} (${spawnMs.toFixed(2)} ms a workflow);` +
        ` ${dominates ? 'the CLI\'s per-invocation cost dominates' : 'the CLI does not dominate'}: \`wippy --version\` alone takes ${fmtInt(s.cli.floorMs)} ms (no target)`);
    } else if (name === 'longhist') {
      const steps = q(10_000, 2000);
      progress(`long history: one ${fmtInt(steps)}-step workflow among ${fmtInt(args.quick ? 400 : 2000)} busy others, default settings...`);
      const l = await benchLongHistory({ steps, others: args.quick ? 400 : 2000 });
      record('longhist', l);
      line('longhist', `${fmtInt(l.steps)}-step workflow among ${fmtInt(l.others)} busy others: engine time ${l.lateUsPerStep.toFixed(1)} µs/step at its end = ${x(l.ratio)}` +
        ` its ${l.earlyUsPerStep.toFixed(1)} µs/step at step 100 (target <= 1.5x); ${l.rebuilt} states rebuilt, ${fmtInt(l.replayedRecords)} records replayed`);
      line('', `wall ${l.lateMsPerStep.toFixed(2)} ms/step at its end, ${l.earlyMsPerStep.toFixed(2)} at step 100 (one commit each); ${l.seconds.toFixed(1)} s, the others did ${fmtInt(l.otherSteps)} steps meanwhile`);
    } else if (name === 'resume') {
      const finished = q(1_000_000, 100_000);
      progress(`resume: wippy run on 10,000 unfinished workflows, without and with ${fmtInt(finished)} finished ones...`);
      const r = await benchResume({ unfinished: args.quick ? 1000 : 10_000, finished });
      record('resume', r);
      line('resume', `wippy run to its first new step: ${r.secondsWithFinished.toFixed(2)} s with ${fmtInt(r.finished)} finished workflows (${mib(r.storeBytesWithFinished)})` +
        ` = ${x(r.ratio)} the ${r.seconds.toFixed(2)} s without them (${fmtInt(r.unfinished)} unfinished in both; target < 1.10x)`);
    } else if (name === 'http') {
      const n = q(2000, 300);
      progress(`http: ${fmtInt(n)} requests starting a 3-step workflow, and ${fmtInt(n)} to a plain handler, 50 clients, through wippy run...`);
      const h = await benchHttp({ requests: n, clients: 50, warmup: args.quick ? 50 : 200 });
      record('http', h);
      line('http', `POST starting a 3-step workflow: ${fmtInt(h.workflow.requestsPerSecond)} req/s, p50 ${ms(h.workflow.p50ms)}, p99 ${ms(h.workflow.p99ms)} (${fmtInt(h.workflow.requests)} requests, ${h.clients} clients)` +
        ` = ${pct(h.ratioToPlain)} of a plain handler's ${fmtInt(h.plain.requestsPerSecond)} req/s (p50 ${ms(h.plain.p50ms)}, p99 ${ms(h.plain.p99ms)}) (no target)`);
      line('', `all ${fmtInt(h.workflow.requests)} workflows completed ${h.workflowsCompletedSeconds.toFixed(2)} s after the first request = ${fmtInt(h.workflowsPerSecond)} workflows/s`);
    } else if (name === 'ui') {
      const large = q(100_000, 10_000);
      const small = Math.min(1000, large);
      progress(`ui: the workflows list at ${fmtInt(small)} and ${fmtInt(large)} workflows, a 10,000-record timeline, through wippy ui...`);
      const u = await benchUi({ large, small, timeline: args.quick ? 2000 : 10_000, samples: args.quick ? 10 : 40 });
      record('ui', u);
      u.small.pages.forEach((p, i) => {
        const l = u.large.pages[i];
        line(i === 0 ? 'ui' : '', `list ${UI_PAGES[i]}: first byte ${ms(l.p50ms)} at ${fmtInt(u.large.workflows)} vs ${ms(p.p50ms)} at ${fmtInt(u.small.workflows)} = ${x(l.p50ms / p.p50ms)} (target <= 2x; p90 ${ms(l.p90ms)} vs ${ms(p.p90ms)})`);
      });
      const t = u.timeline;
      line('', `timeline of ${fmtInt(t.records)} records: first byte ${ms(t.firstByteMs)}, whole page ${ms(t.wholeMs)} (${(t.bytes / 2 ** 20).toFixed(1)} MiB)${t.browserLoadMs !== null ? `, Chromium load ${ms(t.browserLoadMs)}` : ''} (no target)`);
    } else if (name === 'postgres') {
      const wf = q(1000, 200);
      const steps = args.steps ?? 10;
      progress(`postgres: ${fmtInt(wf)} workflows x ${steps} durable steps and the 3-step latency on the PostgreSQL store (private server, fsync on)${args.peers ? ', then DBOS on the same workloads' : ''}...`);
      const p = await benchPostgres({ workflows: wf, steps, latencyRuns: q(200, 30), warmup: args.quick ? 5 : 20, peers: args.peers });
      record('postgres', p);
      line('postgres', `1 node: ${fmtInt(p.stepsPerSecond)} steps/s (${fmtInt(p.workflows)} workflows x ${p.steps} steps in ${p.seconds.toFixed(2)} s, PostgreSQL ${p.settings.version}, fsync ${p.settings.fsync})` +
        `${p.ratioToDbos !== undefined ? ` = ${x(p.ratioToDbos)} DBOS ${fmtInt(p.dbos!.stepsPerSecond!)} steps/s (target >= 5x)` : `; DBOS: ${p.dbos?.error ?? 'not run (--no-peers)'}`}`);
      line('', `${p.cpuUsPerStep.toFixed(0)} µs CPU of the node per step, ${p.commitsPerStep.toFixed(3)} PostgreSQL commits per step; 3-step p50 ${ms(p.latency3.p50ms)}, p99 ${ms(p.latency3.p99ms)}` +
        `${p.dbos?.p50ms !== undefined ? ` (DBOS p50 ${ms(p.dbos.p50ms)})` : ''}`);
      if (p.twoNodes) {
        const t = p.twoNodes;
        line('', `2 nodes (2 processes, ${fmtInt(p.workflows / 2)} workflows each): ${fmtInt(t.stepsPerSecond)} steps/s together = ${x(t.stepsPerSecond / p.stepsPerSecond)} one node; CPU per step per node ${t.cpuUsPerStepPerNode.map((c) => `${c.toFixed(0)} µs`).join(', ')} (2 cores shared with PostgreSQL: cost, not scaling)`);
      }
      if (p.failover) {
        const f = p.failover;
        line('', `failover after SIGKILL (${f.killMs.length} kills): p50 ${ms(f.p50Ms)}, max ${ms(f.maxMs)} (target <= 2x the ${ms(f.leaseMs)} lease); after a pause past the lease (SIGSTOP): ${ms(f.pauseMs)}`);
      }
    } else if (name === 'peers') {
      progress('peers: DBOS and Restate (bench/peers/run.mjs)...');
      const p = await runPeers(args.quick ? ['--workflows', '200', '--latency-runs', '30', '--warmup', '5'] : []);
      record('peers', p);
      if (p.skipped || !p.raw) { line('peers', p.skipped ?? 'no figures'); continue; }
      const ours = results.durable && results.latency ? results : readPrevious();
      const d = (results.durable ?? ours.durable) as DurableResult | undefined;
      const l = (results.latency ?? ours.latency) as LatencyResult | undefined;
      const from = args.names.includes('durable') && args.names.includes('latency') ? '' : ' (ours from bench/results.json, an earlier run)';
      const cmp = comparePeers(p.raw, { stepsPerSecond: d?.stepsPerSecond, p50ms: l?.p50ms });
      for (const c of cmp) {
        if (c.error) { line('peers', `${c.peer}: failed: ${c.error}`); continue; }
        line('peers', `${c.peer}: ${c.stepsPerSecond === undefined ? 'n/a' : fmtInt(c.stepsPerSecond)} steps/s, 3-step p50 ${c.p50ms === undefined ? 'n/a' : ms(c.p50ms)};` +
          ` ours ${c.throughputRatio === undefined ? 'n/a' : x(c.throughputRatio)} their steps/s (target >= 5x), our p50 ${c.p50Ratio === undefined ? 'n/a' : x(c.p50Ratio)} theirs${from}`);
      }
      const p50s = cmp.filter((c) => c.p50ms).map((c) => c.p50ms!);
      if (p50s.length && l) line('peers', `our p50 ${ms(l.p50ms)} / faster peer p50 ${ms(Math.min(...p50s))} = ${x(l.p50ms / Math.min(...p50s))} (target <= 0.20x)`);
      for (const n of p.notes ?? []) line('peers', `note: ${typeof n === 'string' ? n : JSON.stringify(n)}`);
      (results.peers as Record<string, unknown>).comparison = cmp;
    }
  }
  // Re-read at the end (another run may have written meanwhile) and replace only our sections;
  // the others stay, with their own time under measuredAt.
  const prev = readPrevious();
  const merged = {
    ...prev,
    date: new Date().toISOString(), node: process.version,
    measuredAt: { ...((prev.measuredAt ?? {}) as Record<string, string>), ...measuredAt },
    ...results,
  };
  delete (merged as Record<string, unknown>).quick;
  fs.writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
  progress(`wrote ${out}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
