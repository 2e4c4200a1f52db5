/**
 * The shapes of one HTTP exchange as a handler sees it: the request an `http.endpoint` received
 * and the response it writes. The server (app/http/) builds them; the Lua `http` module
 * (lua-stdlib/http.ts) reads and writes them through its execution's Services.
 *
 * Owns: the shapes only. Invariants: header names are in Go's canonical form
 * (`Content-Type`, `X-Request-Id`), as Wippy's handlers see them; the request body is read in full
 * before the handler runs (bounded by the server); the response's `headersSent` turns true at the
 * first `setStatus` or write, after which status and headers cannot change (Go's rule, which
 * Wippy's module reports as errors).
 */

export interface HttpRequestData {
  method: string;
  /** The URL path, without the query. */
  path: string;
  /** The query string without `?` ('' when none). */
  rawQuery: string;
  /** The Host header. */
  host: string;
  /** `ip:port` (`[v6]:port`). */
  remoteAddr: string;
  /** Canonical name -> values, in arrival order. */
  headers: Record<string, string[]>;
  /** Route parameters (`{id}` in the endpoint's path). */
  params: Record<string, string>;
  body: Uint8Array;
  /** The Content-Length header (-1 when absent, as Go). */
  contentLength: number;
}

export interface HttpResponseApi {
  readonly headersSent: boolean;
  /** '' (plain), 'chunked', or 'sse'. */
  transferMode: '' | 'chunked' | 'sse';
  setStatus(code: number): void;
  setHeader(name: string, value: string): void;
  /** Bytes (or text) to the body; sends the headers first if they are not sent. */
  write(data: Uint8Array | string): void;
  /** Send what is buffered now (streaming). */
  flush(): void;
  /** The handler produced a response (status, header or body): the server writes no default one. */
  readonly handled: boolean;
}

export interface HttpExchange {
  request: HttpRequestData;
  response: HttpResponseApi;
}
