/**
 * Test harness for supervision: a hand-driven clock, a Runtime loaded from a temp registry with
 * that clock, log capture, and the small Lua processes the tests share.
 *
 * The clock never moves by itself: `fireNext()` jumps to the earliest pending timer and runs it,
 * `advance(ms)` moves time on (running what falls due). Every `setTimer` request is recorded in
 * `requested`, so tests assert restart delays exactly. Lua work between timers runs on the real
 * event loop (setImmediate); `until(cond)` waits for it.
 */
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { createLifecycle, type Supervision } from '../../app/supervisor';
import type { Clock } from '../../base/clock';
import { withRegistry } from '../../testkit/registry';

export class FakeClock implements Clock {
  t = Date.UTC(2026, 0, 1);
  /** Every delay asked for, in order. */
  readonly requested: number[] = [];
  private seq = 0;
  private readonly timers = new Map<number, { at: number; ms: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, ms, fn });
    this.requested.push(ms);
    return () => { this.timers.delete(id); };
  }

  /** Delays of the timers still pending, earliest first. */
  pending(): number[] {
    return [...this.timers.values()].sort((a, b) => a.at - b.at).map((t) => t.ms);
  }

  /** Jump to the earliest pending timer and run it; returns its delay. */
  fireNext(): number {
    const next = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
    assert.ok(next, 'a timer is pending');
    const [id, t] = next;
    this.timers.delete(id);
    this.t = Math.max(this.t, t.at);
    t.fn();
    return t.ms;
  }

  /** Move time on by `ms`, running the timers that fall due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

/** Wait (on the real event loop) until `cond()` holds; fail after `rounds` turns. */
export async function until(cond: () => boolean, what: string, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

/** Let queued Lua work run (a fixed number of event-loop turns). */
export async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Shared processes (namespace `t`, host `t:procs`):
 * - `t:counter` main(name): registers `name`; "hit" counts and answers the sender with the new
 *   count; "get" answers with the count; returns on CANCEL.
 * - `t:recorder` main(name): registers `name`; "event" appends its payload to a list; "get"
 *   answers with the list; returns on CANCEL.
 * - `t:ask` main(name, topic): sends `topic` to `name` and returns the answer's payload.
 */
const SHARED: Record<string, string> = {
  'counter.lua': `return function(name)
  assert(process.registry.register(name))
  local count = 0
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select{ inbox:case_receive(), events:case_receive() }
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return count end
    elseif r.value:topic() == "hit" then
      count = count + 1
      process.send(r.value:from(), "count", count)
    elseif r.value:topic() == "get" then
      process.send(r.value:from(), "count", count)
    end
  end
end`,
  'recorder.lua': `return function(name)
  assert(process.registry.register(name))
  local list = {}
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select{ inbox:case_receive(), events:case_receive() }
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return list end
    elseif r.value:topic() == "event" then
      list[#list + 1] = r.value:payload():data()
    elseif r.value:topic() == "get" then
      process.send(r.value:from(), "list", list)
    end
  end
end`,
  'ask.lua': `return function(name, topic)
  assert(process.send(name, topic))
  return process.inbox():receive():payload():data()
end`,
};

const SHARED_ENTRIES = `  - name: procs
    kind: process.host
  - name: counter
    kind: process.lua
    source: file://counter.lua
  - name: recorder
    kind: process.lua
    source: file://recorder.lua
  - name: ask
    kind: process.lua
    source: file://ask.lua
`;

export interface Harness extends Supervision {
  rt: Runtime;
  clock: FakeClock;
  logs: string[];
  /** Start a shared process (`t:counter`, `t:recorder`) registered as `name`. */
  helper(entry: 't:counter' | 't:recorder', name: string): string;
  /** Run `t:ask` to completion: the answer to `topic` from `name`. */
  ask(name: string, topic: string): Promise<unknown>;
  /** Cancel every helper process started with `helper`. */
  cleanup(): Promise<void>;
}

/**
 * A Runtime on a fake clock, from the shared processes plus `entries` (YAML list items, indented
 * by 2) and their `files`. `random` is the jitter source (default: 0.5, i.e. no jitter).
 */
export function harness(entries: string, files: Record<string, string> = {}, random: () => number = () => 0.5): Harness {
  const dir = withRegistry({
    'registry.yaml': `namespace: t\nentries:\n${SHARED_ENTRIES}${entries}`,
    ...SHARED,
    ...files,
  });
  const clock = new FakeClock();
  const logs: string[] = [];
  const rt = Runtime.load(dir, { clock, output: { print: () => {}, log: (l, m) => logs.push(`[${l}] ${m}`) } });
  const sup = createLifecycle(rt, { random });
  const helpers: string[] = [];
  return {
    ...sup,
    rt,
    clock,
    logs,
    helper(entry, name) {
      const r = rt.node.spawn(entry, 't:procs', [JSON.stringify(name)], null, {});
      if ('error' in r) throw new Error(r.error.message);
      helpers.push(r.pid);
      return r.pid;
    },
    async ask(name, topic) {
      const r = await rt.execProcess('t:ask', 't:procs', [JSON.stringify(name), JSON.stringify(topic)]);
      if (r.error) throw new Error(`${r.error.kind}: ${r.error.message}`);
      return JSON.parse(r.value!);
    },
    async cleanup() {
      for (const pid of helpers) rt.node.cancel('', pid, 'test over');
      await until(() => rt.node.size === 0, 'every process has exited');
    },
  };
}

/** A process.service entry on `t:procs` (YAML list item); `lifecycle` lines go under `lifecycle:`. */
export function service(name: string, proc: string, opts: { input?: unknown[]; lifecycle?: string[] } = {}): string {
  const extra = (opts.lifecycle ?? []).map((l) => `      ${l}\n`).join('');
  return `  - name: ${name}
    kind: process.service
    process: ${proc}
    host: procs
    input: ${JSON.stringify(opts.input ?? [])}
    lifecycle:
      auto_start: true
${extra}`;
}
