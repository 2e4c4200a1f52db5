/**
 * The run queue that resumes Lua tasks after an asynchronous operation completes.
 *
 * Owns: deferring work so that a completion never re-enters Lua from inside a binding. Invariant:
 * callbacks run in FIFO order, each batch in its own macrotask (setImmediate), so timers and I/O
 * interleave with Lua work and a ping-pong between tasks cannot starve the event loop.
 */

let queue: Array<() => void> = [];
let scheduled = false;

export function defer(fn: () => void): void {
  queue.push(fn);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}

function drain(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  for (const fn of batch) fn();
}

/** True while Lua work is queued (the virtual clock waits for this to be false). */
export function schedulerBusy(): boolean {
  return scheduled || queue.length > 0;
}
