/**
 * The durable history store: SQLite through better-sqlite3. Beside it: migrations.ts (the schema),
 * sqlite-rows.ts (rows <-> WorkflowRow / HistoryRecord / PendingSignal, history runs),
 * sqlite-lock.ts (the folder and the process lock), sqlite-errors.ts (SQLite failures as
 * WippyErrors), integrity.ts (damage).
 *
 * Owns: opening a store file (pragmas, schema, the prepared statements), the commit transaction,
 * the reads, and the integrity check of a store. Invariants:
 * - `commit` is ONE immediate transaction in WAL mode with synchronous=FULL: when it returns, the
 *   whole batch is on disk; when it throws, nothing of it is.
 * - Every statement is prepared once, in the constructor (the hot path never compiles SQL); the
 *   listing reads of the web UI (sqlite-queries.ts) prepare each query shape once, on first use.
 * - History rows are INSERTed, never replaced: an index already taken is two writers (a bug) and
 *   fails the batch with INTERNAL, naming the workflow and index. (An append right at the end
 *   this connection last wrote or read for that workflow is not looked up again: the store's lock
 *   keeps every other writer out.)
 * - `workflow_counts` (workflows per entry and status, the listing's counts) changes in the same
 *   transaction as the rows it counts: one row per entry and status a batch changed.
 * - The records one commit appends to one workflow share a row (a "run": idx = first index, n =
 *   count, data = JSON array when n > 1): a durable step (command + result) costs one row.
 * - Records and payloads are stored as the JSON text we were given; payload strings are never
 *   re-parsed, so a value reads back byte for byte. A workflow row's times are the workflow
 *   clock's, as given; the store adds its own wall-clock stamps (`wall`) at commit.
 * - One writer per store across processes: `<db>.lock` (created with O_EXCL, holding the pid) is
 *   taken before the database is opened and removed by close(); a lock whose pid is dead is stale
 *   and taken over. `lock: false` is for inspection tools, which read beside a running writer.
 * - A user's mistake (not a database, unwritable place, newer schema, store in use) is a
 *   userFacing WippyError with a one-line message naming the path; never a raw SqliteError.
 * - Damage found anywhere (SQLite reports corruption on open, read or write; a row is not the JSON
 *   it must be) is STORE_DAMAGED with integrity.ts's one line, from every method alike.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, WippyError } from '../../base/errors';
import type { HistoryRecord, PendingSignal, WorkflowRow, WorkflowStatus } from './events';
import type { Batch, HistoryStore, StatusCounts, WorkflowQuery } from './store';
import { ListingQueries } from './sqlite-queries';
import { appliedMigrations, runMigrations } from './migrations';
import { damagedError, describeProblems, MAX_PROBLEMS } from './integrity';
import { BUSY_TIMEOUT_MS, fsError, opError, storeError } from './sqlite-errors';
import { acquireLock, ensureFolder, releaseLock } from './sqlite-lock';
import { historyRuns, SignalDbRow, toSignal, toWorkflow, WorkflowDbRow, WORKFLOW_COLUMNS } from './sqlite-rows';

export interface OpenOptions {
  /** Take the store's process lock (default true). False for read-only inspection tools. */
  lock?: boolean;
  /** Create the file (and its folder) when missing (default true). */
  create?: boolean;
  /** How messages name the store, e.g. "--db ./x.db" (default "store <path>"). */
  label?: string;
  /** The writer runs on a virtual clock (--virtual-time): rows it writes are marked so. */
  virtualTime?: boolean;
}

export class SqliteStore implements HistoryStore {
  readonly path: string;
  readonly label: string;
  private readonly db: Database.Database;
  private readonly lockPath: string | null;
  /** 1 when this writer runs on a virtual clock (virtual_time column). */
  private readonly virtual: number;
  private closed = false;
  private readonly stmt: Record<
    'insWorkflow' | 'insHistory' | 'update' | 'insSignal' | 'delSignal' | 'getWorkflow' | 'listAll' | 'listBy' | 'history' | 'historyLength' | 'runBelow' | 'pending'
    | 'statusOf' | 'count',
    Database.Statement
  >;
  private readonly tx: (b: Batch) => Map<string, number>;
  /**
   * The end (next index) of each unfinished workflow's history as this connection last wrote or
   * read it. An append there cannot overlap a row, so it needs no look-up (see apply).
   */
  private readonly ends = new Map<string, number>();
  private readonly listing: ListingQueries;

