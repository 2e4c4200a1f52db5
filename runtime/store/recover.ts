/**
 * `wippy store recover`: salvage what can still be read from a damaged store into a new one.
 *
 * Owns: reading the damaged file's tables row by row on a read-only connection, stepping over what
 * SQLite cannot read, checking every row is what this runtime writes, and writing the survivors
 * through a fresh SqliteStore (so the new file has the current schema and its invariants).
 * Invariants: the damaged file is never written; tables are read by rowid, never through an index
 * (an index is what is often damaged); a row that cannot be read or is not valid is counted and
 * left out, never guessed at; a history keeps only its unbroken run from record 0 (records after
 * a gap are dropped: a history with a hole cannot be replayed); a running or parked workflow left
 * without a `started` record is marked failed, so that no `wippy run` tries to resume it; the new
 * file passes SQLite's integrity check before this returns.
 */
import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import { ErrorCode, WippyError, ErrorKind } from '../../base/errors';
import { SqliteStore } from './sqlite';
import { checkIntegrity, damagedError, describeProblems, isCorruption } from './integrity';
import { emptyBatch, type Batch } from './store';
import { START_TOPIC, type HistoryRecord, type PendingSignal, type WorkflowRow, type WorkflowStatus } from './events';

const BATCH_ROWS = 256;
/** Rowids probed one at a time past an unreadable stretch before giving up on a table. */
const PROBE_LIMIT = 100_000;
const STATUSES = new Set<string>(['running', 'completed', 'failed', 'canceled', 'terminated', 'parked']);

/** `lost`: rows read but not valid (or, for records, dropped after a gap); `unreadable`: stretches SQLite could not read. */
export interface TableSalvage { copied: number; lost: number; unreadable: number }

export interface RecoverReport {
  workflows: TableSalvage;
  /** History records: `lost` counts unreadable or invalid rows and records dropped after a gap. */
  records: TableSalvage;
  signals: TableSalvage;
  /** Workflows whose history was cut at a gap (they keep the records before it). */
  cut: string[];
  /** Running or parked workflows whose history lost its start: marked failed. */
  failed: string[];
}

type Row = Record<string, unknown>;

/**
 * Rows of `table` in rowid order, reading around what cannot be read: batches by rowid, and past
 * a failing batch one rowid at a time until rows come back (or up to the table's last rowid, or
 * PROBE_LIMIT). `onUnreadable` is called once per stretch that could not be read (how many rows
 * it held is unknown).
 */
function* salvageRows(db: Database.Database, path: string, table: string, onUnreadable: () => void): Generator<Row> {
  const batch = db.prepare(`SELECT rowid AS _rowid, * FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ${BATCH_ROWS}`);
  const one = db.prepare(`SELECT rowid AS _rowid, * FROM ${table} WHERE rowid = ?`);
  let maxRowid: number | null;
  try { maxRowid = db.prepare(`SELECT max(rowid) FROM ${table}`).pluck().get() as number | null; } catch { maxRowid = null; }
  let last = 0;
  for (;;) {
    let rows: Row[];
    try {
      rows = batch.all(last) as Row[];
    } catch (e) {
      if (!isCorruption(e, path)) throw e;
      // Step over the damaged stretch one rowid at a time.
      onUnreadable();
      const end = maxRowid ?? last + PROBE_LIMIT;
      let found: Row | undefined;
      for (let r = last + 1; r <= end && found === undefined; r++) {
        try {
          found = one.get(r) as Row | undefined;
        } catch (e2) {
          if (!isCorruption(e2, path)) throw e2;
        }
        last = r;
      }
      if (found === undefined) return;
      last = Number(found._rowid);
      yield found;
      continue;
    }
    if (rows.length === 0) return;
    for (const r of rows) yield r;
    last = Number(rows[rows.length - 1]._rowid);
  }
}

