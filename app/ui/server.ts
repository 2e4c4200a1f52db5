/**
 * The web UI's HTTP server (`wippy ui`, `wippy run --ui`): Node's `http`, the route table of
 * app/http/routes.ts, and the rules of who may ask.
 *
 * Owns: listening, the security checks, dispatching to pages, actions and live streams, writing
 * pages as they are produced, and surviving whatever a client sends. Rules:
 * - On a loopback address no login is needed, but the Host header must name this server (a page
 *   of another site that re-points its DNS name at 127.0.0.1 cannot read or act). On any other
 *   address a random token, made at start and printed in the URL, is required on every request
 *   (as `?token=`, which sets a cookie and redirects to the URL without it, or as that cookie);
 *   without it the answer is 403.
 * - An action (POST) must come from this UI's own script: the `X-Wippy-UI` header and a JSON body,
 *   which a form of another site cannot send without a CORS preflight that is never granted, and
 *   not `Sec-Fetch-Site: cross-site`.
 * - Every answer carries a Content-Security-Policy allowing only this server's own script and
 *   style, so even a bug in escaping could not run a payload's script.
 * Invariants: a malformed request (bad HTTP, a path that does not decode, a body too big or not
 * JSON) gets a 4xx and the server goes on; a failure inside a page or an action is a 500 with one
 * log line, never a crash; nothing is served from outside the assets this module reads at start.
 */
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode, WippyError } from '../../base/errors';
import { RouteTable } from '../http/routes';
import { errorPage, pageChunks, type Page } from './layout';
import type { UiContext } from './context';
import { uiRoutes, type UiRoute, type UiRequest, type UiAnswer } from './routes';

const MAX_BODY = 1024 * 1024;
const WRITE_CHUNK = 64 * 1024;
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const COMMON = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' };

export interface UiServerOptions {
  ctx: UiContext;
  host: string;
  port: number;
  /** One line per failed request (stderr by default). */
  log?: (line: string) => void;
}

export interface UiServer {
  /** The URL to open (with `?token=` when one is needed). */
  url: string;
  /** The token (null on loopback). */
  token: string | null;
  readonly loopback: boolean;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function assets(): Map<string, { type: string; body: Buffer }> {
  const root = path.resolve(__dirname, '../../..');
  const files: Array<[string, string, string]> = [
    ['style.css', path.join(root, 'app', 'ui', 'assets', 'style.css'), 'text/css; charset=utf-8'],
    ['main.js', path.join(__dirname, 'client', 'main.js'), 'text/javascript; charset=utf-8'],
  ];
  const out = new Map<string, { type: string; body: Buffer }>();
  for (const [name, file, type] of files) {
    try { out.set(name, { type, body: fs.readFileSync(file) }); } catch {
      throw new WippyError(ErrorCode.INTERNAL, `wippy ui: its asset ${file} is missing; run \`npm run build\``);
    }
  }
  // The tab's icon: a small mark drawn here, so that browsers asking for /favicon.ico get no 404.
  out.set('favicon.svg', { type: 'image/svg+xml', body: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#3355cc"/><path d="M3 4l2 8 3-6 3 6 2-8" stroke="#fff" stroke-width="1.6" fill="none"/></svg>') });
  return out;
}

function cookieToken(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

function sameToken(a: string | null, b: string): boolean {
  if (a === null) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

class TooBig extends Error { constructor() { super('the request body is over 1 MiB'); } }

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      // Read to its end (and dropped) rather than cut: the client then reads the answer.
      if (size > MAX_BODY) { reject(new TooBig()); return; }
      let v: unknown;
      try { v = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { reject(new WippyError(ErrorCode.BAD_ARGUMENT, 'the request body is not JSON')); return; }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) { reject(new WippyError(ErrorCode.BAD_ARGUMENT, 'the request body must be a JSON object')); return; }
      resolve(v as Record<string, unknown>);
    });
  });
}

