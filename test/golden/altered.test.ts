// Deliberately altered copies of example goldens (test/golden/altered) must fail, each with its
// tier (the file name's prefix), and the report must name both operations and both Lua lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { GoldenSession, checkGolden } from '../../app/golden';
import { wippy, ROOT } from '../../testkit/wippy';

const REG = path.join(ROOT, 'examples/workflows');
const DIR = 'test/golden/altered';
const files = fs.readdirSync(path.join(ROOT, DIR)).filter((f) => f.endsWith('.golden.json')).sort();

/** What each report must show: operations and `file:line`s on the recorded and attempted side. */
const EXPECT: Record<string, { recorded: string[]; attempted: string[]; differs: RegExp }> = {
  'kind-removed-step': {
    recorded: ['funcs.call app.api:check_status("ch_test0001")', 'workflows/payment.lua:7'],
    attempted: ['timer 24h', 'workflows/payment.lua:6'],
    differs: /differs: +kind \(recorded call, attempted timer\)/,
  },
  'target-changed': {
    recorded: ['funcs.call app.payments:authorize(30)', 'workflows/saga.lua:11'],
    attempted: ['funcs.call app.payments:charge(30)', 'workflows/saga.lua:11'],
    differs: /differs: +target \(app\.payments:authorize -> app\.payments:charge\)/,
  },
  'arguments-changed': {
    recorded: ['funcs.call app.api:charge_card({"amount":40,"card":"4242"})', 'workflows/payment.lua:5'],
    attempted: ['funcs.call app.api:charge_card({"amount":42,"card":"4242"})', 'workflows/payment.lua:5'],
    differs: /differs: +arguments \(arguments\[1\]\.amount: 40 -> 42\)/,
  },
  'missing-step': {
    recorded: ['funcs.call app.notifications:send_rejection({"order_id":"o-1"})', 'workflows/approval.lua:13'],
    attempted: ['nothing', 'funcs.call app.orders:fulfill("o-1")', 'workflows/approval.lua:10'],
    differs: /differs: +missing step/,
  },
  'extra-step': {
    recorded: ['nothing more', 'workflow failed: Internal: no shipping address', 'funcs.call app.payments:refund("pay-30")', 'workflows/saga.lua:19'],
    attempted: ['funcs.call app.inventory:release("res-2")', 'workflows/saga.lua:20'],
    differs: /differs: +extra step/,
  },
  'outcome-changed': {
    recorded: ['workflow completed:', '"shipping":{"id":"ship-o-9"}'],
    attempted: ['completed:', '"shipping":{"id":"ship-o-1"}'],
    differs: /differs: +outcome \(result\.shipping\.id: "ship-o-9" -> "ship-o-1"\)/,
  },
};

const tierOf = (f: string) => f.split('-')[0];

test('there is one altered golden per tier', () => {
  assert.deepEqual(files.map(tierOf).sort(), ['arguments', 'extra', 'kind', 'missing', 'outcome', 'target']);
});

test('each altered golden fails with its tier', () => {
  const session = GoldenSession.load(REG);
  for (const f of files) {
    const v = checkGolden(session, path.join(ROOT, DIR, f));
    assert.equal(v.kind, 'fail', f);
    assert.equal(v.kind === 'fail' && v.tier, tierOf(f), f);
  }
});

for (const f of files) {
  const name = f.replace('.golden.json', '');
  test(`wippy replay ${name}: the report names the step, both operations and both lines`, () => {
    const r = wippy(['replay', path.join(DIR, f), '--registry', 'examples/workflows']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assertNoJsStack(r.stdout + r.stderr);
    const out = r.stdout;
    assert.match(out, new RegExp(`^FAIL ${DIR}/${f}: `));
    const rec = out.split('\n').find((l) => /^\s+recorded: /.test(l)) ?? '';
    const att = out.split('\n').find((l) => /^\s+attempted: /.test(l)) ?? '';
    const e = EXPECT[name];
    for (const s of e.recorded) assert.ok(rec.includes(s), `recorded line of ${name} lacks ${s}:\n${out}`);
    for (const s of e.attempted) assert.ok(att.includes(s), `attempted line of ${name} lacks ${s}:\n${out}`);
    assert.match(out, e.differs);
    if (tierOf(f) !== 'outcome') assert.match(out.split('\n')[0], /at step \d+ \(history record \d+\)/);
    assert.match(out, /wippy test --update/);
  });
}

test('a big value that differs gets a line diff', () => {
  const r = wippy(['replay', path.join(DIR, 'outcome-changed.golden.json'), '--registry', 'examples/workflows']);
  assert.match(r.stdout, /diff \(- recorded, \+ attempted\):\n.*\n\s+- +"shipping": \{"id": "ship-o-9"\}\n\s+\+ +"shipping": \{"id": "ship-o-1"\}/);
});

test('wippy test on the altered goldens: a FAIL line each with the report indented, "0 passed, N failed" last, exit 1', () => {
  const r = wippy(['test', DIR, '--registry', 'examples/workflows']);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[lines.length - 1], `0 passed, ${files.length} failed`);
  for (const f of files) {
    const i = lines.findIndex((l) => l.startsWith(`FAIL ${DIR}/${f}: `));
    assert.ok(i >= 0, `no FAIL line for ${f}`);
    assert.match(lines[i + 1], /^ {4}recorded: /);
  }
});
