/**
 * The SQL of the PostgreSQL store's reads: the engine's (a workflow, the open ones, a history,
 * pending signals) and the listing's (the web UI's filtered pages, status counts, children,
 * entries), as sqlite-queries.ts has them for SQLite.
 *
 * Owns: query text and parameters only (postgres.ts runs them), and a Batch as the one JSON
 * parameter of a commit (batchJson). Invariants: every parameter is
 * bound ($n), never spliced; the started-time expression is written as the indexes of
 * postgres-schema.ts have it (STARTED); a page reads at most `limit` rows (keyset paging); counts
 * without a prefix or time filter come from `workflow_counts`; row order ties break on `seq`
 * (creation order), as SQLite's on rowid.
 */
import { WORKFLOW_STATUSES, type Batch, type WorkflowQuery } from './store';
import { historyRuns, WORKFLOW_COLUMNS } from './sqlite-rows';

const STARTED = 'COALESCE(wall_created_at, created_at)';

export const SQL = {
  getWorkflow: `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE id = $1`,
  listAll: `SELECT ${WORKFLOW_COLUMNS} FROM workflows ORDER BY created_at, seq`,
  listBy: `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE status = ANY($1::text[]) ORDER BY created_at, seq`,
  /** listBy with each history's length (a node's start-up: one round trip, not one per workflow). */
  listByWithLength: `SELECT ${WORKFLOW_COLUMNS},
      (SELECT h.idx + h.n FROM history h WHERE h.workflow_id = w.id ORDER BY h.idx DESC LIMIT 1) AS len
    FROM workflows w WHERE status = ANY($1::text[]) ORDER BY created_at, seq`,
  history: 'SELECT n, data FROM history WHERE workflow_id = $1 ORDER BY idx',
  historyLength: 'SELECT idx + n AS len FROM history WHERE workflow_id = $1 ORDER BY idx DESC LIMIT 1',
  pending: 'SELECT id::float8 AS id, workflow_id, topic, from_pid, payloads, at FROM signals WHERE id > $1 ORDER BY id',
  addSignal: 'SELECT wippy_add_signal($1, $2, $3, $4, $5)::float8 AS id',
  commit: 'SELECT wippy_commit_as($1::json, $2, $3, $4)',
  join: 'SELECT wippy_join($1, $2, $3, $4)',
  heartbeat: 'SELECT id FROM wippy_heartbeat($1, $2) AS id',
  /** The claimed workflows (listByWithLength for ids). */
  claimed: `SELECT ${WORKFLOW_COLUMNS},
      (SELECT h.idx + h.n FROM history h WHERE h.workflow_id = w.id ORDER BY h.idx DESC LIMIT 1) AS len
    FROM workflows w WHERE id = ANY($1::text[]) AND status IN ('running', 'parked') ORDER BY created_at, seq`,
  poll: 'SELECT id::float8 AS id, workflow_id, topic, from_pid, payloads, at FROM wippy_poll($1, $2, $3) ORDER BY id',
  signalsOf: `SELECT id::float8 AS id, workflow_id, topic, from_pid, payloads, at FROM signals
    WHERE workflow_id = ANY($1::text[]) AND topic <> '@start' ORDER BY id`,
  leave: 'SELECT wippy_leave($1)',
  nodes: `SELECT n.id, n.pid, n.host, n.lease_until - wippy_now() AS lease_left_ms,
      (SELECT COUNT(*)::float8 FROM workflows w WHERE w.owner = n.id AND w.status IN ('running', 'parked')) AS workflows
    FROM wippy_nodes n WHERE NOT n.dead ORDER BY n.joined_at`,
  childrenOf: `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE parent = $1 ORDER BY created_at, seq`,
  entries: 'SELECT DISTINCT entry COLLATE "C" AS entry FROM workflows ORDER BY 1',
  countsAll: 'SELECT status, SUM(n)::float8 AS n FROM workflow_counts GROUP BY status',
  countsOf: 'SELECT status, n::float8 AS n FROM workflow_counts WHERE entry = $1',
} as const;

type Filters = Omit<WorkflowQuery, 'limit' | 'after' | 'before'>;

function where(q: Filters, values: unknown[]): string[] {
  const p = (v: unknown): string => { values.push(v); return `$${values.length}`; };
  const w: string[] = [];
  if (q.status !== undefined) w.push(`status = ANY(${p(q.status)}::text[])`);
  if (q.entry !== undefined) w.push(`entry = ${p(q.entry)}`);
  if (q.idPrefix !== undefined && q.idPrefix !== '') w.push(`starts_with(id, ${p(q.idPrefix)})`);
  if (q.from !== undefined) w.push(`${STARTED} >= ${p(q.from)}`);
  if (q.to !== undefined) w.push(`${STARTED} < ${p(q.to)}`);
  return w;
}

/** One page of the listing: text, values, and whether the rows come back oldest first (to reverse). */
export function pageQuery(q: WorkflowQuery): { text: string; values: unknown[]; reversed: boolean } {
  const values: unknown[] = [];
  const w = where(q, values);
  const up = q.before !== undefined && q.after === undefined;
  const key = q.after ?? q.before;
  if (key !== undefined) {
    values.push(key.started, key.id);
    const [s, i] = [`$${values.length - 1}`, `$${values.length}`];
    w.push(`(${STARTED}, id) ${up ? '>' : '<'} (${s}::float8, ${i}::text)`);
  }
  const dir = up ? 'ASC' : 'DESC';
  values.push(Math.max(0, Math.floor(q.limit)));
  const text = `SELECT ${WORKFLOW_COLUMNS} FROM workflows${w.length ? ` WHERE ${w.join(' AND ')}` : ''}
    ORDER BY ${STARTED} ${dir}, id ${dir} LIMIT $${values.length}`;
  return { text, values, reversed: up };
}

/** Per status, how many match (up to `cap + 1`): one query per status, as the SQLite store does. */
export function cappedCountQueries(q: Omit<Filters, 'status'>, cap: number): Array<{ status: string; text: string; values: unknown[] }> {
  const limit = Math.max(0, Math.floor(cap)) + 1;
  return WORKFLOW_STATUSES.map((status) => {
    const values: unknown[] = [];
    const w = where({ ...q, status: [status] }, values).join(' AND ');
    values.push(limit);
    return { status, text: `SELECT COUNT(*)::float8 AS n FROM (SELECT 1 FROM workflows WHERE ${w} LIMIT $${values.length}) AS x`, values };
  });
}

/** A Batch as the JSON `wippy_commit` reads (postgres-schema.ts): arrays of columns, text kept as given. */
export function batchJson(b: Batch): string {
  return JSON.stringify({
    creates: b.creates.map((w) => [w.id, w.entry, w.worker, w.status, JSON.stringify(w.input), w.parent, w.result,
      w.error === null ? null : JSON.stringify(w.error), w.parked, w.createdAt, w.updatedAt]),
    runs: historyRuns(b.appends).map((r) => {
      const n = r.records.length;
      return [r.workflowId, r.index, n, n === 1 ? r.records[0].type : 'run', JSON.stringify(n === 1 ? r.records[0] : r.records)];
    }),
    updates: b.updates.map((u) => [u.id, u.status, u.result === undefined ? 0 : 1, u.result ?? null,
      u.error === undefined ? 0 : 1, u.error == null ? null : JSON.stringify(u.error), u.parked === undefined ? 0 : 1, u.parked ?? null, u.at]),
    signals: b.signals.map((s) => [s.workflowId, s.topic, s.from, JSON.stringify(s.payloads), s.at]),
    consumed: b.consumed,
  });
}
