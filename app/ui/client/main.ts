/**
 * The web UI's script (the only one): live pages, the action forms, and Lua lines in context.
 * Compiled by its own tsconfig (DOM types) to dist/app/ui/client/main.js, served as
 * /assets/main.js; no library, no network but this server.
 *
 * - Live: a page that has `#live[data-watch]` listens to that server-sent event stream; on
 *   `change` it fetches itself again and swaps each `[data-live]` region whose HTML changed (the
 *   forms outside them keep what was typed; when the regions themselves differ, <main> is swapped).
 * - Actions: a `form[data-action]` is sent as JSON with the X-Wippy-UI header (the server refuses
 *   actions without it). `[data-json]` fields must hold one JSON value (or nothing): otherwise the
 *   form says why and nothing is sent. `data-confirm` asks first, in a dialog; a 409 answer with
 *   `confirm` asks and sends again with `overwrite: true`.
 * - Sources: a `button.lua[data-line]` opens the lines around it, from the page's `#sources` data.
 * Invariant: text from the server is put in the page with textContent, never as markup, except
 * the live regions, which are the server's own (escaped) HTML.
 */

interface Answer { message?: string; error?: string; href?: string; confirm?: string }
interface SourceContext { chunk: string; line: number; lines: Array<{ n: number; text: string }> }

function $(id: string): HTMLElement | null {
  return document.getElementById(id);
}

// ------------------------------------------------------------------ live regions

let refreshing = false;
let again = false;

function liveIds(root: ParentNode): string[] {
  return [...root.querySelectorAll<HTMLElement>('[data-live]')].map((e) => e.id);
}

async function refresh(): Promise<void> {
  if (refreshing) { again = true; return; }
  refreshing = true;
  try {
    const res = await fetch(location.href, { headers: { 'X-Wippy-UI': '1' }, cache: 'no-store' });
    if (!res.ok && res.status !== 404) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const main = document.querySelector('main');
    const fresh = doc.querySelector('main');
    if (!main || !fresh) return;
    if (liveIds(main).join(' ') !== liveIds(fresh).join(' ')) {
      main.replaceWith(document.adoptNode(fresh));
      watch();
    } else {
      for (const el of fresh.querySelectorAll<HTMLElement>('[data-live]')) {
        const old = $(el.id);
        if (old && old.innerHTML !== el.innerHTML) old.replaceWith(document.adoptNode(el));
      }
    }
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes ?? '0') + 1);
  } catch {
    // The server is gone or busy: the next change event tries again.
  } finally {
    refreshing = false;
    if (again) { again = false; void refresh(); }
  }
}

let stream: EventSource | null = null;

function watch(): void {
  const url = $('live')?.dataset.watch;
  stream?.close();
  stream = null;
  if (!url) return;
  stream = new EventSource(url);
  stream.addEventListener('change', () => { void refresh(); });
  stream.addEventListener('ready', () => { document.body.dataset.live = 'on'; });
}

// ------------------------------------------------------------------ dialogs and messages

function ask(message: string, yes: string): Promise<boolean> {
  const dialog = document.createElement('dialog');
  dialog.id = 'confirm';
  const p = document.createElement('p');
  p.textContent = message;
  const ok = document.createElement('button');
  ok.textContent = yes;
  ok.id = 'confirm-yes';
  ok.className = 'danger';
  const no = document.createElement('button');
  no.textContent = 'No, keep it';
  no.id = 'confirm-no';
  dialog.append(p, ok, no);
  document.body.append(dialog);
  return new Promise((resolve) => {
    const done = (v: boolean): void => { dialog.close(); dialog.remove(); resolve(v); };
    ok.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', () => done(false));
    dialog.showModal();
  });
}

function flash(text: string, href?: string): void {
  const el = $('flash');
  if (!el) return;
  el.textContent = text;
  if (href) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = ' open';
    el.append(a);
  }
  el.classList.add('shown');
}

// ------------------------------------------------------------------ action forms

