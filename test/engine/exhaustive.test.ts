// The history union catches unhandled kinds at compile time. Each `@ts-expect-error` below must
// be an error for `tsc` (and so `npm test`) to pass: if a table or switch stopped being checked
// for every record or command type, the directive would be unused and the build would fail.
// (Adding a record type to runtime/store/events.ts fails to compile in events.ts KIND_OF,
// engine/matcher.ts, engine/instance.ts's delivery, engine/hooks.ts EffectOf, engine/commands.ts,
// app/control/views.ts and app/golden/format.ts until each says what the type means there.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleRecord, isBookkeeping, isCommand, isEnd, isEvent, type HistoryRecord, type RecordHandlers } from '../../runtime/store/events';
import type { CommandType, EffectOf, LiveCommand } from '../../runtime/engine/hooks';

type Kind = 'lifecycle' | 'command' | 'event' | 'bookkeeping';

/** One handler per record type: what kind each is (the table the compiler holds complete). */
const KIND: RecordHandlers<Kind> = {
  started: () => 'lifecycle', completed: () => 'lifecycle', failed: () => 'lifecycle', terminated: () => 'lifecycle',
  call: () => 'command', timer: () => 'command', timer_cancel: () => 'command', uuid: () => 'command', random: () => 'command',
  spawn: () => 'command', send: () => 'command', cancel_child: () => 'command', version: () => 'command',
  call_done: () => 'event', timer_fired: () => 'event', child_done: () => 'event', signal: () => 'event', cancel_requested: () => 'event',
  attempt_failed: () => 'bookkeeping',
};

test('a RecordHandlers table must handle every record type', () => {
  // @ts-expect-error: every record type but `started` lacks a handler
  const partial: RecordHandlers<Kind> = { started: () => 'lifecycle' };
  assert.equal(Object.keys(partial).length, 1);
  const samples: HistoryRecord[] = [
    { type: 'started', at: 0, entry: 'app:w', input: [], worker: 'app:worker' },
    { type: 'call', cmd: 0, fn: 'app:f', args: [], line: 'w.lua:1' },
    { type: 'call_done', of: 0, at: 1, value: '1', attempts: 1 },
    { type: 'attempt_failed', of: 0, at: 1, attempt: 1, error: { kind: 'Internal', message: 'x' }, due: 2 },
    { type: 'completed', at: 2, value: '1' },
  ];
  for (const r of samples) {
    const kind = handleRecord(r, KIND);
    assert.equal(kind === 'command', isCommand(r), r.type);
    assert.equal(kind === 'event', isEvent(r), r.type);
    assert.equal(kind === 'bookkeeping', isBookkeeping(r), r.type);
    if (isEnd(r)) assert.equal(kind, 'lifecycle');
  }
});

test('every command type has its effect, and a switch over live commands must cover them all', () => {
  // @ts-expect-error: `timer` has no entry (a new command type without one fails hooks.ts the same way)
  const missing: { [T in CommandType]: keyof EffectOf[T] | null } = { call: null, timer_cancel: null, uuid: null, spawn: 'worker', send: 'target', cancel_child: 'target', version: null };
  assert.equal(Object.keys(missing).length, 7);
  const effectOf = (c: LiveCommand): string => {
    switch (c.type) {
      case 'call': case 'timer_cancel': case 'uuid': case 'version': return 'none';
      case 'timer': return `arm at ${c.fireAt}`;
      case 'spawn': return `child on ${c.worker ?? 'the parent worker'}`;
      case 'send': return `to ${c.target?.kind ?? 'nobody'}`;
      default: {
        // @ts-expect-error: `cancel_child` is not handled above, so `c` is not `never` here
        const unhandled: never = c;
        return String(unhandled);
      }
    }
  };
  assert.equal(effectOf({ type: 'timer', rec: { type: 'timer', cmd: 0, ms: 5, line: 'w.lua:1' }, fireAt: 5 }), 'arm at 5');
});
