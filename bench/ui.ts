/**
 * The web UI (issue 20): time to first byte of the workflows list at 100,000 workflows against
 * 1,000 (the first page, a status-filtered page, an entry-filtered page, and a page deep in the
 * list), and a 10,000-record timeline (first byte, whole page, its size, and Chromium's time to
 * load it when the browser is installed).
 *
 * The stores are written directly through SqliteStore.commit (workflows of five entries, mostly
 * completed, some failed, running and parked; a started and an end record each), then served by
 * the real `wippy ui --db FILE` in a child process; the requests come from this process on one
 * keep-alive connection, after a warm-up, and the median and p90 of each are reported. The
 * target: each list page at 100,000 within twice its time at 1,000 (server-side paging from
 * indexes and a counts table, not loading everything).
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { openStore } from '../runtime/store';
import { emptyBatch, pageKeyOf, type Batch } from '../runtime/store/store';
import { readStore } from '../testkit/store';
import type { HistoryRecord, WorkflowStatus } from '../runtime/store/events';
import { startWippy, type WippyRun } from '../testkit/wippy';
import { tempDir, removeTemp } from '../testkit/temp';
import { launchBrowser, CHROMIUM } from '../testkit/ui';
import { now, msSince } from './fixture';
import * as fs from 'node:fs';

export interface PageTiming { path: string; p50ms: number; p90ms: number; bytes: number }
export interface UiScale { workflows: number; pages: PageTiming[] }
export interface UiResult {
  small: UiScale;
  large: UiScale;
  /** large / small p50 per page (target: at most 2). */
  ratios: Record<string, number>;
  timeline: { records: number; firstByteMs: number; wholeMs: number; bytes: number; browserLoadMs: number | null };
}

