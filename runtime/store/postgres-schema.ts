/**
 * The PostgreSQL store's schema: its ordered, named migrations, and the server-side functions
 * that make a commit one round trip.
 *
 * Owns: every CREATE of the PostgreSQL store. Invariants (as migrations.ts for SQLite): a shipped
 * migration is never edited, renamed or reordered; the names a database records in
 * `wippy_migrations` are a prefix of PG_MIGRATIONS, otherwise a newer wippy wrote it and it is
 * refused; pending migrations apply in one transaction under an advisory lock (two nodes starting
 * at once migrate once).
 *
 * Data layout: the SQLite store's (migrations.ts after 0005), column for column: `workflows`
 * (payloads and errors as the JSON text given, times in ms as double precision), `history` (a
 * row is a run of `n` records of one workflow from one commit: `data` is the record's JSON text,
 * or a JSON array of them), `signals` (pending; ids from a sequence, never reused; a `@start` row
 * names a workflow that does not exist yet), `workflow_counts` (workflows per entry and status,
 * kept by each commit). A history row is the same text in both stores, so `wippy workflow export`
 * and goldens read the same records.
 *
 * Signal ids: a poller reads `id > last seen`. Sequence values are handed out before commit, so
 * two writers could commit ids out of order and a poller skip one; every transaction that inserts
 * signals first takes SIGNAL_LOCK (an advisory lock held to its end), so ids commit in order.
 */

import { nodesMigration } from './postgres-nodes';

export interface PgMigration { name: string; sql: string }

/** The advisory lock key serialising signal inserts (see the header). */
export const SIGNAL_LOCK = 77_190_001;
/** The advisory lock key serialising migrations. */
export const MIGRATION_LOCK = 77_190_002;

