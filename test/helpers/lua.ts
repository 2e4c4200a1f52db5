/**
 * Test helpers: run Lua snippets through the real registry loader and function runner.
 *
 * `runLua(body, opts)` writes a one-function registry to a temp folder (the body becomes the
 * function `main(...)`), loads it with Runtime.load and calls it (the folder comes from
 * testkit/registry.ts and is removed when the test process exits). Output printed by Lua is
 * captured.
 */
import { Runtime, RuntimeOptions } from '../../app/runtime';
import type { CallResult } from '../../base/payload';
import { withRegistry } from '../../testkit/registry';


export interface SnippetOptions extends RuntimeOptions {
  modules?: string[];
  /** JSON payload arguments. */
  args?: string[];
  /** Extra registry entries (YAML list items, already indented by 2). */
  extraEntries?: string;
  extraFiles?: Record<string, string>;
}

export interface SnippetResult extends CallResult {
  printed: string[];
  logs: string[];
}

/** Run `body` as the body of `main(...)` in a function entry `test:snippet`. */
export async function runLua(body: string, opts: SnippetOptions = {}): Promise<SnippetResult> {
  const modules = opts.modules ?? ['json', 'time', 'uuid', 'funcs'];
  const dir = withRegistry({
    'registry.yaml': `namespace: test
entries:
  - name: snippet
    kind: function.lua
    source: file://snippet.lua
    modules: [${modules.join(', ')}]
${opts.extraEntries ?? ''}`,
    'snippet.lua': `return { main = function(...)\n${body}\nend }\n`,
    ...(opts.extraFiles ?? {}),
  });
  const printed: string[] = [];
  const logs: string[] = [];
  const rt = Runtime.load(dir, {
    ...opts,
    output: { print: (t) => printed.push(t), log: (l, m) => logs.push(`${l}: ${m}`) },
  });
  const r = await rt.callFunction('test:snippet', opts.args ?? []);
  return { ...r, printed, logs };
}

/** Run a snippet and return its decoded JSON value; fail the test on an error result. */
export async function evalLua(body: string, opts: SnippetOptions = {}): Promise<unknown> {
  const r = await runLua(body, opts);
  if (r.error) throw new Error(`Lua error: ${r.error.kind}: ${r.error.message}`);
  return JSON.parse(r.value ?? 'null');
}
