/**
 * HTML for the web UI, escaped by construction: every page is built with the `html` tag, which
 * escapes each interpolated value unless it is itself Html (built by `html`, or `raw` for the few
 * constant fragments that need it).
 *
 * Owns: escaping text and attribute values, JSON for a data block, and the Html type. Invariant:
 * no text from a store, a registry or a request reaches a page except through `escapeHtml` (a
 * payload `<img src=x onerror=...>` is shown as those characters); `jsonScript` is the only other
 * way data reaches a page, inside `<script type="application/json">`, with every `<`, `>`, `&` and
 * line separator escaped so that no text can close the block.
 */

export class Html {
  constructor(readonly text: string) {}
  toString(): string { return this.text; }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}

/** A value in a template: Html as is, arrays joined, null/undefined/false as nothing, the rest escaped text. */
export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(v: Part): string {
  if (v instanceof Html) return v.text;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** A constant fragment written in this code (never data). */
export function raw(text: string): Html {
  return new Html(text);
}

/** Data for the page's script: `<script type="application/json" id=ID>` that no text can break out of. */
export function jsonScript(id: string, value: unknown): Html {
  const text = JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return html`<script type="application/json" id="${id}">${raw(text)}</script>`;
}

/** A URL query string from the parameters that have a value (`?a=1&b=x`, or '' when none). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** `/workflows/ID` with the id encoded as one path segment. */
export function workflowHref(id: string): string {
  return `/workflows/${encodeURIComponent(id)}`;
}
