// `wippy workflow list|show|history` and their mistakes, through the real binary, on a store
// filled by running real workflows (completed, failed, a 24h sleep under virtual time, waiting,
// parked after a code change).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { openStore } from '../../runtime/store';
import { formatOffset } from '../../app/control';
import { DRIFT, DRIFT_CHANGED, withRegistry, wfRegistry, WfFixture } from '../../testkit/registry';
import { tick } from '../../testkit/wait';
import { wippy } from '../../testkit/wippy';

const WORKFLOWS = {
  greet: 'return function(name) return {hello = name, n = 2} end',
  boom: 'return function() return nil, errors.new{kind = "Invalid", message = "bad order"} end',
  slow: `local uuid, time = require("uuid"), require("time")
return function()
  local id = uuid.v4()
  time.sleep("24h")
  return id
end`,
  wait: 'return function() local msg = process.inbox():receive() return msg:topic() end',
  drift: DRIFT,
};
const FUNCTIONS = { step: 'return function(x) return "did " .. x end', other: 'return function(x) return x end' };

interface Ids { greet: string; boom: string; slow: string; wait: string; drift: string }

/** One store for the whole file: five workflows in five different states. */
async function build(): Promise<{ fx: WfFixture; ids: Ids }> {
  const fx = wfRegistry(WORKFLOWS, FUNCTIONS);
  const vt = fx.open({ virtualTime: true });
  const engine = vt.startWorkflows()!;
  const started = (entry: string, args: string[] = []) => {
    const r = engine.start(entry, args);
    assert.ok('id' in r);
    return new Promise<string>((res) => engine.watch(r.id, () => res(r.id)));
  };
  const greet = await started('app:greet', ['"ann"']);
  const boom = await started('app:boom');
  const slow = await started('app:slow');
  vt.close();

  const rt = fx.open();
  const e2 = rt.startWorkflows()!;
  const w = e2.start('app:wait', []) as { id: string };
  const d = e2.start('app:drift', []) as { id: string };
  await tick(100);
  rt.close();
  // The code changes under the waiting `drift`: the next engine parks it.
  fs.writeFileSync(path.join(fx.dir, 'wf_drift.lua'), DRIFT_CHANGED);
  const rt3 = fx.open();
  rt3.startWorkflows();
  await tick(100);
  rt3.close();
  return { fx, ids: { greet, boom, slow, wait: w.id, drift: d.id } };
}

const built = build();

function ok(args: string[], cwd?: string): string {
  const r = wippy(args, { cwd });
  assert.equal(r.code, 0, `wippy ${args.join(' ')}: ${r.stderr}`);
  assertNoJsStack(r.stderr);
  return r.stdout;
}

