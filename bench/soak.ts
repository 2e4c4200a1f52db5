/**
 * `npm run soak`: the command line of the crash soak (testkit/soak/run.ts runs it: the real
 * `wippy run` SIGKILLed K times while N order workflows run, then testkit/soak/verify.ts checks
 * that nothing was lost or duplicated; the workload is testkit/soak/workload.ts).
 *
 * Options (argv `--workflows N --kills K --seed S`, or env SOAK_WORKFLOWS / SOAK_KILLS /
 * SOAK_SEED; `--keep` keeps the temp folder, which a failed soak always keeps): 1,000 workflows and
 * 20 kills by default. `--postgres --nodes N` (SOAK_POSTGRES=1, SOAK_NODES): N nodes (default 3)
 * on a private PostgreSQL, random nodes killed (30 kills by default) and two paused
 * past its lease (testkit/soak/nodes.ts); the last line then ends `, paused P`. Progress goes to stderr; the last line on stdout is
 * `workflows N, kills K, lost L, duplicated D`, and it exits 1 when L or D > 0 (or on any problem).
 */
import { runSoak, type SoakReport } from '../testkit/soak/run';
import { runNodeSoak } from '../testkit/soak/nodes';
import { keepTemp, removeTemp } from '../testkit/temp';

function option(name: string, env: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  if (raw === undefined) return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} / ${env}: expected a whole number, got ${raw}`);
  return v;
}

async function main(): Promise<void> {
  const postgres = process.argv.includes('--postgres') || process.env.SOAK_POSTGRES === '1';
  // 1,000: enough work that all the kills land while it runs (200 finished within half of them).
  // On PostgreSQL: 30 kills of random nodes, and two pauses past the lease.
  const workflows = option('workflows', 'SOAK_WORKFLOWS', 1000);
  const kills = option('kills', 'SOAK_KILLS', postgres ? 30 : 20);
  const seed = option('seed', 'SOAK_SEED', Date.now() % 1_000_000);
  const nodes = option('nodes', 'SOAK_NODES', postgres ? 3 : 1);
  if (!postgres && nodes !== 1) throw new Error('--nodes: many nodes need --postgres (a SQLite store has one node)');
  if (nodes < 1) throw new Error('--nodes: at least 1');
  const log = (l: string): void => { process.stderr.write(`soak: ${l}\n`); };
  process.stderr.write(`soak: ${workflows} workflows (+ ${workflows} children and a root), ${kills} kills, seed ${seed}${postgres ? `, ${nodes} nodes on PostgreSQL` : ''}\n`);
  let paused: number | null = null;
  let r: SoakReport;
  if (postgres) {
    const p = await runNodeSoak({ workflows, kills, seed, nodes, log });
    paused = p.paused;
    r = p;
  } else {
    r = await runSoak({ workflows, kills, seed, log });
  }
  for (const p of r.problems.slice(0, 50)) process.stderr.write(`soak: ${p}\n`);
  if (r.problems.length > 50) process.stderr.write(`soak: ... ${r.problems.length - 50} more problems\n`);
  process.stderr.write(`soak: ${r.seconds.toFixed(1)}s; kills: ${r.busyKills} while committing, ${r.startupKills} during start-up; ` +
    `${r.signals.external} external signals (${r.signals.viaCli} with wippy workflow signal), ${r.signals.fromProcess} from a process; ` +
    `${r.reexecuted} activity executions repeated after a crash (at-least-once); ` +
    `${r.retriesAcrossKills} retry backoffs crossed a kill\n`);
  const failed = r.lost > 0 || r.duplicated > 0 || r.problems.length > 0;
  // The registry, the store and every run's stdout/stderr stay for a post-mortem when it failed.
  if (failed || process.argv.includes('--keep')) {
    keepTemp(r.dir);
    process.stderr.write(`soak: kept ${r.dir} (${postgres ? '' : 'soak.db, '}run-NNN.stdout, run-NNN.lengths.json, stderr.log)\n`);
  } else {
    removeTemp(r.dir);
  }
  console.log(`workflows ${r.workflows}, kills ${r.kills}, lost ${r.lost}, duplicated ${r.duplicated}${paused !== null ? `, paused ${paused}` : ''}`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
  main().catch((e) => { process.stderr.write(`soak: ${(e as Error).stack ?? String(e)}\n`); process.exitCode = 2; });
}
