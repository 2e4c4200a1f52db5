/**
 * The store's schema: an ordered list of named migrations and the runner that applies them.
 *
 * Owns: every CREATE/ALTER of the history store, and the `migrations` table that records which
 * ones a database has (name, applied_at). Invariants: a shipped migration is never edited, renamed
 * or reordered — a schema change is a new entry at the end; the names a database records are a
 * prefix of MIGRATIONS, otherwise it was written by a newer wippy (or is damaged) and is refused
 * rather than guessed at; all pending migrations apply in ONE immediate transaction, so a crash
 * mid-migration leaves the previous schema intact and two processes cannot both apply one.
 *
 * Data layout (see sqlite-rows.ts for how rows map to WorkflowRow / HistoryRecord / PendingSignal):
 * - workflows: one row per workflow; `input` is a JSON array of payload strings, `result` the
 *   payload text itself, `error` ErrorInfo as JSON; times are ms since the epoch (REAL):
 *   created_at / updated_at on the workflow clock, wall_created_at / wall_updated_at (since 0003)
 *   on the machine's clock when the store wrote them; virtual_time is 1 once a --virtual-time run
 *   created or updated the row.
 * - history (since 0002): an append-only rowid table with a UNIQUE index on (workflow_id, idx); a
 *   row is a run of `n` consecutive records of one workflow from one commit, starting at `idx`;
 *   `data` is the record as JSON text (n = 1) or a JSON array of them, `type` the record's type
 *   (or 'run') for inspection queries.
 * - signals: pending durable signals; AUTOINCREMENT so an id is never reused after consumption
 *   (pollers use `id > afterId`). Since 0004 a row may name a workflow that does not exist yet:
 *   a start request (`@start`, events.ts).
 */
import type Database from 'better-sqlite3';
import { ErrorCode, WippyError } from '../../base/errors';

export interface Migration {
  /** Stable forever once shipped: it is what the `migrations` table records. */
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: '0001_initial',
    sql: `
      CREATE TABLE workflows (
        id          TEXT PRIMARY KEY,
        entry       TEXT NOT NULL,
        worker      TEXT NOT NULL,
        status      TEXT NOT NULL,
        input       TEXT NOT NULL,
        parent      TEXT,
        result      TEXT,
        error       TEXT,
        parked      TEXT,
        created_at  REAL NOT NULL,
        updated_at  REAL NOT NULL
      );
      CREATE INDEX workflows_status ON workflows(status);

      CREATE TABLE history (
        workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
        idx         INTEGER NOT NULL CHECK (idx >= 0),
        type        TEXT NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (workflow_id, idx)
      ) WITHOUT ROWID;

      CREATE TABLE signals (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
        topic       TEXT NOT NULL,
        from_pid    TEXT NOT NULL,
        payloads    TEXT NOT NULL,
        at          REAL NOT NULL
      );
      CREATE INDEX signals_workflow ON signals(workflow_id);
    `,
  },
  {
    // History as an append-only rowid table with an index for reads, instead of a table clustered
    // on (workflow_id, idx): a commit appends one row for each of many workflows, and in the
    // clustered layout every one of them landed on its own page (one 4 KiB WAL frame each; 15 us
    // per row at 1,000 workflows x 40 steps against 6 us now, bench: npm run bench durable).
    // And one row may hold several consecutive records of a workflow (those one commit appends):
    // idx is the first one's index, n how many; data is then a JSON array of them.
    name: '0002_history_append',
    sql: `
      CREATE TABLE history_new (
        workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
        idx         INTEGER NOT NULL CHECK (idx >= 0),
        n           INTEGER NOT NULL DEFAULT 1 CHECK (n >= 1),
        type        TEXT NOT NULL,
        data        TEXT NOT NULL
      );
      INSERT INTO history_new (workflow_id, idx, n, type, data)
        SELECT workflow_id, idx, 1, type, data FROM history ORDER BY workflow_id, idx;
      DROP TABLE history;
      ALTER TABLE history_new RENAME TO history;
      CREATE UNIQUE INDEX history_workflow ON history(workflow_id, idx);
    `,
  },
  {
    // created_at / updated_at are on the workflow clock, which --virtual-time runs ahead (a 24h
    // sleep makes a run "updated tomorrow"); listings need when it really happened. Wall-clock
    // times beside them, stamped by the store at commit (NULL on rows written before this), and
    // whether a --virtual-time run created or updated the row (sticky).
    name: '0003_wall_clock',
    sql: `
      ALTER TABLE workflows ADD COLUMN wall_created_at REAL;
      ALTER TABLE workflows ADD COLUMN wall_updated_at REAL;
      ALTER TABLE workflows ADD COLUMN virtual_time INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // `wippy workflow start` asks for a workflow that does not exist yet: a pending row with the
    // topic `@start` (events.ts START_TOPIC) names the id the new workflow gets, so signals lose
    // their foreign key to workflows (a trigger still refuses any other row for a workflow that
    // does not exist, as the key did). Ids keep counting from where they were (pollers read
    // `id > afterId`; an id is never reused).
    name: '0004_start_requests',
    sql: `
      CREATE TABLE signals_new (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        workflow_id TEXT NOT NULL,
        topic       TEXT NOT NULL,
        from_pid    TEXT NOT NULL,
        payloads    TEXT NOT NULL,
        at          REAL NOT NULL
      );
      INSERT INTO signals_new (id, workflow_id, topic, from_pid, payloads, at)
        SELECT id, workflow_id, topic, from_pid, payloads, at FROM signals ORDER BY id;
      INSERT INTO sqlite_sequence (name, seq)
        SELECT 'signals_new', seq FROM sqlite_sequence WHERE name = 'signals'
          AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'signals_new');
      UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'signals'), 0))
        WHERE name = 'signals_new';
      DROP TABLE signals;
      ALTER TABLE signals_new RENAME TO signals;
      CREATE INDEX signals_workflow ON signals(workflow_id);
      CREATE TRIGGER signals_workflow_exists BEFORE INSERT ON signals
        WHEN NEW.topic <> '@start' AND NOT EXISTS (SELECT 1 FROM workflows WHERE id = NEW.workflow_id)
        BEGIN SELECT RAISE(ABORT, 'no such workflow'); END;
    `,
  },
  {
    // The web UI's listing (wippy ui): newest first, filtered by status, entry, start time or id
    // prefix, a page at a time, fast at 100,000 workflows. "Started" is the machine-clock time of
    // the row (the workflow clock's for rows written before 0003), one expression everywhere
    // (sqlite-queries.ts STARTED) so these indexes serve it. Counts per entry and status are kept
    // in a table that each commit updates (sqlite.ts apply, one row per entry and status it changed;
    // triggers per row cost the durable bench ~15%): counting 100,000 rows per page would cost more
    // than the page itself.
    name: '0005_listing',
    sql: `
      DROP INDEX workflows_status;
      CREATE INDEX workflows_started ON workflows(COALESCE(wall_created_at, created_at), id);
      CREATE INDEX workflows_status ON workflows(status, COALESCE(wall_created_at, created_at), id);
      CREATE INDEX workflows_entry_started ON workflows(entry, COALESCE(wall_created_at, created_at), id);
      CREATE INDEX workflows_parent ON workflows(parent) WHERE parent IS NOT NULL;
      CREATE TABLE workflow_counts (
        entry       TEXT NOT NULL,
        status      TEXT NOT NULL,
        n           INTEGER NOT NULL,
        PRIMARY KEY (entry, status)
      ) WITHOUT ROWID;
      INSERT INTO workflow_counts (entry, status, n) SELECT entry, status, COUNT(*) FROM workflows GROUP BY entry, status;
    `,
  },
  {
    // A signal, cancel or terminate may be sent to a workflow whose start is requested and not yet
    // taken (`wippy workflow start` then `wippy workflow signal`): its row comes after the start's,
    // so the engine applies it to the workflow it has just created. Any other row for a workflow
    // that does not exist is still refused.
    name: '0006_requests_to_requested',
    sql: `
      DROP TRIGGER signals_workflow_exists;
      CREATE TRIGGER signals_workflow_exists BEFORE INSERT ON signals
        WHEN NEW.topic <> '@start' AND NOT EXISTS (SELECT 1 FROM workflows WHERE id = NEW.workflow_id)
          AND NOT EXISTS (SELECT 1 FROM signals WHERE workflow_id = NEW.workflow_id AND topic = '@start')
        BEGIN SELECT RAISE(ABORT, 'no such workflow'); END;
    `,
  },
];

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS migrations (
    name        TEXT PRIMARY KEY,
    applied_at  REAL NOT NULL
  )`;

