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
  /** An asynchronous request's number (its answer carries it). */
  id?: number;
  op: 'connect' | 'query' | 'end' | 'listen';
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
    const c = client;
    client = null;
    if (c) await c.end().catch(() => undefined);
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

parentPort!.on('message', (req: PgRequest) => {
  queue = queue.then(async () => {
    let answer: PgAnswer;
    try { answer = await handle(req); } catch (e) { answer = { error: failure(e) }; }
    if (req.sync) {
      data.reply.postMessage(answer);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    } else {
      parentPort!.postMessage({ ...answer, id: req.id });
    }
  });
});
