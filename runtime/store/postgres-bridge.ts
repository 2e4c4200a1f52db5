/**
 * The PostgreSQL store's link to its connection: a worker thread (postgres-worker.ts) that owns
 * the pg Client, called synchronously (reads, opening: the store's interface is synchronous, as
 * SQLite's is) or asynchronously (commits: the engine's group commit goes on while one is on its
 * way), and PostgreSQL's failures in terms of what the user can do.
 *
 * Owns: starting and ending the worker, the shared flag and reply port of synchronous calls, the
 * callbacks of asynchronous ones, and keeping the process alive while one is pending (the worker
 * is unref'd otherwise). Invariants: every request, either kind, runs on the one connection in
 * the order it was made (a read made after a commit sees it); a synchronous call waits at most
 * CALL_TIMEOUT_MS, then fails; answers of asynchronous calls arrive in the order they were made.
 */
import * as nodePath from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { ErrorCode, WippyError } from '../../base/errors';
import type { PgAnswer, PgFailure, PgRequest } from './postgres-worker';

/** How long a synchronous call may wait for the server before it fails. */
export const CALL_TIMEOUT_MS = 60_000;

/** Connection-level failures (the server is gone, refused us, or the network broke). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

/** A PostgreSQL failure as a WippyError naming the store (`label`); `what`: the operation. */
export function pgError(label: string, f: PgFailure, what?: string): WippyError {
  const where = what ? `${label}: ${what}` : label;
  const code = f.code ?? '';
  const one = (s: string): string => s.replace(/\s*\n\s*/g, ' ');
  if (code === 'WP003') return new WippyError(ErrorCode.NODE_LEASE_LOST, `${label}: ${one(f.message)}`);
  if (code === 'WP004') return new WippyError(ErrorCode.STORE_LOCKED, `${label}: ${one(f.message)}`);
  if (code === 'WP001' || code === 'WP002') return new WippyError(ErrorCode.INTERNAL, `${label}: ${one(f.message)}`);
  if (code === '23505') return new WippyError(ErrorCode.INTERNAL, `${where}: ${one(f.detail ?? f.message)}: already exists (two writers on one store?)`);
  if (code === '23503') return new WippyError(ErrorCode.INTERNAL, `${where}: ${one(f.detail ?? f.message)}: no such workflow`);
  if (code === '28P01' || code === '28000') return new WippyError(ErrorCode.STORE_INVALID, `${label}: PostgreSQL refused the login (${one(f.message)}); check the user and password in the URL`);
  if (code === '3D000') return new WippyError(ErrorCode.STORE_INVALID, `${label}: ${one(f.message)}; create it (createdb) or fix the URL`);
  if (CONNECTION_CODES.has(code) || /timeout|terminated|Connection/i.test(f.message)) {
    return new WippyError(ErrorCode.STORE_INVALID, `${label}: cannot reach PostgreSQL (${one(f.message)}); check the host and port in the URL and that the server runs`);
  }
  return new WippyError(ErrorCode.INTERNAL, `${where}: ${one(f.message)}${code ? ` (${code})` : ''}`);
}

export class PgBridge {
  private readonly worker: Worker;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly reply: MessagePort;
  private readonly pending = new Map<number, (a: PgAnswer) => void>();
  private nextId = 1;
  /** The number of the last synchronous call (its answer carries it). */
  private syncSeq = 0;
  private ended = false;
  /** Called when a notification arrives on a channel the connection listens to (op `listen`). */
  onNotify: (() => void) | null = null;
  /** Called once when the thread's lease renewal (op `lease`) failed or stopped. */
  onLeaseLost: ((f: PgFailure) => void) | null = null;

  constructor(private readonly label: string) {
    const { port1, port2 } = new MessageChannel();
    this.reply = port1;
    this.reply.unref(); // read only by receiveMessageOnPort: never a reason to stay alive
    this.worker = new Worker(nodePath.join(__dirname, 'postgres-worker.js'), {
      workerData: { flag: this.flag.buffer, reply: port2 }, transferList: [port2],
    });
    this.worker.on('message', (a: PgAnswer) => {
      if (a.notify) { this.onNotify?.(); return; }
      if (a.leaseLost) { this.onLeaseLost?.(a.leaseLost); return; }
      const done = this.pending.get(a.id!);
      this.pending.delete(a.id!);
      if (this.pending.size === 0) this.worker.unref();
      done?.(a);
      if (this.ended && this.pending.size === 0) void this.worker.terminate();
    });
    this.worker.unref(); // after the listener, which refs it
  }

  /** Run a request on the connection and wait for its answer; a failure throws (pgError). */
  call(req: PgRequest, what?: string): PgAnswer {
    if (this.ended) throw new WippyError(ErrorCode.INTERNAL, `${this.label}: used after close()`);
    const seq = ++this.syncSeq;
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage({ ...req, sync: true, seq });
    if (Atomics.wait(this.flag, 0, 0, CALL_TIMEOUT_MS) === 'timed-out') {
      throw new WippyError(ErrorCode.STORE_INVALID, `${this.label}: PostgreSQL did not answer within ${CALL_TIMEOUT_MS / 1000}s; check the server`);
    }
    // The answer is posted before the flag is set; take it by its number (an older call's late
    // answer is dropped), and give a message still on its way a moment to land.
    let a: PgAnswer | undefined;
    for (let spins = 0; spins < 2000; spins++) {
      const m = receiveMessageOnPort(this.reply)?.message as PgAnswer | undefined;
      if (m?.seq === seq) { a = m; break; }
      if (m === undefined) Atomics.wait(this.flag, 0, 1, 1);
    }
    if (!a) throw new WippyError(ErrorCode.INTERNAL, `${this.label}: the connection's thread gave no answer`);
    if (a.error) throw pgError(this.label, a.error, what);
    return a;
  }

  /** `call` for rows. */
  rows<T>(text: string, values: unknown[] = [], what?: string): T[] {
    return this.call({ op: 'query', text, values }, what).rows as T[];
  }

  /** Run a request without waiting; `done` gets its answer (in the order requests were made). */
  send(req: PgRequest, done: (a: PgAnswer) => void): void {
    if (this.ended) { done({ error: { message: 'the store is closed' } }); return; }
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(id, done);
    this.worker.postMessage({ ...req, id });
  }

  /** Stop the thread now, whatever it waits for; callbacks still pending get a failure. */
  kill(): void {
    if (this.ended) return;
    this.ended = true;
    this.reply.close();
    void this.worker.terminate();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const done of pending) done({ error: { message: 'the connection was dropped' } });
  }

  /**
   * End the connection after everything asked so far; the thread then ends by itself, after the
   * answers of asynchronous calls still on their way (their callbacks run).
   */
  end(): void {
    if (this.ended) return;
    try { this.call({ op: 'end' }); } catch { void this.worker.terminate(); }
    this.ended = true;
    this.reply.close();
    if (this.pending.size === 0) void this.worker.terminate();
  }
}