function fail(label: string, what: string): never {
  throw new WippyError(ErrorCode.STORE_INVALID, `${label}: ${what}`);
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * Check that every recorded migration is one we know, in our order; return how many are applied.
 * `label` names the store in messages (e.g. "store /x/y.db").
 */
function appliedCount(db: Database.Database, label: string, list: readonly Migration[]): number {
  const names = db.prepare('SELECT name FROM migrations ORDER BY rowid').pluck().all() as string[];
  names.forEach((name, i) => {
    if (list.some((m) => m.name === name) && list[i]?.name !== name) {
      fail(label, `its schema history is out of order (migration '${name}' recorded at position ${i + 1}); the file is damaged or was edited by hand`);
    }
    if (list[i]?.name !== name) {
      fail(label, `this store was written by a newer wippy (unknown migration '${name}'); upgrade wippy or use another --db`);
    }
  });
  return names.length;
}

/**
 * Bring the schema up to date, or refuse a database we do not understand. Returns the names it
 * applied now. `list` is for tests (a longer list plays the part of a newer wippy).
 */
export function runMigrations(db: Database.Database, label: string, list: readonly Migration[] = MIGRATIONS): string[] {
  if (!tableExists(db, 'migrations')) {
    // Pointing --db at some other application's database must not scribble our tables into it.
    const other = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1").pluck().get() as string | undefined;
    if (other !== undefined) fail(label, `not a wippy store (it has a table '${other}' but no migrations record); use another --db file`);
  } else if (appliedCount(db, label, list) === list.length) {
    return [];
  }

  const applied: string[] = [];
  const apply = db.transaction(() => {
    db.exec(CREATE_MIGRATIONS_TABLE);
    // Re-read inside the write lock: another process may have migrated since we looked.
    const done = appliedCount(db, label, list);
    const record = db.prepare('INSERT INTO migrations (name, applied_at) VALUES (?, ?)');
    for (const m of list.slice(done)) {
      db.exec(m.sql);
      record.run(m.name, Date.now());
      applied.push(m.name);
    }
  });
  apply.immediate();
  return applied;
}

/** Names recorded in a database's `migrations` table, in the order they were applied. */
export function appliedMigrations(db: Database.Database): string[] {
  if (!tableExists(db, 'migrations')) return [];
  return db.prepare('SELECT name FROM migrations ORDER BY rowid').pluck().all() as string[];
}
