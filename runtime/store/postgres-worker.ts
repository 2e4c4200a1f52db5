/**
 * The worker thread of a PostgreSQL store (postgres.ts): the one connection, on which every
 * request of its store runs, strictly in the order the store posted them.
 *
 * Owns: the pg Client (connect, queries, end) and the two ways back: an asynchronous request
 * (a commit) is answered with a message on the worker's port; a synchronous one (a read, an
 * open) with a message on the shared reply port, then a notify on the shared flag the store's
 * thread waits on (Atomics.wait). Invariants: requests run one at a time in arrival order, so a
 * read posted after a commit sees it; a failure is answered as {message, code}, never thrown;
 * a connection that broke answers every later request with that failure.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import pg from 'pg';

export interface PgRequest {
  /** Present: answer on the shared reply port and notify the flag (a synchronous call). */
  sync?: boolean;
  /** A synchronous call's number (its answer carries it). */
  seq?: number;
  /** An asynchronous request's number (its answer carries it). */
  id?: number;
  op: 'connect' | 'query' | 'end' | 'listen' | 'lease';
  /** `lease`: renew node `nodeId`'s lease every `renewMs` on a connection of its own (see renewLease). */
  lease?: { nodeId: string; renewMs: number; leaseMs: number; stallMs: number; stamp: SharedArrayBuffer; t0: number };
  /** `listen`: the channel whose notifications are passed on ({notify: true} on the worker's port). */
  channel?: string;
  url?: string;
  /** The connection's application_name (postgres.ts writerPid reads it). */
  app?: string;
  text?: string;
  values?: unknown[];
}

export interface PgAnswer {
  id?: number;
  seq?: number;
  /** Not an answer: the lease renewal failed or stopped (the node holds nothing any more). */
  leaseLost?: PgFailure;
  /** Not an answer: a notification arrived on a channel listened to. */
  notify?: boolean;
  rows?: unknown[];
  error?: PgFailure;
}

const data = workerData as { flag: SharedArrayBuffer; reply: MessagePort };
const flag = new Int32Array(data.flag);
let client: pg.Client | null = null;
let broken: PgFailure | null = null;
let queue: Promise<void> = Promise.resolve();

export interface PgFailure { message: string; code?: string; detail?: string }

function failure(e: unknown): PgFailure {
  const err = e as { message?: string; code?: string; detail?: string };
  return { message: String(err?.message ?? e), ...(err?.code ? { code: String(err.code) } : {}), ...(err?.detail ? { detail: String(err.detail) } : {}) };
}

async function handle(req: PgRequest): Promise<PgAnswer> {
  if (req.op === 'connect') {
    const c = new pg.Client({ connectionString: req.url, connectionTimeoutMillis: 10_000, application_name: req.app });
    // A connection lost later must not kill the thread: every later request reports it.
    c.on('error', (e) => { broken = failure(e); });
    await c.connect();
    client = c;
    return {};
  }
  if (req.op === 'end') {
    stopLease();
    const c = client;
    client = null;
    if (c) await c.end().catch(() => undefined);
    return {};
  }
  if (req.op === 'lease') {
    await renewLease(req.url!, req.app ?? 'wippy', req.lease!);
    return {};
  }
  if (broken) return { error: broken };
  if (!client) return { error: { message: 'not connected' } };
  if (req.op === 'listen') {
    client.on('notification', () => parentPort!.postMessage({ notify: true }));
    await client.query(`LISTEN ${req.channel!}`);
    return {};
  }
  return { rows: (await client.query(req.text!, req.values)).rows };
}

let leaseTimer: NodeJS.Timeout | null = null;
let leaseClient: pg.Client | null = null;

function stopLease(): void {
  if (leaseTimer) clearInterval(leaseTimer);
  leaseTimer = null;
  const c = leaseClient;
  leaseClient = null;
  void c?.end().catch(() => undefined);
}

/**
 * Renew the node's lease every `renewMs` on a second connection, beside whatever the store's
 * connection is doing: a main thread busy for seconds keeps its lease. It stops, and tells the
 * main thread once ({leaseLost}), when a renewal is refused or fails, when one has had no answer
 * for a whole lease (a hung network), or when the main thread has not stamped `stamp` (tenths of
 * a second since `t0`) for `stallMs` (a node that no longer runs gives its workflows up).
 */
async function renewLease(url: string, app: string, l: NonNullable<PgRequest['lease']>): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: `${app}-lease` });
  const stamp = new Int32Array(l.stamp);
  let asking = false;
  let askedAt = 0;
  const lost = (f: PgFailure): void => {
    if (!leaseTimer) return;
    stopLease();
    parentPort!.postMessage({ leaseLost: f });
  };
  c.on('error', (e) => lost(failure(e)));
  await c.connect();
  leaseClient = c;
  leaseTimer = setInterval(() => {
    const idleMs = Date.now() - (l.t0 + Atomics.load(stamp, 0) * 100);
    if (idleMs > l.stallMs) { lost({ message: `node ${l.nodeId}: its event loop has not run for ${Math.round(idleMs / 1000)}s; it gives its lease up`, code: 'WP003' }); return; }
    if (asking) {
      if (Date.now() - askedAt > l.leaseMs) lost({ message: `node ${l.nodeId}: PostgreSQL did not answer a lease renewal within the lease (${l.leaseMs / 1000}s)`, code: 'WP003' });
      return;
    }
    asking = true;
    askedAt = Date.now();
    c.query('SELECT wippy_renew($1)', [l.nodeId]).then(() => { asking = false; }, (e) => lost(failure(e)));
  }, l.renewMs);
}

parentPort!.on('message', (req: PgRequest) => {
  queue = queue.then(async () => {
    let answer: PgAnswer;
    try { answer = await handle(req); } catch (e) { answer = { error: failure(e) }; }
    if (req.sync) {
      data.reply.postMessage({ ...answer, seq: req.seq });
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    } else {
      parentPort!.postMessage({ ...answer, id: req.id });
    }
  });
});