async function writePage(res: http.ServerResponse, page: Page, storeLabel: string): Promise<void> {
  res.writeHead(page.status ?? 200, { ...COMMON, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  let buf = '';
  try {
    for (const chunk of pageChunks(page, storeLabel)) {
      buf += chunk;
      if (buf.length >= WRITE_CHUNK) {
        const more = res.write(buf);
        buf = '';
        if (!more) {
          await new Promise<void>((r) => {
            const done = (): void => { res.off('drain', done); res.off('close', done); r(); };
            res.on('drain', done);
            res.on('close', done);
          });
        }
        if (res.destroyed) return;
      }
    }
  } catch (e) {
    // The head is out: say it in the page and end it.
    buf += `<p class="notice error">error while writing this page: ${String((e as Error).message).replace(/[&<>"']/g, '')}</p>`;
    res.end(buf);
    throw e;
  }
  res.end(buf);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...COMMON, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function statusOfError(e: WippyError): number {
  if (e.code === ErrorCode.WORKFLOW_NOT_FOUND || e.code === ErrorCode.ENTRY_NOT_FOUND) return 404;
  if (e.code === ErrorCode.WORKFLOW_FINISHED || e.code === ErrorCode.WORKFLOW_EXISTS) return 409;
  if (e.code === ErrorCode.STORE_DAMAGED || !e.userFacing) return 500;
  return 400;
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const { ctx, host } = opts;
  const log = opts.log ?? ((line: string) => { process.stderr.write(`${line}\n`); });
  const files = assets();
  const loopback = isLoopback(host);
  const token = loopback ? null : randomBytes(24).toString('base64url');
  const routes = new RouteTable<UiRoute>('wippy ui', uiRoutes().map((endpoint) => ({ prefix: '', endpoint })));
  let port = opts.port;
  const cookie = (): string => `wippy_ui_${port}`;

  const answer = async (req: http.IncomingMessage, res: http.ServerResponse, a: UiAnswer): Promise<void> => {
    if ('page' in a) await writePage(res, a.page, ctx.storeLabel);
    else if ('json' in a) sendJson(res, a.status, a.json);
    else if ('live' in a) a.live(req, res);
    else if ('asset' in a) {
      const f = files.get(a.asset);
      if (!f) { await writePage(res, errorPage(404, `no asset ${a.asset}`), ctx.storeLabel); return; }
      res.writeHead(200, { ...COMMON, 'Content-Type': f.type, 'Cache-Control': 'no-cache' });
      res.end(f.body);
    } else {
      res.writeHead(200, { ...COMMON, 'Content-Type': a.download.type, 'Content-Disposition': `attachment; filename="${a.download.name.replace(/[^A-Za-z0-9._-]/g, '_')}"`, 'Cache-Control': 'no-store' });
      res.end(a.download.text);
    }
  };

  const refuse = (res: http.ServerResponse, status: number, why: string): void => {
    res.writeHead(status, { ...COMMON, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${why}\n`);
  };

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let url: URL;
    try { url = new URL(req.url ?? '/', 'http://ui.invalid'); } catch { refuse(res, 400, 'bad request'); return; }
    if (loopback) {
      const h = (req.headers.host ?? '').toLowerCase();
      const ok = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`].some((x) => h === x || (port === 80 && h === x.slice(0, -3)));
      if (!ok) { refuse(res, 403, `refused: the Host header ${JSON.stringify(h)} does not name this server; open ${`http://${host}:${port}/`}`); return; }
    } else {
      const given = url.searchParams.get('token');
      if (sameToken(given, token!) && req.method === 'GET') {
        url.searchParams.delete('token');
        res.writeHead(303, { ...COMMON, 'Set-Cookie': `${cookie()}=${token}; HttpOnly; SameSite=Strict; Path=/`, Location: `${url.pathname}${url.search}` });
        res.end();
        return;
      }
      if (!sameToken(given, token!) && !sameToken(cookieToken(req, cookie()), token!)) {
        refuse(res, 403, 'refused: this wippy ui needs the token printed at its start (open the URL it printed)');
        return;
      }
    }
    const method = req.method ?? 'GET';
    const m = routes.match(method, url.pathname);
    if ('status' in m) {
      if (m.status === 405) { res.setHeader('Allow', m.allow.join(', ')); await writePage(res, errorPage(405, `${method} is not allowed here`), ctx.storeLabel); return; }
      await writePage(res, { ...errorPage(404, `nothing at ${url.pathname}`), status: 404, title: 'Not found' }, ctx.storeLabel);
      return;
    }
    const route = m.route.endpoint;
    let body: Record<string, unknown> = {};
    if (method === 'POST') {
      const site = req.headers['sec-fetch-site'];
      if (req.headers['x-wippy-ui'] !== '1' || !String(req.headers['content-type'] ?? '').startsWith('application/json') || site === 'cross-site' || site === 'same-site') {
        sendJson(res, 403, { error: 'actions are taken from the wippy ui page only (X-Wippy-UI header and a JSON body)' });
        return;
      }
      try { body = await readJson(req); } catch (e) { sendJson(res, e instanceof TooBig ? 413 : 400, { error: (e as Error).message }); return; }
    }
    const r: UiRequest = { params: m.params, query: url.searchParams, body };
    try {
      await answer(req, res, await route.handle(ctx, r));
    } catch (e) {
      const we = e instanceof WippyError ? e : null;
      const status = we ? statusOfError(we) : 500;
      if (status >= 500) log(`wippy ui: ${method} ${url.pathname}: ${(e as Error).message.split('\n')[0]}`);
      if (res.headersSent) { if (!res.writableEnded) res.end(); return; }
      const message = we && we.userFacing ? we.message : `internal error: ${(e as Error).message.split('\n')[0]}`;
      if (method === 'POST' || route.json) sendJson(res, status, { error: message });
      else await writePage(res, errorPage(status, message), ctx.storeLabel);
    }
  };

  const server = http.createServer((req, res) => {
    serve(req, res).catch((e) => {
      log(`wippy ui: ${req.method} ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) refuse(res, 500, 'internal error'); else res.destroy();
    });
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); else socket.destroy();
  });
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const why = e.code === 'EADDRINUSE' ? 'the address is in use; choose another --port (0 picks a free one)'
        : e.code === 'EACCES' ? 'not permitted (ports below 1024 need privileges); choose a port above 1024'
        : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? `${host} is not an address of this machine` : e.code ?? e.message;
      reject(new WippyError(ErrorCode.HTTP_LISTEN, `wippy ui cannot listen on ${host}:${opts.port}: ${why}`));
    };
    server.once('error', onError);
    server.listen(opts.port, host, () => { server.off('error', onError); resolve(); });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/${token ? `?token=${token}` : ''}`,
    token,
    loopback,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
