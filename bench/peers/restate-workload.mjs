// Owns the Restate side's workloads, driven through the ingress HTTP API from this process:
// throughput = every invocation sent at once (`/<svc>/<key>/run/send`), then each result
// awaited (`/restate/invocation/<id>/attach`), through a keep-alive agent capped at
// `inflight` sockets; latency = one synchronous call (`POST /<svc>/<key>/run`) at a time.

import http from 'node:http';
import { cpuMeter } from './cpu.mjs';
import { log } from './procs.mjs';
import { checkResults, latencyResult, nowMs, throughputResult } from './stats.mjs';

/** A small JSON-over-HTTP/1.1 client on one keep-alive agent. */
function client(baseUrl, inflight) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inflight });
  const base = new URL(baseUrl);
  const request = (method, path, body) => new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({
      agent, method, path, host: base.hostname, port: base.port,
      headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode < 200 || res.statusCode >= 300) {
          reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          return;
        }
        try { resolve(text ? JSON.parse(text) : undefined); } catch (e) { reject(new Error(`${method} ${path}: bad JSON ${text.slice(0, 100)}`)); }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
  return { request, close: () => agent.destroy() };
}

let seq = 0;
/** Path of the `run` handler for a new invocation: workflows need a fresh key each time. */
function runPath(kind) {
  return kind === 'service' ? '/BenchSvc/run' : `/BenchWf/${process.pid}-${seq++}/run`;
}

async function throughput(http1, kind, workflows, steps, serverPids = []) {
  const cpu = cpuMeter(serverPids);
  const t0 = nowMs();
  const results = await Promise.all(Array.from({ length: workflows }, async () => {
    const { invocationId } = await http1.request('POST', `${runPath(kind)}/send`, steps);
    return http1.request('GET', `/restate/invocation/${encodeURIComponent(invocationId)}/attach`);
  }));
  const ms = nowMs() - t0;
  const cpuSeconds = cpu();
  checkResults('restate', results, steps);
  return throughputResult(workflows, steps, ms, cpuSeconds);
}

async function latency(http1, kind, runs, steps) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    const result = await http1.request('POST', runPath(kind), steps);
    samples.push(nowMs() - t0);
    checkResults('restate', [result], steps);
  }
  return samples;
}

/**
 * Run both workloads against a registered deployment. `serverPids`: restate-server and the SDK
 * endpoint, charged (with this process, the HTTP driver) to Restate's CPU figure.
 * opts: { workflows, steps, latencyRuns, latencySteps, warmup, inflight, kind: 'workflow'|'service' }
 */
export async function runRestate(ingressUrl, serverPids, opts) {
  const http1 = client(ingressUrl, opts.inflight);
  try {
    log(`restate: warm-up (${opts.warmup} ${opts.kind} invocations)`);
    await throughput(http1, opts.kind, opts.warmup, opts.steps);

    log(`restate: throughput, ${opts.workflows} concurrent ${opts.kind} invocations x ${opts.steps} steps (HTTP client: at most ${opts.inflight} requests in flight)`);
    const tp = await throughput(http1, opts.kind, opts.workflows, opts.steps, serverPids);
    log(`restate: ${tp.stepsPerSecond} steps/s (${tp.seconds} s, ${tp.cpuMsPerStep} CPU ms/step)`);

    log(`restate: latency, ${opts.warmup} warm-up + ${opts.latencyRuns} sequential ${opts.latencySteps}-step invocations`);
    await latency(http1, opts.kind, opts.warmup, opts.latencySteps);
    const lat = latencyResult(await latency(http1, opts.kind, opts.latencyRuns, opts.latencySteps));
    log(`restate: p50 ${lat.p50ms} ms, p99 ${lat.p99ms} ms`);
    return { throughput: tp, latency3: lat };
  } finally {
    http1.close();
  }
}
