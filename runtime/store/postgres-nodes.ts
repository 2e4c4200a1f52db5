/**
 * The PostgreSQL store's migration for many nodes on one database (issue 19): node rows with
 * leases, an owner per workflow and per start request, and the server functions a node calls to
 * join, renew its lease and claim work, poll for its signals, commit (fenced) and leave.
 *
 * Owns: the SQL of 0002_nodes, and a node's options (its id, lease, renewal) and their defaults. Invariants (what makes two nodes never write one history):
 * - A node may write while its row in `wippy_nodes` exists, names its own connection
 *   (backend_pid) and its lease runs (`lease_until` >= the server's clock: one clock for all
 *   nodes, so machines' clocks never matter). A renewal of an expired lease is refused: once
 *   expired, that row never writes again; the node must join anew (and starts from the store).
 * - A node is dead when its lease expired or its connection is gone (a SIGKILLed process's
 *   connection closes at once, so its workflows move without waiting for the lease). Any node's
 *   heartbeat marks it `dead` (lease_until 0: it can never renew or commit again); a workflow or
 *   start request with no owner, or a dead one, is anyone's; a dead row that holds nothing more
 *   is deleted. Claims go through the owner index, never a scan of the open workflows, and take
 *   a fair share (what has no live owner / live nodes), so a dead node's work spreads out.
 * - `wippy_commit` first takes its node row FOR SHARE and checks it is alive, then checks that
 *   every workflow it appends to or updates is owned by it: a row it holds cannot be deleted
 *   while the commit runs, and no workflow of a live node is ever claimed, so a commit that
 *   passes the check owns its workflows until it ends. Otherwise it fails with WP003 and writes
 *   nothing; the node then drops what it holds in memory (app/runtime.ts).
 * - Claims use FOR UPDATE SKIP LOCKED: two nodes claiming at once take different rows.
 * - The lease is renewed by the node's connection thread on a connection of its own
 *   (`wippy_renew`, postgres-worker.ts), so a main thread busy for a few seconds (resuming
 *   thousands of workflows) keeps it; the thread stops renewing once the main thread has not
 *   run for `stallMs` (6 leases by default), and a paused process renews nothing at all.
 * - Every signal insert notifies channel `wippy_signals` (delivered at commit): owners poll at
 *   once instead of at their next poll.
 */

import { randomBytes } from 'node:crypto';
import * as os from 'node:os';

export interface NodeOptions {
  id: string;
  leaseMs: number;
  renewMs: number;
  /** How long the node's main thread may not run before its lease is given up (default 6 leases). */
  stallMs?: number;
}

/** A lease lasts 5 s and is renewed every second unless the node says otherwise (--lease, --lease-renew). */
export const DEFAULT_LEASE_MS = 5_000;
export const DEFAULT_RENEW_MS = 1_000;
/** A node id for a start that names none: this machine's name and 6 random hex digits. */
export function newNodeId(): string {
  return `${os.hostname().split('.')[0] || 'node'}-${randomBytes(3).toString('hex')}`;
}

/** A node of the database as `nodes()` lists it. */
export interface NodeInfo { id: string; pid: number; host: string; leaseLeftMs: number; workflows: number }

/** The notification channel of new signals. */
export const SIGNAL_CHANNEL = 'wippy_signals';

