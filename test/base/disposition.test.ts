// base/disposition.ts decides retry / fail / park for every layer, and base/exit.ts gives every
// exit status: the callers (activity retry, service restart, workflow instance, bin/) agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { disposition } from '../../base/disposition';
import { ErrorCode, ErrorKind, WippyError } from '../../base/errors';
import { exitCodeFor, ExitStatus } from '../../base/exit';
import { nextDelay, DEFAULT_RETRY } from '../../runtime/engine/retry';
import { isTerminalError } from '../../app/supervisor';
import { ROOT } from '../../testkit/wippy';

test('disposition: a script stopped in one activation is parked, whatever its kind says', () => {
  const info = { kind: ErrorKind.Timeout, message: 'instruction budget exceeded', retryable: false };
  assert.equal(disposition(info, { code: ErrorCode.BUDGET_EXCEEDED }), 'park');
  assert.equal(disposition({ kind: ErrorKind.Internal, message: 'memory' }, { code: ErrorCode.MEMORY_EXCEEDED }), 'park');
  assert.equal(disposition(info, { code: ErrorCode.LUA_ERROR }), 'fail');
});

test('disposition: retryable false and the caller\'s final kinds fail, the rest retries', () => {
  assert.equal(disposition({ kind: ErrorKind.Unavailable, message: 'x', retryable: false }), 'fail');
  assert.equal(disposition({ kind: ErrorKind.Unavailable, message: 'x' }), 'retry');
  assert.equal(disposition({ kind: ErrorKind.Unavailable, message: 'x', retryable: true }), 'retry');
  assert.equal(disposition({ kind: 'Payment', message: 'x' }, { finalKinds: ['Payment'] }), 'fail');
  assert.equal(disposition({ kind: 'Payment', message: 'x' }, { finalKinds: ['Other'] }), 'retry');
});

test('the activity retry and the service supervisor follow disposition (and differ only in their final kinds)', () => {
  const canceled = { kind: ErrorKind.Canceled, message: 'terminated' };
  const plain = { kind: ErrorKind.Unavailable, message: 'down' };
  const final = { kind: ErrorKind.Unavailable, message: 'down', retryable: false };
  // A service is never restarted after Canceled; an activity's final kinds are its policy's.
  assert.equal(isTerminalError(canceled), true);
  assert.equal(nextDelay(DEFAULT_RETRY, canceled, 1), DEFAULT_RETRY.initialIntervalMs);
  assert.equal(nextDelay({ ...DEFAULT_RETRY, nonRetryable: [ErrorKind.Canceled] }, canceled, 1), null);
  for (const e of [plain, final]) {
    assert.equal(isTerminalError(e), disposition(e) !== 'retry', e.message);
    assert.equal(nextDelay(DEFAULT_RETRY, e, 1) === null, disposition(e) !== 'retry', e.message);
  }
});

test('exitCodeFor: the outcomes and the error codes map to the documented statuses', () => {
  assert.deepEqual(['ok', 'failed', 'usage', 'parked', 'damaged', 'internal', 'interrupted'].map((o) => exitCodeFor(o as keyof typeof ExitStatus)), [0, 1, 2, 3, 4, 70, 130]);
  assert.equal(exitCodeFor(new WippyError(ErrorCode.BAD_ARGUMENT, 'x')), 2);
  assert.equal(exitCodeFor(new WippyError(ErrorCode.STORE_DAMAGED, 'x')), 4);
  assert.equal(exitCodeFor(new WippyError(ErrorCode.WORKFLOW_NOT_FOUND, 'x')), 1);
  assert.equal(exitCodeFor(new Error('a bug')), 70);
});

test('bin/ never writes an exit status as a number: every one comes from exitCodeFor', () => {
  const numeric = /\breturn\s+[^;]*\b\d+\s*;|process\.exit\(\s*[^)]*\b\d+\s*\)|exitCode\s*=\s*\d|\?\?\s*\d/;
  const found: string[] = [];
  for (const f of fs.readdirSync(path.join(ROOT, 'bin')).filter((n) => n.endsWith('.ts'))) {
    fs.readFileSync(path.join(ROOT, 'bin', f), 'utf8').split('\n').forEach((line, i) => {
      if (!line.trimStart().startsWith('*') && !line.trimStart().startsWith('//') && numeric.test(line)) found.push(`bin/${f}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});
