/**
 * HTTP fixtures shared by the tests and the benchmarks: registry entries for an http.service with
 * its router and endpoints, a `wippy run` serving them, and a small local HTTP server (what an
 * activity calls through `http_client`).
 *
 * Invariants: a service listens on 127.0.0.1 with a port the system picks (`:0`), read back from
 * the one `listening on` line `wippy run` logs; a local server is closed when the test ends.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EntrySpec } from './registry';
import { startWippy, type StartOptions, type WippyRun } from './wippy';

export interface Endpoint {
  /** The handler's entry name (a function.lua with the `http` module and `extra` modules). */
  name: string;
  method: string;
  path: string;
  /** Its Lua file (beside the registry). */
  file: string;
  modules?: readonly string[];
}

/** The service `NS:gateway` (auto_start, `addr`), router `NS:api` under `prefix`, and one endpoint + handler each. */
export function httpEntries(ns: string, endpoints: readonly Endpoint[], opts: { prefix?: string; addr?: string; more?: readonly string[] } = {}): EntrySpec[] {
  return [
    { name: 'gateway', kind: 'http.service', more: [`addr: "${opts.addr ?? '127.0.0.1:0'}"`, 'lifecycle: {auto_start: true}', ...(opts.more ?? [])] },
    { name: 'api', kind: 'http.router', more: [`meta: {server: ${ns}:gateway}`, `prefix: ${opts.prefix ?? '/'}`] },
    ...endpoints.flatMap((e): EntrySpec[] => [
      { name: e.name, kind: 'function.lua', file: e.file, modules: ['http', ...(e.modules ?? [])] },
      { name: `${e.name}.endpoint`, kind: 'http.endpoint', more: [`meta: {router: ${ns}:api}`, `method: ${e.method}`, `path: ${e.path}`, `func: ${e.name}`] },
    ]),
  ];
}

const LISTENING = /http\.service \S+ listening on (http:\/\/\S+) /;

/** `wippy run DIR` (plus `args`), once its service listens: the run and the service's base URL. */
export async function startHttpRun(dir: string, args: string[] = [], opts: StartOptions = {}): Promise<{ run: WippyRun; base: string }> {
  const run = startWippy(['run', dir, ...args], opts);
  await run.waitFor(LISTENING);
  return { run, base: LISTENING.exec(run.stderr())![1] };
}

export interface LocalRequest { method: string; path: string; body: string; headers: http.IncomingHttpHeaders }
export interface LocalServer { url: string; requests: LocalRequest[]; close(): Promise<void> }

/**
 * A local HTTP server answering every request with `reply` (default 200 `{"ok":true}`, after
 * `delayMs`), recording what it got (in arrival order). Closing drops the answers still
 * delayed (their timers too, so a long delay does not keep the process alive).
 */
export async function localServer(reply: (req: LocalRequest) => { status?: number; body?: unknown; delayMs?: number } = () => ({})): Promise<LocalServer> {
  const requests: LocalRequest[] = [];
  const delayed = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += String(c); });
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', body, headers: req.headers };
      requests.push(r);
      const out = reply(r);
      const timer = setTimeout(() => {
        delayed.delete(timer);
        res.writeHead(out.status ?? 200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(out.body ?? { ok: true }));
      }, out.delayMs ?? 0);
      delayed.add(timer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => {
      for (const t of delayed) clearTimeout(t);
      delayed.clear();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
