/**
 * The page shell of the web UI (head, navigation, the script and the style sheet) and the pieces
 * every page shares: status badges, times, payloads shown as pretty JSON (long ones collapsed),
 * the 404 and error pages.
 *
 * Owns: what a page looks like around its content. Invariants: a page loads only its own assets
 * (/assets/..., no CDN, nothing inline that the Content-Security-Policy would have to allow); every
 * value goes through html.ts; payload text is shown exactly as stored when it is not JSON, and
 * pretty-printed with its key order and number text kept when it is (app/golden/rawjson.ts).
 */
import { html, raw, type Html, type Part } from './html';
import { parseRaw, pretty } from '../golden/rawjson';

export interface Page {
  status?: number;
  title: string;
  /** Which navigation link is current. */
  nav?: 'workflows' | 'goldens';
  /** The page body, in pieces written as they come (a long timeline streams). */
  body: Iterable<Html>;
}

export function* pageChunks(p: Page, storeLabel: string): Generator<string> {
  yield html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title} · wippy</title>
<link rel="stylesheet" href="/assets/style.css"><script type="module" src="/assets/main.js"></script></head>
<body><header class="top"><a class="brand" href="/">wippy</a>
<nav><a href="/"${p.nav === 'workflows' ? raw(' aria-current="page"') : ''}>Workflows</a><a href="/goldens"${p.nav === 'goldens' ? raw(' aria-current="page"') : ''}>Goldens</a></nav>
<span class="store" title="the store this page reads">${storeLabel}</span></header>
<main>`.text;
  for (const part of p.body) yield part.text;
  yield '</main></body></html>\n';
}

export function notFound(what: string, hint: Part = ''): Page {
  return { status: 404, title: 'Not found', body: [html`<h1>Not found</h1><p class="notice" id="not-found">${what}</p>${hint}<p><a href="/">All workflows</a></p>`] };
}

export function errorPage(status: number, message: string): Page {
  return { status, title: status >= 500 ? 'Error' : 'Bad request', body: [html`<h1>${status >= 500 ? 'Something went wrong' : 'Bad request'}</h1><p class="notice error" id="error">${message}</p><p><a href="/">All workflows</a></p>`] };
}

export function badge(status: string): Html {
  return html`<span class="badge st-${status}">${status}</span>`;
}

/** `2025-01-02 03:04:05Z`, with the full ISO time on hover. */
export function time(ms: number): Html {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" title="${iso}">${iso.slice(0, 19).replace('T', ' ')}Z</time>`;
}

/** A payload as pretty JSON (its text as stored when it is not JSON). */
export function prettyPayload(text: string): string {
  try {
    return pretty(parseRaw(text), '');
  } catch {
    return text;
  }
}

const SHORT = 160;
const SHORT_LINES = 8;

/** A payload for reading: short ones in full, long ones collapsed behind their first characters. */
export function payloadBlock(text: string | null | undefined, cls = 'payload'): Html {
  if (text === null || text === undefined) return html`<span class="none">none</span>`;
  const shown = prettyPayload(text);
  const lines = shown.split('\n').length;
  if (shown.length <= SHORT && lines <= SHORT_LINES) return html`<pre class="${cls}">${shown}</pre>`;
  const flat = text.length > SHORT ? `${text.slice(0, SHORT)}…` : text;
  return html`<details class="${cls}"><summary><code>${flat}</code> <span class="size">${text.length.toLocaleString('en-US')} chars</span></summary><pre class="${cls}">${shown}</pre></details>`;
}

/** Several payloads (arguments, a signal's values), each its own block. */
export function payloadList(items: readonly string[]): Html {
  if (items.length === 0) return html`<span class="none">none</span>`;
  return html`${items.map((p) => payloadBlock(p))}`;
}
