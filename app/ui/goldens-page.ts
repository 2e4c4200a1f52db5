/**
 * The goldens pages: the golden files under the registry's folder, and one file replayed against
 * the current code with its recorded and replayed steps side by side, the first difference marked
 * (the report `wippy test` prints, as a page).
 *
 * Owns: listing and replaying for the web UI. Invariants: only a file that the listing finds can
 * be opened (a `file` parameter naming anything else is a 404, never a read); each view loads the
 * registry afresh, so it replays the code as it is on disk now; a replay runs no function and
 * touches no store (app/golden/replay.ts); a registry that does not load is shown with its
 * problems, not thrown.
 */
import * as path from 'node:path';
import { describeCommand } from '../../runtime/engine/matcher';
import { isCommand, isEnd, type HistoryRecord } from '../../runtime/store/events';
import { findGoldens, readGolden, replayGolden, GoldenSession, GoldenError, type ReplayResult, type GoldenFile } from '../golden';
import { html, query, type Html } from './html';
import { notFound, type Page } from './layout';
import { luaLine } from './timeline';
import type { UiContext } from './context';

function noRegistry(): Page {
  return { title: 'Goldens', nav: 'goldens', body: [html`<h1>Goldens</h1><p class="notice">Golden files live in the registry's folder: start <code>wippy ui PATH</code> (or <code>wippy run PATH --ui</code>) with the registry to list and replay them.</p>`] };
}

/** The golden files under the registry folder, relative to it (`/` separators), sorted. */
function goldenFiles(root: string): string[] {
  return findGoldens([root]).files.map((f) => path.relative(root, f).split(path.sep).join('/'));
}

export function goldensPage(ctx: UiContext): Page {
  if (ctx.registry === null) return noRegistry();
  const root = ctx.registry.root;
  const rows = goldenFiles(root).map((rel) => {
    let entry: Html | string;
    try { entry = html`<code>${readGolden(path.join(root, rel), rel).entry}</code>`; } catch (e) { entry = html`<span class="error">${(e as Error).message}</span>`; }
    return html`<tr><td><a href="/goldens/view${query({ file: rel })}">${rel}</a></td><td>${entry}</td></tr>`;
  });
  const table = rows.length === 0 ? html`<p class="none" id="no-goldens">No *.golden.json files under ${root}. Export one from a workflow's page.</p>`
    : html`<table class="list" id="goldens"><thead><tr><th>file</th><th>entry</th></tr></thead><tbody>${rows}</tbody></table>`;
  return { title: 'Goldens', nav: 'goldens', body: [html`<h1>Goldens</h1><p>The golden files under <code>${root}</code>; opening one replays it against the current code.</p>${table}`] };
}

function step(r: HistoryRecord | undefined, ctx: UiContext): Html {
  if (r === undefined) return html`<span class="none">nothing (the recording ends here)</span>`;
  return html`<code>${isCommand(r) ? `step ${r.cmd}: ` : ''}${describeCommand(r)}</code>${isCommand(r) ? html`<br>${luaLine(r.line, ctx.sources)}` : ''}`;
}

/** The recorded steps (commands and the outcome) beside what the replay did with each. */
function sideBySide(g: GoldenFile, r: ReplayResult, ctx: UiContext): Html {
  const at = r.ok ? -1 : r.divergence?.index ?? -1;
  const shown = new Set<number>();
  g.history.forEach((rec, i) => { if (isCommand(rec) || isEnd(rec)) shown.add(i); });
  if (at >= 0) shown.add(at);
  const rows = [...shown].sort((a, b) => a - b).map((i) => {
    const rec = g.history[i];
    let replayed: Html;
    let cls = '';
    if (at < 0 || i < at) replayed = html`<span class="same">✓ the same</span>`;
    else if (i === at && !r.ok) {
      cls = 'diverged';
      replayed = html`<code>${r.divergence!.attempted}</code>${r.divergence!.line ? html`<br>${luaLine(r.divergence!.line, ctx.sources)}` : ''}`;
    } else replayed = html`<span class="none">not replayed (a replay stops at the first difference)</span>`;
    return html`<tr class="${cls}" id="${`g${i}`}"><td class="idx">${i}</td><td>${step(rec, ctx)}</td><td>${replayed}</td></tr>`;
  });
  return html`<table class="sidebyside" id="sidebyside"><thead><tr><th>#</th><th>recorded</th><th>replayed now</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function goldenView(ctx: UiContext, rel: string): Page {
  if (ctx.registry === null) return noRegistry();
  if (!goldenFiles(ctx.registry.root).includes(rel)) return notFound(`No golden file ${rel} under the registry folder.`, html`<p><a href="/goldens">All goldens</a></p>`);
  const title = path.basename(rel);
  const page = (content: Html): Page => ({ title, nav: 'goldens', body: [html`<p><a href="/goldens">Goldens</a> / <code>${rel}</code></p><h1>${title}</h1>${content}`] });
  let g: GoldenFile;
  try { g = readGolden(path.join(ctx.registry.root, rel), rel); } catch (e) {
    if (e instanceof GoldenError) return page(html`<p class="verdict fail" id="verdict">cannot read: ${e.message}</p>`);
    throw e;
  }
  let session: GoldenSession;
  try { session = GoldenSession.load(ctx.registry.path); } catch (e) {
    return page(html`<p class="verdict fail" id="verdict">the registry does not load now, so nothing can be replayed:</p><pre class="report">${(e as Error).message}</pre>`);
  }
  let r: ReplayResult;
  try { r = replayGolden(session.replayEnv, g, rel); } finally { session.rt.close(); }
  const steps = g.history.filter(isCommand).length;
  const verdict = r.ok
    ? html`<p class="verdict pass" id="verdict">passes: the current code replays all ${steps} recorded step${steps === 1 ? '' : 's'}${r.finished ? ' and the same outcome' : ' (the recording is unfinished)'}</p>`
    : html`<p class="verdict fail" id="verdict">fails (${r.tier}): the current code differs at history record ${r.divergence?.index ?? '?'}</p><pre class="report" id="replay-report">${r.report}</pre>`;
  return page(html`<p>entry <code>${g.entry}</code>${g.workflowId ? html`, workflow <code>${g.workflowId}</code>` : ''}</p>${verdict}${sideBySide(g, r, ctx)}`);
}
