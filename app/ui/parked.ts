/**
 * A parked workflow's report as the web UI shows it: the recorded step and the step the current
 * code attempted, side by side, each with its Lua line in context.
 *
 * Owns: reading the report the engine stored (runtime/engine/matcher.ts formatDivergence writes
 * it; test/ui/parked.test.ts formats one and reads it back, so a change of wording fails there) and
 * its two-column view. Invariants: a report this does not recognise (a budget stop, an older
 * wording) is still shown in full as text; both columns read the CURRENT source files (the
 * recorded line is where the history says the step was; the file may have changed since).
 */
import { html, type Html } from './html';
import { luaLine } from './timeline';
import type { SourceIndex } from './sources';

export interface ParkReport {
  step: number;
  index: number;
  recorded: { what: string; line: string | null };
  attempted: { what: string; line: string | null };
  differs: string;
}

/** `DESC  at FILE:LINE` -> both parts (the last `  at ` counts: a description may contain one). */
function splitAt(text: string): { what: string; line: string | null } {
  const m = /^(.*)\s\sat\s(\S+:\d+)$/.exec(text);
  if (m) return { what: m[1], line: m[2] };
  const last = /\(last step at (\S+:\d+)\)$/.exec(text);
  return { what: text, line: last ? last[1] : null };
}

/** The structured report, or null when `text` is not a non-determinism report. */
export function parseParkReport(text: string): ParkReport | null {
  const lines = text.split('\n');
  const head = /^non-determinism in .* at step (\d+) \(history record (\d+)\):$/.exec(lines[0] ?? '');
  if (!head) return null;
  const field = (name: string): string | null => {
    const l = lines.find((x) => x.startsWith(`  ${name}:`));
    return l === undefined ? null : l.slice(name.length + 3).trim();
  };
  const recorded = field('recorded');
  const attempted = field('attempted');
  if (recorded === null || attempted === null) return null;
  return { step: Number(head[1]), index: Number(head[2]), recorded: splitAt(recorded), attempted: splitAt(attempted), differs: field('differs') ?? '' };
}

function context(at: string | null, sources: SourceIndex): Html {
  if (at === null) return html`<p class="none">no Lua line</p>`;
  const c = sources.context(at);
  if (c === null) return html`<p>${luaLine(at, sources)}</p><p class="none">(source not available${sources.available ? '' : ': start wippy ui with the registry PATH'})</p>`;
  return html`<p>${luaLine(at, sources)}</p><pre class="source">${c.lines.map((l) => html`<span class="${l.n === c.line ? 'hl' : ''}"><span class="ln">${l.n}</span>${l.text}\n</span>`)}</pre>`;
}

/** The parked section of a workflow page. */
export function parkedSection(report: string | null, sources: SourceIndex): Html {
  const text = report ?? '(no report recorded)';
  const r = parseParkReport(text);
  const full = html`<details class="report"${r === null ? ' open' : ''}><summary>full report</summary><pre id="park-report">${text}</pre></details>`;
  if (r === null) return html`<section class="parked" id="parked"><h2>Parked</h2>${full}</section>`;
  return html`<section class="parked" id="parked"><h2>Parked: non-determinism at step ${r.step} (<a href="#r${r.index}">history record ${r.index}</a>)</h2>
<p class="differs">differs: <code>${r.differs}</code></p>
<div class="sides"><div class="side recorded"><h3>Recorded in the history</h3><p class="what"><code>${r.recorded.what}</code></p>${context(r.recorded.line, sources)}</div>
<div class="side attempted"><h3>The current code</h3><p class="what"><code>${r.attempted.what}</code></p>${context(r.attempted.line, sources)}</div></div>
<p class="hint">Restore the code that produced this history (or guard the change with <code>workflow.version(...)</code>) and restart <code>wippy run</code>: the workflow resumes. Or terminate it.</p>${full}</section>`;
}
