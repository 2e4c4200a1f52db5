#!/usr/bin/env node
// Entry point of the peer comparison (issue 7): runs the same two workloads as `npm run bench`
// on DBOS Transact (on a private PostgreSQL) and on Restate (restate-server on loopback), one
// peer at a time, and prints ONE JSON object on stdout (progress goes to stderr):
//   { "dbos": {version, throughput, latency3} | {error}, "restate": {...} | {error}, "notes": [...] }
// Exit code 0 if at least one peer ran, 1 if none did.
//
// Usage: node bench/peers/run.mjs [--workflows 1000] [--steps 10] [--latency-runs 200]
//          [--latency-steps 3] [--warmup 20] [--only dbos|restate]
//          [--restate-inflight 200] [--restate-kind workflow|service]

import os from 'node:os';
import path from 'node:path';
import { installSignalHandlers, isStopping, log, sweepStaleTempDirs } from './procs.mjs';

// stdout is reserved for the JSON result: anything a library prints goes to stderr.
console.log = console.info = console.debug = (...args) => console.error(...args);

const USAGE = 'usage: node bench/peers/run.mjs [--workflows N] [--steps N] [--latency-runs N] [--latency-steps N] '
  + '[--warmup N] [--only dbos|restate] [--restate-inflight N] [--restate-kind workflow|service]';

function parseArgs(argv) {
  const opts = {
    workflows: 1000, steps: 10, latencyRuns: 200, latencySteps: 3, warmup: 20,
    only: null, inflight: 200, kind: 'workflow',
  };
  const ints = {
    '--workflows': 'workflows', '--steps': 'steps', '--latency-runs': 'latencyRuns',
    '--latency-steps': 'latencySteps', '--warmup': 'warmup', '--restate-inflight': 'inflight',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') { process.stderr.write(`${USAGE}\n`); process.exit(0); }
    if (ints[flag]) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < (flag === '--warmup' ? 0 : 1)) throw new Error(`${flag} needs a positive integer`);
      opts[ints[flag]] = n;
    } else if (flag === '--only') {
      opts.only = value();
      if (!['dbos', 'restate'].includes(opts.only)) throw new Error('--only takes dbos or restate');
    } else if (flag === '--restate-kind') {
      opts.kind = value();
      if (!['workflow', 'service'].includes(opts.kind)) throw new Error('--restate-kind takes workflow or service');
    } else {
      throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
    }
  }
  return opts;
}

/** DBOS on a private PostgreSQL; everything stopped before returning. */
async function dbosPeer(opts, notes) {
  const { startPostgres } = await import('./postgres.mjs');
  const { runDbos } = await import('./dbos-workload.mjs');
  const pg = await startPostgres();
  try {
    const s = pg.settings;
    notes.push(`dbos: PostgreSQL ${pg.version} started by this script (initdb defaults): fsync=${s.fsync}, `
      + `synchronous_commit=${s.synchronous_commit}, wal_sync_method=${s.wal_sync_method}, full_page_writes=${s.full_page_writes}, `
      + `shared_buffers=${s.shared_buffers}; DBOS system database pool at its default size; workflows started in-process `
      + 'with DBOS.startWorkflow + handle.getResult(), each step a DBOS.runStep checkpoint');
    return await runDbos(`${pg.baseUrl}/dbos_bench_sys`, [pg.pid], opts);
  } finally {
    await pg.stop();
  }
}

/** restate-server + SDK endpoint child; everything stopped before returning. */
async function restatePeer(opts, notes) {
  const rs = await import('./restate-server.mjs');
  const { runRestate } = await import('./restate-workload.mjs');
  const versions = rs.restateVersions();
  const server = await rs.startRestateServer();
  try {
    notes.push(`restate: restate-server ${versions.server} single node, default configuration except loopback ports and `
      + `a temp base dir: ${await rs.durabilitySummary()}`);
    const endpoint = await rs.startRestateEndpoint(server.adminUrl, path.join(server.baseDir, 'endpoint.log'));
    try {
      notes.push(`restate: SDK ${versions.sdk} endpoint (HTTP/2) in a child Node process with a Promise.withResolvers `
        + `polyfill (Node ${process.versions.node} lacks it); ${opts.kind === 'workflow' ? 'a restate.workflow (one key per run)' : 'a restate.service'} `
        + `whose run handler calls ctx.run per step; driven through the ingress HTTP API from this process: throughput = `
        + `all invocations sent at once (/send) then awaited (/attach), latency = one synchronous call at a time; `
        + `HTTP client capped at ${opts.inflight} requests in flight`);
      const result = await runRestate(server.ingressUrl, [server.pid, endpoint.pid], opts);
      return { version: versions.server, sdkVersion: versions.sdk, ...result };
    } finally {
      await endpoint.stop();
    }
  } finally {
    await server.stop();
  }
}

async function main() {
  installSignalHandlers();
  const loadAtStart = os.loadavg()[0].toFixed(2);
  const opts = parseArgs(process.argv.slice(2));
  const swept = sweepStaleTempDirs();
  if (swept) log(`removed ${swept} temp folder(s) left by an earlier killed run`);
  const out = { dbos: null, restate: null, notes: [] };
  const peers = { dbos: dbosPeer, restate: restatePeer };
  for (const [name, run] of Object.entries(peers)) {
    if (opts.only && opts.only !== name) { out[name] = { error: `skipped (--only ${opts.only})` }; continue; }
    log(`--- ${name} ---`);
    try {
      out[name] = await run(opts, out.notes);
    } catch (e) {
      if (isStopping()) break;
      log(`${name} failed: ${e.stack ?? e}`);
      out[name] = { error: String(e.message ?? e).split('\n')[0] };
    }
  }
  // Interrupted by a signal: print no (partial) result; the signal handler exits with 128+n.
  if (isStopping()) return new Promise(() => {});
  out.notes.push(
    `workloads: throughput = ${opts.workflows} concurrent workflows x ${opts.steps} steps of x => x + 1 on a running sum, `
    + `wall time from the first start to the last result, every result checked; latency3 = ${opts.latencyRuns} sequential `
    + `${opts.latencySteps}-step workflows, start-to-result, nearest-rank p50/p99; ${opts.warmup} warm-up workflows before each`,
    'throughput.cpuSeconds / cpuMsPerStep: user+system CPU during the throughput window of every process of the peer '
    + '(dbos: this process + the PostgreSQL process tree; restate: this process as HTTP driver + restate-server + the SDK '
    + 'endpoint), steadier than wall time on a shared machine',
    `peers run one at a time (the other's servers stopped); data dirs under ${os.tmpdir()}; `
    + `${os.cpus().length} CPUs, Node ${process.versions.node}, 1-min load average ${loadAtStart} at start, ${os.loadavg()[0].toFixed(2)} at end (other work on the machine skews wall time; see cpuMsPerStep)`,
  );
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  const ran = ['dbos', 'restate'].filter((p) => out[p] && !out[p].error);
  return ran.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => { log(`fatal: ${e.message ?? e}`); process.exit(1); },
);
