/**
 * Assertions on what the `wippy` binary prints. Running it is testkit/wippy.ts (`wippy`,
 * `wippyAsync`, `startWippy`).
 */

/** No JS stack frames in user-facing output. */
export function assertNoJsStack(text: string): void {
  if (/^\s+at .+\(.*\.js:\d+:\d+\)$/m.test(text) || /node:internal/.test(text)) {
    throw new Error(`output shows a JS stack:\n${text}`);
  }
}

/** The examples a message gives (`e.g. '...'`: shell-quoted values to copy). */
export function quotedExamples(message: string): string[] {
  return [...message.matchAll(/e\.g\. '([^']*)'/g)].map((m) => m[1]);
}

/** What this Node's JSON.parse says about `text` (messages quote it; V8 words may change). */
export function jsonParseError(text: string): string {
  try { JSON.parse(text); } catch (e) { return (e as Error).message; }
  throw new Error(`${text} is valid JSON`);
}
