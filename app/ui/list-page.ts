/**
 * The workflows list: status counts, filters (status, entry, started between, id or prefix),
 * newest first, a page at a time, and the form that starts a workflow.
 *
 * Owns: reading the filters from the URL (a bad one is named on the page and left out, never a
 * failure) and composing the page. Invariants: one page reads at most PAGE_SIZE + 1 rows and the
 * counts (store.queryWorkflows / countWorkflows: indexes and the counts table), so the page costs
 * the same at 100,000 workflows as at 1,000; paging is by key (`after` / `before` in the URL);
 * the counts and the table are a `data-live` region, the forms are not.
 */
import { WORKFLOW_STATUSES, pageKeyOf, type PageKey, type WorkflowQuery } from '../../runtime/store/store';
import type { WorkflowRow, WorkflowStatus } from '../../runtime/store/events';
import { html, query, workflowHref, type Html } from './html';
import { badge, time, type Page } from './layout';
import type { UiContext } from './context';
import { digest } from './live';

export const PAGE_SIZE = 50;
/** Filtered counts stop here (the counts say "10,000+"). */
export const COUNT_CAP = 10_000;

export interface ListParams { q: WorkflowQuery; problems: string[]; raw: Record<string, string> }

function parseKey(text: string | null): PageKey | undefined | null {
  if (text === null || text === '') return undefined;
  const i = text.indexOf(':');
  const started = Number(text.slice(0, i));
  return i > 0 && Number.isFinite(started) ? { started, id: text.slice(i + 1) } : null;
}

const keyText = (k: PageKey): string => `${k.started}:${k.id}`;