function fields(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The first `[data-json]` field that is not one JSON value, with why; null when all are. */
function badJson(form: HTMLFormElement): { field: HTMLElement; why: string } | null {
  for (const f of form.querySelectorAll<HTMLTextAreaElement | HTMLInputElement>('[data-json]')) {
    f.removeAttribute('aria-invalid');
    if (f.value.trim() === '') continue;
    try { JSON.parse(f.value); } catch (e) {
      return { field: f, why: `${f.name}: not valid JSON (${(e as Error).message}); nothing was sent` };
    }
  }
  return null;
}

async function post(url: string, body: Record<string, unknown>): Promise<{ status: number; answer: Answer }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Wippy-UI': '1' }, body: JSON.stringify(body) });
  let answer: Answer;
  try { answer = (await res.json()) as Answer; } catch { answer = { error: `the server answered ${res.status}` }; }
  return { status: res.status, answer };
}

async function submit(form: HTMLFormElement): Promise<void> {
  const out = form.querySelector<HTMLElement>('.form-error');
  const say = (text: string): void => { if (out) out.textContent = text; };
  say('');
  const bad = badJson(form);
  if (bad) {
    bad.field.setAttribute('aria-invalid', 'true');
    say(bad.why);
    return;
  }
  const verb = form.querySelector('button[type=submit]')?.textContent?.replace('…', '') ?? 'Yes';
  if (form.dataset.confirm && !(await ask(form.dataset.confirm, `Yes, ${verb.toLowerCase()}`))) return;
  const url = form.dataset.action!;
  const body: Record<string, unknown> = fields(form);
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
  if (button) button.disabled = true;
  try {
    let r = await post(url, body);
    if (r.status === 409 && r.answer.confirm) {
      if (!(await ask(r.answer.confirm, 'Yes, replace it'))) return;
      r = await post(url, { ...body, overwrite: true });
    }
    if (r.answer.error !== undefined || r.status >= 400) { say(r.answer.error ?? `failed (${r.status})`); return; }
    if (form.getAttribute('id') === 'start-form' && r.answer.href) { location.href = r.answer.href; return; }
    flash(r.answer.message ?? 'done', r.answer.href);
    void refresh();
  } catch (e) {
    say(`not sent: ${(e as Error).message}`);
  } finally {
    if (button) button.disabled = false;
  }
}

// ------------------------------------------------------------------ Lua lines in context

let sources: Record<string, SourceContext> | null = null;

function contextOf(line: string): SourceContext | null {
  if (sources === null) {
    try { sources = JSON.parse($('sources')?.textContent ?? '{}') as Record<string, SourceContext>; } catch { sources = {}; }
  }
  return sources[line] ?? null;
}

function sourceBlock(line: string): HTMLPreElement {
  const c = contextOf(line);
  const pre = document.createElement('pre');
  pre.className = 'source';
  if (c === null) pre.textContent = '(the source of this line is not available: start wippy ui with the registry PATH)';
  for (const l of c?.lines ?? []) {
    const row = document.createElement('span');
    if (l.n === c!.line) row.className = 'hl';
    const n = document.createElement('span');
    n.className = 'ln';
    n.textContent = String(l.n);
    row.append(n, `${l.text}\n`);
    pre.append(row);
  }
  return pre;
}

/** Open (or close) the source around a line: in a timeline, a full-width row under the record. */
function toggleSource(button: HTMLButtonElement): void {
  const line = button.dataset.line ?? '';
  const row = button.closest('tr');
  if (row !== null && row.closest('table.timeline') !== null) {
    const next = row.nextElementSibling;
    if (next instanceof HTMLElement && next.classList.contains('src-row')) { next.remove(); return; }
    const tr = document.createElement('tr');
    tr.className = 'src-row';
    const td = document.createElement('td');
    td.colSpan = row.children.length;
    td.append(sourceBlock(line));
    tr.append(td);
    row.after(tr);
    return;
  }
  const open = button.parentElement?.querySelector('pre.source');
  if (open) { open.remove(); return; }
  button.parentElement?.append(sourceBlock(line));
}

// ------------------------------------------------------------------ wiring (delegated: live regions come and go)

document.addEventListener('submit', (ev) => {
  const form = ev.target;
  if (form instanceof HTMLFormElement && form.dataset.action) {
    ev.preventDefault();
    void submit(form);
  }
});

document.addEventListener('click', (ev) => {
  const t = ev.target;
  const button = t instanceof Element ? t.closest('button.lua') : null;
  if (button instanceof HTMLButtonElement) toggleSource(button);
});

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
else watch();
