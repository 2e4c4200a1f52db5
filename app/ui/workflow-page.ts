/**
 * A workflow's page: status, input, result or error, its parents and children as a tree, the
 * parked report, the lane view, the timeline, and the actions (signal, cancel, terminate, export).
 *
 * Owns: composing the page from the store's row, history and children. Invariants: the parts that
 * change while the workflow runs are `data-live` regions (the client swaps them in when the live
 * stream says the workflow changed, without reloading; the forms keep what was typed); an id the
 * store does not have is a 404 page, unless a start for it is waiting (then the page says so and
 * follows it live); the tree reads at most MAX_TREE workflows.
 */
import { FINISHED } from '../control';
import { START_TOPIC, type WorkflowRow } from '../../runtime/store/events';
import { formatOffset } from '../control/views';
import { html, query, workflowHref, type Html } from './html';
import { badge, notFound, payloadBlock, payloadList, time, type Page } from './layout';
import { lanesOf, lanesSvg } from './lanes';
import { timelineRows, sourceData } from './timeline';
import { parkedSection, parseParkReport } from './parked';
import type { UiContext } from './context';
import { digest } from './live';

const MAX_TREE = 200;

function wall(row: WorkflowRow): { created: number; updated: number; virtual: boolean } {
  return row.wall ? { created: row.wall.createdAt, updated: row.wall.updatedAt, virtual: row.wall.virtual } : { created: row.createdAt, updated: row.updatedAt, virtual: false };
}

function tree(ctx: UiContext, row: WorkflowRow): Html {
  const chain: WorkflowRow[] = [];
  for (let p = row.parent; p !== null && chain.length < 20;) {
    const r = ctx.store.getWorkflow(p);
    if (r === null) break;
    chain.unshift(r);
    p = r.parent;
  }
  let budget = MAX_TREE;
  const node = (r: WorkflowRow, self: boolean): Html => {
    const kids = budget > 0 ? ctx.store.childrenOf(r.id).slice(0, budget) : [];
    budget -= kids.length;
    const label = self ? html`<strong>${r.id}</strong>` : html`<a href="${workflowHref(r.id)}">${r.id}</a>`;
    return html`<li>${label} <code>${r.entry}</code> ${badge(r.status)}${kids.length ? html`<ul>${kids.map((k) => node(k, false))}</ul>` : ''}</li>`;
  };
  let inner = node(row, true);
  for (let i = chain.length - 1; i >= 0; i--) {
    const a = chain[i];
    inner = html`<li><a href="${workflowHref(a.id)}">${a.id}</a> <code>${a.entry}</code> ${badge(a.status)}<ul>${inner}</ul></li>`;
  }
  if (chain.length === 0 && ctx.store.childrenOf(row.id).length === 0) return html`<p class="none">No parent, no children.</p>`;
  return html`<ul class="tree" id="tree">${inner}</ul>`;
}

function head(row: WorkflowRow, historyLength: number, pending: number): Html {
  const w = wall(row);
  return html`<div data-live id="wf-head"><h1><span class="id">${row.id}</span> ${badge(row.status)}</h1>
<dl class="meta"><dt>entry</dt><dd><code>${row.entry}</code></dd><dt>worker</dt><dd><code>${row.worker}</code></dd>
<dt>parent</dt><dd>${row.parent ? html`<a href="${workflowHref(row.parent)}">${row.parent}</a>` : '-'}</dd>
<dt>created</dt><dd>${time(w.created)}</dd><dt>updated</dt><dd>${time(w.updated)} (${formatOffset(w.updated - w.created)} after start)</dd>
${w.virtual ? html`<dt>clock</dt><dd>virtual (--virtual-time): the timeline shows the workflow clock</dd>` : ''}
<dt>history</dt><dd>${historyLength} record${historyLength === 1 ? '' : 's'}</dd>
${pending > 0 ? html`<dt>pending</dt><dd>${pending} signal${pending === 1 ? '' : 's'} or request${pending === 1 ? '' : 's'} not yet delivered (a running <code>wippy run</code> picks ${pending === 1 ? 'it' : 'them'} up)</dd>` : ''}</dl></div>`;
}

