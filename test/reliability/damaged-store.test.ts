// A damaged store is never used as if it were whole. Stores written by the real engine, then
// damaged deterministically (test/helpers/damage.ts): (A) the status index loses its rows and an id
// is garbled, which quick_check misses; (B) the history table's page is malformed. Through the real
// binary: every `wippy workflow` command and `wippy run` (with and without -x) say so in one line,
// exit 4 (STORE_DAMAGED), show no JS stack and report nothing from the store; `wippy store check`
// finds it on demand; `wippy store recover` salvages what can be read into a store that works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { storeWithRunning, loseIndexRowsAndGarbleId, breakHistoryPage } from '../helpers/damage';
import { openStore, emptyBatch } from '../../runtime/store';
import { ErrorCode, isWippyError } from '../../base/errors';
import type { Outcome } from '../../runtime/engine/engine';
import { tempDir } from '../../testkit/temp';
import { wippy, startWippy } from '../../testkit/wippy';
import { until } from '../../testkit/wait';

/** The one line every damaged store gives, with its exit status. */
function assertDamaged(r: { code: number | null; stdout: string; stderr: string }, what: string, detail: RegExp): void {
  assert.equal(r.code, 4, `${what}: exit status\n${r.stderr}`);
  assertNoJsStack(r.stderr);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: ') || l.startsWith('internal error'));
  assert.equal(errors.length, 1, `${what}: one error line\n${r.stderr}`);
  assert.match(errors[0], /^error: .*: the store is damaged \(.*\); wippy will not run or report from it\. Salvage what can still be read with `wippy store recover --db .* -o NEW\.db`, or restore a backup$/, what);
  assert.match(errors[0], detail, what);
}

test('(A) index rows lost and an id garbled: list, show and history refuse to report from the store', async () => {
  const { fx, ids } = await storeWithRunning();
  loseIndexRowsAndGarbleId(fx.db, ids[0]);
  const detail = /SQLite integrity check: \d+ problems, first: row \d+ missing from index/;
  for (const args of [['list'], ['list', '--json'], ['show', ids[1]], ['history', ids[1]], ['history', ids[0].slice(0, 13)], ['export', ids[1]]]) {
    const r = wippy(['workflow', ...args, '--registry', fx.dir]);
    assertDamaged(r, `workflow ${args.join(' ')}`, detail);
    assert.equal(r.stdout, '', `workflow ${args.join(' ')}: nothing reported`);
  }
  // Steering commands do not queue requests into it either.
  assertDamaged(wippy(['workflow', 'signal', ids[1], 'go', '--no-wait', '--registry', fx.dir]), 'signal', detail);
});

test('a store in use: commands trust the holder whose own full check passed (<db>.checked), and only it', async () => {
  const { fx, ids } = await storeWithRunning();
  // A real wippy run marks the store once its background check passes, and unmarks it at a clean stop.
  const run = startWippy(['run', fx.dir]);
  try {
    await until(() => fs.existsSync(`${fx.db}.checked`), 'the .checked mark of the running node', 60_000);
    assert.equal(fs.readFileSync(`${fx.db}.checked`, 'utf8').trim(), String(run.proc.pid));
    const listed = wippy(['workflow', 'list', '--registry', fx.dir]);
    assert.equal(listed.code, 0, listed.stderr);
  } finally {
    await run.stop();
  }
  assert.equal(fs.existsSync(`${fx.db}.checked`), false, 'a clean stop removes its mark');

  // The damage of (A) is only seen by the full check: whether a command ran it shows in its exit status.
  loseIndexRowsAndGarbleId(fx.db, ids[0]);
  const holder = startWippy(['-e', 'setInterval(() => {}, 1000)'], { command: [] });
  try {
    const pid = holder.proc.pid!;
    const list = (): number | null => wippy(['workflow', 'list', '--registry', fx.dir]).code;
    fs.writeFileSync(`${fx.db}.checked`, `${pid}\n`);
    assert.equal(list(), 4, 'a mark without a live holder vouches for nothing');
    fs.writeFileSync(`${fx.db}.lock`, String(pid));
    fs.writeFileSync(`${fx.db}.checked`, `${pid + 1}\n`);
    assert.equal(list(), 4, 'a mark of another process vouches for nothing');
    fs.writeFileSync(`${fx.db}.checked`, `${pid}\n`);
    assert.equal(list(), 0, 'the live holder checked the store: the command does not read the whole file again');
  } finally {
    await holder.kill();
    fs.rmSync(`${fx.db}.lock`, { force: true });
  }
});

