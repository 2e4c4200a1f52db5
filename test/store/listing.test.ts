/**
 * The listing reads of the HistoryStore contract (the web UI's workflow list): filters, newest
 * first, key paging both ways, status counts (exact, or capped with filters), children, entries.
 * Run against every implementation (a PostgreSQL store joins the list when it exists).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStore } from '../../runtime/store/memory';
import { openStore } from '../../runtime/store/index';
import { pageKeyOf, type HistoryStore } from '../../runtime/store/store';
import type { WorkflowStatus } from '../../runtime/store/events';
import { batch, start } from './suite';
import { tempDir } from '../../testkit/temp';
import { freshDatabase } from '../../testkit/postgres';

const STATUS: WorkflowStatus[] = ['running', 'completed', 'failed', 'completed', 'parked'];

/** 25 workflows w00..w24 created in order (one commit each), statuses cycling, two entries; w03 has children. */
function fill(s: HistoryStore): void {
  for (let i = 0; i < 25; i++) {
    const id = `w${String(i).padStart(2, '0')}`;
    s.commit(start(id, { entry: i % 2 === 0 ? 'app:even' : 'app:odd', parent: i >= 20 ? 'w03' : null }));
    const status = STATUS[i % STATUS.length];
    if (status !== 'running') s.commit(batch({ updates: [{ id, status, at: 2000 }] }));
  }
}

const ids = (rows: Array<{ id: string }>): string[] => rows.map((r) => r.id);
const range = (from: number, to: number): string[] => {
  const out: string[] = [];
  for (let i = from; i >= to; i--) out.push(`w${String(i).padStart(2, '0')}`);
  return out;
};

function listingSuite(name: string, make: () => { store: HistoryStore; dispose(): void } | Promise<{ store: HistoryStore; dispose(): void }>): void {
  const withStore = (title: string, body: (s: HistoryStore) => void): void => {
    test(`${name}: ${title}`, async () => {
      const f = await make();
      try { fill(f.store); body(f.store); } finally { f.dispose(); }
    });
  };

  withStore('a page is newest first; key paging walks older and back newer without gaps or repeats', (s) => {
    const first = s.queryWorkflows({ limit: 10 });
    assert.deepEqual(ids(first), range(24, 15));
    const second = s.queryWorkflows({ limit: 10, after: pageKeyOf(first[9]) });
    assert.deepEqual(ids(second), range(14, 5));
    const third = s.queryWorkflows({ limit: 10, after: pageKeyOf(second[9]) });
    assert.deepEqual(ids(third), range(4, 0));
    const back = s.queryWorkflows({ limit: 10, before: pageKeyOf(third[0]) });
    assert.deepEqual(ids(back), range(14, 5));
    assert.deepEqual(ids(s.queryWorkflows({ limit: 10, before: pageKeyOf(first[0]) })), []);
  });

  withStore('filters: status (one or several), entry, id prefix, and together', (s) => {
    assert.deepEqual(ids(s.queryWorkflows({ limit: 50, status: ['failed'] })), ['w22', 'w17', 'w12', 'w07', 'w02']);
    assert.deepEqual(ids(s.queryWorkflows({ limit: 50, status: ['parked', 'running'] })), ['w24', 'w20', 'w19', 'w15', 'w14', 'w10', 'w09', 'w05', 'w04', 'w00']);
    assert.deepEqual(ids(s.queryWorkflows({ limit: 3, entry: 'app:odd' })), ['w23', 'w21', 'w19']);
    assert.deepEqual(ids(s.queryWorkflows({ limit: 50, idPrefix: 'w1' })), range(19, 10));
    assert.deepEqual(ids(s.queryWorkflows({ limit: 50, idPrefix: 'w07' })), ['w07']);
    assert.deepEqual(ids(s.queryWorkflows({ limit: 50, idPrefix: 'w1', status: ['completed'], entry: 'app:even' })), ['w18', 'w16']);
    assert.deepEqual(ids(s.queryWorkflows({ limit: 50, status: [] })), []);
  });

  withStore('started between: from inclusive, to exclusive, on the listing key', (s) => {
    const all = s.queryWorkflows({ limit: 50 });
    const mid = pageKeyOf(all[12]).started;
    const from = s.queryWorkflows({ limit: 50, from: mid });
    const to = s.queryWorkflows({ limit: 50, to: mid });
    assert.ok(from.length > 0 && from.every((r) => pageKeyOf(r).started >= mid));
    assert.ok(to.every((r) => pageKeyOf(r).started < mid));
    assert.equal(from.length + to.length, 25);
    assert.deepEqual(ids(s.queryWorkflows({ limit: 50, from: mid, to: mid })), []);
  });

  withStore('status counts: exact for all and per entry, follow status changes; prefix and time filters are capped', (s) => {
    assert.deepEqual(s.countWorkflows({}, 3), { counts: { running: 5, completed: 10, failed: 5, canceled: 0, terminated: 0, parked: 5 }, capped: false });
    s.commit(batch({ updates: [{ id: 'w00', status: 'terminated', at: 3000 }, { id: 'w01', status: 'completed', at: 3000 }] }));
    assert.deepEqual(s.countWorkflows({}, 3).counts, { running: 4, completed: 10, failed: 5, canceled: 0, terminated: 1, parked: 5 });
    assert.deepEqual(s.countWorkflows({ entry: 'app:odd' }, 1), { counts: { running: 2, completed: 6, failed: 2, canceled: 0, terminated: 0, parked: 2 }, capped: false }, 'per entry: exact');
    // Created and finished in one commit (a short workflow): counted once, as it ended.
    s.commit(batch({ creates: [{ ...start('q1').creates[0], entry: 'app:odd' }], updates: [{ id: 'q1', status: 'failed', at: 3000 }] }));
    assert.deepEqual(s.countWorkflows({ entry: 'app:odd' }, 1).counts, { running: 2, completed: 6, failed: 3, canceled: 0, terminated: 0, parked: 2 });
    const capped = s.countWorkflows({ idPrefix: 'w' }, 4);
    assert.equal(capped.capped, true);
    assert.equal(capped.counts.completed, 5, 'cap + 1 means "more than the cap"');
    assert.equal(capped.counts.terminated, 1);
  });

  withStore('children of a workflow, oldest first; entries in use, sorted', (s) => {
    assert.deepEqual(ids(s.childrenOf('w03')), ['w20', 'w21', 'w22', 'w23', 'w24']);
    assert.deepEqual(s.childrenOf('w04'), []);
    assert.deepEqual(s.workflowEntries(), ['app:even', 'app:odd']);
  });
}

