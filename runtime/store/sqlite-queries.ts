/**
 * The listing reads of the SQLite store (the web UI's workflow list and workflow page): a filtered
 * page of workflows newest first, status counts, a workflow's children, the entries in use.
 *
 * Owns: the SQL of these reads and the statements' cache. Invariants: every query is served by an
 * index of migration 0005 (the started-time expression is written exactly as those indexes have
 * it, STARTED, or SQLite would not use them); a page reads at most `limit` rows whatever the
 * store's size (keyset paging, never OFFSET); status counts, for all workflows or one entry, come
 * from the `workflow_counts` table each commit keeps (sqlite.ts), so they cost the same at any size; with a
 * prefix or time filter each status is counted up to a cap. Parameters are always bound, never
 * spliced into the SQL.
 */
import type Database from 'better-sqlite3';
import type { WorkflowStatus, WorkflowRow } from './events';
import { WORKFLOW_STATUSES, type StatusCounts, type WorkflowQuery } from './store';
import { toWorkflow, WorkflowDbRow, WORKFLOW_COLUMNS } from './sqlite-rows';

/** When the row was created on the machine's clock, else the workflow's: as the indexes have it. */
const STARTED = 'COALESCE(wall_created_at, created_at)';
/** Above every character an id may hold: `prefix || TOP` bounds the ids that start with prefix. */
const TOP = '\u{10FFFF}';

type Filters = Omit<WorkflowQuery, 'limit' | 'after' | 'before'>;

function where(q: Filters, params: unknown[]): string[] {
  const w: string[] = [];
  if (q.status !== undefined) {
    w.push(`status IN (${q.status.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...q.status);
  }
  if (q.entry !== undefined) { w.push('entry = ?'); params.push(q.entry); }
  if (q.idPrefix !== undefined && q.idPrefix !== '') {
    w.push('id >= ? AND id < ?');
    params.push(q.idPrefix, `${q.idPrefix}${TOP}`);
  }
  if (q.from !== undefined) { w.push(`${STARTED} >= ?`); params.push(q.from); }
  if (q.to !== undefined) { w.push(`${STARTED} < ?`); params.push(q.to); }
  return w;
}

export class ListingQueries {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  query(q: WorkflowQuery): WorkflowRow[] {
    const params: unknown[] = [];
    const w = where(q, params);
    // Newer than `before`: read upwards from it, then turn the page round.
    const up = q.before !== undefined && q.after === undefined;
    const key = q.after ?? q.before;
    if (key !== undefined) {
      // A bound on the started time alone lets SQLite seek the index to the key (neither a row
      // value nor an OR of the two columns does, on an expression index); ties go through the OR.
      w.push(up ? `${STARTED} >= ? AND (${STARTED} > ? OR id > ?)` : `${STARTED} <= ? AND (${STARTED} < ? OR id < ?)`);
      params.push(key.started, key.started, key.id);
    }
    const dir = up ? 'ASC' : 'DESC';
    const sql = `SELECT ${WORKFLOW_COLUMNS} FROM workflows${w.length ? ` WHERE ${w.join(' AND ')}` : ''}
      ORDER BY ${STARTED} ${dir}, id ${dir} LIMIT ?`;
    params.push(Math.max(0, Math.floor(q.limit)));
    const rows = (this.stmt(sql).all(...params) as WorkflowDbRow[]).map(toWorkflow);
    return up ? rows.reverse() : rows;
  }

  counts(q: Omit<Filters, 'status'>, cap: number): StatusCounts {
    const counts = Object.fromEntries(WORKFLOW_STATUSES.map((s) => [s, 0])) as Record<WorkflowStatus, number>;
    const prefix = q.idPrefix !== undefined && q.idPrefix !== '';
    if (!prefix && q.from === undefined && q.to === undefined) {
      const rows = q.entry === undefined
        ? this.stmt('SELECT status, SUM(n) AS n FROM workflow_counts GROUP BY status').all()
        : this.stmt('SELECT status, n FROM workflow_counts WHERE entry = ?').all(q.entry);
      for (const r of rows as Array<{ status: WorkflowStatus; n: number }>) if (r.status in counts) counts[r.status] = r.n;
      return { counts, capped: false };
    }
    let capped = false;
    const limit = Math.max(0, Math.floor(cap)) + 1;
    for (const status of WORKFLOW_STATUSES) {
      const params: unknown[] = [];
      let w = where({ ...q, status: [status] }, params).join(' AND ');
      // A prefix is the narrowest filter: walk the ids it covers (the primary key), not every
      // workflow of the status or the entry (`+col` keeps SQLite from choosing those indexes).
      if (prefix) w = w.replace('status IN', '+status IN').replace('entry =', '+entry =');
      const n = this.stmt(`SELECT COUNT(*) FROM (SELECT 1 FROM workflows WHERE ${w} LIMIT ?)`).pluck().get(...params, limit) as number;
      counts[status] = n;
      if (n === limit) capped = true;
    }
    return { counts, capped };
  }

  childrenOf(id: string): WorkflowRow[] {
    return (this.stmt(`SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE parent = ? ORDER BY created_at, rowid`).all(id) as WorkflowDbRow[]).map(toWorkflow);
  }

  /** Distinct entries by skipping through the entry index: one lookup per entry, not per row. */
  entries(): string[] {
    return this.stmt(`WITH RECURSIVE e(x) AS (
        SELECT MIN(entry) FROM workflows
        UNION ALL SELECT (SELECT MIN(entry) FROM workflows WHERE entry > e.x) FROM e WHERE e.x IS NOT NULL
      ) SELECT x FROM e WHERE x IS NOT NULL`).pluck().all() as string[];
  }
}
