// The restart arithmetic alone: delays, caps, jitter, attempt counting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restartDelay, judgeFailure, isTerminalError } from '../../app/supervisor';
import type { RestartPolicy } from '../../registry/types';

const policy: RestartPolicy = { initialDelayMs: 1000, maxDelayMs: 5000, backoffFactor: 2, jitter: 0.1, maxAttempts: 0 };
const mid = () => 0.5;

test('delays grow by backoff_factor and stop at max_delay', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 10].map((n) => restartDelay(policy, n, mid)), [1000, 2000, 4000, 5000, 5000, 5000]);
  assert.deepEqual([1, 2, 3].map((n) => restartDelay({ ...policy, backoffFactor: 1.5 }, n, mid)), [1000, 1500, 2250]);
});

test('jitter scales the delay within ±jitter, after the cap', () => {
  assert.equal(restartDelay(policy, 1, () => 0), 900);
  assert.equal(restartDelay(policy, 1, () => 0.999999), 1100);
  assert.equal(restartDelay(policy, 9, () => 0), 4500);
  assert.equal(restartDelay({ ...policy, jitter: 0 }, 1, () => 0), 1000);
});

test('max_attempts counts runs in all; 0 is unlimited', () => {
  const base = { policy: { ...policy, maxAttempts: 3 }, stableThresholdMs: 0, ranMs: 0, error: { kind: 'Internal', message: 'x' }, random: mid };
  assert.deepEqual(judgeFailure({ ...base, counted: 0 }), { action: 'restart', attempt: 1, delayMs: 1000 });
  assert.deepEqual(judgeFailure({ ...base, counted: 1 }), { action: 'restart', attempt: 2, delayMs: 2000 });
  assert.deepEqual(judgeFailure({ ...base, counted: 2 }), { action: 'give-up', attempt: 3, reason: 'max-attempts' });
  assert.equal(judgeFailure({ ...base, policy, counted: 1000 }).action, 'restart');
});

test('a run that lasted stable_threshold counts as attempt 1 again', () => {
  const base = { policy: { ...policy, maxAttempts: 3 }, stableThresholdMs: 5000, counted: 2, error: { kind: 'Internal', message: 'x' }, random: mid };
  assert.deepEqual(judgeFailure({ ...base, ranMs: 5000 }), { action: 'restart', attempt: 1, delayMs: 1000 });
  assert.deepEqual(judgeFailure({ ...base, ranMs: 4999 }), { action: 'give-up', attempt: 3, reason: 'max-attempts' });
});

test('retryable = false and Canceled are terminal; other errors are not', () => {
  assert.equal(isTerminalError({ kind: 'Invalid', message: 'x', retryable: false }), true);
  assert.equal(isTerminalError({ kind: 'Canceled', message: 'terminated' }), true);
  assert.equal(isTerminalError({ kind: 'Invalid', message: 'x' }), false);
  assert.equal(isTerminalError({ kind: 'Unavailable', message: 'x', retryable: true }), false);
  const v = judgeFailure({ policy, stableThresholdMs: 0, counted: 0, ranMs: 0, error: { kind: 'Invalid', message: 'x', retryable: false }, random: mid });
  assert.deepEqual(v, { action: 'give-up', attempt: 1, reason: 'not-retryable' });
});