/** `2026-01-02T03:04` (a datetime-local field, UTC) or a full ISO time -> ms. */
function parseTime(text: string): number | null {
  const t = Date.parse(/Z$|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isFinite(t) ? t : null;
}

/** The filters of a list URL; what cannot be read is named in `problems` and left out. */
export function listParams(sp: URLSearchParams): ListParams {
  const problems: string[] = [];
  const raw: Record<string, string> = {};
  for (const k of ['status', 'entry', 'q', 'from', 'to']) { const v = sp.get(k)?.trim(); if (v) raw[k] = v; }
  const q: WorkflowQuery = { limit: PAGE_SIZE };
  if (raw.status) {
    const list = raw.status.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((s) => !WORKFLOW_STATUSES.includes(s as WorkflowStatus));
    if (bad.length) { problems.push(`unknown status ${bad.join(', ')} (use ${WORKFLOW_STATUSES.join(', ')})`); delete raw.status; } else q.status = list as WorkflowStatus[];
  }
  if (raw.entry) q.entry = raw.entry;
  if (raw.q) q.idPrefix = raw.q;
  for (const k of ['from', 'to'] as const) {
    if (!raw[k]) continue;
    const t = parseTime(raw[k]);
    if (t === null) { problems.push(`${k}: ${JSON.stringify(raw[k])} is not a date and time (e.g. 2026-01-02T15:04)`); delete raw[k]; } else q[k] = t;
  }
  const after = parseKey(sp.get('after'));
  const before = parseKey(sp.get('before'));
  if (after === null || before === null) problems.push('the page link is damaged; showing the first page');
  else { q.after = after; q.before = after === undefined ? before : undefined; }
  return { q, problems, raw };
}

function note(row: WorkflowRow): string {
  const text = row.status === 'parked' && row.parked ? row.parked : row.error ? `${row.error.kind}: ${row.error.message}` : '';
  const first = text.split('\n')[0];
  return first.length > 90 ? `${first.slice(0, 89)}…` : first;
}

function counts(ctx: UiContext, p: ListParams): Html {
  const { status: _s, limit: _l, after: _a, before: _b, ...filters } = p.q;
  const c = ctx.store.countWorkflows(filters, COUNT_CAP);
  const n = (v: number): string => (c.capped && v > COUNT_CAP ? `${COUNT_CAP.toLocaleString('en-US')}+` : v.toLocaleString('en-US'));
  const total = WORKFLOW_STATUSES.reduce((s, k) => s + c.counts[k], 0);
  const current = p.raw.status ?? '';
  const link = (status: string, label: Html | string, value: string): Html =>
    html`<a class="chip${current === status ? ' on' : ''}" href="/${query({ ...p.raw, status })}" data-status="${status || 'all'}">${label} <span class="n">${value}</span></a>`;
  return html`<nav class="counts" id="counts">${link('', 'all', n(total))}${WORKFLOW_STATUSES.map((s) => link(s, badge(s), n(c.counts[s])))}</nav>`;
}

function filterForm(ctx: UiContext, p: ListParams): Html {
  const entries = ctx.store.workflowEntries();
  return html`<form class="filters" id="filters" method="get" action="/">
<label>id or prefix <input name="q" value="${p.raw.q ?? ''}" autocomplete="off" placeholder="0193d2a1"></label>
<label>status <select name="status"><option value="">any</option>${WORKFLOW_STATUSES.map((s) => html`<option${p.raw.status === s ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>entry <select name="entry"><option value="">any</option>${entries.map((e) => html`<option${p.raw.entry === e ? html` selected` : ''}>${e}</option>`)}</select></label>
<label>started from (UTC) <input type="datetime-local" name="from" value="${p.raw.from ?? ''}"></label>
<label>to <input type="datetime-local" name="to" value="${p.raw.to ?? ''}"></label>
<button type="submit">Filter</button> <a href="/">clear</a></form>`;
}

function startForm(ctx: UiContext): Html {
  const entry = ctx.registry !== null && ctx.registry.workflows.length > 0
    ? html`<select name="entry" required>${ctx.registry.workflows.map((e) => html`<option>${e}</option>`)}</select>`
    : html`<input name="entry" required placeholder="app.workflows:payment" autocomplete="off">`;
  return html`<details class="start"><summary>Start a workflow</summary><form class="action" id="start-form" data-action="/start">
<label>entry ${entry}</label><label>input (one JSON value, optional) <textarea name="input" rows="3" data-json spellcheck="false"></textarea></label>
<label>id (optional) <input name="id" autocomplete="off" placeholder="a new UUIDv7"></label>
<button type="submit">Start</button><p class="form-error" role="alert"></p></form></details>`;
}

/** What the list page at `sp` shows, as a fingerprint (its live stream watches it). */
export function listFingerprint(ctx: UiContext, sp: URLSearchParams): string {
  const p = listParams(sp);
  const rows = ctx.store.queryWorkflows({ ...p.q, limit: PAGE_SIZE + 1 });
  const { status: _s, limit: _l, after: _a, before: _b, ...filters } = p.q;
  return digest([ctx.store.countWorkflows(filters, COUNT_CAP), rows.map((r) => [r.id, r.status, r.updatedAt, r.wall?.updatedAt])]);
}

export function listPage(ctx: UiContext, sp: URLSearchParams): Page {
  const since = listFingerprint(ctx, sp);
  const p = listParams(sp);
  // One row more than the page tells whether there is a page beyond it.
  const rows = ctx.store.queryWorkflows({ ...p.q, limit: PAGE_SIZE + 1 });
  const goingBack = p.q.before !== undefined;
  const more = rows.length > PAGE_SIZE;
  const page = more ? (goingBack ? rows.slice(1) : rows.slice(0, PAGE_SIZE)) : rows;
  const newer = page.length > 0 && (goingBack ? more : p.q.after !== undefined);
  const older = page.length > 0 && (goingBack || more);
  const pager = html`<nav class="pager">${newer ? html`<a id="newer" href="/${query({ ...p.raw, before: keyText(pageKeyOf(page[0])) })}">← newer</a>` : ''}${older ? html`<a id="older" href="/${query({ ...p.raw, after: keyText(pageKeyOf(page[page.length - 1])) })}">older →</a>` : ''}</nav>`;
  const table = page.length === 0
    ? html`<p class="none" id="no-rows">No workflows${Object.keys(p.raw).length ? ' match these filters' : ' in this store yet'}.</p>`
    : html`<table class="list" id="workflows"><thead><tr><th>id</th><th>entry</th><th>status</th><th>started</th><th>updated</th><th>parent</th><th>note</th></tr></thead><tbody>${page.map((r) => {
      const key = pageKeyOf(r);
      return html`<tr data-id="${r.id}"><td><a class="id" href="${workflowHref(r.id)}">${r.id}</a></td><td><code>${r.entry}</code></td><td>${badge(r.status)}</td><td>${time(key.started)}</td><td>${time(r.wall?.updatedAt ?? r.updatedAt)}</td><td>${r.parent ? html`<a href="${workflowHref(r.parent)}">${r.parent.length > 14 ? `${r.parent.slice(0, 13)}…` : r.parent}</a>` : ''}</td><td class="note">${note(r)}</td></tr>`;
    })}</tbody></table>`;
  const problems = p.problems.length ? html`<p class="notice error" id="filter-problems">${p.problems.join('; ')}</p>` : '';
  const watch = `/live/list${query({ ...p.raw, after: sp.get('after'), before: sp.get('before'), since })}`;
  return {
    title: 'Workflows', nav: 'workflows',
    body: [html`<div id="live" data-watch="${watch}"></div><h1>Workflows</h1><p class="flash" id="flash" role="status"></p>${problems}${startForm(ctx)}${filterForm(ctx, p)}
<div data-live id="list-live">${counts(ctx, p)}${table}${pager}</div>`],
  };
}