/** Tables a wippy store has; one of them without `wippy_migrations` is some other application's. */
export const STORE_TABLES = ['workflows', 'history', 'signals', 'workflow_counts'];

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    name: '0001_initial',
    sql: `
      CREATE TABLE workflows (
        id              TEXT PRIMARY KEY,
        entry           TEXT NOT NULL,
        worker          TEXT NOT NULL,
        status          TEXT NOT NULL,
        input           TEXT NOT NULL,
        parent          TEXT,
        result          TEXT,
        error           TEXT,
        parked          TEXT,
        created_at      DOUBLE PRECISION NOT NULL,
        updated_at      DOUBLE PRECISION NOT NULL,
        wall_created_at DOUBLE PRECISION,
        wall_updated_at DOUBLE PRECISION,
        virtual_time    INTEGER NOT NULL DEFAULT 0,
        seq             BIGSERIAL
      );
      CREATE INDEX workflows_started ON workflows((COALESCE(wall_created_at, created_at)), id);
      CREATE INDEX workflows_status ON workflows(status, (COALESCE(wall_created_at, created_at)), id);
      CREATE INDEX workflows_entry_started ON workflows(entry, (COALESCE(wall_created_at, created_at)), id);
      CREATE INDEX workflows_parent ON workflows(parent) WHERE parent IS NOT NULL;
      CREATE INDEX workflows_open ON workflows(created_at, seq) WHERE status IN ('running', 'parked');

      CREATE TABLE history (
        workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
        idx         INTEGER NOT NULL CHECK (idx >= 0),
        n           INTEGER NOT NULL DEFAULT 1 CHECK (n >= 1),
        type        TEXT NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (workflow_id, idx)
      );

      CREATE TABLE signals (
        id          BIGSERIAL PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        topic       TEXT NOT NULL,
        from_pid    TEXT NOT NULL,
        payloads    TEXT NOT NULL,
        at          DOUBLE PRECISION NOT NULL
      );
      CREATE INDEX signals_workflow ON signals(workflow_id);

      CREATE TABLE workflow_counts (
        entry  TEXT NOT NULL,
        status TEXT NOT NULL,
        n      BIGINT NOT NULL,
        PRIMARY KEY (entry, status)
      );

      -- One signal, id returned; a row for a workflow that does not exist is refused unless it is
      -- a start request or follows one for that id (the SQLite store's trigger, since its 0006).
      CREATE FUNCTION wippy_add_signal(wid TEXT, topic TEXT, from_pid TEXT, payloads TEXT, at DOUBLE PRECISION) RETURNS BIGINT
      LANGUAGE plpgsql AS $$
      DECLARE sid BIGINT;
      BEGIN
        PERFORM pg_advisory_xact_lock(${SIGNAL_LOCK});
        IF topic <> '@start' AND NOT EXISTS (SELECT 1 FROM workflows WHERE id = wid)
           AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.workflow_id = wid AND s.topic = '@start') THEN
          RAISE EXCEPTION 'signal ''%'' to workflow %: no such workflow (and no start requested for it)', topic, wid USING ERRCODE = 'WP002';
        END IF;
        INSERT INTO signals (workflow_id, topic, from_pid, payloads, at) VALUES (wid, topic, from_pid, payloads, at) RETURNING id INTO sid;
        RETURN sid;
      END $$;

      -- A whole Batch (postgres-queries.ts batchJson) in the order the Batch lists its parts.
      CREATE FUNCTION wippy_commit(b JSON, wall DOUBLE PRECISION, virt INTEGER) RETURNS VOID
      LANGUAGE plpgsql AS $$
      DECLARE
        u RECORD; prev RECORD; s RECORD; clash RECORD;
        ents TEXT[] := '{}'; sts TEXT[] := '{}'; ds BIGINT[] := '{}';
      BEGIN
        INSERT INTO workflows (id, entry, worker, status, input, parent, result, error, parked, created_at, updated_at, wall_created_at, wall_updated_at, virtual_time)
          SELECT c->>0, c->>1, c->>2, c->>3, c->>4, c->>5, c->>6, c->>7, c->>8, (c->>9)::float8, (c->>10)::float8, wall, wall, virt
          FROM json_array_elements(b->'creates') AS c;
        -- A run overlapping a row already there (its first index inside an earlier run): two writers.
        SELECT h->>0 AS wid, (h->>1)::int AS idx, h->>3 AS type INTO clash
          FROM json_array_elements(b->'runs') AS h
          CROSS JOIN LATERAL (SELECT r.idx, r.n FROM history r WHERE r.workflow_id = h->>0 AND r.idx < (h->>1)::int + (h->>2)::int
                              ORDER BY r.idx DESC LIMIT 1) AS below
          WHERE below.idx + below.n > (h->>1)::int LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'append record % (%) to workflow %: already exists (two writers on one store?)', clash.idx, clash.type, clash.wid USING ERRCODE = 'WP001';
        END IF;
        INSERT INTO history (workflow_id, idx, n, type, data)
          SELECT h->>0, (h->>1)::int, (h->>2)::int, h->>3, h->>4 FROM json_array_elements(b->'runs') AS h;
        SELECT array_agg(c->>1), array_agg(c->>3), array_agg(1::bigint) INTO ents, sts, ds FROM json_array_elements(b->'creates') AS c;
        ents := COALESCE(ents, '{}'); sts := COALESCE(sts, '{}'); ds := COALESCE(ds, '{}');
        FOR u IN SELECT x->>0 AS id, x->>1 AS status, (x->>2)::int AS has_result, x->>3 AS result, (x->>4)::int AS has_error,
                        x->>5 AS error, (x->>6)::int AS has_parked, x->>7 AS parked, (x->>8)::float8 AS at
                 FROM json_array_elements(b->'updates') WITH ORDINALITY AS t(x, ord) ORDER BY ord LOOP
          SELECT entry, status INTO prev FROM workflows WHERE id = u.id FOR UPDATE;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'update workflow %: no such workflow', u.id USING ERRCODE = 'WP002';
          END IF;
          IF prev.status <> u.status THEN
            ents := ents || prev.entry || prev.entry; sts := sts || prev.status || u.status; ds := ds || (-1)::bigint || 1::bigint;
          END IF;
          UPDATE workflows SET status = u.status,
              result = CASE WHEN u.has_result = 1 THEN u.result ELSE result END,
              error  = CASE WHEN u.has_error = 1 THEN u.error ELSE error END,
              parked = CASE WHEN u.has_parked = 1 THEN u.parked ELSE parked END,
              updated_at = u.at, wall_updated_at = wall, virtual_time = GREATEST(virtual_time, virt)
            WHERE id = u.id;
        END LOOP;
        INSERT INTO workflow_counts (entry, status, n)
          SELECT e, st, SUM(d) FROM unnest(ents, sts, ds) AS x(e, st, d) GROUP BY e, st HAVING SUM(d) <> 0 ORDER BY e, st
          ON CONFLICT (entry, status) DO UPDATE SET n = workflow_counts.n + excluded.n;
        FOR s IN SELECT x->>0 AS wid, x->>1 AS topic, x->>2 AS from_pid, x->>3 AS payloads, (x->>4)::float8 AS at
                 FROM json_array_elements(b->'signals') WITH ORDINALITY AS t(x, ord) ORDER BY ord LOOP
          PERFORM wippy_add_signal(s.wid, s.topic, s.from_pid, s.payloads, s.at);
        END LOOP;
        DELETE FROM signals WHERE id IN (SELECT (x#>>'{}')::bigint FROM json_array_elements(b->'consumed') AS x);
      END $$;
    `,
  },
  { name: '0002_nodes', sql: nodesMigration(SIGNAL_LOCK) },
];
