/**
 * The durable history store: SQLite through better-sqlite3 (the only module besides migrations.ts
 * that touches SQLite).
 *
 * Owns: opening a store file (parent folder, pragmas, schema, the process lock), the mapping
 * between rows and WorkflowRow / HistoryRecord / PendingSignal, and turning SQLite failures into
 * WippyErrors. Invariants:
 * - `commit` is ONE immediate transaction in WAL mode with synchronous=FULL: when it returns, the
 *   whole batch is on disk; when it throws, nothing of it is.
 * - Every statement is prepared once, in the constructor (the hot path never compiles SQL).
 * - History rows are INSERTed, never replaced: an index already taken is two writers (a bug) and
 *   fails the batch with INTERNAL, naming the workflow and index.
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
import type { ErrorInfo } from '../../base/errors';
import type { HistoryRecord, PendingSignal, WorkflowRow, WorkflowStatus } from './events';
import type { Batch, HistoryStore } from './store';
import { appliedMigrations, runMigrations } from './migrations';
import { damagedError, describeProblems, isCorruption, MAX_PROBLEMS } from './integrity';

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

const BUSY_TIMEOUT_MS = 5000;
/** A lock file without a readable pid younger than this is being written: treat it as held. */
const LOCK_FRESH_MS = 5000;

// ---------------------------------------------------------------- history runs

interface HistoryRun { workflowId: string; index: number; records: HistoryRecord[] }

/**
 * The batch's appends grouped into one run per workflow and stretch of consecutive indexes, in
 * the order of each run's first record. (The engine appends a workflow's records with
 * consecutive indexes; a gap would start a new run, never merge across it.)
 */
export function historyRuns(appends: Batch['appends']): HistoryRun[] {
  const runs: HistoryRun[] = [];
  const open = new Map<string, HistoryRun>();
  for (const a of appends) {
    const r = open.get(a.workflowId);
    if (r && r.index + r.records.length === a.index) { r.records.push(a.record); continue; }
    // An index this batch already has (e.g. [0, 1, 1]) is caught by the overlap check in apply
    // only across rows; catch it here.
    if (r && a.index >= r.index && a.index < r.index + r.records.length) {
      throw new WippyError(ErrorCode.INTERNAL, `append record ${a.index} (${a.record.type}) to workflow ${a.workflowId}: already in this batch (two writers?)`);
    }
    const run = { workflowId: a.workflowId, index: a.index, records: [a.record] };
    open.set(a.workflowId, run);
    runs.push(run);
  }
  return runs;
}

// ---------------------------------------------------------------- errors

function sqliteCode(e: unknown): string {
  return e instanceof Database.SqliteError ? e.code : '';
}

/** A SQLite failure in terms of what the user can do about it. */
function storeError(label: string, e: unknown, path: string): WippyError {
  if (e instanceof WippyError) return e;
  const code = sqliteCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  if (isCorruption(e, path)) return damagedError(label, path, msg, e);
  const say = (what: string, errCode: ErrorCode = ErrorCode.STORE_INVALID): WippyError =>
    new WippyError(errCode, `${label}: ${what}`, { cause: e });
  if (code === 'SQLITE_NOTADB') return say(`not a SQLite database (${msg}); point --db at another file or move this one away`);
  if (code.startsWith('SQLITE_CANTOPEN')) return say(`cannot open (${msg}); check that the folder exists and is writable`);
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return say(`not writable (${msg}); point --db at a writable location`);
  }
  if (code === 'SQLITE_FULL') return say(`the disk is full (${msg}); free some space and run again`);
  if (code.startsWith('SQLITE_IOERR')) return say(`I/O error (${msg}); check the disk`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return say(`busy for more than ${BUSY_TIMEOUT_MS / 1000}s (${msg}); another process is writing to it`, ErrorCode.STORE_LOCKED);
  }
  if (code !== '') return say(`${msg} (${code})`);
  return new WippyError(ErrorCode.INTERNAL, `${label}: ${msg}`, { cause: e });
}

