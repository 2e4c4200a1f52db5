/**
 * The crash soak on PostgreSQL with many nodes (`npm run soak -- --postgres --nodes N`): the
 * workload of workload.ts, run by N `wippy run` nodes on one database of a private server, with
 * random SIGKILLs of random nodes (each restarted at once under its id) and pauses: a node
 * SIGSTOPped for three leases, then SIGCONTed, which must find its lease lost (its commits are
 * refused: postgres-nodes.ts) and join again. Then verify.ts checks the store against every
 * run's stdout, as for the one-node soak.
 *
 * Invariants: every run (a node's life from start to kill or stop) has its own stdout FILE and
 * the history lengths noted just before it started (other nodes may be writing then: the lengths
 * are a lower bound of what was recorded before it started, which is what verify.ts needs to
 * call a finished attempt run again a duplicate); runs are numbered in the order they start.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSoakRegistry } from './workload';
import { verify, readRuns, runFiles } from './verify';
import { Signaller } from './signaller';
import { startWippy, type WippyRun } from '../wippy';
import { startPostgres, type Postgres } from '../postgres';
import { seededRandom } from '../random';
import type { SoakReport } from './run';
import { openStore } from '../../runtime/store';

export interface NodeSoakOptions {
  workflows: number;
  nodes: number;
  kills: number;
  /** Pauses past the lease (default 2). */
  pauses?: number;
  seed: number;
  rounds?: number;
  cliSignalEvery?: number;
  /** The nodes' lease and renewal (default 2s / 500ms: pauses stay short). */
  leaseMs?: number;
  log?: (line: string) => void;
  finishTimeoutMs?: number;
}

export interface NodeSoakReport extends SoakReport { nodes: number; paused: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The nodes of the soak: one slot per node, each alive run with its number and stderr. */
class NodeRuns {
  runs = 0;
  readonly slots: Array<{ run: WippyRun; n: number; err: string[]; retired?: boolean } | null>;

  constructor(private readonly dir: string, private readonly url: string, private readonly pg: Postgres, private readonly database: string, private readonly lease: number, nodes: number) {
    this.slots = Array.from({ length: nodes }, () => null);
  }

  /** Start node `slot` (`exec`: with `-x soak:root N`). */
  async start(slot: number, exec: string[] = []): Promise<void> {
    const files = runFiles(this.dir, ++this.runs);
    const rows = (await this.pg.sql(`SELECT w.id, COALESCE((SELECT h.idx + h.n FROM history h WHERE h.workflow_id = w.id ORDER BY h.idx DESC LIMIT 1), 0) AS len FROM workflows w`, this.database)).rows as Array<{ id: string; len: number }>;
    fs.writeFileSync(files.lengths, JSON.stringify(Object.fromEntries(rows.map((r) => [r.id, r.len]))));
    const run = startWippy(['run', this.dir, '--db', this.url, '--node-id', `node${slot + 1}`, '--lease', `${this.lease}ms`, '--lease-renew', `${Math.round(this.lease / 4)}ms`, ...exec], { stdoutFile: files.stdout });
    const err: string[] = [];
    run.proc.stderr!.on('data', (d) => err.push(String(d)));
    this.slots[slot] = { run, n: this.runs, err };
  }

  alive(slot: number): boolean {
    return this.slots[slot]?.run.alive ?? false;
  }

  async kill(slot: number): Promise<void> {
    await this.slots[slot]?.run.kill();
  }
}

export async function runNodeSoak(opts: NodeSoakOptions): Promise<NodeSoakReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const rand = seededRandom(opts.seed);
  const rounds = opts.rounds ?? 64;
  const lease = opts.leaseMs ?? 2000;
  const pauses = opts.pauses ?? 2;
  const dir = writeSoakRegistry(rounds);
  const pg = await startPostgres();
  const database = 'soak';
  await pg.sql(`CREATE DATABASE ${database}`);
  const url = `postgresql://postgres@127.0.0.1:${pg.port}/${database}`;
  openStore(url, { lock: false }).close(); // its tables, before the first node (the soak reads them from the start)
  const nodes = new NodeRuns(dir, url, pg, database, lease, opts.nodes);
  const signaller = new Signaller(url, opts.cliSignalEvery ?? 10);
  const problems: string[] = [];
  const allErr: string[] = [];
  let busyKills = 0;
  let paused = 0;

