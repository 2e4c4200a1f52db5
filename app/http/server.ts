/**
 * Running `http.service` entries: Node's `http` server per service, its routers' endpoints as
 * one route table (routes.ts), each request handed to its endpoint's function.lua with the
 * exchange (exchange.ts) that the `http` module reads.
 *
 * Owns: the lifecycle Starter of the kind (app/supervisor): `prepare` binds the address before
 * anything of the run starts (a port in use fails the run with one line, and nothing starts),
 * `start` opens the service (requests that arrived in between wait for it), `stop` stops
 * accepting, lets the requests in flight finish within the stop timeout, then closes every
 * connection. Per request: the route (404 and 405 as Go's ServeMux answers), the body (read in
 * full, at most MAX_BODY), the handler call, the timeouts of the entry (read: the whole request;
 * write: until the response is out; idle: keep-alive), and one log line for a handler that fails
 * (a 500 to the client; the service keeps serving).
 *
 * Invariants: a handler runs only for a request on a started service; a response leaves only
 * once what the handler recorded is committed (exchange.ts); one log line per failed request,
 * never a stack; a stopped service holds no socket.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, WippyError } from '../../base/errors';
import type { CallRequest, CallResult, Cancel } from '../../base/payload';
import type { HttpEndpointEntry, HttpRouterEntry, HttpServiceEntry, Registry } from '../../registry';
import type { LogFn, Starter } from '../supervisor/lifecycle';
import { RouteTable } from './routes';
import { NodeExchange, plainError, requestData } from './exchange';

/** Largest request body read (Wippy's default `max_body`, 120 MB). */
export const MAX_BODY = 125829120;

export interface HttpDeps {
  registry: Registry;
  /** Run a function entry (the endpoint's handler) with the request's exchange. */
  call(req: CallRequest, done: (r: CallResult) => void): Cancel;
  /** Resolves once everything recorded so far is committed (the engine's next commit). */
  durable(): Promise<void>;
  log: LogFn;
}

/** The routers of `service` and the endpoints on them, in registry order. */
function endpointsOf(registry: Registry, service: string): Array<{ prefix: string; endpoint: HttpEndpointEntry }> {
  const routers = new Map<string, HttpRouterEntry>();
  for (const e of registry.entries.values()) if (e.kind === 'http.router' && e.server === service) routers.set(e.id, e);
  const out: Array<{ prefix: string; endpoint: HttpEndpointEntry }> = [];
  for (const e of registry.entries.values()) {
    const r = e.kind === 'http.endpoint' ? routers.get(e.router) : undefined;
    if (r && e.kind === 'http.endpoint') out.push({ prefix: r.prefix, endpoint: e });
  }
  return out;
}

function listenProblem(entry: HttpServiceEntry, e: NodeJS.ErrnoException): WippyError {
  const why = e.code === 'EADDRINUSE' ? 'the address is in use (another program, or another wippy run, listens there); stop it or change addr'
    : e.code === 'EACCES' ? 'not permitted (ports below 1024 need privileges); use a port above 1024'
    : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? `${entry.host} is not an address of this machine; use 127.0.0.1, or leave the host out for every interface`
    : `${e.code ?? e.message}`;
  return new WippyError(ErrorCode.HTTP_LISTEN, `http.service ${entry.id} cannot listen on ${entry.addr}: ${why}`);
}

class Service {
  readonly server: http.Server;
  private opened = false;
  private readonly waiting: Array<() => void> = [];
  private readonly inflight = new Set<Promise<void>>();