/** A failed write inside commit: constraint violations are runtime bugs, the rest is the disk's. */
function opError(label: string, e: unknown, what: string, path: string): WippyError {
  const code = sqliteCode(e);
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new WippyError(ErrorCode.INTERNAL, `${label}: ${what}: already exists (two writers on one store?)`, { cause: e });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new WippyError(ErrorCode.INTERNAL, `${label}: ${what}: no such workflow`, { cause: e });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new WippyError(ErrorCode.INTERNAL, `${label}: ${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return storeError(label, e, path);
}

function fsError(label: string, e: unknown, what: string): WippyError {
  const err = e as NodeJS.ErrnoException;
  return new WippyError(ErrorCode.STORE_INVALID, `${label}: ${what} (${err.code ?? err.message}); point --db at a writable location`, { cause: e });
}

// ---------------------------------------------------------------- files and the lock

/**
 * mkdir -p, one level at a time: fs.mkdirSync({recursive}) spins forever under /proc, and a
 * missing level should be named in the message.
 */
function ensureFolder(dir: string, label: string): void {
  const missing: string[] = [];
  let d = dir;
  while (!fs.existsSync(d)) {
    missing.unshift(d);
    const up = nodePath.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(label, e, `cannot create folder ${m}`);
    }
  }
}

/** Lock files this process holds (absolute paths): a pid equal to ours is ours only if listed. */
const heldLocks = new Set<string>();
let exitHookInstalled = false;

function releaseLock(lockPath: string): void {
  if (!heldLocks.delete(lockPath)) return;
  try {
    // Remove it only if it is still ours (a stale-lock takeover by another process must survive).
    if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}

/** Who holds an existing lock file: `null` when it vanished while we looked. */
function lockHolder(lockPath: string): { text: string; pid: number | null; alive: boolean } | null {
  let text: string;
  let mtime: number;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
    mtime = fs.statSync(lockPath).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const t = text.trim();
  const pid = /^\d+$/.test(t) ? Number(t) : null;
  if (pid === null || pid <= 0) return { text, pid: null, alive: Date.now() - mtime < LOCK_FRESH_MS };
  if (pid === process.pid) return { text, pid, alive: heldLocks.has(lockPath) };
  try {
    process.kill(pid, 0);
    return { text, pid, alive: true };
  } catch (e) {
    return { text, pid, alive: (e as NodeJS.ErrnoException).code !== 'ESRCH' };
  }
}

function acquireLock(lockPath: string, label: string): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(lockPath, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(label, e, `cannot create lock file ${lockPath}`);
      const holder = lockHolder(lockPath);
      if (holder === null) continue;
      if (holder.alive) {
        const who = holder.pid === process.pid ? 'this process (opened twice)'
          : holder.pid === null ? 'another wippy process (starting up)' : `another wippy process (pid ${holder.pid})`;
        throw new WippyError(ErrorCode.STORE_LOCKED,
          `${label}: in use by ${who}; stop it first, or delete ${lockPath} if no wippy is running`);
      }
      // Stale. Remove it only if it still says what we read: a narrow race with a concurrent
      // takeover remains, which the read-back below catches.
      try {
        if (fs.readFileSync(lockPath, 'utf8') === holder.text) fs.unlinkSync(lockPath);
      } catch {
        // Someone else removed it first: try again.
      }
      continue;
    }
    try {
      fs.writeSync(fd, `${process.pid}\n`);
    } finally {
      fs.closeSync(fd);
    }
    if (fs.readFileSync(lockPath, 'utf8').trim() !== String(process.pid)) continue;
    heldLocks.add(lockPath);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => { for (const l of [...heldLocks]) releaseLock(l); });
    }
    return;
  }
  throw new WippyError(ErrorCode.STORE_LOCKED, `${label}: could not take the lock ${lockPath} (other processes keep taking it); try again`);
}

// ---------------------------------------------------------------- rows

interface WorkflowDbRow {
  id: string; entry: string; worker: string; status: string; input: string; parent: string | null;
  result: string | null; error: string | null; parked: string | null; created_at: number; updated_at: number;
  wall_created_at: number | null; wall_updated_at: number | null; virtual_time: number;
}

interface SignalDbRow { id: number; workflow_id: string; topic: string; from_pid: string; payloads: string; at: number }

function toWorkflow(r: WorkflowDbRow): WorkflowRow {
  const row: WorkflowRow = {
    id: r.id, entry: r.entry, worker: r.worker, status: r.status as WorkflowStatus,
    input: JSON.parse(r.input) as string[], parent: r.parent, result: r.result,
    error: r.error === null ? null : (JSON.parse(r.error) as ErrorInfo), parked: r.parked,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
  if (r.wall_created_at !== null) {
    row.wall = { createdAt: r.wall_created_at, updatedAt: r.wall_updated_at ?? r.wall_created_at, virtual: r.virtual_time !== 0 };
  }
  return row;
}

function toSignal(r: SignalDbRow): PendingSignal {
  return { id: r.id, workflowId: r.workflow_id, topic: r.topic, from: r.from_pid, payloads: JSON.parse(r.payloads) as string[], at: r.at };
}

const WORKFLOW_COLUMNS = 'id, entry, worker, status, input, parent, result, error, parked, created_at, updated_at, wall_created_at, wall_updated_at, virtual_time';

// ---------------------------------------------------------------- the store

export class SqliteStore implements HistoryStore {
  readonly path: string;
  readonly label: string;
  private readonly db: Database.Database;
  private readonly lockPath: string | null;
  /** 1 when this writer runs on a virtual clock (virtual_time column). */
  private readonly virtual: number;
  private closed = false;
  private readonly stmt: Record<
    'insWorkflow' | 'insHistory' | 'update' | 'insSignal' | 'delSignal' | 'getWorkflow' | 'listAll' | 'listBy' | 'history' | 'historyLength' | 'runBelow' | 'pending',
    Database.Statement
  >;
  private readonly tx: (b: Batch) => void;

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
      };
      const tx = db.transaction((b: Batch) => this.apply(b));
      this.tx = (b) => tx.immediate(b);
    } catch (e) {
      try { db?.close(); } catch { /* the open failure is the error to report */ }
      if (this.lockPath !== null) releaseLock(this.lockPath);
      throw storeError(label, e, this.path);
    }
  }

  commit(batch: Batch): void {
    try {
      this.tx(batch);
    } catch (e) {
      throw storeError(this.label, e, this.path);
    }
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

  /** The body of commit's transaction, in the order the Batch lists its parts. */
  private apply(b: Batch): void {
    const s = this.stmt;
    const wall = Date.now();
    for (const w of b.creates) {
      try {
        s.insWorkflow.run(w.id, w.entry, w.worker, w.status, JSON.stringify(w.input), w.parent, w.result,
          w.error === null ? null : JSON.stringify(w.error), w.parked, w.createdAt, w.updatedAt, wall, wall, this.virtual);
      } catch (e) { throw opError(this.label, e, `create workflow ${w.id}`, this.path); }
    }
    for (const run of historyRuns(b.appends)) {
      const first = run.records[0];
      const n = run.records.length;
      // The unique index sees only a run's first index: an index inside an earlier run (two
      // writers, or an engine bug) is found here, from the run just below this one's end.
      const below = s.runBelow.get(run.workflowId, run.index + n) as { idx: number; n: number } | undefined;
      if (below && below.idx + below.n > run.index) {
        throw new WippyError(ErrorCode.INTERNAL, `${this.label}: append record ${run.index} (${first.type}) to workflow ${run.workflowId}: already exists (two writers on one store?)`);
      }
      try {
        s.insHistory.run(run.workflowId, run.index, n, n === 1 ? first.type : 'run', JSON.stringify(n === 1 ? first : run.records));
      } catch (e) { throw opError(this.label, e, `append record ${run.index} (${first.type}) to workflow ${run.workflowId}`, this.path); }
    }
    for (const u of b.updates) {
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
    for (const sig of b.signals) this.insertSignal(sig);
    // Consuming an id that is already gone is a no-op: delivery is idempotent.
    for (const id of b.consumed) s.delSignal.run(id);
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
    return this.read(`the history of workflow ${id}`, () => (this.stmt.historyLength.get(id) as number | undefined) ?? 0);
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