test('list: a table by default, JSON with ISO times, --status filter; --registry or the current folder find the store', async () => {
  const { fx, ids } = await built;
  const table = ok(['workflow', 'list', '--db', fx.db]).trimEnd().split('\n');
  assert.match(table[0], /^ID\s+ENTRY\s+STATUS\s+UPDATED\s+NOTE$/);
  assert.equal(table.length, 6);
  const rowOf = (id: string) => table.find((l) => l.startsWith(id)) ?? '';
  assert.match(rowOf(ids.greet), /app:greet\s+completed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.match(rowOf(ids.boom), /app:boom\s+failed\s+.*Invalid: bad order$/);
  assert.match(rowOf(ids.wait), /app:wait\s+running/);
  assert.match(rowOf(ids.drift), /app:drift\s+parked\s+.*non-determinism in workflow/);

  const list = JSON.parse(ok(['workflow', 'list', '--json', '--registry', fx.dir]));
  assert.deepEqual(list.map((w: { id: string }) => w.id), [ids.greet, ids.boom, ids.slow, ids.wait, ids.drift]);
  assert.deepEqual(Object.keys(list[0]).sort(), ['created_at', 'entry', 'id', 'parent', 'status', 'updated_at', 'virtual_time', 'worker', 'workflow_created_at', 'workflow_updated_at']);
  assert.deepEqual(list.map((w: { status: string }) => w.status), ['completed', 'failed', 'completed', 'running', 'parked']);
  assert.equal(list[0].worker, 'app:worker');
  assert.equal(list[0].parent, null);
  assert.match(list[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(Date.parse(list[2].workflow_updated_at) - Date.parse(list[2].workflow_created_at), 24 * 3600_000, 'the 24h sleep, in virtual time');
  assert.equal(list[2].virtual_time, true);

  const byCwd = JSON.parse(ok(['workflow', 'list', '--json', '--status', 'running,parked'], fx.dir));
  assert.deepEqual(byCwd.map((w: { id: string }) => w.id), [ids.wait, ids.drift]);
  assert.match(ok(['workflow', 'list', '--db', fx.db, '--status', 'terminated']), /^no workflows with status terminated in --db /);
});

test('show --json: result and input decoded, error as {kind, message, retryable}, parked report, history length', async () => {
  const { fx, ids } = await built;
  const g = JSON.parse(ok(['workflow', 'show', ids.greet, '--json', '--db', fx.db]));
  assert.equal(g.id, ids.greet);
  assert.equal(g.entry, 'app:greet');
  assert.equal(g.status, 'completed');
  assert.deepEqual(g.result, { hello: 'ann', n: 2 });
  assert.deepEqual(g.input, ['ann']);
  assert.equal(g.error, null);
  assert.equal(g.parked, null);
  assert.equal(g.history_length, 2);

  const b = JSON.parse(ok(['workflow', 'show', ids.boom, '--json', '--db', fx.db]));
  assert.equal(b.status, 'failed');
  assert.equal(b.result, null);
  assert.deepEqual(b.error, { kind: 'Invalid', message: 'bad order', retryable: false });

  const d = JSON.parse(ok(['workflow', 'show', ids.drift, '--json', '--db', fx.db]));
  assert.equal(d.status, 'parked');
  assert.match(d.parked, /non-determinism/);
  assert.match(d.parked, /app:step/);
  assert.match(d.parked, /app:other/);
});

test('show: a readable summary; a parked workflow shows its whole report; an id prefix or a PID is enough', async () => {
  const { fx, ids } = await built;
  const text = ok(['workflow', 'show', ids.boom, '--db', fx.db]);
  assert.match(text, new RegExp(`^workflow ${ids.boom}$`, 'm'));
  assert.match(text, /^ {2}entry: +app:boom$/m);
  assert.match(text, /^ {2}status: +failed$/m);
  assert.match(text, /^ {2}error: +Invalid: bad order$/m);
  assert.match(text, /^ {2}history: +2 records/m);

  const parked = ok(['workflow', 'show', ids.drift, '--db', fx.db]);
  assert.match(parked, /^parked:$/m);
  assert.match(parked, /^ {2}non-determinism in workflow .* at step 0/m);
  assert.match(parked, /recorded: +funcs\.call app:step\("one"\) +at wf_drift\.lua:3/);
  assert.match(parked, /attempted: +funcs\.call app:other\("one"\) +at wf_drift\.lua:3/);

  const byPid = JSON.parse(ok(['workflow', 'show', `{app:client@app:worker|${ids.wait}}`, '--json', '--db', fx.db]));
  assert.equal(byPid.id, ids.wait);
  const all = [ids.greet, ids.boom, ids.slow, ids.wait, ids.drift];
  const prefix = [...Array(ids.drift.length).keys()].map((n) => ids.drift.slice(0, n + 1))
    .find((p) => p.length >= 4 && all.filter((i) => i.startsWith(p)).length === 1)!;
  assert.equal(JSON.parse(ok(['workflow', 'show', prefix, '--json', '--db', fx.db])).id, ids.drift);
});

test('history: one line per record with offsets from the start, step numbers and Lua lines; --json is the raw records', async () => {
  const { fx, ids } = await built;
  const lines = ok(['workflow', 'history', ids.slow, '--db', fx.db]).trimEnd().split('\n');
  assert.match(lines[0], new RegExp(`^workflow ${ids.slow} \\(app:slow\\), completed, 5 records, started `));
  assert.equal(lines.length, 6);
  assert.match(lines[1], /^0 +\+0\.000s +workflow started \(app:slow\)$/);
  assert.match(lines[2], /^1 +\+0\.000s +step 0: uuid\.v4\(\) = [0-9a-f-]{36} +at wf_slow\.lua:3$/);
  assert.match(lines[3], /^2 +\+0\.000s +step 1: timer 24h +at wf_slow\.lua:4$/);
  assert.match(lines[4], /^3 +\+24h0m0\.\d{3}s +timer of step 1 fired$/);
  assert.match(lines[5], /^4 +\+24h0m0\.\d{3}s +workflow completed: "[0-9a-f-]{36}"$/);

  const raw = JSON.parse(ok(['workflow', 'history', ids.slow, '--json', '--db', fx.db]));
  const s = openStore(fx.db, { lock: false });
  try { assert.deepEqual(raw, s.history(ids.slow)); } finally { s.close(); }

  const drift = ok(['workflow', 'history', ids.drift, '--db', fx.db]);
  assert.match(drift, /step 0: funcs\.call app:step\("one"\) +at wf_drift\.lua:3/);
  assert.match(drift, /result of step 0: "did one"/);
});

test('mistakes: one line, no stack; 1 for an unknown workflow or store, 2 for bad usage', async () => {
  const { fx, ids } = await built;
  const cases: Array<[string[], number, RegExp]> = [
    [['workflow', 'show', 'nope-1234', '--db', fx.db], 1, /^error: no workflow nope-1234 in the store; `wippy workflow list` shows the ids$/],
    [['workflow', 'history', 'nope-1234', '--json', '--db', fx.db], 1, /^error: no workflow nope-1234/],
    [['workflow', 'list', '--db', path.join(fx.dir, 'missing.db')], 1, /^error: --db .*missing\.db: no such file/],
    [['workflow', 'list', '--db', fx.db, '--status', 'done'], 2, /^error: --status done: unknown status done; use one or more of running, completed/],
    [['workflow', 'list', '--registry', withRegistry({ 'r.yaml': 'namespace: x\nentries: []\n' })], 2, /^error: the registry at .* has no temporal\.client entry.*pass --db FILE/],
    [['workflow', 'show', ids.greet.slice(0, 4), '--db', fx.db], 2, /^error: "[0-9a-f]{4}" is the start of 5 workflow ids/],
    [['workflow', 'show', '--db', fx.db], 2, /error: missing required argument 'id'/],
  ];
  for (const [args, code, msg] of cases) {
    const r = wippy(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), msg, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length <= 2, true, r.stderr);
    assertNoJsStack(r.stderr);
    assert.equal(r.stdout, '');
  }
});

test('help lists the workflow commands and their options', () => {
  const h = ok(['workflow', '--help']);
  for (const c of ['list', 'show', 'history', 'signal', 'export', 'cancel', 'terminate']) assert.match(h, new RegExp(`^ {2}${c}\\b`, 'm'), c);
  assert.match(h, /Exit status: 0 done; 1 no such workflow/);
  const s = ok(['workflow', 'signal', '--help']);
  for (const o of ['--db <file|url>', '--registry <path>', '--no-wait', '[payloads...]']) assert.ok(s.includes(o), o);
});

test('time offsets read like durations', () => {
  assert.equal(formatOffset(0), '+0.000s');
  assert.equal(formatOffset(4), '+0.004s');
  assert.equal(formatOffset(125_120), '+2m5.120s');
  assert.equal(formatOffset(24 * 3600_000 + 3), '+24h0m0.003s');
  assert.equal(formatOffset(-1500), '-1.500s');
});

test('an id prefix shared by a workflow and its descendants only (child ids extend the parent\'s) means that workflow', async () => {
  const fx = wfRegistry({
    parent: 'local workflow = require("workflow") return function() return workflow.exec("app:kid") end',
    kid: 'local workflow = require("workflow") return function() return workflow.exec("app:leaf") end',
    leaf: 'return function() return "leaf" end',
  });
  const rt = fx.open({ virtualTime: true });
  const engine = rt.startWorkflows()!;
  const run = (entry: string) => {
    const r = engine.start(entry, []);
    assert.ok('id' in r);
    return new Promise<string>((res) => engine.watch(r.id, () => res(r.id)));
  };
  const parent = await run('app:parent');
  const other = await run('app:leaf');
  rt.close();
  const ids = openStore(fx.db, { lock: false }).listWorkflows().map((r) => r.id);
  assert.deepEqual(ids.filter((i) => i.startsWith(parent)).sort(), [parent, `${parent}.0`, `${parent}.0.0`]);

  // The shortest prefix that excludes the unrelated workflow still matches the child and grandchild.
  let n = 4;
  while (other.startsWith(parent.slice(0, n))) n++;
  const prefix = parent.slice(0, Math.max(n, 4));
  assert.equal(JSON.parse(ok(['workflow', 'show', prefix, '--json', '--db', fx.db])).id, parent);
  assert.equal(JSON.parse(ok(['workflow', 'show', `${parent}.`, '--json', '--db', fx.db])).id, `${parent}.0`, 'a child and its own descendants');
  // A prefix shared with an unrelated workflow stays ambiguous.
  // (Both are UUIDv7 made a few ms apart: they share their leading timestamp digits.)
  const common = parent.slice(0, n - 1);
  assert.ok(common.length >= 8, `${parent} and ${other} share a prefix`);
  const r = wippy(['workflow', 'show', common, '--db', fx.db]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /is the start of 4 workflow ids/);
});
