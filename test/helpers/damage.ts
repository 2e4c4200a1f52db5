/**
 * Test helpers for damaged stores: a real store written by the engine, then bytes changed in
 * chosen pages of the file, found by name in sqlite_master (never by a fixed page number), so the
 * damage is the same on every run.
 */
import * as fs from 'node:fs';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { wfRegistry, type WfFixture } from '../../testkit/registry';
import { tick } from '../../testkit/wait';
import { openStore } from '../../runtime/store';

export const DAMAGE_WORKFLOWS = {
  // One durable step, then a wait for a signal: a running workflow with a 2-record history.
  wait: 'local uuid = require("uuid")\nreturn function(n) uuid.v4() local m = process.inbox():receive() return {n = n, got = m:topic()} end',
  quick: 'return function() return "quick" end',
};

/** A registry and a store holding three running workflows (app:wait, each waiting for a signal). */
export async function storeWithRunning(): Promise<{ fx: WfFixture; ids: string[] }> {
  const fx = wfRegistry(DAMAGE_WORKFLOWS);
  const rt = fx.open();
  const engine = rt.startWorkflows()!;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = engine.start('app:wait', [String(i)]);
    assert.ok('id' in r);
    ids.push(r.id);
  }
  const committed = (): boolean => {
    const s = openStore(fx.db, { lock: false, create: false });
    try { return ids.every((id) => s.historyLength(id) >= 2); } finally { s.close(); }
  };
  for (let i = 0; i < 500 && !committed(); i++) await tick(10);
  assert.ok(committed(), 'the three workflows committed their first step');
  rt.close(); // the last connection: SQLite checkpoints the WAL into the file
  assert.ok(!fs.existsSync(`${fx.db}-wal`) || fs.statSync(`${fx.db}-wal`).size === 0, 'everything is in the main file');
  return { fx, ids: ids.sort() };
}

/** The page size and the first page of the b-tree `name` (a table or an index). */
function rootPage(db: string, name: string): { page: number; size: number } {
  const d = new Database(db, { readonly: true });
  try {
    const page = d.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(name) as number;
    assert.ok(page > 1, `b-tree ${name} found`);
    return { page, size: d.pragma('page_size', { simple: true }) as number };
  } finally {
    d.close();
  }
}

/** Change the bytes of the first page of b-tree `name` in place. */
function patchPage(db: string, name: string, patch: (page: Buffer) => void): void {
  const { page, size } = rootPage(db, name);
  const buf = fs.readFileSync(db);
  patch(buf.subarray((page - 1) * size, page * size));
  fs.writeFileSync(db, buf);
}

/** Replace every `from` in the page by `to` (same length); returns how many were replaced. */
function replaceIn(page: Buffer, from: string, to: string): number {
  let n = 0;
  for (let i = page.indexOf(from, 0, 'latin1'); i >= 0; i = page.indexOf(from, i + 1, 'latin1')) {
    page.write(to, i, 'latin1');
    n++;
  }
  return n;
}

/**
 * The damage of issue 13: the status index loses its rows (its keys no longer match the table,
 * so `status = 'running'` finds nothing: a restart resumed none of them) and one workflow's id is
 * garbled in the table. `PRAGMA quick_check` still says ok; only the full check sees it.
 */
export function loseIndexRowsAndGarbleId(db: string, id: string): void {
  patchPage(db, 'workflows_status', (p) => assert.equal(replaceIn(p, 'running', 'rxnning'), 3));
  patchPage(db, 'workflows', (p) => assert.equal(replaceIn(p, id, `${id.slice(0, 9)}#${id.slice(10)}`), 1));
  const d = new Database(db, { readonly: true });
  try {
    assert.equal(d.pragma('quick_check', { simple: true }), 'ok', 'quick_check misses this damage');
    assert.notEqual(d.pragma('integrity_check', { simple: true }), 'ok', 'the full check sees it');
  } finally {
    d.close();
  }
}

/** The history table's first page is no b-tree page any more: reading it is "malformed". */
export function breakHistoryPage(db: string): void {
  patchPage(db, 'history', (p) => { p[0] = 0xff; });
}
