// Retry state is durable: a failed attempt of an activity is recorded (attempt_failed: its number,
// error and the next due time) before its backoff starts, so a restart during the backoff
// continues with the next attempt at the recorded due time, `ctx.get("attempt")` keeps counting,
// maximum_attempts counts every finished attempt, and the final call_done says how many ran. The
// record is bookkeeping: replay steps over it, views and golden files show it. The clock is a
// hand-driven one (test/supervisor/harness.ts): a backoff ends only when the test says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../supervisor/harness';
import { openStore } from '../../runtime/store';
import { toGolden, fromGolden, replayGolden } from '../../app/golden';
import { historyLines } from '../../app/control';
import { GoldenSession } from '../../app/golden';
import type { HistoryRecord, RecordOf } from '../../runtime/store/events';
import type { Outcome } from '../../runtime/engine/engine';
import { runWf } from '../../testkit/outcome';
import { wfRegistry } from '../../testkit/registry';
import { tick } from '../../testkit/wait';

// Fails attempts below `ok_at` (every attempt when ok_at is 0); prints each execution's attempt.
const FLAKY = `local ctx = require("ctx")
return function(ok_at)
  local n = ctx.get("attempt")
  print("EXEC " .. n)
  if ok_at == 0 or n < ok_at then return nil, errors.new{kind = "Unavailable", message = "down at " .. n} end
  return "ok at " .. n
end`;

const WF = `local funcs, time = require("funcs"), require("time")
return function(ok_at, max)
  local f = funcs.new():with_options({["activity.retry_policy"] = {maximum_attempts = max, initial_interval = "10s", backoff_coefficient = 2}})
  local v, err = f:call("app:flaky", ok_at)
  return {v = v, err = err and err:message(), at = time.now():unix()}
end`;

function historyOf(db: string): HistoryRecord[] {
  const s = openStore(db, { lock: false });
  try {
    const [row] = s.listWorkflows();
    return row ? s.history(row.id) : [];
  } finally { s.close(); }
}

function workflowId(db: string): string {
  const s = openStore(db, { lock: false });
  try { return s.listWorkflows()[0].id; } finally { s.close(); }
}

const failures = (h: HistoryRecord[]) => h.filter((r): r is RecordOf<'attempt_failed'> => r.type === 'attempt_failed');

