/**
 * The many-node figures of the `postgres` bench (issue 19), on the one-node figure's private
 * server: two nodes as two processes sharing the workload (bench/pg-node.ts), and failover: how
 * long after a node is SIGKILLed (5 times) or paused past its lease (SIGSTOP, once) its workflow
 * is owned and resumed by the other node, through the real binary with the default lease.
 *
 * Owns: these figures only. On a 2-core machine two nodes and PostgreSQL share the cores, so the
 * two-node figure shows the cost per node (CPU per step), not scaling (docs/performance.md).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Postgres } from '../testkit/postgres';
import { startWippy } from '../testkit/wippy';
import { DEFAULT_LEASE_MS } from '../runtime/store';

export interface TwoNodes { stepsPerSecond: number; seconds: number; cpuUsPerStepPerNode: number[] }
export interface Failover { killMs: number[]; p50Ms: number; maxMs: number; pauseMs: number; leaseMs: number }

/** Two node processes, WORKFLOWS x STEPS each, started together; steps/s of both over the longer one's time. */
export async function twoNodes(dir: string, url: string, workflows: number, steps: number): Promise<TwoNodes> {
  const per = Math.floor(workflows / 2);
  const kids = ['bench-a', 'bench-b'].map((id) => spawn(process.execPath, [path.join(__dirname, 'pg-node.js'), dir, url, id, String(per), String(steps)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = kids.map((k) => readline.createInterface({ input: k.stdout! })[Symbol.asyncIterator]());
  const next = async (i: number): Promise<string> => {
    const r = await lines[i].next();
    if (r.done) throw new Error(`bench node ${i} ended early (exit ${kids[i].exitCode})`);
    return r.value as string;
  };
  await Promise.all(kids.map(async (_, i) => { if ((await next(i)) !== 'ready') throw new Error('bench node: expected ready'); }));
  for (const k of kids) k.stdin!.write('go\n');
  const out = await Promise.all(kids.map(async (_, i) => JSON.parse(await next(i)) as { seconds: number; cpuUs: number }));
  await Promise.all(kids.map((k) => new Promise((r) => { if (k.exitCode !== null) r(null); else k.once('exit', r); })));
  const seconds = Math.max(...out.map((o) => o.seconds));
  return { seconds, stepsPerSecond: (per * 2 * steps) / seconds, cpuUsPerStepPerNode: out.map((o) => o.cpuUs / (per * steps)) };
}

/** Kill (or pause) a node running one sleeping workflow `kills` times; each time, how long until the standing node owns it. */
export async function failover(dir: string, url: string, pg: Postgres, database: string, kills: number): Promise<Failover> {
  const owner = async (id: string): Promise<string | null> => (await pg.sql(`SELECT owner FROM workflows WHERE id = '${id}'`, database)).rows[0]?.owner ?? null;
  const poll = async (cond: () => Promise<boolean>, what: string): Promise<void> => {
    const end = Date.now() + 60_000;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error(`failover bench: ${what} within 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const standing = startWippy(['run', dir, '--db', url, '--node-id', 'standing']);
  const measure = async (k: number, pause: boolean): Promise<number> => {
    const victim = startWippy(['run', dir, '--db', url, '--node-id', `victim-${k}`, '-x', 'b:sleeper', '1', '"1h"', '0']);
    await poll(async () => (await pg.sql(`SELECT 1 FROM workflows WHERE owner = 'victim-${k}' AND status = 'running'`, database)).rowCount === 1, 'the victim to run its workflow');
    const wid = (await pg.sql(`SELECT id FROM workflows WHERE owner = 'victim-${k}'`, database)).rows[0].id as string;
    const t0 = Date.now();
    victim.proc.kill(pause ? 'SIGSTOP' : 'SIGKILL');
    await poll(async () => (await owner(wid)) === 'standing', 'the standing node to own the workflow');
    const ms = Date.now() - t0;
    if (pause) victim.proc.kill('SIGCONT');
    await victim.kill();
    return ms;
  };
  try {
    await standing.waitFor(/node standing joined/);
    const killMs: number[] = [];
    for (let k = 0; k < kills; k++) killMs.push(await measure(k, false));
    const pauseMs = await measure(kills, true);
    const sorted = [...killMs].sort((a, b) => a - b);
    return { killMs, p50Ms: sorted[Math.floor(sorted.length / 2)], maxMs: sorted[sorted.length - 1], pauseMs, leaseMs: DEFAULT_LEASE_MS };
  } finally {
    await standing.stop();
  }
}
