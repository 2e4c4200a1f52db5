/**
 * One HTTP exchange between Node's server and a Lua handler: the request as the `http` module
 * reads it, and the response it writes, held back until what the handler recorded is durable.
 *
 * Owns: turning an IncomingMessage (and its body, read by the server) into `HttpRequestData`
 * (Go's canonical header names, `ip:port` remote address), the response state machine Wippy's
 * module expects (status and headers fixed once sent, by the first `set_status` or write), the
 * default response after the handler (a returned value as JSON; `no response sent` or the error
 * as a 500, as Wippy's endpoint does), and Go's plain-text error replies.
 *
 * Why the hold: a handler that starts or signals a workflow answers with its id; the answer must
 * not reach the client before the start is committed, or a crash in between would lose a workflow
 * the client was told exists. So no byte goes out before `durable()` (the engine's next commit)
 * has resolved: the buffered response is sent when the handler returns, or at its first `flush`
 * (streaming). Invariants: bytes go out in the order written; nothing is written after `end`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpExchange, HttpRequestData, HttpResponseApi } from '../../base/http';
import type { CallResult } from '../../base/payload';
import { formatErrorInfo } from '../../base/errors';

/** `content-type` -> `Content-Type`, as Go's textproto.CanonicalMIMEHeaderKey. */
export function canonicalHeader(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

export function requestData(req: IncomingMessage, path: string, rawQuery: string, params: Record<string, string>, body: Uint8Array): HttpRequestData {
  const headers: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = canonicalHeader(raw[i]);
    (headers[k] ??= []).push(raw[i + 1]);
  }
  const addr = req.socket.remoteAddress ?? '';
  const len = req.headers['content-length'];
  return {
    method: req.method ?? 'GET',
    path,
    rawQuery,
    host: req.headers.host ?? '',
    remoteAddr: `${addr.includes(':') ? `[${addr}]` : addr}:${req.socket.remotePort ?? 0}`,
    headers,
    params,
    body,
    contentLength: len === undefined ? (body.length > 0 ? body.length : -1) : Number(len),
  };
}

/** Go's http.Error: the text and a newline, as text/plain with nosniff. */
export function plainError(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) { res.end(); return; }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...extra });
  res.end(`${text}\n`);
}

/** What Go's content sniffing gives for the start of a body (the cases handlers meet). */
function sniff(first: Uint8Array): string {
  const head = Buffer.from(first.subarray(0, 512)).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'text/html; charset=utf-8';
  try { new TextDecoder('utf-8', { fatal: true }).decode(first.subarray(0, 512), { stream: true }); } catch { return 'application/octet-stream'; }
  return 'text/plain; charset=utf-8';
}

export class NodeExchange implements HttpExchange, HttpResponseApi {
  readonly response = this;
  headersSent = false;
  handled = false;
  transferMode: '' | 'chunked' | 'sse' = '';
  private status = 200;
  private readonly headers = new Map<string, string>();
  private readonly chunks: Buffer[] = [];
  /** The response is going out (flushed once, or finished): later writes follow at once. */
  private streaming = false;
  private ended = false;
  /** Writes to the socket, in order; the first one waits for the durability gate. */
  private out: Promise<void> = Promise.resolve();
  private gate: Promise<void> | null = null;

  constructor(readonly request: HttpRequestData, private readonly res: ServerResponse, private readonly durable: () => Promise<void>) {}

  /** Resolves once what was recorded before the first byte goes out is committed (asked once). */
  private passGate(): Promise<void> {
    return (this.gate ??= this.durable());
  }

  setStatus(code: number): void {
    this.status = code;
    this.headersSent = true;
    this.handled = true;
  }

  setHeader(name: string, value: string): void {
    this.headers.set(canonicalHeader(name), value);
    this.handled = true;
  }

  write(data: Uint8Array | string): void {
    this.headersSent = true;
    this.handled = true;
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    if (buf.length === 0) return;
    this.chunks.push(buf);
    if (this.streaming) this.send(false);
  }

  flush(): void {
    this.headersSent = true;
    this.handled = true;
    this.streaming = true;
    this.send(false);
  }

  /** The handler returned: its default response if it wrote none, then the end. */
  finish(result: CallResult, onError: (text: string) => void): Promise<void> {
    if (result.error) {
      onError(formatErrorInfo(result.error));
      if (!this.handled) return this.fail(500, formatErrorInfo(result.error));
    } else if (!this.handled) {
      if (result.value === undefined || result.value === 'null') return this.fail(500, 'no response sent');
      this.setHeader('Content-Type', 'application/json');
      this.write(result.value);
    }
    this.streaming = true;
    return this.send(true);
  }

  /** A plain-text error reply (after the gate, like any reply). */
  fail(status: number, text: string): Promise<void> {
    this.out = this.out.then(() => this.passGate()).then(() => { if (!this.ended) { this.ended = true; plainError(this.res, status, text); } })
      .catch(() => { this.ended = true; });
    return this.out;
  }

  private send(end: boolean): Promise<void> {
    this.out = this.out.then(() => this.passGate()).then(() => {
      if (this.ended || this.res.destroyed) return;
      if (!this.res.headersSent) {
        if (!this.headers.has('Content-Type') && this.chunks.length > 0) this.headers.set('Content-Type', sniff(this.chunks[0]));
        for (const [k, v] of this.headers) this.res.setHeader(k, v);
        // A body written in one piece gets its length (keep-alive without chunking).
        if (end && this.transferMode === '' && !this.headers.has('Content-Length')) {
          this.res.setHeader('Content-Length', this.chunks.reduce((n, c) => n + c.length, 0));
        }
        this.res.writeHead(this.status);
      }
      const data = this.chunks.splice(0);
      if (end) {
        this.ended = true;
        this.res.end(data.length === 1 ? data[0] : Buffer.concat(data));
        return;
      }
      for (const c of data) this.res.write(c);
    }).catch(() => { this.ended = true; }); // the client went away: nothing more to send
    return this.out;
  }
}