/** 0002_nodes; `signalLock`: the advisory lock key that orders signal inserts (postgres-schema.ts). */
export function nodesMigration(signalLock: number): string {
  return `
  CREATE TABLE wippy_nodes (
    id            TEXT PRIMARY KEY,
    pid           INTEGER NOT NULL,
    host          TEXT NOT NULL,
    backend_pid   INTEGER NOT NULL,
    backend_start TIMESTAMPTZ,
    joined_at     DOUBLE PRECISION NOT NULL,
    lease_ms      DOUBLE PRECISION NOT NULL,
    lease_until   DOUBLE PRECISION NOT NULL,
    dead          BOOLEAN NOT NULL DEFAULT false
  );
  ALTER TABLE workflows ADD COLUMN owner TEXT;
  CREATE INDEX workflows_owner ON workflows(owner) WHERE status IN ('running', 'parked');
  ALTER TABLE signals ADD COLUMN owner TEXT;
  CREATE INDEX signals_starts ON signals(id) WHERE topic = '@start';

  CREATE FUNCTION wippy_now() RETURNS DOUBLE PRECISION LANGUAGE sql VOLATILE AS
    $$ SELECT extract(epoch FROM clock_timestamp()) * 1000 $$;

  -- A node row that may still write (a dead one never does: its lease_until is 0): its lease runs and its connection is open.
  CREATE FUNCTION wippy_node_alive(backend INTEGER, started TIMESTAMPTZ, lease_until DOUBLE PRECISION) RETURNS BOOLEAN
  LANGUAGE sql VOLATILE AS $$
    SELECT lease_until >= wippy_now() AND EXISTS (SELECT 1 FROM pg_stat_activity a
      WHERE a.pid = backend AND (a.backend_start IS NULL OR started IS NULL OR a.backend_start = started))
  $$;

  -- This connection's node row, alive, locked against deletion until the transaction ends; or WP003.
  CREATE FUNCTION wippy_hold(me TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM 1 FROM wippy_nodes WHERE id = me AND backend_pid = pg_backend_pid() AND lease_until >= wippy_now() FOR SHARE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'node % lost its lease (it was paused or cut off from PostgreSQL for longer than the lease); other nodes own its workflows now', me USING ERRCODE = 'WP003';
    END IF;
  END $$;

  CREATE FUNCTION wippy_join(me TEXT, os_pid INTEGER, hostname TEXT, lease DOUBLE PRECISION) RETURNS VOID LANGUAGE plpgsql AS $$
  DECLARE n RECORD;
  BEGIN
    SELECT * INTO n FROM wippy_nodes WHERE id = me FOR UPDATE;
    IF FOUND THEN
      IF n.backend_pid <> pg_backend_pid() AND wippy_node_alive(n.backend_pid, n.backend_start, n.lease_until) THEN
        RAISE EXCEPTION 'node id % is in use by a running node (pid % on %); give another --node-id or stop that one', me, n.pid, n.host USING ERRCODE = 'WP004';
      END IF;
      DELETE FROM wippy_nodes WHERE id = me;
    END IF;
    -- What an earlier node of this id held is nobody's now: any node (this one too) claims it.
    UPDATE workflows SET owner = NULL WHERE owner = me AND status IN ('running', 'parked');
    UPDATE signals SET owner = NULL WHERE owner = me;
    INSERT INTO wippy_nodes (id, pid, host, backend_pid, backend_start, joined_at, lease_ms, lease_until)
      VALUES (me, os_pid, hostname, pg_backend_pid(), (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()),
              wippy_now(), lease, wippy_now() + lease);
  END $$;

  -- Renew this node's lease, mark dead nodes, claim up to lim workflows with no live owner (their
  -- ids), and forget dead nodes that hold nothing any more. Every lookup goes through an index
  -- (workflows_owner): a heartbeat costs the same with 100,000 open workflows as with 10.
  CREATE FUNCTION wippy_heartbeat(me TEXT, lim INTEGER) RETURNS SETOF TEXT LANGUAGE plpgsql AS $$
  DECLARE taken BIGINT := 0; dead TEXT[]; live BIGINT; orphans BIGINT;
  BEGIN
    UPDATE wippy_nodes SET lease_until = wippy_now() + lease_ms WHERE id = me AND backend_pid = pg_backend_pid() AND lease_until >= wippy_now();
    IF NOT FOUND THEN
      RAISE EXCEPTION 'node % lost its lease (it was paused or cut off from PostgreSQL for longer than the lease); other nodes own its workflows now', me USING ERRCODE = 'WP003';
    END IF;
    UPDATE wippy_nodes SET dead = true, lease_until = 0 WHERE id IN (SELECT n.id FROM wippy_nodes n WHERE n.id <> me AND NOT n.dead
      AND NOT wippy_node_alive(n.backend_pid, n.backend_start, n.lease_until) FOR UPDATE SKIP LOCKED);
    -- A fair share: what has no live owner divided by the live nodes (at least one), so a dead
    -- node's workflows spread over the others instead of going to whichever beats first.
    SELECT array_agg(n.id) INTO dead FROM wippy_nodes n WHERE n.dead;
    IF lim > 0 THEN
      SELECT count(*) INTO live FROM wippy_nodes n WHERE NOT n.dead;
      SELECT count(*) INTO orphans FROM workflows x WHERE x.status IN ('running', 'parked') AND x.owner IS NULL;
      IF dead IS NOT NULL THEN
        orphans := orphans + (SELECT count(*) FROM workflows x WHERE x.status IN ('running', 'parked') AND x.owner = ANY(dead));
      END IF;
      lim := LEAST(lim, GREATEST(1, CEIL(orphans::numeric / GREATEST(live, 1)))::integer);
    END IF;
    -- Unowned ones, then dead nodes' (two index lookups; one query with OR would scan them all).
    IF lim > 0 THEN
      RETURN QUERY UPDATE workflows w SET owner = me WHERE w.id IN (
        SELECT x.id FROM workflows x WHERE x.status IN ('running', 'parked') AND x.owner IS NULL
        LIMIT lim FOR UPDATE SKIP LOCKED) RETURNING w.id;
      GET DIAGNOSTICS taken = ROW_COUNT;
      IF dead IS NOT NULL AND taken < lim THEN
        RETURN QUERY UPDATE workflows w SET owner = me WHERE w.id IN (
          SELECT x.id FROM workflows x WHERE x.status IN ('running', 'parked') AND x.owner = ANY(dead)
          LIMIT lim - taken FOR UPDATE SKIP LOCKED) RETURNING w.id;
      END IF;
    END IF;
    DELETE FROM wippy_nodes n WHERE n.dead
      AND NOT EXISTS (SELECT 1 FROM workflows w WHERE w.owner = n.id AND w.status IN ('running', 'parked'))
      AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.owner = n.id);
  END $$;

  -- Start requests nobody alive holds (up to lim, now this node's), then the pending signals of
  -- this node's workflows above id after; oldest first.
  CREATE FUNCTION wippy_poll(me TEXT, after BIGINT, lim INTEGER) RETURNS TABLE (id BIGINT, workflow_id TEXT, topic TEXT, from_pid TEXT, payloads TEXT, at DOUBLE PRECISION)
  LANGUAGE plpgsql AS $$
  BEGIN
    IF lim > 0 AND EXISTS (SELECT 1 FROM wippy_nodes n WHERE n.id = me AND n.backend_pid = pg_backend_pid()) THEN
      RETURN QUERY UPDATE signals s SET owner = me WHERE s.id IN (
        SELECT x.id FROM signals x WHERE x.topic = '@start'
          AND (x.owner IS NULL OR NOT EXISTS (SELECT 1 FROM wippy_nodes n WHERE n.id = x.owner AND NOT n.dead))
        ORDER BY x.id LIMIT lim FOR UPDATE SKIP LOCKED)
      RETURNING s.id, s.workflow_id, s.topic, s.from_pid, s.payloads, s.at;
    END IF;
    RETURN QUERY SELECT s.id, s.workflow_id, s.topic, s.from_pid, s.payloads, s.at FROM signals s JOIN workflows w ON w.id = s.workflow_id
      WHERE s.id > after AND w.owner = me AND s.topic <> '@start' ORDER BY s.id;
  END $$;

  -- The lease renewal a node's connection thread makes on its own connection, whatever the node's
  -- main thread is doing: refused once the lease ran out, the node is dead, or its main
  -- connection (the one that joined and commits) is gone.
  CREATE FUNCTION wippy_renew(me TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE wippy_nodes n SET lease_until = wippy_now() + n.lease_ms WHERE n.id = me AND NOT n.dead AND n.lease_until >= wippy_now()
      AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = n.backend_pid);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'node % lost its lease (it was paused or cut off from PostgreSQL for longer than the lease); other nodes own its workflows now', me USING ERRCODE = 'WP003';
    END IF;
  END $$;

  -- A clean stop: what this node owns is anyone's at once, and its row goes.
  CREATE FUNCTION wippy_leave(me TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM 1 FROM wippy_nodes WHERE id = me AND backend_pid = pg_backend_pid() FOR UPDATE;
    IF NOT FOUND THEN RETURN; END IF;
    UPDATE workflows SET owner = NULL WHERE owner = me AND status IN ('running', 'parked');
    UPDATE signals SET owner = NULL WHERE owner = me;
    DELETE FROM wippy_nodes WHERE id = me;
  END $$;

  -- wippy_commit (0001) fenced: as node me, which must be alive and own every workflow the batch
  -- appends to or updates (the ones it creates become its own) and every start request it consumes.
  CREATE FUNCTION wippy_commit_as(b JSON, wall DOUBLE PRECISION, virt INTEGER, me TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
  DECLARE other RECORD;
  BEGIN
    PERFORM wippy_hold(me);
    SELECT w.id, w.owner INTO other FROM workflows w WHERE w.id IN (
        SELECT h->>0 FROM json_array_elements(b->'runs') AS h UNION SELECT u->>0 FROM json_array_elements(b->'updates') AS u)
      AND w.owner IS DISTINCT FROM me LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'workflow % is owned by node %, not %: this node lost it', other.id, COALESCE(other.owner, '(none)'), me USING ERRCODE = 'WP003';
    END IF;
    SELECT s.id INTO other FROM signals s WHERE s.id IN (SELECT (x#>>'{}')::bigint FROM json_array_elements(b->'consumed') AS x)
      AND s.topic = '@start' AND s.owner IS DISTINCT FROM me LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'start request % is held by another node, not %', other.id, me USING ERRCODE = 'WP003';
    END IF;
    PERFORM wippy_commit(b, wall, virt);
    UPDATE workflows SET owner = me WHERE id IN (SELECT c->>0 FROM json_array_elements(b->'creates') AS c);
  END $$;

  CREATE OR REPLACE FUNCTION wippy_add_signal(wid TEXT, topic TEXT, from_pid TEXT, payloads TEXT, at DOUBLE PRECISION) RETURNS BIGINT
  LANGUAGE plpgsql AS $$
  DECLARE sid BIGINT;
  BEGIN
    PERFORM pg_advisory_xact_lock(${signalLock});
    IF topic <> '@start' AND NOT EXISTS (SELECT 1 FROM workflows WHERE id = wid)
       AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.workflow_id = wid AND s.topic = '@start') THEN
      RAISE EXCEPTION 'signal ''%'' to workflow %: no such workflow (and no start requested for it)', topic, wid USING ERRCODE = 'WP002';
    END IF;
    INSERT INTO signals (workflow_id, topic, from_pid, payloads, at) VALUES (wid, topic, from_pid, payloads, at) RETURNING id INTO sid;
    PERFORM pg_notify('${SIGNAL_CHANNEL}', '');
    RETURN sid;
  END $$;
`;
}
