// Draining a large inbox costs O(1) per message. Counted, never timed: while a real process sends
// itself n messages and receives them, every call of the Array methods that are linear in the
// array's length (shift, unshift, splice, slice, indexOf, findIndex) is charged that length, the
// elements it may touch. With a quadratic inbox (Array.shift on the buffer) the charge per
// message grows with n (tens of thousands of elements per message at n = 40,000); with a queue it
// stays a small constant at every size. Also the queue itself: copies never exceed shifts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { Queue } from '../../lua/queue';
import { withRegistry } from '../../testkit/registry';

const DRAIN = `return function(n)
  local me = process.pid()
  for i = 1, n do process.send(me, "t", i) end
  local inbox, got = process.inbox(), 0
  for i = 1, n do
    local m = inbox:receive()
    if m:payload():data() ~= i then error("message " .. i .. " out of order") end
    got = got + 1
  end
  return got
end`;

type Counted = 'shift' | 'unshift' | 'splice' | 'slice' | 'indexOf' | 'findIndex';
const METHODS: Counted[] = ['shift', 'unshift', 'splice', 'slice', 'indexOf', 'findIndex'];

/** Run `fn` with the linear Array methods charging `this.length` per call; returns the total. */
async function countArrayWork(fn: () => Promise<void>): Promise<number> {
  let touched = 0;
  const saved = new Map<Counted, (...a: unknown[]) => unknown>();
  const proto = Array.prototype as unknown as Record<Counted, (...a: unknown[]) => unknown>;
  for (const m of METHODS) {
    const orig = proto[m];
    saved.set(m, orig);
    proto[m] = function (this: unknown[], ...args: unknown[]) { touched += this.length; return orig.apply(this, args); };
  }
  try {
    await fn();
  } finally {
    for (const m of METHODS) proto[m] = saved.get(m)!;
  }
  return touched;
}

test('receiving from an inbox of n messages touches O(1) array elements per message, at 10,000 and 40,000', async () => {
  const dir = withRegistry({
    'r.yaml': 'namespace: app\nentries:\n  - name: procs\n    kind: process.host\n  - name: drain\n    kind: process.lua\n    source: file://drain.lua\n',
    'drain.lua': DRAIN,
  });
  const rt = Runtime.load(dir, { output: { print: () => {}, log: () => {} } });
  const perMessage: number[] = [];
  for (const n of [10_000, 40_000]) {
    let value: string | undefined;
    const touched = await countArrayWork(async () => {
      const r = await rt.execProcess('app:drain', 'app:procs', [String(n)]);
      assert.equal(r.error, undefined, r.error?.message);
      value = r.value;
    });
    assert.equal(value, String(n));
    perMessage.push(touched / n);
  }
  const [small, large] = perMessage;
  // Flat: the same small charge per message at both sizes (a quadratic drain charges ~n/2 each).
  assert.ok(large < 64, `array elements touched per message at 40,000: ${large.toFixed(1)} (at 10,000: ${small.toFixed(1)})`);
  assert.ok(large < small * 1.5 + 4, `per-message work grows with the inbox: ${small.toFixed(1)} at 10,000, ${large.toFixed(1)} at 40,000`);
});

test('Queue: FIFO order across compactions; elements copied never exceed items shifted', () => {
  const q = new Queue<number>();
  let next = 0;
  let expect = 0;
  let shifted = 0;
  // Bursts of pushes and shifts of varying sizes, so compaction happens at many fill levels.
  for (let round = 0; round < 200; round++) {
    const pushes = (round * 7919) % 3000;
    for (let i = 0; i < pushes; i++) q.push(next++);
    const shifts = Math.min(q.length, (round * 104_729) % 3500);
    for (let i = 0; i < shifts; i++) {
      assert.equal(q.shift(), expect++);
      shifted++;
    }
    assert.equal(q.length, next - expect);
  }
  assert.ok(shifted > 100_000, `exercised ${shifted} shifts`);
  assert.ok(q.moved <= shifted, `moved ${q.moved} > shifted ${shifted}`);
  assert.ok(q.moved > 0, 'compaction happened');
  assert.deepEqual(q.drain(), Array.from({ length: next - expect }, (_, i) => expect + i));
  assert.equal(q.shift(), undefined);
  assert.ok(q.removeFirst((x) => x === 1) === false);
  q.push(1); q.push(2); q.push(3);
  assert.ok(q.removeFirst((x) => x === 2));
  assert.ok(q.some((x) => x === 3) && !q.some((x) => x === 2));
  assert.deepEqual(q.drain(), [1, 3]);
});