  constructor(readonly entry: HttpServiceEntry, readonly routes: RouteTable, private readonly deps: HttpDeps) {
    this.server = http.createServer((req, res) => { this.track(this.serve(req, res)); });
    const t = entry.timeouts;
    if (t.readMs > 0) { this.server.requestTimeout = t.readMs; this.server.headersTimeout = Math.min(t.readMs, this.server.headersTimeout); }
    if (t.idleMs > 0) this.server.keepAliveTimeout = t.idleMs;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => reject(listenProblem(this.entry, e));
      this.server.once('error', onError);
      this.server.listen(this.entry.port, this.entry.host === '' ? undefined : this.entry.host, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.deps.log('error', `http.service ${this.entry.id}: ${e.message}`));
        resolve();
      });
    });
  }

  /** `http://host:port` as bound (the real port when the entry asked for 0). */
  get url(): string {
    const a = this.server.address() as AddressInfo;
    const host = this.entry.host === '' ? 'localhost' : a.address.includes(':') ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  open(): void {
    this.opened = true;
    for (const w of this.waiting.splice(0)) w();
  }

  async close(timeoutMs: number): Promise<void> {
    this.opened = false;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeIdleConnections();
    for (const w of this.waiting.splice(0)) w(); // they see the service closed and answer 503
    const all = Promise.all([...this.inflight]).then(() => {});
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => { timer = setTimeout(r, Math.max(0, timeoutMs)); })]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!this.opened) await new Promise<void>((r) => this.waiting.push(r));
    if (!this.opened) { plainError(res, 503, 'Service Unavailable', { Connection: 'close' }); return; }
    const url = req.url ?? '/';
    let path: string;
    let rawQuery: string;
    if (url.startsWith('/')) {
      const q = url.indexOf('?');
      [path, rawQuery] = q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
    } else {
      try { const u = new URL(url); [path, rawQuery] = [u.pathname, u.search.slice(1)]; } catch { plainError(res, 400, '400 Bad Request'); return; }
    }
    const method = req.method ?? 'GET';
    const m = this.routes.match(method, path);
    if ('status' in m) {
      if (m.status === 404) plainError(res, 404, '404 page not found');
      else if (m.status === 405) plainError(res, 405, 'Method Not Allowed', { Allow: m.allow.join(', ') });
      else { res.writeHead(204, { Allow: m.allow.join(', ') }); res.end(); }
      return;
    }
    const body = await readBody(req);
    if (body === null) { plainError(res, 413, 'http: request body too large', { Connection: 'close' }); return; }
    const ex = new NodeExchange(requestData(req, path, rawQuery, m.params, body), res, this.deps.durable);
    const writeMs = this.entry.timeouts.writeMs;
    const timer = writeMs > 0 ? setTimeout(() => {
      this.deps.log('warn', `http.service ${this.entry.id}: ${method} ${path} not answered within the write timeout (${writeMs}ms); connection closed`);
      res.destroy();
    }, writeMs) : undefined;
    const func = m.route.endpoint.func;
    const result = await new Promise<CallResult>((resolve) => {
      const cancel = this.deps.call({ id: func, args: [], context: {}, http: ex }, resolve);
      res.once('close', () => { if (!res.writableFinished) cancel(); });
    });
    await ex.finish(result, (text) => this.deps.log('error', `http.service ${this.entry.id}: ${method} ${path}: handler ${func} failed: ${text.split('\n')[0]}`));
    clearTimeout(timer);
  }
}

/** The whole body, or null past MAX_BODY (the rest is not read). */
function readBody(req: http.IncomingMessage): Promise<Uint8Array | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY) return Promise.resolve(null);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { req.destroy(); resolve(null); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(null));
  });
}

export class HttpServiceStarter implements Starter<HttpServiceEntry> {
  readonly listed = true;
  private readonly services = new Map<string, Service>();

  constructor(private readonly deps: HttpDeps) {}

  /** Bind the entry's address (before anything of the run starts); throws HTTP_LISTEN with one line. */
  async prepare(entry: HttpServiceEntry): Promise<void> {
    if (this.services.has(entry.id)) return;
    const svc = new Service(entry, new RouteTable(entry.id, endpointsOf(this.deps.registry, entry.id)), this.deps);
    await svc.listen();
    this.services.set(entry.id, svc);
  }

  async start(entry: HttpServiceEntry): Promise<void> {
    await this.prepare(entry);
    const svc = this.services.get(entry.id)!;
    svc.open();
    const n = svc.routes.routes.length;
    this.deps.log('info', `http.service ${entry.id} listening on ${svc.url} (${n} endpoint${n === 1 ? '' : 's'})`);
  }

  async stop(entry: HttpServiceEntry, timeoutMs: number): Promise<void> {
    const svc = this.services.get(entry.id);
    if (!svc) return;
    this.services.delete(entry.id);
    await svc.close(timeoutMs);
  }

  /** The bound URL of a prepared or started service (tests, the summary line). */
  url(id: string): string | undefined {
    return this.services.get(id)?.url;
  }
}
