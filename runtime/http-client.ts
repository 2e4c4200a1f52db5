/**
 * Outgoing HTTP for the `http_client` module: one request through Node's `http`/`https`, with
 * Go's client behaviour where Wippy's users see it.
 *
 * Owns: sending a request (keep-alive agents shared by every call), following redirects as Go's
 * client does (at most 10; 301/302/303 become GET without a body, 307/308 keep both), the
 * timeout over the whole exchange, the response body limit (Wippy's default 120 MB), response
 * headers under Go's canonical names, and Go's error texts for the failures a handler meets
 * (`Get "URL": dial tcp HOST:PORT: connect: connection refused`, `... context deadline exceeded
 * (Client.Timeout exceeded while awaiting headers)`). Invariants: `done` is called exactly once,
 * never synchronously; a canceled request calls it with an error and frees its socket.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Cancel } from '../base/payload';
import type { HttpClientApi, HttpClientRequest, HttpClientResponse } from '../lua/services';

export const DEFAULT_MAX_RESPONSE_BODY = 120 * 1024 * 1024;
const MAX_REDIRECTS = 10;

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** `content-type` -> `Content-Type` (Go's canonical header form). */
function canonical(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

/** Go's url.Error op: `Get`, `Post`... */
const op = (method: string): string => method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();

function networkText(e: NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string }, u: URL): string {
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const target = `${e.address ?? u.hostname}:${e.port ?? port}`;
  switch (e.code) {
    case 'ECONNREFUSED': return `dial tcp ${target}: connect: connection refused`;
    case 'ENOTFOUND': return `dial tcp: lookup ${u.hostname}: no such host`;
    case 'ECONNRESET': return 'read: connection reset by peer';
    case 'ETIMEDOUT': return `dial tcp ${target}: i/o timeout`;
    case 'EHOSTUNREACH': return `dial tcp ${target}: connect: no route to host`;
    default: return e.message;
  }
}

export class NodeHttpClient implements HttpClientApi {
  request(req: HttpClientRequest, done: (r: { response: HttpClientResponse } | { error: string }) => void): Cancel {
    let finished = false;
    let current: http.ClientRequest | null = null;
    let timer: NodeJS.Timeout | undefined;
    const finish = (r: { response: HttpClientResponse } | { error: string }): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      setImmediate(() => done(r));
    };
    const failAt = (url: string, text: string): void => finish({ error: `${op(req.method)} "${url}": ${text}` });

    const send = (url: string, method: string, body: Uint8Array | undefined, headers: Record<string, string>, hops: number): void => {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        finish({ error: `parse "${url}": invalid URL` });
        return;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:' && !req.unixSocket) {
        failAt(url, `unsupported protocol scheme "${u.protocol.replace(/:$/, '')}"`);
        return;
      }
      const mod = u.protocol === 'https:' ? https : http;
      const options: http.RequestOptions = {
        method,
        headers: { ...headers, ...(body && body.length > 0 ? { 'Content-Length': String(body.length) } : {}) },
        agent: req.unixSocket ? undefined : agents[u.protocol as 'http:' | 'https:'],
        ...(req.unixSocket ? { socketPath: req.unixSocket, path: `${u.pathname}${u.search}` } : {}),
      };
      const r = req.unixSocket ? mod.request({ ...options, host: u.hostname }) : mod.request(u, options);
      current = r;
      r.on('error', (e: NodeJS.ErrnoException) => { if (!finished) failAt(url, networkText(e, u)); });
      r.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location !== undefined) {
          res.resume();
          if (hops >= MAX_REDIRECTS) { failAt(url, `stopped after ${MAX_REDIRECTS} redirects`); return; }
          const next = new URL(location, u).toString();
          const keep = status === 307 || status === 308;
          const h = { ...headers };
          if (!keep) for (const k of Object.keys(h)) if (k.toLowerCase() === 'content-type') delete h[k];
          send(next, keep ? method : method === 'HEAD' ? 'HEAD' : 'GET', keep ? body : undefined, h, hops + 1);
          return;
        }
        const limit = req.maxResponseBody > 0 ? req.maxResponseBody : DEFAULT_MAX_RESPONSE_BODY;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limit) { res.destroy(); finish({ error: `response body too large (max ${limit} bytes)` }); return; }
          chunks.push(c);
        });
        res.on('error', (e: NodeJS.ErrnoException) => failAt(url, networkText(e, u)));
        res.on('end', () => {
          const out: Record<string, string[]> = {};
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) (out[canonical(res.rawHeaders[i])] ??= []).push(res.rawHeaders[i + 1]);
          finish({ response: { status, url, headers: out, body: Buffer.concat(chunks) } });
        });
      });
      if (body && body.length > 0) r.write(body);
      r.end();
    };

    if (req.timeoutMs > 0) {
      timer = setTimeout(() => {
        failAt(req.url, 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
        current?.destroy();
      }, req.timeoutMs);
    }
    send(req.url, req.method, req.body, req.headers, 0);
    return () => {
      if (finished) return;
      failAt(req.url, 'context canceled');
      current?.destroy();
    };
  }
}
