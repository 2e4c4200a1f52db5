/**
 * Live pages: a server-sent event stream per open page that says "changed" when what the page
 * shows has changed in the store, so the page fetches itself again and swaps its live regions
 * (client/main.ts) without reloading.
 *
 * Owns: the stream, polled every POLL_MS (the store is written by another process, `wippy run`,
 * as often as not), against a fingerprint of what the page shows that the page itself defines
 * (list-page.ts, workflow-page.ts: the same listing reads as the page, never a history).
 * Invariants: a stream costs one small read per poll; a page never misses a change made between
 * its rendering and its stream (the page sends the fingerprint it was made from); the stream ends
 * when the client goes away; a read that fails ends it (the browser reconnects on its own).
 */
import type * as http from 'node:http';
import { createHash } from 'node:crypto';

export const POLL_MS = 400;

/** A short fingerprint of what a page shows (the pages compute theirs: list-page.ts, workflow-page.ts). */
export function digest(v: unknown): string {
  return createHash('sha1').update(JSON.stringify(v)).digest('base64url');
}

/**
 * Serve a stream: `change` events whenever `fingerprint()` changes, a comment now and then to keep
 * it open. `since` is the fingerprint the page was rendered from: a change between the page and
 * the stream is sent at once (else a page could miss the one change it waits for).
 */
export function serveLive(req: http.IncomingMessage, res: http.ServerResponse, fingerprint: () => string, since: string | null): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  let last = fingerprint();
  res.write(`retry: 1000\nevent: ready\ndata: ${last}\n\n`);
  if (since !== null && since !== last) res.write(`event: change\ndata: ${last}\n\n`);
  let beats = 0;
  const timer = setInterval(() => {
    let now: string;
    try { now = fingerprint(); } catch { stop(); res.end(); return; }
    if (now !== last) {
      last = now;
      res.write(`event: change\ndata: ${now}\n\n`);
    } else if (++beats % 25 === 0) res.write(': still here\n\n');
  }, POLL_MS);
  const stop = (): void => clearInterval(timer);
  req.on('close', stop);
  res.on('close', stop);
}