test('(A) wippy run does not resume nothing without a word: it stops with the one line; -x prints no result', async () => {
  const { fx, ids } = await storeWithRunning();
  loseIndexRowsAndGarbleId(fx.db, ids[0]);
  // Without the check this would run on (resuming none of the three) until killed.
  const r = wippy(['run', fx.dir], { timeoutMs: 60_000 });
  assertDamaged(r, 'wippy run', /row \d+ missing from index workflows_\w+/);
  const x = wippy(['run', fx.dir, '-x', 'app:quick'], { timeoutMs: 60_000 });
  assertDamaged(x, 'wippy run -x', /missing from index/);
  assert.equal(x.stdout, '', 'the -x result is not printed from a damaged store');
});

test('the Runtime checks the store beside the work: start-up returns first, the verdict comes after', async () => {
  const { fx, ids } = await storeWithRunning();
  const sound = fx.open({ onStoreDamaged: () => assert.fail('a sound store is not damaged') });
  try {
    assert.ok(sound.startWorkflows());
    await sound.storeChecked();
  } finally {
    sound.close();
  }
  loseIndexRowsAndGarbleId(fx.db, ids[0]);
  const seen: unknown[] = [];
  const rt = fx.open({ onStoreDamaged: (e) => seen.push(e) });
  try {
    assert.ok(rt.startWorkflows(), 'the engine starts without waiting for the check');
    assert.equal(seen.length, 0, 'the check runs beside the work, not before it');
    await rt.storeChecked();
    assert.equal(seen.length, 1);
    assert.ok(isWippyError(seen[0], ErrorCode.STORE_DAMAGED));
    assert.match((seen[0] as Error).message, /row \d+ missing from index workflows_\w+/);
  } finally {
    rt.close();
  }
});

test('(B) a malformed page: run, run -x, list and history give the one line (no internal error, no JS stack)', async () => {
  const { fx, ids } = await storeWithRunning();
  breakHistoryPage(fx.db);
  for (const args of [['run', fx.dir], ['run', fx.dir, '-x', 'app:quick'], ['workflow', 'list', '--registry', fx.dir], ['workflow', 'history', ids[0], '--registry', fx.dir]]) {
    const r = wippy(args, { timeoutMs: 60_000 });
    assertDamaged(r, args.slice(0, 2).join(' '), /malformed/);
    assert.equal(r.stdout, '');
  }
});