function json<T>(text: unknown, check: (v: unknown) => boolean): T | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return check(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isRecord = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

/** A workflows row as this runtime writes it, or undefined. */
function toWorkflow(r: Row): WorkflowRow | undefined {
  const input = json<string[]>(r.input, isStrings);
  const error = r.error === null ? null : json<WorkflowRow['error']>(r.error, (v) => typeof v === 'object' && v !== null);
  const ok = typeof r.id === 'string' && r.id !== '' && typeof r.entry === 'string' && typeof r.worker === 'string' &&
    typeof r.status === 'string' && STATUSES.has(r.status) && input !== undefined && error !== undefined &&
    (r.parent === null || typeof r.parent === 'string') && (r.result === null || typeof r.result === 'string') &&
    (r.parked === null || typeof r.parked === 'string') && typeof r.created_at === 'number' && typeof r.updated_at === 'number';
  if (!ok) return undefined;
  return {
    id: r.id as string, entry: r.entry as string, worker: r.worker as string, status: r.status as WorkflowStatus,
    input: input!, parent: r.parent as string | null, result: r.result as string | null, error: error!,
    parked: r.parked as string | null, createdAt: r.created_at as number, updatedAt: r.updated_at as number,
  };
}

/** The records of one history row (a run of `n` when n > 1), or undefined when it is not valid. */
function recordsOf(r: Row): HistoryRecord[] | undefined {
  const n = typeof r.n === 'number' ? r.n : 1;
  if (typeof r.workflow_id !== 'string' || typeof r.idx !== 'number' || !Number.isInteger(n) || n < 1) return undefined;
  if (n === 1) {
    const rec = json<HistoryRecord>(r.data, isRecord);
    return rec === undefined ? undefined : [rec];
  }
  return json<HistoryRecord[]>(r.data, (v) => Array.isArray(v) && v.length === n && v.every(isRecord));
}

/**
 * Copy what can be read from the store at `from` into a new store at `to` (which must not exist).
 * `label` names the damaged store in messages.
 */
export function recoverStore(from: string, to: string, label: string): RecoverReport {
  if (fs.existsSync(to)) throw new WippyError(ErrorCode.BAD_ARGUMENT, `-o ${to}: the file exists; recover writes a new store, choose another path`);
  let src: Database.Database;
  try {
    src = new Database(from, { readonly: true, fileMustExist: true });
    src.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    if (isCorruption(e, from)) throw damagedError(label, from, `nothing can be read: ${(e as Error).message}`, e);
    throw new WippyError(ErrorCode.STORE_INVALID, `${label}: cannot be read (${(e as Error).message})`, { cause: e });
  }
  const out = new SqliteStore(to, { label: `-o ${to}` });
  const table = (): TableSalvage => ({ copied: 0, lost: 0, unreadable: 0 });
  const report: RecoverReport = { workflows: table(), records: table(), signals: table(), cut: [], failed: [] };
  try {
    // Workflows first (history rows refer to them); next[id] = the record index its history expects.
    const next = new Map<string, number>();
    const status = new Map<string, WorkflowStatus>();
    let batch: Batch = emptyBatch();
    const flush = (): void => { out.commit(batch); batch = emptyBatch(); };
    for (const r of salvageRows(src, from, 'workflows', () => report.workflows.unreadable++)) {
      const w = toWorkflow(r);
      if (w === undefined || next.has(w.id)) { report.workflows.lost++; continue; }
      next.set(w.id, 0);
      status.set(w.id, w.status);
      batch.creates.push(w);
      report.workflows.copied++;
      if (batch.creates.length >= 1000) flush();
    }
    flush();

    // History rows in rowid order are in record order for each workflow (appends only).
    const cut = new Set<string>();
    let pending = 0;
    for (const r of salvageRows(src, from, 'history', () => report.records.unreadable++)) {
      const recs = recordsOf(r);
      const id = r.workflow_id as string;
      if (recs === undefined || !next.has(id) || cut.has(id)) { report.records.lost += recs?.length ?? 1; continue; }
      if (r.idx !== next.get(id)) { cut.add(id); report.records.lost += recs.length; continue; }
      recs.forEach((record, i) => batch.appends.push({ workflowId: id, index: (r.idx as number) + i, record }));
      next.set(id, (r.idx as number) + recs.length);
      report.records.copied += recs.length;
      pending += recs.length;
      if (pending >= 5000) { flush(); pending = 0; }
    }
    flush();
    report.cut = [...cut].sort();

    // A live workflow with no start cannot be replayed: fail it, with the reason, rather than resume it.
    const now = Date.now();
    for (const [id, n] of next) {
      const s = status.get(id);
      if (n > 0 || (s !== 'running' && s !== 'parked')) continue;
      report.failed.push(id);
      batch.updates.push({ id, status: 'failed', at: now, parked: null,
        error: { kind: ErrorKind.Internal, message: 'recovered from a damaged store: its history was lost, so it cannot be resumed' } });
    }
    flush();

    for (const r of salvageRows(src, from, 'signals', () => report.signals.unreadable++)) {
      const payloads = json<string[]>(r.payloads, isStrings);
      // A start request (`@start`) names a workflow that does not exist yet.
      if (typeof r.workflow_id !== 'string' || typeof r.topic !== 'string' || (!next.has(r.workflow_id) && r.topic !== START_TOPIC) ||
        typeof r.from_pid !== 'string' || payloads === undefined || typeof r.at !== 'number') { report.signals.lost++; continue; }
      const sig: Omit<PendingSignal, 'id'> = { workflowId: r.workflow_id, topic: r.topic, from: r.from_pid, payloads, at: r.at };
      batch.signals.push(sig);
      report.signals.copied++;
    }
    flush();
  } finally {
    out.close();
    src.close();
  }
  const check = checkIntegrity(to);
  if (check.problems.length > 0 || check.error !== undefined) {
    throw new WippyError(ErrorCode.INTERNAL, `-o ${to}: the recovered store does not pass its own check (${check.error ?? describeProblems(check.problems)})`);
  }
  return report;
}
