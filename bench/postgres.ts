/**
 * The `postgres` bench (issue 19): the durable workload of the `durable` bench (1,000 workflows x
 * 10 steps) and the 3-step latency of the `latency` bench, on the PostgreSQL store, on a private
 * server with the default durability (fsync on, as bench/peers runs DBOS), and DBOS's figures on
 * the same workloads in the same run (bench/peers) for the ratio.
 *
 * Owns: the figures only. Reported beside steps/s: the node's CPU per step and PostgreSQL
 * commits per step (pg_stat_database), which say where the time goes on a 2-core machine.
 * Two nodes and failover (bench/postgres-nodes.ts) run on the same server, each on a database
 * of its own.
 */
import { benchFixture } from './fixture';
import { durableThroughput } from './durable';
import { durableLatency } from './latency';
import { runPeers, type PeerFigures } from './compare-peers';
import { startPostgres } from '../testkit/postgres';
import type { LatencyStats } from './baseline';
import { failover, twoNodes, type Failover, type TwoNodes } from './postgres-nodes';

export interface PostgresBenchResult {
  workflows: number;
  steps: number;
  stepsPerSecond: number;
  seconds: number;
  /** CPU (user + system) of this node per durable step, µs. */
  cpuUsPerStep: number;
  /** PostgreSQL transactions committed per durable step (group commit: far below 1). */
  commitsPerStep: number;
  latency3: LatencyStats;
  dbos?: { stepsPerSecond?: number; p50ms?: number; error?: string };
  ratioToDbos?: number;
  settings: { fsync: string; synchronousCommit: string; version: string };
  twoNodes?: TwoNodes;
  failover?: Failover;
}

export async function benchPostgres(opts: { workflows?: number; steps?: number; latencyRuns?: number; warmup?: number; peers?: boolean; kills?: number } = {}): Promise<PostgresBenchResult> {
  const workflows = opts.workflows ?? 1000;
  const steps = opts.steps ?? 10;
  const server = await startPostgres({ durable: true });
  await server.sql('CREATE DATABASE wippy_bench');
  const one = async (q: string): Promise<string> => String(Object.values((await server.sql(q, 'wippy_bench')).rows[0])[0]);
  const settings = { fsync: await one('SHOW fsync'), synchronousCommit: await one('SHOW synchronous_commit'), version: await one('SHOW server_version') };
  const fx = benchFixture();
  const rt = fx.open({ db: `postgresql://postgres@127.0.0.1:${server.port}/wippy_bench` });
  let result: PostgresBenchResult;
  try {
    await durableThroughput(rt, Math.max(1, Math.floor(workflows / 10)), steps);
    const commits = async (): Promise<number> => Number(await one("SELECT xact_commit FROM pg_stat_database WHERE datname = 'wippy_bench'"));
    const runs: Array<{ seconds: number; stepsPerSecond: number; cpuUs: number; commits: number }> = [];
    for (let i = 0; i < 3; i++) {
      const c0 = await commits();
      const cpu0 = process.cpuUsage();
      const d = await durableThroughput(rt, workflows, steps);
      const cpu = process.cpuUsage(cpu0);
      // The counter is the server's statistics, reported a moment late: wait for it to settle.
      await new Promise((r) => setTimeout(r, 600));
      runs.push({ ...d, cpuUs: cpu.user + cpu.system, commits: (await commits()) - c0 });
    }
    const d = runs.sort((a, b) => a.stepsPerSecond - b.stepsPerSecond)[1];
    const latency3 = await durableLatency(rt, 3, opts.warmup ?? 20, opts.latencyRuns ?? 200);
    result = {
      workflows, steps, stepsPerSecond: d.stepsPerSecond, seconds: d.seconds,
      cpuUsPerStep: d.cpuUs / (workflows * steps), commitsPerStep: d.commits / (workflows * steps), latency3, settings,
    };
  } finally {
    rt.close();
  }
  await server.sql('CREATE DATABASE wippy_bench2');
  result.twoNodes = await twoNodes(fx.dir, `postgresql://postgres@127.0.0.1:${server.port}/wippy_bench2`, workflows, steps);
  await server.sql('CREATE DATABASE wippy_failover');
  result.failover = await failover(fx.dir, `postgresql://postgres@127.0.0.1:${server.port}/wippy_failover`, server, 'wippy_failover', opts.kills ?? 5);
  if (opts.peers !== false) {
    const p = await runPeers(['--only', 'dbos', '--workflows', String(workflows), '--steps', String(steps),
      '--latency-runs', String(opts.latencyRuns ?? 200), '--warmup', String(opts.warmup ?? 20)]);
    const dbos = p.raw?.dbos as PeerFigures | undefined;
    if (p.skipped || !dbos) result.dbos = { error: p.skipped ?? 'no figures' };
    else if (dbos.error) result.dbos = { error: dbos.error };
    else {
      result.dbos = { stepsPerSecond: dbos.throughput?.stepsPerSecond, p50ms: dbos.latency3?.p50ms };
      if (result.dbos.stepsPerSecond) result.ratioToDbos = result.stepsPerSecond / result.dbos.stepsPerSecond;
    }
  }
  return result;
}
