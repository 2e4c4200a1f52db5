// Golden file details: the workflow id round-trips and is what replay uses; malformed files are
// one clear line (GOLDEN_INVALID) for `wippy replay` and a FAIL line for `wippy test`; big values
// get a line diff, small ones do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { toGolden, fromGolden, GoldenError, readGolden } from '../../app/golden';
import { payloadDiff } from '../../app/golden/diff';
import { ErrorCode } from '../../base/errors';
import { tempDir } from '../../testkit/temp';
import { wippy, ROOT } from '../../testkit/wippy';

const PAYMENT = path.join(ROOT, 'examples/workflows/goldens/payment.golden.json');

test('workflow_id round-trips, and a file without it still reads', () => {
  const g = readGolden(PAYMENT);
  assert.equal(g.workflowId, 'golden:app.workflows:payment');
  const text = toGolden(g.history, g.flags, { workflowId: g.workflowId });
  assert.equal(text, fs.readFileSync(PAYMENT, 'utf8'));
  const without = fromGolden(toGolden(g.history, g.flags), 'x');
  assert.equal(without.workflowId, undefined);
  assert.deepEqual(without.history, g.history);
});

test('malformed golden files raise GoldenError naming the file and the record', () => {
  const text = fs.readFileSync(PAYMENT, 'utf8');
  const bad = (t: string) => { try { fromGolden(t, 'p.golden.json'); } catch (e) { assert.ok(e instanceof GoldenError); assert.equal((e as GoldenError).code, ErrorCode.GOLDEN_INVALID); return (e as Error).message; } return ''; };
  assert.match(bad('{'), /^p\.golden\.json: invalid JSON/);
  assert.match(bad(text.replace('"fn": "app.api:check_status",', '')), /^p\.golden\.json: history\[5\] \(call\) needs 'fn' \(string\)$/);
  assert.match(bad(text.replace('"type": "timer_fired"', '"type": "timer_went_off"')), /history\[4\] has an unknown type 'timer_went_off'/);
  assert.match(bad(text.replace('"at": "+24h0m0s", "of": 1', '"at": "24h", "of": 1')), /history\[4\]\.at must look like "\+1\.5s"/);
});

test('wippy replay: unreadable or malformed files are one error line each, exit 2; wippy test shows them as FAIL', () => {
  const dir = tempDir();
  const broken = path.join(dir, 'broken.golden.json');
  fs.writeFileSync(broken, '{"format": "wippy-golden/1", "entry": 3}');
  const r = wippy(['replay', broken, path.join(dir, 'missing.golden.json'), PAYMENT, '--registry', 'examples/workflows']);
  assert.equal(r.code, 2);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    `error: ${broken}: field 'entry' must be a string`,
    `error: ${path.join(dir, 'missing.golden.json')}: cannot read: no such file`,
  ]);
  assert.match(r.stdout, /^ok {3}examples\/workflows\/goldens\/payment\.golden\.json \(3 steps\)$/m);
  assertNoJsStack(r.stderr);
  const t = wippy(['test', dir, '--registry', 'examples/workflows']);
  assert.equal(t.code, 1);
  assert.deepEqual(t.stdout.trim().split('\n'), [`FAIL ${broken}: field 'entry' must be a string`, '0 passed, 1 failed']);
});

test('wippy test with no golden files says so and fails', () => {
  const r = wippy(['test', tempDir(), '--registry', 'examples/workflows']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no golden files \(\*\.golden\.json\) under/);
  assert.equal(r.stdout.trim(), '0 passed, 0 failed');
});

test('payloadDiff: a line diff for big values only', () => {
  assert.deepEqual(payloadDiff('{"a":1}', '{"a":2}'), []);
  const big = (x: number) => JSON.stringify({ order: 'o-1', items: ['book', 'pen', 'lamp'], customer: { name: 'Ann', city: 'Lyon' }, total: x });
  assert.deepEqual(payloadDiff(big(1), big(2)), [
    '    "customer": {"name": "Ann", "city": "Lyon"},',
    '-   "total": 1',
    '+   "total": 2',
    '  }',
  ]);
});

test('usage mistakes exit 2: no file for replay, an unknown option for test', () => {
  const r = wippy(['replay']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: missing required argument 'files'/);
  const t = wippy(['test', '--bogus']);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /^error: unknown option '--bogus'/);
  assert.equal(wippy(['test', '--help']).code, 0);
});
