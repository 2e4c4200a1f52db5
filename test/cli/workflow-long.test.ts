// `wippy workflow history|list` on long output, through the real binary: a 200,001-record history
// and a store of 200,001 workflows print whole (exit 0), as text and as JSON, with no spread or
// recursion over their length (it used to end in "RangeError: Maximum call stack size exceeded").
// Output goes to a file: it is megabytes, more than a pipe buffer spawnSync would keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { openStore, emptyBatch } from '../../runtime/store';
import type { HistoryRecord, WorkflowRow } from '../../runtime/store/events';
import { tempDir } from '../../testkit/temp';
import { WIPPY } from '../../testkit/wippy';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const CALLS = 100_000; // started + a call and its result each = 200,001 records
const WORKFLOWS = 200_001;

function row(id: string, at: number): WorkflowRow {
  return { id, entry: 'app:long', worker: 'app:worker', status: 'running', input: ['7'], parent: null, result: null, error: null, parked: null, createdAt: at, updatedAt: at };
}

/** A real store: one workflow with a 200,001-record history, and 200,000 short ones beside it. */
function buildStore(): string {
  const db = path.join(tempDir(), 'long.db');
  const s = openStore(db);
  try {
    const first = emptyBatch();
    first.creates.push(row('wf-long', T0));
    first.appends.push({ workflowId: 'wf-long', index: 0, record: { type: 'started', at: T0, entry: 'app:long', input: ['7'], worker: 'app:worker' } });
    s.commit(first);
    // Commits of 1,000 steps, as the engine would group them.
    for (let c = 0; c < CALLS; c += 1000) {
      const b = emptyBatch();
      for (let i = c; i < c + 1000; i++) {
        const call: HistoryRecord = { type: 'call', cmd: i, fn: 'app:step', args: [String(i)], line: 'long.lua:3' };
        const done: HistoryRecord = { type: 'call_done', of: i, at: T0 + i * 10, value: String(i + 1), attempts: 1 };
        b.appends.push({ workflowId: 'wf-long', index: 1 + 2 * i, record: call }, { workflowId: 'wf-long', index: 2 + 2 * i, record: done });
      }
      s.commit(b);
    }
    const many = emptyBatch();
    for (let i = 1; i < WORKFLOWS; i++) many.creates.push(row(`wf-${String(i).padStart(6, '0')}`, T0 + i));
    s.commit(many);
  } finally {
    s.close();
  }
  return db;
}

/** Run wippy with stdout and stderr in files; returns the exit status and both texts. */
function wippyToFile(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const dir = tempDir();
  const out = fs.openSync(path.join(dir, 'out'), 'w');
  const err = fs.openSync(path.join(dir, 'err'), 'w');
  try {
    const r = spawnSync(process.execPath, [WIPPY, ...args], { stdio: ['ignore', out, err], timeout: 120_000 });
    return { code: r.status, stdout: fs.readFileSync(path.join(dir, 'out'), 'utf8'), stderr: fs.readFileSync(path.join(dir, 'err'), 'utf8') };
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
}

let db: string;
const store = (): string => (db ??= buildStore());

test('wippy workflow history prints a 200,001-record history whole, one line per record', () => {
  const r = wippyToFile(['workflow', 'history', 'wf-long', '--db', store()]);
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  assertNoJsStack(r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1 + 2 * CALLS + 1);
  assert.equal(lines[0], 'workflow wf-long (app:long), running, 200001 records, started 2026-01-02 03:04:05Z');
  assert.equal(lines[1], '     0  +0.000s      workflow started (app:long) input: 7');
  assert.equal(lines[2], '     1  +0.000s      step 0: funcs.call app:step(0)  at long.lua:3');
  assert.equal(lines[lines.length - 1], '200000  +16m39.990s  result of step 99999: 100000');
});

test('wippy workflow history --json writes the same JSON as one JSON.stringify would, record by record', () => {
  const r = wippyToFile(['workflow', 'history', 'wf-long', '--json', '--db', store()]);
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  const s = openStore(store(), { lock: false, create: false });
  try {
    assert.equal(r.stdout, `${JSON.stringify(s.history('wf-long'), null, 2)}\n`);
  } finally {
    s.close();
  }
});

test('wippy workflow list prints 200,001 workflows, as a table and as JSON', () => {
  const t = wippyToFile(['workflow', 'list', '--db', store()]);
  assert.equal(t.code, 0, t.stderr.slice(0, 2000));
  assertNoJsStack(t.stderr);
  const lines = t.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1 + WORKFLOWS);
  assert.match(lines[0], /^ID +ENTRY +STATUS +UPDATED +NOTE$/);
  // UPDATED is the machine's clock when the store wrote the row (the rows' workflow clock is 2026-01-02).
  assert.match(lines[1], /^wf-long    app:long  running  \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.ok(!lines[1].includes('2026-01-02 03:04:05Z'), lines[1]);
  const j = wippyToFile(['workflow', 'list', '--json', '--db', store()]);
  assert.equal(j.code, 0, j.stderr.slice(0, 2000));
  const items = JSON.parse(j.stdout) as Array<{ id: string }>;
  assert.equal(items.length, WORKFLOWS);
  assert.equal(items[WORKFLOWS - 1].id, 'wf-200000');
});