listingSuite('memory', () => {
  const store = new MemoryStore();
  return { store, dispose: () => store.close() };
});

listingSuite('postgres', async () => {
  const { pg, database } = await freshDatabase('wippy_listing');
  const store = openStore(`postgresql://postgres@127.0.0.1:${pg.port}/${database}`);
  return { store, dispose: () => store.close() };
});

listingSuite('sqlite', () => {
  const dir = tempDir('wippy-listing-');
  const store = openStore(path.join(dir, 'wippy.db'));
  return { store, dispose: () => store.close() };
});

test('sqlite: the listing queries are served by indexes (no full scan, no sort of the table)', () => {
  const dir = tempDir('wippy-listing-');
  const file = path.join(dir, 'wippy.db');
  openStore(file).close();
  const db = new Database(file);
  try {
    const started = 'COALESCE(wall_created_at, created_at)';
    const plans: Array<[string, unknown[]]> = [
      [`SELECT id FROM workflows ORDER BY ${started} DESC, id DESC LIMIT 50`, []],
      [`SELECT id FROM workflows WHERE status IN (?) ORDER BY ${started} DESC, id DESC LIMIT 50`, ['failed']],
      [`SELECT id FROM workflows WHERE entry = ? ORDER BY ${started} DESC, id DESC LIMIT 50`, ['app:x']],
      [`SELECT id FROM workflows WHERE ${started} <= ? AND (${started} < ? OR id < ?) ORDER BY ${started} DESC, id DESC LIMIT 50`, [1, 1, 'x']],
      [`SELECT id FROM workflows WHERE status IN (?) AND ${started} >= ? AND (${started} > ? OR id > ?) ORDER BY ${started} ASC, id ASC LIMIT 50`, ['failed', 1, 1, 'x']],
      ['SELECT id FROM workflows WHERE parent = ?', ['x']],
    ];
    for (const [sql, params] of plans) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      assert.match(plan, /^SEARCH .*USING (COVERING )?INDEX|^SCAN .*USING (COVERING )?INDEX/, `${sql}: ${plan}`);
      // A page after a key seeks to it (a range on the index), never walks down from the top.
      if (sql.includes('<= ?') || sql.includes('>= ?')) assert.match(plan, /SEARCH .*<expr>[<>]/, `${sql}: ${plan}`);
      assert.doesNotMatch(plan, /TEMP B-TREE/, `${sql}: ${plan}`);
    }
  } finally {
    db.close();
  }
});

test('sqlite: a store from before 0005 gets its counts from the rows it has', () => {
  const dir = tempDir('wippy-listing-');
  const file = path.join(dir, 'wippy.db');
  const s = openStore(file);
  fill(s);
  s.close();
  // Undo 0005 by hand (what an older wippy left; the later ones rerun harmlessly), then reopen: the migration runs again.
  const db = new Database(file);
  db.exec(`DROP TABLE workflow_counts; DROP INDEX workflows_started; DROP INDEX workflows_status; DROP INDEX workflows_entry_started;
    DROP INDEX workflows_parent; CREATE INDEX workflows_status ON workflows(status); DELETE FROM migrations WHERE rowid >= (SELECT rowid FROM migrations WHERE name = '0005_listing');`);
  db.close();
  const again = openStore(file);
  try {
    assert.deepEqual(again.countWorkflows({}, 0).counts, { running: 5, completed: 10, failed: 5, canceled: 0, terminated: 0, parked: 5 });
    assert.deepEqual(again.countWorkflows({ entry: 'app:even' }, 0).counts, { running: 3, completed: 4, failed: 3, canceled: 0, terminated: 0, parked: 3 });
    assert.deepEqual(ids(again.queryWorkflows({ limit: 2 })), ['w24', 'w23']);
  } finally {
    again.close();
  }
});


