/**
 * The run queue that resumes Lua tasks after an asynchronous operation completes.
 *
 * Owns: deferring work so that a completion never re-enters Lua from inside a binding. Invariant:
 * callbacks run in FIFO order, each batch in its own macrotask (setImmediate), so timers and I/O
 * interleave with Lua work and a ping-pong between tasks cannot starve the event loop. A batch
 * whose callbacks have run more than TURN_WORK budget units (budget.ts, counted, not timed) leaves
 * the rest to the next macrotask: Node runs signal handlers only between turns, so a SIGTERM is
 * heard after at most one heavy slice, not after every slice that was queued with it.
 */
import { workDone } from './budget';

/** Budget units (about one Lua instruction each) a turn may run before it yields to the loop. */
export const TURN_WORK = 1_000_000;

let queue: Array<() => void> = [];
let scheduled = false;

export function defer(fn: () => void): void {
  queue.push(fn);
  schedule();
}

function schedule(): void {
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}

function drain(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  const start = workDone();
  for (let i = 0; i < batch.length; i++) {
    batch[i]();
    if (workDone() - start > TURN_WORK && i + 1 < batch.length) {
      queue = batch.slice(i + 1).concat(queue);
      schedule();
      return;
    }
  }
}

/** True while Lua work is queued (the virtual clock waits for this to be false). */
export function schedulerBusy(): boolean {
  return scheduled || queue.length > 0;
}
