import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurationError, formatDuration, parseDuration } from '../base/duration';

function fails(v: unknown, ...parts: Array<string | RegExp>): void {
  assert.throws(
    () => parseDuration(v),
    (e: unknown) => {
      assert.ok(e instanceof DurationError, `expected DurationError, got ${String(e)}`);
      for (const p of parts) {
        if (typeof p === 'string') assert.ok(e.message.includes(p), `"${e.message}" should include "${p}"`);
        else assert.match(e.message, p);
      }
      return true;
    },
  );
}

test('Go-style strings become milliseconds', () => {
  const cases: Array<[string, number]> = [
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['24h', 86_400_000],
    ['1.5s', 1500],
    ['300us', 0.3],
    ['300µs', 0.3],
    ['300\u03bcs', 0.3],
    ['10ns', 0.00001],
    ['2h45m30.5s', 2 * 3_600_000 + 45 * 60_000 + 30_500],
    ['0', 0],
    ['0s', 0],
    ['+5s', 5000],
    ['.5s', 500],
    ['5.s', 5000],
    ['1m', 60_000],
    ['90s', 90_000],
    ['1h1ms', 3_600_001],
    ['1s500ms', 1500],
  ];
  for (const [text, ms] of cases) {
    const got = parseDuration(text);
    assert.ok(Math.abs(got - ms) < 1e-9, `${text}: expected ${ms}, got ${got}`);
  }
});

test('numbers are nanoseconds', () => {
  assert.equal(parseDuration(1_000_000), 1);
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration(1.5e9), 1500);
  assert.equal(parseDuration(5e12), 5_000_000); // past 2^31, as Fengari hands it over
  assert.equal(parseDuration(2_000_000n), 2);
  assert.equal(parseDuration(500), 0.0005);
});

test('empty, negative, unitless and garbage strings are refused with the input quoted', () => {
  fails('', 'invalid duration ""', 'e.g.');
  fails('-5s', '"-5s"', 'positive or zero');
  fails('5', '"5"', 'missing unit', '"5s"');
  fails('1h30', '"1h30"', 'missing unit after 30');
  fails('abc', '"abc"', 'e.g. "1h30m"');
  fails('5x', '"5x"', 'unknown unit "x"', 'ms');
  fails('5S', 'unknown unit "S"');
  fails('1h 30m', 'spaces are not allowed');
  fails('.s', '".s"');
  fails('+', '"+"');
  fails('s', '"s"');
});

test('days are not a unit and the message suggests hours', () => {
  fails('1d', '"1d"', 'days', '"24h"');
  fails('2d', '"48h"');
  fails('1.5d', '"36h"');
});

test('non-finite, negative and non-string values are refused', () => {
  fails(NaN, 'NaN', '"1h30m"');
  fails(Infinity, 'Infinity');
  fails(-Infinity, '-Infinity');
  fails(-1, '-1', 'positive or zero');
  fails(true, 'true');
  fails(null, 'null');
  fails(undefined, 'nothing');
  fails({}, 'a map');
  fails(['1s'], 'a list');
});

test('the optional label prefixes the message', () => {
  assert.throws(() => parseDuration('x', 'start_timeout'), { message: /^start_timeout: invalid duration "x"/ });
});

test('DurationError is a plain Error with its own name', () => {
  try {
    parseDuration('bad');
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof Error);
    assert.equal((e as Error).name, 'DurationError');
  }
});

test('formatDuration matches Go time.Duration.String()', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [500, '500ms'],
    [1.5, '1.5ms'],
    [0.3, '300µs'],
    [0.0015, '1.5µs'],
    [0.00001, '10ns'],
    [1000, '1s'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m0s'],
    [86_400_000, '24h0m0s'],
    [2 * 3_600_000 + 45 * 60_000 + 30_500, '2h45m30.5s'],
    [3_600_001, '1h0m0.001s'],
    [-1500, '-1.5s'],
    [1e-7, '0s'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `formatDuration(${ms})`);
  assert.equal(formatDuration(NaN), 'NaN');
});

test('format and parse round-trip', () => {
  for (const ms of [0, 1, 999, 1000, 61_000, 5_400_000, 2 * 86_400_000 + 1, 0.25, 123_456.789]) {
    const back = parseDuration(formatDuration(ms));
    assert.ok(Math.abs(back - ms) < 1e-6, `${ms} -> ${formatDuration(ms)} -> ${back}`);
  }
  // A large value stays exact to the nanosecond.
  assert.equal(formatDuration(365 * 86_400_000), '8760h0m0s');
});
