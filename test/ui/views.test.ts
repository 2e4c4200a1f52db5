/**
 * The web UI's pure parts: escaping (html.ts), the lane spans of a history (lanes.ts), the parked
 * report read back from the engine's own wording (parked.ts), the list filters read from a URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, raw, jsonScript, escapeHtml } from '../../app/ui/html';
import { lanesOf, lanesSvg, MAX_SPANS } from '../../app/ui/lanes';
import { parseParkReport, parkedSection } from '../../app/ui/parked';
import { listParams } from '../../app/ui/list-page';
import { SourceIndex } from '../../app/ui/sources';
import { formatDivergence, matchCommand } from '../../runtime/engine/matcher';
import type { HistoryRecord } from '../../runtime/store/events';

test('html: every interpolated value is escaped, Html is kept, nothing can close a JSON data block', () => {
  const evil = '<img src=x onerror="alert(1)">\'&';
  assert.equal(html`<p title="${evil}">${evil}</p>`.text, '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;</p>');
  assert.equal(html`<div>${html`<b>${'<i>'}</b>`}${[1, null, false, '<']}</div>`.text, '<div><b>&lt;i&gt;</b>1&lt;</div>');
  assert.equal(html`${raw('<br>')}`.text, '<br>');
  assert.equal(escapeHtml('"a"'), '&quot;a&quot;');
  const block = jsonScript('d', { x: '</script><script>alert(1)</script>', y: '\u2028&' }).text;
  assert.ok(!block.slice(0, -'</script>'.length).includes('</script>'), block);
  assert.deepEqual(JSON.parse(/>(.*)<\/script>$/s.exec(block)![1]), { x: '</script><script>alert(1)</script>', y: '\u2028&' });
});

const H: HistoryRecord[] = [
  { type: 'started', at: 1000, entry: 'app:wf', input: [], worker: 'app:worker' },
  { type: 'call', cmd: 0, fn: 'app:charge', args: ['1'], line: 'wf.lua:3' },
  { type: 'attempt_failed', of: 0, at: 1200, attempt: 1, error: { kind: 'Internal', message: 'x', retryable: true }, due: 2200 },
  { type: 'call_done', of: 0, at: 2500, value: '"ok"', attempts: 2 },
  { type: 'timer', cmd: 1, ms: 1000, line: 'wf.lua:4' },
  { type: 'timer_fired', of: 1, at: 3500 },
  { type: 'signal', at: 9000, topic: 'go', from: 'x', payloads: [], signal: 1 },
  { type: 'spawn', cmd: 2, entry: 'app:child', child: 'c1', args: [], wait: true, line: 'wf.lua:6' },
  { type: 'call', cmd: 3, fn: 'app:slow', args: [], line: 'wf.lua:7' },
];

test('lanes: activities with their failed attempts, timers, waits before a signal, open spans up to now', () => {
  const l = lanesOf(H, 12_000);
  assert.equal(l.start, 1000);
  assert.equal(l.end, 12_000);
  assert.deepEqual(l.spans.map((s) => [s.kind, s.label, s.start, s.end, s.outcome, s.marks, s.index]), [
    ['activity', 'app:charge', 1000, 2500, 'ok', [1200], 1],
    ['timer', 'timer 1s', 2500, 3500, 'ok', [], 4],
    ['wait', 'wait: signal "go"', 3500, 9000, 'ok', [], 6],
    ['child', 'app:child (c1)', 9000, 12_000, 'open', [], 7],
    ['activity', 'app:slow', 9000, 12_000, 'open', [], 8],
  ]);
  // A finished workflow: what was open ends with it, canceled; nothing is open, nothing waits.
  const ended = lanesOf([...H, { type: 'terminated', at: 10_000, reason: 'enough' }], 99_999);
  assert.equal(ended.end, 10_000);
  assert.deepEqual(ended.spans.slice(3).map((s) => [s.end, s.outcome]), [[10_000, 'canceled'], [10_000, 'canceled']]);
  // Running with nothing open: waiting up to now.
  const idle = lanesOf(H.slice(0, 6), 5000);
  assert.deepEqual(idle.spans.at(-1), { kind: 'wait', label: 'waiting (a signal, an event)', start: 3500, end: 5000, outcome: 'open', marks: [], index: 5 });
});

test('lanes: the SVG draws at most MAX_SPANS bars, links each to its record, and escapes labels', () => {
  const many: HistoryRecord[] = [{ type: 'started', at: 0, entry: 'app:wf', input: [], worker: 'w' }];
  for (let i = 0; i < MAX_SPANS + 20; i++) {
    many.push({ type: 'call', cmd: i, fn: `app:<f${i}>`, args: [], line: 'wf.lua:1' });
    many.push({ type: 'call_done', of: i, at: i + 1, value: 'null', attempts: 1 });
  }
  const svg = lanesSvg(lanesOf(many, 0)).text;
  assert.equal((svg.match(/<rect /g) ?? []).length, MAX_SPANS);
  assert.match(svg, new RegExp(`${MAX_SPANS} of ${MAX_SPANS + 20} bars shown`));
  assert.ok(svg.includes('href="#r1"') && svg.includes('app:&lt;f0&gt;') && !svg.includes('<f0>'));
});

test('parked: the report the engine stores reads back as the two sides; anything else is shown whole', () => {
  const recorded: HistoryRecord = { type: 'call', cmd: 2, fn: 'app:step', args: ['"one"'], line: 'wf_drift.lua:3' };
  const attempted = { type: 'call' as const, cmd: 2, fn: 'app:other', args: ['"  at x.lua:9"'], line: 'wf_drift.lua:3' };
  const report = formatDivergence({ id: 'drift-1', entry: 'app:drift' }, matchCommand(recorded, attempted, 5)!);
  assert.deepEqual(parseParkReport(report), {
    step: 2, index: 5,
    recorded: { what: 'funcs.call app:step("one")', line: 'wf_drift.lua:3' },
    attempted: { what: 'funcs.call app:other("  at x.lua:9")', line: 'wf_drift.lua:3' },
    differs: 'target (app:step -> app:other)',
  });
  const missing = formatDivergence({ id: 'w', entry: 'app:w' }, { tier: 'missing', cmd: 1, index: 3, recorded, attempted: { ...attempted, line: 'wf.lua:8' }, detail: 'ends' });
  assert.deepEqual(parseParkReport(missing)?.attempted.line, 'wf.lua:8');
  const budget = 'workflow w (app:w) was stopped in one activation:\n  Timeout: instruction budget exceeded';
  assert.equal(parseParkReport(budget), null);
  const section = parkedSection(budget, new SourceIndex(null, () => '')).text;
  assert.ok(section.includes('instruction budget exceeded') && section.includes('<details class="report" open>'));
});

test('list filters: statuses, entry, prefix, times and page keys from the URL; bad ones are named and left out', () => {
  const ok = listParams(new URLSearchParams('status=failed,parked&entry=app:x&q=0193&from=2026-01-02T03:04&to=2026-01-03T00:00:00Z&after=1700000000000:a:b'));
  assert.deepEqual(ok.q, { limit: 50, status: ['failed', 'parked'], entry: 'app:x', idPrefix: '0193', from: Date.UTC(2026, 0, 2, 3, 4), to: Date.UTC(2026, 0, 3), after: { started: 1700000000000, id: 'a:b' }, before: undefined });
  assert.deepEqual(ok.problems, []);
  const bad = listParams(new URLSearchParams('status=runing&from=yesterday&after=nonsense'));
  assert.deepEqual(bad.q, { limit: 50 });
  assert.equal(bad.problems.length, 3);
  assert.match(bad.problems.join('; '), /unknown status runing .*from: "yesterday" is not a date.*page link is damaged/);
});
