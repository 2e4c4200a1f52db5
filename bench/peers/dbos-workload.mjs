// Owns the DBOS Transact side: the benchmark workflow (N checkpointed steps of x => x + 1 on a
// running sum, each through DBOS.runStep), DBOS launch/shutdown against the private
// PostgreSQL, and the two workloads run in-process (DBOS.startWorkflow + handle.getResult()).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { cpuMeter } from './cpu.mjs';
import { isStopping, log } from './procs.mjs';
import { checkResults, latencyResult, nowMs, throughputResult } from './stats.mjs';

const require = createRequire(import.meta.url);

/** Version of the installed SDK (its package.json is not in its "exports", so walk up to it). */
export function dbosVersion() {
  let dir = path.dirname(require.resolve('@dbos-inc/dbos-sdk'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === '@dbos-inc/dbos-sdk') return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

const inc = (x) => x + 1;

async function benchSteps(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const prev = sum;
    sum = await DBOS.runStep(async () => inc(prev), { name: 'inc' });
  }
  return sum;
}
const benchWorkflow = DBOS.registerWorkflow(benchSteps, { name: 'benchSteps' });

// DBOS's own logs go to stderr (stdout is reserved for the JSON result); info/debug dropped,
// and everything once a signal is stopping us (DBOS then retries its lost connections loudly).
const stderrLogger = {
  info() {}, debug() {},
  warn(entry) { if (!isStopping()) process.stderr.write(`[dbos] warn: ${entry}\n`); },
  error(entry) { if (!isStopping()) process.stderr.write(`[dbos] error: ${entry}\n`); },
};

let seq = 0;
const startOne = (prefix, steps) =>
  DBOS.startWorkflow(benchWorkflow, { workflowID: `${prefix}-${process.pid}-${seq++}` })(steps);

/** 1,000 (by default) workflows started at once; wall time from the first start to the last result. */
async function throughput(workflows, steps, serverPids) {
  const cpu = cpuMeter(serverPids);
  const t0 = nowMs();
  const handles = await Promise.all(Array.from({ length: workflows }, () => startOne('tp', steps)));
  const results = await Promise.all(handles.map((h) => h.getResult()));
  const ms = nowMs() - t0;
  const cpuSeconds = cpu();
  checkResults('dbos', results, steps);
  return throughputResult(workflows, steps, ms, cpuSeconds);
}

/** One workflow at a time; start-to-result per run. */
async function latency(runs, steps) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    const result = await (await startOne('lat', steps)).getResult();
    samples.push(nowMs() - t0);
    checkResults('dbos', [result], steps);
  }
  return samples;
}

/**
 * Launch DBOS on `systemDatabaseUrl`, run both workloads, shut DBOS down. `serverPids`: the
 * PostgreSQL postmaster, whose process tree is charged to DBOS's CPU figure.
 * opts: { workflows, steps, latencyRuns, latencySteps, warmup }
 */
export async function runDbos(systemDatabaseUrl, serverPids, opts) {
  const version = dbosVersion();
  DBOS.setConfig({ name: 'wippy-bench-peers', systemDatabaseUrl, logger: stderrLogger });
  log('DBOS.launch()');
  await DBOS.launch();
  try {
    log(`dbos: warm-up (${opts.warmup} workflows)`);
    await Promise.all(Array.from({ length: opts.warmup }, () => startOne('warm', opts.steps).then((h) => h.getResult())));

    log(`dbos: throughput, ${opts.workflows} concurrent workflows x ${opts.steps} steps`);
    const tp = await throughput(opts.workflows, opts.steps, serverPids);
    log(`dbos: ${tp.stepsPerSecond} steps/s (${tp.seconds} s, ${tp.cpuMsPerStep} CPU ms/step)`);

    log(`dbos: latency, ${opts.warmup} warm-up + ${opts.latencyRuns} sequential ${opts.latencySteps}-step workflows`);
    await latency(opts.warmup, opts.latencySteps);
    const lat = latencyResult(await latency(opts.latencyRuns, opts.latencySteps));
    log(`dbos: p50 ${lat.p50ms} ms, p99 ${lat.p99ms} ms`);
    return { version, throughput: tp, latency3: lat };
  } finally {
    log('DBOS.shutdown()');
    await DBOS.shutdown();
  }
}