  constructor(path: string, opts: OpenOptions = {}) {
    const memory = path === ':memory:';
    this.path = memory ? path : nodePath.resolve(path);
    this.label = opts.label ?? `store ${path}`;
    this.virtual = opts.virtualTime ? 1 : 0;
    const label = this.label;
    if (!memory) {
      if (opts.create === false && !fs.existsSync(this.path)) {
        throw new WippyError(ErrorCode.STORE_INVALID, `${label}: no such file; check the path (or run a workflow first)`);
      }
      if (fs.existsSync(this.path)) {
        if (fs.statSync(this.path).isDirectory()) {
          throw new WippyError(ErrorCode.STORE_INVALID, `${label}: is a folder; point --db at a file inside it`);
        }
        // SQLite silently opens a read-only file read-only, and the writer would only find out at
        // its first commit: refuse now. Readers (lock: false) may inspect a read-only file.
        if (opts.lock !== false) {
          try { fs.accessSync(this.path, fs.constants.W_OK); } catch (e) { throw fsError(label, e, 'the file is read-only'); }
        }
      }
      ensureFolder(nodePath.dirname(this.path), label);
    }
    this.lockPath = memory || opts.lock === false ? null : `${this.path}.lock`;
    if (this.lockPath !== null) acquireLock(this.lockPath, label);
    let db: Database.Database | undefined;
    try {
      db = new Database(this.path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      runMigrations(db, label);
      this.db = db;
      this.stmt = {
        insWorkflow: db.prepare(`INSERT INTO workflows (${WORKFLOW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
        insHistory: db.prepare('INSERT INTO history (workflow_id, idx, n, type, data) VALUES (?, ?, ?, ?, ?)'),
        // has_* = 0 keeps the column: `undefined` in an update means "leave it", null clears it.
        update: db.prepare(`UPDATE workflows SET status = ?,
            result = CASE WHEN ? THEN ? ELSE result END,
            error  = CASE WHEN ? THEN ? ELSE error END,
            parked = CASE WHEN ? THEN ? ELSE parked END,
            updated_at = ?, wall_updated_at = ?, virtual_time = MAX(virtual_time, ?)
          WHERE id = ?`),
        insSignal: db.prepare('INSERT INTO signals (workflow_id, topic, from_pid, payloads, at) VALUES (?, ?, ?, ?, ?)'),
        delSignal: db.prepare('DELETE FROM signals WHERE id = ?'),
        getWorkflow: db.prepare(`SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE id = ?`),
        listAll: db.prepare(`SELECT ${WORKFLOW_COLUMNS} FROM workflows ORDER BY created_at, rowid`),
        listBy: db.prepare(`SELECT ${WORKFLOW_COLUMNS} FROM workflows
          WHERE status IN (SELECT value FROM json_each(?)) ORDER BY created_at, rowid`),
        history: db.prepare('SELECT n, data FROM history WHERE workflow_id = ? ORDER BY idx'),
        historyLength: db.prepare('SELECT idx + n FROM history WHERE workflow_id = ? ORDER BY idx DESC LIMIT 1').pluck(),
        runBelow: db.prepare('SELECT idx, n FROM history WHERE workflow_id = ? AND idx < ? ORDER BY idx DESC LIMIT 1'),
        pending: db.prepare('SELECT id, workflow_id, topic, from_pid, payloads, at FROM signals WHERE id > ? ORDER BY id'),
        statusOf: db.prepare('SELECT entry, status FROM workflows WHERE id = ?'),
        count: db.prepare(`INSERT INTO workflow_counts (entry, status, n) VALUES (?, ?, ?)
          ON CONFLICT (entry, status) DO UPDATE SET n = n + excluded.n`),
      };
      this.listing = new ListingQueries(db);
      const tx = db.transaction((b: Batch) => this.apply(b));
      this.tx = (b) => tx.immediate(b) as Map<string, number>;
    } catch (e) {
      try { db?.close(); } catch { /* the open failure is the error to report */ }
      if (this.lockPath !== null) releaseLock(this.lockPath);
      throw storeError(label, e, this.path);
    }
  }

  commit(batch: Batch): void {
    let ends: Map<string, number>;
    try {
      ends = this.tx(batch);
    } catch (e) {
      throw storeError(this.label, e, this.path);
    }
    // Only once the transaction is in: a failed one leaves the ends as they were.
    for (const [id, end] of ends) this.ends.set(id, end);
    for (const u of batch.updates) if (u.status !== 'running' && u.status !== 'parked') this.ends.delete(u.id);
  }

  /**
   * Run a read: SQLite's failures become WippyErrors (corruption: STORE_DAMAGED), and a row that
   * is not the JSON it must be is damage too (only this module writes these columns).
   */
  private read<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof SyntaxError) throw damagedError(this.label, this.path, `${what}: a row is not valid JSON (${e.message})`, e);
      throw storeError(this.label, e, this.path);
    }
  }

  /** The body of commit's transaction, in the order the Batch lists its parts; returns the new ends of the histories it appended to. */
  private apply(b: Batch): Map<string, number> {
    const s = this.stmt;
    const wall = Date.now();
    for (const w of b.creates) {
      try {
        s.insWorkflow.run(w.id, w.entry, w.worker, w.status, JSON.stringify(w.input), w.parent, w.result,
          w.error === null ? null : JSON.stringify(w.error), w.parked, w.createdAt, w.updatedAt, wall, wall, this.virtual);
      } catch (e) { throw opError(this.label, e, `create workflow ${w.id}`, this.path); }
    }
    const ends = new Map<string, number>();
    for (const run of historyRuns(b.appends)) {
      const first = run.records[0];
      const n = run.records.length;
      // The unique index sees only a run's first index: an index inside an earlier run (two
      // writers, or an engine bug) is found here, from the run just below this one's end,
      // unless the run starts right at the end this connection knows.
      if ((ends.get(run.workflowId) ?? this.ends.get(run.workflowId)) !== run.index) {
        const below = s.runBelow.get(run.workflowId, run.index + n) as { idx: number; n: number } | undefined;
        if (below && below.idx + below.n > run.index) {
          throw new WippyError(ErrorCode.INTERNAL, `${this.label}: append record ${run.index} (${first.type}) to workflow ${run.workflowId}: already exists (two writers on one store?)`);
        }
      }
      ends.set(run.workflowId, run.index + n);
      try {
        s.insHistory.run(run.workflowId, run.index, n, n === 1 ? first.type : 'run', JSON.stringify(n === 1 ? first : run.records));
      } catch (e) { throw opError(this.label, e, `append record ${run.index} (${first.type}) to workflow ${run.workflowId}`, this.path); }
    }
    // The counts per entry and status (the listing's), one row per pair this batch changed.
    const counts = new Map<string, { entry: string; status: string; n: number }>();
    const bump = (entry: string, status: string, n: number): void => {
      const k = `${status}\u0000${entry}`;
      const c = counts.get(k);
      if (c) c.n += n; else counts.set(k, { entry, status, n });
    };
    for (const w of b.creates) bump(w.entry, w.status, 1);
    for (const u of b.updates) {
      const before = s.statusOf.get(u.id) as { entry: string; status: string } | undefined;
      if (before !== undefined && before.status !== u.status) { bump(before.entry, before.status, -1); bump(before.entry, u.status, 1); }
      let changes: number;
      try {
        changes = s.update.run(u.status,
          u.result === undefined ? 0 : 1, u.result ?? null,
          u.error === undefined ? 0 : 1, u.error == null ? null : JSON.stringify(u.error),
          u.parked === undefined ? 0 : 1, u.parked ?? null,
          u.at, wall, this.virtual, u.id).changes;
      } catch (e) { throw opError(this.label, e, `update workflow ${u.id}`, this.path); }
      if (changes === 0) throw new WippyError(ErrorCode.INTERNAL, `${this.label}: update workflow ${u.id}: no such workflow`);
    }
    for (const c of counts.values()) if (c.n !== 0) s.count.run(c.entry, c.status, c.n);
    for (const sig of b.signals) this.insertSignal(sig);
    // Consuming an id that is already gone is a no-op: delivery is idempotent.
    for (const id of b.consumed) s.delSignal.run(id);
    return ends;
  }

  private insertSignal(sig: Omit<PendingSignal, 'id'>): number {
    try {
      return Number(this.stmt.insSignal.run(sig.workflowId, sig.topic, sig.from, JSON.stringify(sig.payloads), sig.at).lastInsertRowid);
    } catch (e) { throw opError(this.label, e, `signal '${sig.topic}' to workflow ${sig.workflowId}`, this.path); }
  }

  addSignal(s: Omit<PendingSignal, 'id'>): number {
    try {
      return this.insertSignal(s);
    } catch (e) {
      throw storeError(this.label, e, this.path);
    }
  }

  pendingSignals(afterId = 0): PendingSignal[] {
    return this.read('pending signals', () => (this.stmt.pending.all(afterId) as SignalDbRow[]).map(toSignal));
  }

  getWorkflow(id: string): WorkflowRow | null {
    return this.read(`workflow ${id}`, () => {
      const r = this.stmt.getWorkflow.get(id) as WorkflowDbRow | undefined;
      return r === undefined ? null : toWorkflow(r);
    });
  }

  listWorkflows(status?: WorkflowStatus[]): WorkflowRow[] {
    return this.read('the workflow list', () => {
      const rows = status === undefined ? this.stmt.listAll.all() : this.stmt.listBy.all(JSON.stringify(status));
      return (rows as WorkflowDbRow[]).map(toWorkflow);
    });
  }

  queryWorkflows(q: WorkflowQuery): WorkflowRow[] {
    return this.read('the workflow list', () => this.listing.query(q));
  }

  countWorkflows(q: Omit<WorkflowQuery, 'limit' | 'after' | 'before' | 'status'>, cap: number): StatusCounts {
    return this.read('the workflow counts', () => this.listing.counts(q, cap));
  }

  childrenOf(id: string): WorkflowRow[] {
    return this.read(`the children of workflow ${id}`, () => this.listing.childrenOf(id));
  }

  workflowEntries(): string[] {
    return this.read('the workflow entries', () => this.listing.entries());
  }

  history(id: string): HistoryRecord[] {
    return this.read(`the history of workflow ${id}`, () => {
      const out: HistoryRecord[] = [];
      for (const r of this.stmt.history.all(id) as Array<{ n: number; data: string }>) {
        if (r.n === 1) out.push(JSON.parse(r.data) as HistoryRecord);
        else for (const rec of JSON.parse(r.data) as HistoryRecord[]) out.push(rec);
      }
      return out;
    });
  }

  historyLength(id: string): number {
    const n = this.read(`the history of workflow ${id}`, () => (this.stmt.historyLength.get(id) as number | undefined) ?? 0);
    if (n > 0) this.ends.set(id, n);
    return n;
  }

  /** Names of the schema migrations this database records, in the order they were applied. */
  appliedMigrations(): string[] {
    return this.read('the migrations table', () => appliedMigrations(this.db));
  }

  /**
   * SQLite's full integrity check of this store, on this connection (inspection commands run it
   * before reporting anything). Throws STORE_DAMAGED naming the first problem when it fails.
   */
  assertSound(): void {
    const problems = this.read('the integrity check', () =>
      (this.db.pragma(`integrity_check(${MAX_PROBLEMS})`) as Array<{ integrity_check: string }>).map((r) => r.integrity_check));
    if (problems.length === 1 && problems[0] === 'ok') return;
    throw damagedError(this.label, this.path, describeProblems(problems));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } finally {
      if (this.lockPath !== null) releaseLock(this.lockPath);
    }
  }
}

/** `PRAGMA integrity_check` of a store file ("ok" when sound); opens its own connection, no lock. */
export function integrityCheck(path: string): string {
  const label = `store ${path}`;
  if (!fs.existsSync(path)) throw new WippyError(ErrorCode.STORE_INVALID, `${label}: no such file`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    return (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('\n');
  } catch (e) {
    throw storeError(label, e, path);
  } finally {
    db?.close();
  }
}