  const root = async (): Promise<string | null> => (await pg.sql(`SELECT status FROM workflows WHERE entry = 'soak:root'`, database)).rows[0]?.status ?? null;
  const records = async (): Promise<number> => Number((await pg.sql('SELECT COALESCE(SUM(n), 0) AS n FROM history', database)).rows[0].n);
  // The root's first node runs `-x soak:root N`; once the root is recorded, a restart resumes.
  const restart = async (slot: number): Promise<void> => nodes.start(slot, slot === 0 && (await root()) === null ? ['-x', 'soak:root', String(opts.workflows)] : []);
  const retire = (slot: number): void => {
    const s = nodes.slots[slot];
    if (s && !s.retired) { s.retired = true; allErr.push(`--- node${slot + 1}, run ${s.n}\n${s.err.join('')}`); }
  };
  const poll = setInterval(() => signaller.tick(), 100);
  try {
    for (let s = 0; s < opts.nodes; s++) await restart(s);
    const pauseAt = new Set(Array.from({ length: pauses }, (_, k) => Math.floor(((k + 1) * opts.kills) / (pauses + 1))));
    for (let k = 1; k <= opts.kills; k++) {
      const before = await records();
      const slot = Math.floor(rand() * opts.nodes);
      // Every 4th kill lands anywhere (start-up included); the others once the node has joined.
      const s0 = nodes.slots[slot];
      const until = Date.now() + 15_000;
      while (k % 4 !== 0 && s0 && s0.run.alive && !/joined/.test(s0.err.join('')) && Date.now() < until) await sleep(50);
      await sleep(50 + rand() * 250);
      const busy = (await root()) !== 'completed';
      if (pauseAt.has(k) && nodes.alive(slot)) {
        // Paused past its lease: the others take its workflows; resumed, it must find its lease lost.
        const s = nodes.slots[slot]!;
        s.run.proc.kill('SIGSTOP');
        await sleep(3 * lease);
        s.run.proc.kill('SIGCONT');
        paused++;
        const until = Date.now() + 10 * lease;
        while (!/lost its lease|did not answer a lease renewal/.test(s.err.join('')) && Date.now() < until && s.run.alive) await sleep(50);
        if (!/lost its lease|did not answer a lease renewal/.test(s.err.join(''))) {
          const conns = (await pg.sql(`SELECT application_name AS app, state, wait_event_type AS wt, wait_event AS w, left(query, 60) AS q FROM pg_stat_activity WHERE application_name LIKE 'wippy-${s.run.proc.pid}%'`)).rows;
          problems.push(`node${slot + 1} (run ${s.n}), paused past its lease and resumed, did not report its lease lost (alive: ${s.run.alive}; its connections: ${JSON.stringify(conns)})`);
        }
        log(`pause ${paused}: node${slot + 1} stopped for ${3 * lease} ms, then resumed`);
      }
      if (nodes.alive(slot)) {
        await nodes.kill(slot);
        retire(slot);
        if (busy && (await records()) > before) busyKills++;
        log(`kill ${k}/${opts.kills}: node${slot + 1}${busy ? '' : ' (all work already done)'}`);
        if (busy) await restart(slot);
      }
    }
    const deadline = Date.now() + (opts.finishTimeoutMs ?? 300_000);
    while ((await root()) !== 'completed') {
      if (Date.now() > deadline) { problems.push(`the root workflow did not finish in time (${await root()})`); break; }
      for (let s = 0; s < opts.nodes; s++) if (!nodes.alive(s) && s !== 0) { retire(s); await restart(s); }
      await sleep(200);
    }
    for (let s = 0; s < opts.nodes; s++) {
      const slot = nodes.slots[s];
      if (!slot) continue;
      const code = slot.run.alive ? await slot.run.stop('SIGINT') : await slot.run.exited;
      retire(s);
      if (code !== 0 && code !== null) problems.push(`node${s + 1} (run ${slot.n}) exited with ${code}: ${slot.err.join('').trim().split('\n').slice(-2).join(' | ')}`);
    }
  } finally {
    clearInterval(poll);
    for (let s = 0; s < opts.nodes; s++) if (nodes.alive(s)) await nodes.kill(s);
    await signaller.drain();
    signaller.close();
  }
  problems.push(...signaller.problems);
  fs.writeFileSync(path.join(dir, 'stderr.log'), allErr.join(''));
  const runs = readRuns(dir);
  const verdict = verify(url, opts.workflows, rounds, runs, signaller.sent);
  problems.push(...verdict.problems);
  return {
    workflows: opts.workflows, kills: opts.kills, nodes: opts.nodes, paused, busyKills, startupKills: 0,
    lost: verdict.lost, duplicated: verdict.duplicated, reexecuted: verdict.reexecuted, retriesAcrossKills: verdict.retriesAcrossKills,
    signals: {
      external: signaller.sent.size,
      viaCli: [...signaller.sent.values()].filter((v) => v === 'cli').length,
      fromProcess: runs.reduce((k, r) => k + r.lines.filter((l) => l.startsWith('PONG ')).length, 0),
    },
    problems, seconds: (Date.now() - t0) / 1000, dir,
  };
}
