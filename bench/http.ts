/**
 * HTTP requests that each start a durable 3-step workflow, against a plain handler in the same
 * run (issue 18): requests/s and start-to-response latency (p50, p99) at 50 concurrent clients on
 * loopback, a bounded count of requests each.
 *
 * The server is the real `wippy run` (bin/wippy.js) in a child process, serving an http.service
 * with two endpoints: POST /start spawns `b:three` (three `funcs.call`s) with
 * `process.with_options` and answers 201 once the start is committed (the exchange waits for
 * the engine's commit); GET /plain answers a small JSON at once. The load comes from this process
 * over keep-alive connections, the same way for both. After the requests, the bench waits until
 * every started workflow has completed (read from the store) and checks every result, so a run
 * that lost or failed a workflow fails loudly.
 */
import * as http from 'node:http';
import { withRegistry, registryYaml, temporalEntries, workflowEntry, functionEntry, fixtureOf } from '../testkit/registry';
import { httpEntries, startHttpRun } from '../testkit/http';
import { readStore } from '../testkit/store';
import { removeTemp } from '../testkit/temp';
import { latencyStats, type LatencyStats } from './baseline';
import { now, msSince, secondsSince, sleepMs } from './fixture';

export interface HttpLoad extends LatencyStats { requests: number; seconds: number; requestsPerSecond: number }

export interface HttpResult {
  clients: number;
  warmup: number;
  plain: HttpLoad;
  workflow: HttpLoad;
  /** From the first measured request to the last of its workflows completed. */
  workflowsCompletedSeconds: number;
  workflowsPerSecond: number;
  /** Workflow requests/s over plain requests/s. */
  ratioToPlain: number;
  /** Workflow p50 over plain p50. */
  p50RatioToPlain: number;
}

const THREE = `local funcs = require("funcs")
return function(n)
  local s = n
  for _ = 1, 3 do s = funcs.call("b:inc", s) end
  return s
end
`;
const START = `local http = require("http")
return function()
  local req, res = http.request(), http.response()
  local body = req:body_json()
  local pid, err = process.with_options({["workflow.id"] = body.id}):spawn("b:three", "b:worker", body.n)
  if err then return nil, err end
  res:set_content_type("application/json")
  res:set_status(201)
  res:write_json({id = body.id})
end
`;
const PLAIN = `local http = require("http")
return function()
  http.response():write_json({ok = true})
end
`;

function request(agent: http.Agent, base: URL, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: base.hostname, port: base.port, method, path, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** `count` requests from `clients` concurrent clients; each request's latency, every status checked. */
async function load(agent: http.Agent, base: URL, count: number, clients: number, make: (i: number) => { method: string; path: string; body?: string; status: number }): Promise<HttpLoad> {
  const samples: number[] = new Array(count);
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < count) {
      const i = next++;
      const req = make(i);
      const t = now();
      const status = await request(agent, base, req.method, req.path, req.body);
      samples[i] = msSince(t);
      if (status !== req.status) throw new Error(`${req.method} ${req.path}: status ${status}, expected ${req.status}`);
    }
  }));
  const seconds = secondsSince(t0);
  return { ...latencyStats(samples), requests: count, seconds, requestsPerSecond: count / seconds };
}

export async function benchHttp(opts: { requests?: number; clients?: number; warmup?: number } = {}): Promise<HttpResult> {
  const count = opts.requests ?? 2000;
  const clients = opts.clients ?? 50;
  const warmup = opts.warmup ?? 200;
  const dir = withRegistry({
    'bench.yaml': registryYaml('b', [
      ...temporalEntries('b', 'bench'),
      workflowEntry('b', 'three', 'three.lua', ['funcs']),
      functionEntry('inc', 'inc.lua'),
      ...httpEntries('b', [
        { name: 'start', method: 'POST', path: '/start', file: 'start.lua' },
        { name: 'plain', method: 'GET', path: '/plain', file: 'plain.lua' },
      ]),
    ]),
    'three.lua': THREE, 'inc.lua': 'return function(x) return x + 1 end\n', 'start.lua': START, 'plain.lua': PLAIN,
  });
  const fx = fixtureOf(dir);
  const { run, base } = await startHttpRun(dir);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  try {
    const url = new URL(base);
    const plainReq = () => ({ method: 'GET', path: '/plain', status: 200 });
    const startReq = (prefix: string) => (i: number) => ({ method: 'POST', path: '/start', body: JSON.stringify({ id: `${prefix}-${i}`, n: i }), status: 201 });
    await load(agent, url, warmup, clients, plainReq);
    await load(agent, url, warmup, clients, startReq('warm'));
    const plain = await load(agent, url, count, clients, plainReq);
    const t0 = now();
    const workflow = await load(agent, url, count, clients, startReq('w'));
    const completed = (): number => readStore(fx.db, (s) => s.listWorkflows(['completed']).length);
    while (completed() < warmup + count) {
      if (!run.alive) throw new Error(`wippy run exited: ${run.stderr()}`);
      await sleepMs(20);
    }
    const completedSeconds = secondsSince(t0);
    const wrong = readStore(fx.db, (s) => s.listWorkflows().filter((r) => r.id.startsWith('w-') && r.result !== String(Number(r.id.slice(2)) + 3)));
    if (wrong.length > 0) throw new Error(`${wrong.length} workflows ended wrong, e.g. ${JSON.stringify(wrong[0])}`);
    return {
      clients, warmup, plain, workflow, workflowsCompletedSeconds: completedSeconds, workflowsPerSecond: count / completedSeconds,
      ratioToPlain: workflow.requestsPerSecond / plain.requestsPerSecond, p50RatioToPlain: workflow.p50ms / plain.p50ms,
    };
  } finally {
    agent.destroy();
    if ((await run.stop()) !== 0) process.stderr.write(`bench http: wippy run did not stop cleanly:\n${run.stderr()}\n`);
    removeTemp(dir);
  }
}