test('the store API: SQLite corruption on read or write, and a row that is not JSON, are STORE_DAMAGED', async () => {
  const { fx, ids } = await storeWithRunning();
  fs.copyFileSync(fx.db, `${fx.db}.sound`);
  breakHistoryPage(fx.db);
  const s = openStore(fx.db, { lock: false, create: false });
  try {
    const damaged = (fn: () => unknown, what: string): void => {
      assert.throws(fn, (e: unknown) => isWippyError(e, ErrorCode.STORE_DAMAGED) && e.userFacing && /the store is damaged \(.*malformed/.test(e.message), what);
    };
    damaged(() => s.history(ids[0]), 'history');
    damaged(() => s.historyLength(ids[0]), 'historyLength');
    const b = emptyBatch();
    b.appends.push({ workflowId: ids[0], index: 2, record: { type: 'uuid', cmd: 1, version: 4, value: 'x', line: 'a.lua:1' } });
    damaged(() => s.commit(b), 'commit');
  } finally {
    s.close();
  }
  // Bytes SQLite accepts but that are not the JSON this runtime wrote.
  const sound = `${fx.db}.sound`;
  const buf = fs.readFileSync(sound);
  const at = buf.indexOf('"started"', 0, 'latin1');
  buf.write('{', at, 'latin1');
  fs.writeFileSync(sound, buf);
  const t = openStore(sound, { lock: false, create: false });
  try {
    assert.throws(() => { for (const id of ids) t.history(id); }, (e: unknown) => isWippyError(e, ErrorCode.STORE_DAMAGED) && /is not valid JSON/.test(e.message));
  } finally {
    t.close();
  }
});

test('wippy store check: a sound store is one line and exit 0; a damaged one lists the problems, exit 4', async () => {
  const { fx, ids } = await storeWithRunning();
  const ok = wippy(['store', 'check', '--registry', fx.dir]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^store .*state\.db \(temporal\.client app:client in .*registry\.yaml:\d+\): sound \(SQLite's full integrity check found no problem\)\n$/);
  loseIndexRowsAndGarbleId(fx.db, ids[0]);
  const bad = wippy(['store', 'check', '--db', fx.db]);
  assertDamaged(bad, 'store check', /missing from index/);
  assert.ok(bad.stdout.split('\n').filter((l) => /^row \d+ missing from index workflows_\w+$/.test(l)).length >= 3, bad.stdout);
  const none = wippy(['store', 'check', '--db', path.join(tempDir(), 'none.db')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^error: --db .*none\.db: no such file/);
});

test('wippy store recover: (A) all three workflows survive and resume; (B) their lost histories are marked failed', async () => {
  const a = await storeWithRunning();
  loseIndexRowsAndGarbleId(a.fx.db, a.ids[0]);
  const out = path.join(tempDir(), 'recovered.db');
  const r = wippy(['store', 'recover', '--db', a.fx.db, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  // The garbled row's two records name the real id, which no copied row has: left out.
  assert.match(r.stdout, /^recovered into .*recovered\.db: 3 workflows, 4 history records \(2 left out\), 0 pending signals\n/);
  assert.equal(wippy(['store', 'check', '--db', out]).code, 0);
  assert.equal(wippy(['store', 'recover', '--db', a.fx.db, '-o', out]).code, 2, 'an existing -o is refused');
  // The garbled id kept its row but lost its history (its records name the real id): failed,
  // not resumed. The other two resume and finish when signalled.
  const rt = a.fx.open({ db: out });
  try {
    const engine = rt.startWorkflows()!;
    const garbled = `${a.ids[0].slice(0, 9)}#${a.ids[0].slice(10)}`;
    assert.match(r.stdout, new RegExp(`marked failed .*: ${garbled.replace(/[-#]/g, '.')}`));
    const outcomes = a.ids.slice(1).map((id) => new Promise<Outcome>((res) => engine.watch(id, res)));
    for (const id of a.ids.slice(1)) engine.signal(id, 'go', '', []);
    for (const o of await Promise.all(outcomes)) assert.ok('result' in o && o.result.value?.includes('"got":"go"'), JSON.stringify(o));
  } finally {
    rt.close();
  }

  const b = await storeWithRunning();
  breakHistoryPage(b.fx.db);
  const out2 = path.join(tempDir(), 'recovered.db');
  const r2 = wippy(['store', 'recover', '--registry', b.fx.dir, '-o', out2]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /3 workflows, 0 history records \(unreadable in 1 place\)/);
  const list = JSON.parse(wippy(['workflow', 'list', '--json', '--db', out2]).stdout) as Array<{ id: string; status: string }>;
  assert.deepEqual(list.map((w) => [w.id, w.status]).sort(), b.ids.map((id) => [id, 'failed']));
});