function actions(ctx: UiContext, row: WorkflowRow): Html {
  const live = !FINISHED.includes(row.status);
  const base = workflowHref(row.id);
  const steer = live ? html`<form class="action" id="signal-form" data-action="${base}/signal"><h3>Signal</h3>
<label>topic <input name="topic" required autocomplete="off"></label>
<label>payload (one JSON value, optional) <textarea name="payload" rows="3" data-json spellcheck="false"></textarea></label>
<button type="submit">Send signal</button><p class="form-error" role="alert"></p></form>
<form class="action" id="cancel-form" data-action="${base}/cancel" data-confirm="${`Cancel workflow ${row.id}? It receives a pid.cancel event and decides how to stop.`}"><h3>Cancel</h3>
<label>reason <input name="reason" autocomplete="off"></label><button type="submit">Cancel…</button><p class="form-error" role="alert"></p></form>
<form class="action" id="terminate-form" data-action="${base}/terminate" data-confirm="${`Terminate workflow ${row.id}? It ends now, without running any more of its code.`}"><h3>Terminate</h3>
<label>reason <input name="reason" autocomplete="off"></label><button type="submit" class="danger">Terminate…</button><p class="form-error" role="alert"></p></form>` : '';
  const name = `${row.entry.replace(/^.*:/, '')}-${row.id.slice(0, 8)}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const save = ctx.registry !== null ? html`<form class="action" id="export-form" data-action="${base}/export"><h3>Golden file</h3>
<label>save as (under the registry folder) <input name="file" value="${`goldens/${name}.golden.json`}" autocomplete="off"></label>
<button type="submit">Save golden</button> <a href="${base}/golden.json" download="${`${name}.golden.json`}">download</a><p class="form-error" role="alert"></p></form>`
    : html`<div class="action"><h3>Golden file</h3><a href="${base}/golden.json" download="${`${name}.golden.json`}">Download golden file</a></div>`;
  return html`<div data-live id="wf-actions" class="actions">${steer}${save}</div>`;
}

/** What a workflow's page shows, as a fingerprint (its live stream watches it). */
export function workflowFingerprint(ctx: UiContext, id: string): string {
  const row = ctx.store.getWorkflow(id);
  const pending = ctx.store.pendingSignals().filter((s) => s.workflowId === id).map((s) => (s.topic === START_TOPIC ? 'start' : s.id));
  if (row === null) return digest([null, pending]);
  const kids = ctx.store.childrenOf(id).map((r) => [r.id, r.status]);
  return digest([row.status, row.updatedAt, row.wall?.updatedAt, ctx.store.historyLength(id), pending, kids]);
}

export function workflowPage(ctx: UiContext, id: string): Page {
  // Read before the page: a change after it is seen by the page's stream (live.ts).
  const since = workflowFingerprint(ctx, id);
  const row = ctx.store.getWorkflow(id);
  if (row === null) {
    const waiting = ctx.store.pendingSignals().some((s) => s.topic === START_TOPIC && s.workflowId === id);
    if (!waiting) return notFound(`No workflow ${id} in this store.`, html`<p><a href="/${query({ q: id.slice(0, 8) })}">Search for ids starting with ${id.slice(0, 8)}</a></p>`);
    return {
      title: id, nav: 'workflows',
      body: [html`<div id="live" data-watch="${`/live/workflow${query({ id, since })}`}"></div><div data-live id="wf-head"><h1><span class="id">${id}</span> <span class="badge st-starting">starting</span></h1>
<p class="notice">The start is recorded; a running <code>wippy run</code> on this store starts it within a second, else the next one does. This page follows it.</p></div>`],
    };
  }
  const history = ctx.store.history(row.id);
  const pending = ctx.store.pendingSignals().filter((s) => s.workflowId === row.id).length;
  const now = row.status === 'running' && !row.wall?.virtual ? Date.now() : row.updatedAt;
  const park = row.status === 'parked' ? parseParkReport(row.parked ?? '') : null;
  const outcome = html`${row.result !== null || row.status === 'completed' ? html`<section><h2>Result</h2><div id="result">${payloadBlock(row.result ?? 'null')}</div></section>` : ''}
${row.error ? html`<section><h2>Error</h2><pre class="payload error" id="wf-error">${row.error.kind}: ${row.error.message}</pre></section>` : ''}`;
  function* body(): Generator<Html> {
    yield html`<div id="live" data-watch="${`/live/workflow${query({ id: row!.id, since })}`}"></div><p class="flash" id="flash" role="status"></p>`;
    yield head(row!, history.length, pending);
    yield actions(ctx, row!);
    yield html`<div data-live id="wf-main"><section><h2>Input</h2><div id="input">${payloadList(row!.input)}</div></section>${outcome}
${row!.status === 'parked' ? parkedSection(row!.parked, ctx.sources) : ''}
<section><h2>Parent and children</h2>${tree(ctx, row!)}</section>
<section><h2>Lanes</h2>${lanesSvg(lanesOf(history, now))}</section>
<section><h2>Timeline</h2>`;
    yield* timelineRows(history, ctx.sources);
    yield sourceData(history, ctx.sources, park ? [park.recorded.line ?? '', park.attempted.line ?? ''] : []);
    yield html`</section></div>`;
  }
  return { title: row.id, nav: 'workflows', body: body() };
}
