/**
 * Waiting in tests and benches: a pause (`tick`), a poll (`until`), and jobs a few at a time (`pool`).
 *
 * Owns: the one wall-clock poll every CLI and crash test uses to wait for a child process or the
 * store to reach a state. Invariants: `until` never asserts on time: the limit only turns a hang
 * into a failure that names what it waited for (generous by default, since the machine is
 * loaded); a condition that throws fails the wait at once.
 */

/** Resolve after `ms` (default 0: the next timer turn). */
export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every `everyMs` until it holds; throw `timed out waiting for WHAT` after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000, everyMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(everyMs);
  }
}

/** Run async jobs with at most `limit` at a time (several CLI cases at once); results in order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