/** A runtime of the fixture on a hand-driven clock at `t`, with its prints collected. */
function openAt(fx: ReturnType<typeof wfRegistry>, t: number, prints: string[]) {
  const clock = new FakeClock();
  clock.t = t;
  const rt = fx.open({ clock, output: { print: (s) => prints.push(s), log: () => {} } });
  return { rt, clock };
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await tick(2);
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('a restart during a backoff continues with the next attempt at its recorded due time; maximum_attempts counts every finished attempt', async () => {
  const fx = wfRegistry({ wf: WF }, { flaky: FLAKY });
  const prints: string[] = [];
  const t0 = Date.UTC(2026, 0, 1);

  // Run 1: attempt 1 fails; its failure is committed, then a 10s backoff. "Crash" during it.
  const a = openAt(fx, t0, prints);
  void runWf(a.rt, 'app:wf', 0, 3);
  await waitFor(() => failures(historyOf(fx.db)).length === 1, 'the first failed attempt to be recorded');
  // (A server store reports the commit a moment after another connection can read it.)
  await waitFor(() => a.clock.pending().length === 1, 'the backoff to start');
  assert.deepEqual(a.clock.pending(), [10_000], 'the backoff started after the record was committed');
  a.rt.close();
  const [f1] = failures(historyOf(fx.db));
  assert.deepEqual({ ...f1 }, { type: 'attempt_failed', of: 0, at: t0, attempt: 1, error: { kind: 'Unavailable', message: 'down at 1' }, due: t0 + 10_000 });

  // Run 2, 4s later: nothing runs at once; the rest of the backoff (6s) is what it waits for.
  const b = openAt(fx, t0 + 4000, prints);
  b.rt.startWorkflows();
  await waitFor(() => b.clock.pending().length === 1, 'the resumed backoff');
  assert.deepEqual(b.clock.pending(), [6000]);
  assert.deepEqual(prints, ['EXEC 1']);
  b.clock.fireNext();
  await waitFor(() => failures(historyOf(fx.db)).length === 2, 'the second failed attempt');
  assert.deepEqual(prints, ['EXEC 1', 'EXEC 2'], 'the next attempt, numbered 2');
  b.rt.close();
  const f2 = failures(historyOf(fx.db))[1];
  assert.equal(f2.attempt, 2);
  assert.equal(f2.at, t0 + 10_000);
  assert.equal(f2.due, t0 + 30_000, 'the second backoff is 20s (coefficient 2)');

  // Run 3, after the due time: attempt 3 is the last one allowed; the call fails after 3 attempts.
  const c = openAt(fx, t0 + 60_000, prints);
  const engine = c.rt.startWorkflows()!;
  const done = new Promise<Outcome>((resolve) => engine.watch(workflowId(fx.db), resolve));
  await waitFor(() => c.clock.pending().length === 1, 'the resumed backoff');
  assert.deepEqual(c.clock.pending(), [0], 'already due');
  c.clock.fireNext();
  const o = await done;
  c.rt.close();
  assert.deepEqual(prints, ['EXEC 1', 'EXEC 2', 'EXEC 3'], 'three finished attempts in all, numbered 1, 2, 3');
  assert.ok('result' in o && o.result.value);
  assert.equal(JSON.parse(o.result.value!).err, 'down at 3');
  const h = historyOf(fx.db);
  const doneRec = h.find((r): r is RecordOf<'call_done'> => r.type === 'call_done')!;
  assert.equal(doneRec.attempts, 3);
  assert.deepEqual(failures(h).map((f) => f.attempt), [1, 2]);
});

test('attempt_failed records replay, render in the timeline and round-trip through a golden file', async () => {
  const fx = wfRegistry({ wf: WF }, { flaky: FLAKY });
  const prints: string[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  const a = openAt(fx, t0, prints);
  const p = runWf(a.rt, 'app:wf', 3, 5);
  await waitFor(() => a.clock.pending().length === 1, 'the first backoff');
  a.clock.fireNext();
  await waitFor(() => failures(historyOf(fx.db)).length === 2 && a.clock.pending().length === 1, 'the second backoff');
  a.clock.fireNext();
  const o = await p;
  a.rt.close();
  assert.ok('result' in o);
  assert.deepEqual(JSON.parse(o.result.value!), { v: 'ok at 3', at: (t0 + 30_000) / 1000 });
  assert.deepEqual(prints, ['EXEC 1', 'EXEC 2', 'EXEC 3']);

  const h = historyOf(fx.db);
  assert.deepEqual(h.map((r) => r.type), ['started', 'call', 'attempt_failed', 'attempt_failed', 'call_done', 'completed']);
  // A restart after the end replays nothing live: the bookkeeping is stepped over, not matched.
  const s = openStore(fx.db, { lock: false });
  const row = s.listWorkflows()[0];
  s.close();
  const timeline = [...historyLines(row, h)].join('\n');
  assert.match(timeline, /\+10\.000s +attempt 2 of step 0 failed: Unavailable: down at 2 \(next attempt in 20s\)/);
  assert.match(timeline, /result of step 0: "ok at 3" \(after 3 attempts\)/);

  const text = toGolden(h, {}, { workflowId: row.id });
  assert.match(text, /"attempt": 2,\n +"due": "\+30s",\n +"error": \{"kind": "Unavailable", "message": "down at 2"\},\n +"of": 0,\n +"type": "attempt_failed"/);
  const g = fromGolden(text);
  assert.deepEqual(g.history, h, 'a golden gives back the records exactly');
  const session = GoldenSession.load(fx.dir);
  const r = replayGolden(session.replayEnv, g, 'wf.golden.json');
  assert.deepEqual(r, { ok: true, steps: h.length - 1, finished: true }, 'every record up to the end replayed');
});
