/**
 * The web UI in a real headless Chromium against a real `wippy run --ui` on loopback: the list
 * and its filters, a timeline with its Lua lines, a signal from the page completing a waiting
 * workflow live, a cancel (with its confirmation), a parked workflow's report, a golden exported
 * and replayed, a start from the page, and the bad inputs (invalid JSON refused in the page, an
 * unknown id's 404 page, a payload with HTML shown as text with no script run).
 *
 * One run and one browser for all of it (a loaded 2-core machine): every wait is on a condition,
 * generous, never on time. Chromium missing fails the test with the install command, never skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { uiRegistry, runWithUi, startWorkflow, untilStatus, workflowRow, launchBrowser } from '../../testkit/ui';
import { startWippy, type WippyRun } from '../../testkit/wippy';
import { readStore } from '../../testkit/store';
import { until } from '../../testkit/wait';

const WAIT = 60_000;

test('the web UI in Chromium against a running wippy run', { timeout: 900_000 }, async (t) => {
  const p = uiRegistry();
  const runs: WippyRun[] = [];
  let browser: Browser | null = null;
  try {
    // A parked workflow: drift runs its first step under the old code, then the code changes.
    const first = startWippy(['run', p.dir]);
    runs.push(first);
    await first.waitFor(/Ctrl-C to stop/, WAIT);
    startWorkflow(p.dir, 'app:drift', 'drift-1');
    await until(() => readStore(p.db, (s) => s.historyLength('drift-1'), 0) >= 3, 'drift to take its first step', WAIT, 100);
    assert.equal(await first.stop(), 0, first.stderr());
    p.driftChanged();

    const { run, url } = await runWithUi(p.dir);
    runs.push(run);
    const base = url.replace(/\/$/, '');
    startWorkflow(p.dir, 'app:payment', 'pay-1', { id: 'o-1', amount: 30 });
    startWorkflow(p.dir, 'app:payment', 'pay-2', { id: 'o-2', amount: 12 });
    startWorkflow(p.dir, 'app:failing', 'fail-1', { id: 'o-3' });
    startWorkflow(p.dir, 'app:parent', 'parent-1', { id: 'o-4', amount: 5 });
    startWorkflow(p.dir, 'app:approval', 'appr-1', { id: 'o-5' });
    startWorkflow(p.dir, 'app:approval', 'appr-xss', { id: 'o-6' });
    startWorkflow(p.dir, 'app:polite', 'polite-1');
    await untilStatus(p.db, 'drift-1', 'parked', WAIT);
    for (const id of ['pay-1', 'pay-2', 'parent-1']) await untilStatus(p.db, id, 'completed', WAIT);
    await untilStatus(p.db, 'fail-1', 'failed', WAIT);
    for (const id of ['appr-1', 'appr-xss']) await until(() => readStore(p.db, (s) => s.historyLength(id)) >= 3, `${id} to wait for its signal`, WAIT, 100);

    browser = await launchBrowser();
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(WAIT);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await t.test('list: status counts, a status filter, the entry filter, an id prefix', async () => {
      await page.goto(`${base}/`);
      await page.locator('#counts [data-status="all"] .n').filter({ hasText: '9' }).waitFor();
      assert.equal(await page.locator('#counts [data-status="failed"] .n').textContent(), '1');
      assert.equal(await page.locator('#workflows tbody tr').count(), 9);
      await page.click('#counts [data-status="failed"]');
      await page.waitForURL(/status=failed/);
      assert.deepEqual(await page.locator('#workflows tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id"))), ['fail-1']);
      await page.goto(`${base}/`);
      await page.selectOption('#filters select[name=entry]', 'app:payment');
      await page.click('#filters button[type=submit]');
      await page.waitForURL(/entry=app%3Apayment/);
      const ids = await page.locator('#workflows tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")));
      const child = readStore(p.db, (s) => s.childrenOf('parent-1'))[0].id;
      assert.deepEqual(ids.sort(), [child, 'pay-1', 'pay-2'].sort(), 'the payments, the parent\'s child among them');
      await page.goto(`${base}/?q=appr`);
      assert.deepEqual((await page.locator('#workflows tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")))).sort(), ['appr-1', 'appr-xss']);
    });

    await t.test('a workflow page: its timeline with Lua lines and the source around one, the lanes, the tree', async () => {
      await page.goto(`${base}/workflows/pay-1`);
      const call = page.locator('#timeline tr.t-call').first();
      assert.match(await call.locator('button.lua').textContent() ?? '', /^wf_payment\.lua:4$/);
      assert.match(await call.locator('code.src').textContent() ?? '', /funcs\.call\("app:charge", order\)/);
      await call.locator('button.lua').click();
      assert.match(await page.locator('#timeline tr.t-call + tr.src-row pre.source .hl').first().textContent() ?? '', /4\s*local charge = funcs\.call\("app:charge", order\)/);
      assert.ok(await page.locator('#timeline tr.t-timer_fired').count() === 1);
      assert.ok(await page.locator('#lanes .lane-activity').count() === 2, 'two activities in the lanes');
      assert.ok(await page.locator('#lanes .lane-timer').count() === 1, 'one timer in the lanes');
      const child = readStore(p.db, (s) => s.childrenOf('parent-1'))[0].id;
      await page.goto(`${base}/workflows/parent-1`);
      await page.locator('#tree a', { hasText: child }).click();
      await page.waitForURL((u) => u.pathname === `/workflows/${encodeURIComponent(child)}`);
      assert.equal(await page.locator('#tree a', { hasText: 'parent-1' }).first().textContent(), 'parent-1');
    });

    await t.test('signal from the page: invalid JSON is refused with the reason; a valid one completes the workflow live', async () => {
      await page.goto(`${base}/workflows/appr-1`);
      await page.evaluate(() => { (globalThis as unknown as { marker: number }).marker = 1; });
      await page.locator('body[data-live="on"]').waitFor();
      await page.fill('#signal-form input[name=topic]', 'decision');
      await page.fill('#signal-form textarea[name=payload]', '{"approved": tru');
      await page.click('#signal-form button[type=submit]');
      await page.locator('#signal-form .form-error', { hasText: 'not valid JSON' }).waitFor();
      assert.equal(await page.getAttribute('#signal-form textarea[name=payload]', 'aria-invalid'), 'true');
      assert.equal(readStore(p.db, (s) => s.pendingSignals().length), 0, 'nothing was sent');
      await page.fill('#signal-form textarea[name=payload]', '{"approved": true, "by": "ann"}');
      await page.click('#signal-form button[type=submit]');
      await page.locator('#flash', { hasText: 'signal "decision" stored' }).waitFor();
      await page.locator('#wf-head .badge', { hasText: 'completed' }).waitFor({ timeout: WAIT });
      await page.locator('#result', { hasText: '"by": "ann"' }).waitFor();
      assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 1, 'the page was not reloaded');
      assert.equal(workflowRow(p.db, 'appr-1')?.status, 'completed');
    });

    await t.test('a payload with HTML in it is shown as text; no script runs', async () => {
      const evil = '<img src=x onerror="window.xss=1"><script>window.xss=2</script>';
      await page.goto(`${base}/workflows/appr-xss`);
      await page.fill('#signal-form input[name=topic]', 'decision');
      await page.fill('#signal-form textarea[name=payload]', JSON.stringify({ note: evil }));
      await page.click('#signal-form button[type=submit]');
      await page.locator('#wf-head .badge', { hasText: 'completed' }).waitFor({ timeout: WAIT });
      await page.reload();
      // Shown as the JSON it is: the string's text, quotes escaped.
      const shown = JSON.stringify(evil);
      assert.ok((await page.locator('#result').textContent() ?? '').includes(shown), 'the payload is shown as its text');
      assert.ok((await page.locator('#timeline tr.t-signal').textContent() ?? '').includes(shown));
      assert.equal(await page.locator('main img').count(), 0, 'no element was made from the payload');
      assert.equal(await page.evaluate(() => (globalThis as unknown as { xss?: number }).xss), undefined, 'no script ran');
    });

    await t.test('cancel asks first; "no" sends nothing, "yes" cancels and the page follows', async () => {
      await page.goto(`${base}/workflows/polite-1`);
      await page.fill('#cancel-form input[name=reason]', 'customer left');
      await page.click('#cancel-form button[type=submit]');
      await page.click('#confirm-no');
      assert.equal(readStore(p.db, (s) => s.pendingSignals().length), 0, 'no request before the confirmation');
      assert.equal(workflowRow(p.db, 'polite-1')?.status, 'running');
      await page.click('#cancel-form button[type=submit]');
      await page.click('#confirm-yes');
      await page.locator('#wf-head .badge', { hasText: 'canceled' }).waitFor({ timeout: WAIT });
      await page.locator('#timeline tr.t-cancel_requested', { hasText: 'wippy-cli' }).waitFor();
      assert.match(await page.locator('#wf-error').textContent() ?? '', /Canceled: stopped on request: customer left/);
    });

    await t.test('a parked workflow shows its report: the recorded and the current step side by side, each line in context', async () => {
      await page.goto(`${base}/workflows/drift-1`);
      await page.locator('#parked').waitFor();
      assert.match(await page.locator('#parked .side.recorded .what').textContent() ?? '', /funcs\.call app:step\("one"\)/);
      assert.match(await page.locator('#parked .side.attempted .what').textContent() ?? '', /funcs\.call app:other\("one"\)/);
      assert.match(await page.locator('#parked .side.attempted pre.source .hl').textContent() ?? '', /3\s*local a = funcs\.call\("app:other", "one"\)/);
      assert.match(await page.locator('#parked .differs').textContent() ?? '', /target/);
    });

    await t.test('export a golden from the page; the goldens page lists it and replays it against the current code', async () => {
      await page.goto(`${base}/workflows/pay-2`);
      await page.fill('#export-form input[name=file]', 'goldens/pay-2.golden.json');
      await page.click('#export-form button[type=submit]');
      await page.locator('#flash', { hasText: 'wrote goldens/pay-2.golden.json' }).waitFor();
      assert.ok(fs.existsSync(path.join(p.dir, 'goldens', 'pay-2.golden.json')));
      // Saving again asks before replacing the file.
      await page.click('#export-form button[type=submit]');
      await page.locator('#confirm', { hasText: 'exists' }).waitFor();
      await page.click('#confirm-no');
      await page.goto(`${base}/goldens`);
      await page.locator('#goldens a', { hasText: 'goldens/pay-2.golden.json' }).click();
      await page.locator('#verdict', { hasText: 'passes' }).waitFor();
      assert.equal(await page.locator('#sidebyside tr.diverged').count(), 0);
      // The drift workflow's golden does not replay against the changed code: the first difference is marked.
      await page.goto(`${base}/workflows/drift-1`);
      await page.fill('#export-form input[name=file]', 'goldens/drift.golden.json');
      await page.click('#export-form button[type=submit]');
      await page.locator('#flash', { hasText: 'wrote goldens/drift.golden.json' }).waitFor();
      await page.goto(`${base}/goldens/view?file=goldens%2Fdrift.golden.json`);
      await page.locator('#verdict', { hasText: 'fails (target)' }).waitFor();
      assert.match(await page.locator('#sidebyside tr.diverged').textContent() ?? '', /app:step.*app:other/s);
    });

    await t.test('start a workflow from the page; it appears and completes live', async () => {
      await page.goto(`${base}/`);
      await page.click('details.start summary');
      await page.selectOption('#start-form select[name=entry]', 'app:payment');
      await page.fill('#start-form textarea[name=input]', '{"id": "o-9", "amount": 9}');
      await page.fill('#start-form input[name=id]', 'from-page');
      await page.click('#start-form button[type=submit]');
      await page.waitForURL(/\/workflows\/from-page$/);
      await page.locator('#wf-head .badge', { hasText: 'completed' }).waitFor({ timeout: WAIT });
      assert.match(await page.locator('#result').textContent() ?? '', /ch_o-9/);
    });

    await t.test('an unknown workflow id is a 404 page', async () => {
      const res = await page.goto(`${base}/workflows/no-such-workflow`);
      assert.equal(res?.status(), 404);
      assert.match(await page.locator('#not-found').textContent() ?? '', /No workflow no-such-workflow/);
    });

    assert.deepEqual(errors, [], 'no script error in any page');
  } finally {
    await browser?.close();
    for (const r of runs) await r.kill();
  }
});
