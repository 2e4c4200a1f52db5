/**
 * Live pages: a server-sent event stream per open page that says "changed" when what the page
 * shows has changed in the store, so the page fetches itself again and swaps its live regions
 * (client/main.ts) without reloading.
 *
 * Owns: the fingerprint of what a page shows (read from the store through the same listing calls
 * as the page: a page's worth of rows, the counts, one workflow's row, history length, pending
 * requests and children) and the stream: polled every POLL_MS, because the store is written by
 * another process (`wippy run`) as often as not. Invariants: a stream costs one small read per
 * poll, never a history; it ends when the client goes away; a read that fails ends the stream
 * (the browser reconnects on its own).
 */
import type * as http from 'node:http';
import { createHash } from 'node:crypto';
import { START_TOPIC } from '../../runtime/store/events';
import { listParams, PAGE_SIZE, COUNT_CAP } from './list-page';
import type { UiContext } from './context';

export const POLL_MS = 400;

function digest(v: unknown): string {
  return createHash('sha1').update(JSON.stringify(v)).digest('base64url');
}

/** What the list page at `sp` shows, as a fingerprint. */
export function listFingerprint(ctx: UiContext, sp: URLSearchParams): string {
  const p = listParams(sp);
  const rows = ctx.store.queryWorkflows({ ...p.q, limit: PAGE_SIZE + 1 });
  const { status: _s, limit: _l, after: _a, before: _b, ...filters } = p.q;
  return digest([ctx.store.countWorkflows(filters, COUNT_CAP), rows.map((r) => [r.id, r.status, r.updatedAt, r.wall?.updatedAt])]);
}

/** What a workflow's page shows, as a fingerprint. */
export function workflowFingerprint(ctx: UiContext, id: string): string {
  const row = ctx.store.getWorkflow(id);
  const pending = ctx.store.pendingSignals().filter((s) => s.workflowId === id).map((s) => s.topic === START_TOPIC ? 'start' : s.id);
  if (row === null) return digest([null, pending]);
  const kids = ctx.store.childrenOf(id).map((r) => [r.id, r.status]);
  return digest([row.status, row.updatedAt, row.wall?.updatedAt, ctx.store.historyLength(id), pending, kids]);
}

/** Serve a stream: `change` events whenever `fingerprint()` changes, a comment now and then to keep it open. */
export function serveLive(req: http.IncomingMessage, res: http.ServerResponse, fingerprint: () => string): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  let last = fingerprint();
  res.write(`retry: 1000\nevent: ready\ndata: ${last}\n\n`);
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