const STATUSES: WorkflowStatus[] = ['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'failed', 'running', 'parked', 'canceled'];

/** A store of `n` workflows (plus, with `timeline`, one of `timeline` records named `big`). */
export function makeStore(file: string, n: number, timeline = 0): void {
  const store = openStore(file);
  try {
    const t0 = Date.now() - n;
    for (let i = 0; i < n; i += 2000) {
      const b: Batch = emptyBatch();
      for (let j = i; j < Math.min(n, i + 2000); j++) {
        const id = `wf-${String(j).padStart(7, '0')}`;
        const status = STATUSES[j % STATUSES.length];
        const entry = `app:entry${j % 5}`;
        const at = t0 + j;
        b.creates.push({ id, entry, worker: 'app:worker', status, input: [`{"order":${j}}`], parent: null, result: status === 'completed' ? '{"ok":true}' : null, error: status === 'failed' ? { kind: 'Internal', message: `card declined for ${j}` } : null, parked: status === 'parked' ? 'non-determinism in x (app:x) at step 0 (history record 1):' : null, createdAt: at, updatedAt: at });
        b.appends.push({ workflowId: id, index: 0, record: { type: 'started', at, entry, input: [`{"order":${j}}`], worker: 'app:worker' } });
        if (status === 'completed') b.appends.push({ workflowId: id, index: 1, record: { type: 'completed', at: at + 1, value: '{"ok":true}' } });
      }
      store.commit(b);
    }
    if (timeline > 0) {
      const id = 'big';
      const start = Date.now();
      const records: HistoryRecord[] = [{ type: 'started', at: start, entry: 'app:big', input: ['{"n":1}'], worker: 'app:worker' }];
      for (let c = 0; records.length < timeline - 1; c++) {
        records.push({ type: 'call', cmd: c, fn: 'app:step', args: [`{"i":${c},"payload":"${'x'.repeat(40)}"}`], line: 'big.lua:7' });
        records.push({ type: 'call_done', of: c, at: start + c, value: `{"i":${c},"ok":true}`, attempts: 1 });
      }
      records.push({ type: 'completed', at: start + timeline, value: '{"done":true}' });
      const b = emptyBatch();
      b.creates.push({ id, entry: 'app:big', worker: 'app:worker', status: 'completed', input: ['{"n":1}'], parent: null, result: '{"done":true}', error: null, parked: null, createdAt: start, updatedAt: start });
      records.forEach((record, index) => b.appends.push({ workflowId: id, index, record }));
      store.commit(b);
    }
  } finally {
    store.close();
  }
}

/** How the measured pages are named in the results (listPaths' order). */
export const LABELS = ['first page', 'status=failed', 'entry filter', 'id prefix', 'page after the middle'];

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One GET: ms to the response head (first byte) and to its end, and its size. */
function get(url: string): Promise<{ firstByteMs: number; wholeMs: number; bytes: number; status: number }> {
  return new Promise((resolve, reject) => {
    const t = now();
    const req = http.get(url, { agent }, (res) => {
      const firstByteMs = msSince(t);
      let bytes = 0;
      res.on('data', (d: Buffer) => { bytes += d.length; });
      res.on('end', () => resolve({ firstByteMs, wholeMs: msSince(t), bytes, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

async function serve(db: string): Promise<{ run: WippyRun; base: string }> {
  const run = startWippy(['ui', '--db', db, '--port', '0']);
  await run.waitFor(/wippy ui: serving .* at (http:\/\/\S+)/, 120_000);
  return { run, base: /at (http:\/\/\S+)\//.exec(run.stderr())![1] };
}

async function timePages(base: string, paths: string[], samples: number): Promise<PageTiming[]> {
  const out: PageTiming[] = [];
  for (const p of paths) {
    for (let i = 0; i < 5; i++) await get(`${base}${p}`);
    const ttfb: number[] = [];
    let bytes = 0;
    for (let i = 0; i < samples; i++) {
      const r = await get(`${base}${p}`);
      if (r.status !== 200) throw new Error(`GET ${p}: ${r.status}`);
      ttfb.push(r.firstByteMs);
      bytes = r.bytes;
    }
    out.push({ path: p, p50ms: pct(ttfb, 0.5), p90ms: pct(ttfb, 0.9), bytes });
  }
  return out;
}

/**
 * The list pages measured: the first page, filtered by status, by entry, by an id prefix (10
 * matches), and the page after the middle workflow (deep in the list: key paging).
 */
function listPaths(db: string, n: number): string[] {
  const mid = `wf-${String(Math.floor(n / 2)).padStart(7, '0')}`;
  const key = readStore(db, (s) => pageKeyOf(s.getWorkflow(mid)!));
  return ['/', '/?status=failed', '/?entry=app:entry3', `/?q=${mid.slice(0, 9)}`, `/?after=${key.started}:${mid}`];
}

export async function benchUi(opts: { large: number; small: number; timeline: number; samples: number }): Promise<UiResult> {
  const dir = tempDir('wippy-bench-ui-');
  try {
    const scale = async (n: number, timeline: number): Promise<{ pages: PageTiming[]; run: WippyRun; base: string }> => {
      const db = path.join(dir, `ui-${n}.db`);
      makeStore(db, n, timeline);
      const { run, base } = await serve(db);
      return { pages: await timePages(base, listPaths(db, n), opts.samples), run, base };
    };
    const small = await scale(opts.small, 0);
    await small.run.stop();
    const large = await scale(opts.large, opts.timeline);
    const ratios: Record<string, number> = {};
    small.pages.forEach((p, i) => { ratios[LABELS[i]] = large.pages[i].p50ms / p.p50ms; });
    const tl: number[] = [];
    const whole: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 6; i++) {
      const r = await get(`${large.base}/workflows/big`);
      if (i === 0) continue; // warm-up
      tl.push(r.firstByteMs);
      whole.push(r.wholeMs);
      bytes = r.bytes;
    }
    let browserLoadMs: number | null = null;
    if (fs.existsSync(CHROMIUM)) {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        await page.goto(`${large.base}/workflows/big`);
        const t = now();
        await page.goto(`${large.base}/workflows/big`, { waitUntil: 'load', timeout: 300_000 });
        browserLoadMs = msSince(t);
      } finally {
        await browser.close();
      }
    }
    await large.run.stop();
    return {
      small: { workflows: opts.small, pages: small.pages },
      large: { workflows: opts.large, pages: large.pages },
      ratios,
      timeline: { records: opts.timeline, firstByteMs: pct(tl, 0.5), wholeMs: pct(whole, 0.5), bytes, browserLoadMs },
    };
  } finally {
    agent.destroy();
    removeTemp(dir);
  }
}
