/**
 * `npm run screenshots`: the README's pictures of the web UI (docs/ui-*.png), made with the same
 * harness as the browser tests (testkit/ui.ts): the demo registry run by `wippy run --ui`, its
 * workflows taken to every status, and headless Chromium.
 *
 * Writes docs/ui-list.png (the workflows list), docs/ui-timeline.png (a timeline with a Lua line
 * opened in context), docs/ui-lanes.png (the lane view of an order: activities, a timer, a child
 * workflow, a wait for a signal) and docs/ui-parked.png (a parked workflow's report). Not run by
 * `npm test` (which leaves the clone as it found it).
 */
import * as path from 'node:path';
import { uiRegistry, runWithUi, startWorkflow, untilStatus, launchBrowser } from '../testkit/ui';
import { startWippy, wippy } from '../testkit/wippy';
import { readStore } from '../testkit/store';
import { until, tick } from '../testkit/wait';

const DOCS = path.resolve(__dirname, '../../docs');
const WAIT = 120_000;

async function main(): Promise<void> {
  const p = uiRegistry();
  const first = startWippy(['run', p.dir]);
  await first.waitFor(/Ctrl-C to stop/, WAIT);
  startWorkflow(p.dir, 'app:drift', '0193f1c2-drift');
  await until(() => readStore(p.db, (s) => s.historyLength('0193f1c2-drift'), 0) >= 3, 'drift to take its first step', WAIT, 100);
  await first.stop();
  p.driftChanged();

  const { run, url } = await runWithUi(p.dir);
  const base = url.replace(/\/$/, '');
  try {
    const starts: Array<[string, string, unknown?]> = [
      ['app:payment', '0193f1a0-pay', { id: 'o-1041', amount: 30 }],
      ['app:payment', '0193f1a4-pay', { id: 'o-1042', amount: 12 }],
      ['app:failing', '0193f1b0-fail', { id: 'o-1043' }],
      ['app:parent', '0193f1b7-parent', { id: 'o-1044', amount: 5 }],
      ['app:approval', '0193f1c0-approval', { id: 'o-1045' }],
      ['app:polite', '0193f1c9-polite'],
      ['app:order', '0193f1d3-order', { id: 'o-1046', amount: 99 }],
    ];
    for (const [entry, id, arg] of starts) startWorkflow(p.dir, entry, id, arg);
    await untilStatus(p.db, '0193f1c2-drift', 'parked', WAIT);
    await until(() => readStore(p.db, (s) => s.history('0193f1d3-order').some((r) => r.type === 'child_done')), 'the order to wait for its signal', WAIT, 100);
    await tick(800);
    const sent = wippy(['workflow', 'signal', '0193f1d3-order', 'ship', '{"carrier": "ups"}', '--registry', p.dir]);
    if (sent.code !== 0) throw new Error(sent.stderr);
    for (const id of ['0193f1a0-pay', '0193f1a4-pay', '0193f1b7-parent', '0193f1d3-order']) await untilStatus(p.db, id, 'completed', WAIT);
    await untilStatus(p.db, '0193f1b0-fail', 'failed', WAIT);

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
      page.setDefaultTimeout(WAIT);
      await page.goto(`${base}/`);
      await page.screenshot({ path: path.join(DOCS, 'ui-list.png') });
      await page.goto(`${base}/workflows/0193f1a0-pay`);
      const call = page.locator('#timeline tr.t-call').first();
      await call.locator('button.lua').click();
      await page.locator('#timeline').screenshot({ path: path.join(DOCS, 'ui-timeline.png') });
      await page.goto(`${base}/workflows/0193f1d3-order`);
      await page.locator('#lanes').screenshot({ path: path.join(DOCS, 'ui-lanes.png') });
      await page.goto(`${base}/workflows/0193f1c2-drift`);
      await page.locator('#parked').screenshot({ path: path.join(DOCS, 'ui-parked.png') });
    } finally {
      await browser.close();
    }
    process.stderr.write(`screenshots: wrote ${['ui-list', 'ui-timeline', 'ui-lanes', 'ui-parked'].map((n) => `docs/${n}.png`).join(', ')}\n`);
  } finally {
    await run.kill();
  }
}

main().catch((e) => {
  process.stderr.write(`screenshots: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
