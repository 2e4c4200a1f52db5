// Torn writes: 24 workflows commit continuously (group commits of activity calls, results with a
// 2 KiB payload, uuids), and the real `wippy run` is SIGKILLed in the middle of that four times.
// After each kill the store passes SQLite's integrity check, opens again (the dead writer's lock
// is taken over), holds a consistent prefix of what was committed (no history shrinks, every
// result follows its call), and a restart carries on. Once, a half-written frame is also left
// after the last committed one in the WAL, as a power loss during a write would leave it: SQLite
// ignores it. At the end every workflow completed exactly once with the right value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { openStore, integrityCheck } from '../../runtime/store';
import type { HistoryRecord } from '../../runtime/store/events';
import { wfRegistry } from '../../testkit/registry';
import { tick, until } from '../../testkit/wait';
import { startWippy, WippyRun } from '../../testkit/wippy';

const N = 24;
// Enough work that four kills land while it is still committing (the engine does thousands of steps a second).
const STEPS = 400;

const ROOT = `return function(n)
  for i = 1, n do assert(process.spawn_monitored("app:busy", "app:worker", i)) end
  local events, done = process.events(), 0
  while done < n do
    local e = events:receive()
    if e.kind == process.event.EXIT then done = done + 1 end
  end
  return done
end`;

const BUSY = `local funcs, uuid = require("funcs"), require("uuid")
return function(i)
  local v = 0
  for step = 1, ${STEPS} do
    local r = assert(funcs.call("app:inc", v, i))
    v = r.v
    uuid.v4()
  end
  return {i = i, v = v}
end`;

const INC = 'return function(v, i) return {v = v + 1, pad = string.rep(string.char(65 + i % 26), 2048)} end';

interface Shape { records: number; byWorkflow: Map<string, number> }

/** Open the store the way the next `wippy run` does (with its lock) and check it is consistent. */
function reopenAndCheck(db: string): Shape {
  const s = openStore(db);
  try {
    const byWorkflow = new Map<string, number>();
    let records = 0;
    for (const row of s.listWorkflows()) {
      const h: HistoryRecord[] = s.history(row.id);
      byWorkflow.set(row.id, h.length);
      records += h.length;
      assert.equal(h[0]?.type, 'started', `workflow ${row.id} starts with its started record`);
      const calls = new Set<number>();
      for (const r of h) {
        if (r.type === 'call') calls.add(r.cmd);
        if (r.type === 'call_done') assert.ok(calls.has(r.of), `workflow ${row.id}: a result for call ${r.of} without the call`);
      }
      const ends = h.filter((r) => r.type === 'completed' || r.type === 'failed');
      assert.ok(ends.length <= 1);
      assert.equal(row.status === 'completed', ends.length === 1, `workflow ${row.id}: status ${row.status} matches its history`);
    }
    return { records, byWorkflow };
  } finally {
    s.close();
  }
}

/**
 * What a power loss in the middle of writing a transaction leaves: a half-written frame after the
 * last committed one (its header copied from the last frame, so its salts match; half its page).
 * SQLite must see that the frame's checksum is wrong and ignore it. Committed frames are never cut:
 * with synchronous=FULL they were on disk before the commit returned (and may be checkpointed).
 */
function tearWal(wal: string): boolean {
  if (!fs.existsSync(wal)) return false;
  const buf = fs.readFileSync(wal);
  if (buf.length < 32) return false;
  const frameSize = 24 + buf.readUInt32BE(8);
  const frames = Math.floor((buf.length - 32) / frameSize);
  if (frames < 1) return false;
  const last = buf.subarray(32 + (frames - 1) * frameSize, 32 + frames * frameSize);
  fs.truncateSync(wal, 32 + frames * frameSize);
  fs.appendFileSync(wal, last.subarray(0, 24 + (frameSize - 24) / 2));
  return true;
}

test(`SIGKILL during group commits (${N} workflows x ${STEPS} steps), 4 times, and a torn WAL frame: the store stays sound and everything completes once`, async () => {
  const fx = wfRegistry({ root: ROOT, busy: BUSY }, { inc: INC });
  /** Records in the store now (read beside the running writer). */
  const records = (): number => {
    if (!fs.existsSync(fx.db)) return 0;
    let s;
    try { s = openStore(fx.db, { lock: false, create: false }); } catch { return 0; }
    try {
      return s.listWorkflows().filter((r) => r.entry === 'app:busy').reduce((n, r) => n + s!.history(r.id).length, 0);
    } catch { return 0; } finally { s.close(); }
  };
  let shape: Shape = { records: 0, byWorkflow: new Map() };
  let run: WippyRun = startWippy(['run', fx.dir, '-x', 'app:root', String(N)]);
  let tornWal = false;
  for (let k = 1; k <= 4; k++) {
    // Kill while the children are committing: once this run has committed some of their steps,
    // at a random moment a little later.
    const from = records();
    await until(() => records() > from + N, `the run to commit before kill ${k}`);
    await tick(20 + Math.random() * 200);
    await run.kill();
    if (k === 3) tornWal = tearWal(`${fx.db}-wal`);
    assert.equal(integrityCheck(fx.db), 'ok', `integrity after kill ${k}`);
    const next = reopenAndCheck(fx.db);
    for (const [id, n] of shape.byWorkflow) assert.ok((next.byWorkflow.get(id) ?? 0) >= n, `kill ${k}: workflow ${id} lost committed records`);
    assert.ok(next.records > shape.records, `kill ${k}: the killed run was committing (records ${shape.records} -> ${next.records})`);
    shape = next;
    run = startWippy(['run', fx.dir]);
  }
  assert.ok(tornWal, 'the WAL had frames to tear');
  const done = (): boolean => {
    const s = openStore(fx.db, { lock: false });
    try { return s.listWorkflows().find((r) => r.entry === 'app:root')?.status === 'completed'; } finally { s.close(); }
  };
  await until(done, 'the root to complete', 60_000);
  // The work may have finished before this last run even started: let it come up (a SIGINT
  // before Node has loaded our handler is Node's default: killed, no exit code).
  await until(() => run.err.join('').includes('Ctrl-C to stop'), 'the last run to be up');
  run.proc.kill('SIGINT');
  assert.equal(await run.exited, 0, run.err.join(''));

  assert.equal(integrityCheck(fx.db), 'ok');
  const s = openStore(fx.db);
  try {
    const rows = s.listWorkflows();
    const root = rows.filter((r) => r.entry === 'app:root');
    assert.equal(root.length, 1);
    assert.equal(root[0].result, String(N));
    const busy = rows.filter((r) => r.entry === 'app:busy');
    assert.equal(busy.length, N, 'no workflow was started twice');
    const seen = new Set<number>();
    for (const row of busy) {
      assert.equal(row.status, 'completed', `${row.id}: ${row.error?.message ?? row.parked ?? ''}`);
      const v = JSON.parse(row.result!) as { i: number; v: number };
      assert.equal(v.v, STEPS);
      seen.add(v.i);
      const h = s.history(row.id);
      assert.equal(h.filter((r) => r.type === 'call_done').length, STEPS, 'each step recorded once');
      assert.equal(h.filter((r) => r.type === 'completed').length, 1);
    }
    assert.equal(seen.size, N);
  } finally {
    s.close();
  }
});
