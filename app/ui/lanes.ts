/**
 * The lane view of a workflow: its activities, timers, child workflows and waits as bars over
 * time (a Gantt chart), computed from the history alone and drawn as SVG on the server.
 *
 * Owns: turning a history into spans, and the drawing. A command starts at the workflow time of
 * the record before it (commands carry no time of their own: they were emitted when the workflow
 * last ran); its completing event ends it (`call_done`, `timer_fired` or its `timer_cancel`,
 * `child_done`); failed attempts are marks on an activity's bar. A wait is the time before a
 * signal or cancel request arrived, from when the workflow last ran; a workflow still running with
 * nothing open is waiting up to now. Invariants: pure (no I/O); one pass over the history; at most
 * MAX_SPANS bars are drawn (the count says how many more there are); every text goes through
 * html.ts; a bar links to its timeline row.
 */
import { formatOffset } from '../control/views';
import { formatDuration } from '../../base/duration';
import { html, type Html } from './html';
import type { HistoryRecord } from '../../runtime/store/events';

export type SpanKind = 'activity' | 'timer' | 'child' | 'wait';

export interface Span {
  kind: SpanKind;
  label: string;
  start: number;
  end: number;
  outcome: 'ok' | 'error' | 'open' | 'canceled';
  /** Times of failed attempts (activities). */
  marks: number[];
  /** The history index of the record that opened it (the command, or the signal a wait ended in). */
  index: number;
}

export interface Lanes { start: number; end: number; spans: Span[] }

export const MAX_SPANS = 300;

/** The spans of `history`; open ones end at `now` (the workflow clock now, for a running workflow). */
export function lanesOf(history: readonly HistoryRecord[], now: number): Lanes {
  const first = history[0];
  const start = first !== undefined && 'at' in first ? first.at : now;
  let clock = start;
  let ended: number | null = null;
  const spans: Span[] = [];
  const open = new Map<number, Span>();
  const close = (of: number, at: number, outcome: Span['outcome']): void => {
    const s = open.get(of);
    if (!s) return;
    s.end = at;
    s.outcome = outcome;
    open.delete(of);
  };
  history.forEach((r, index) => {
    const opened = (kind: SpanKind, cmd: number, label: string): void => {
      const s: Span = { kind, label, start: clock, end: clock, outcome: 'open', marks: [], index };
      spans.push(s);
      open.set(cmd, s);
    };
    switch (r.type) {
      case 'call': opened('activity', r.cmd, r.fn); break;
      case 'timer': opened('timer', r.cmd, `timer ${formatDuration(r.ms)}`); break;
      case 'spawn': if (!r.error) opened('child', r.cmd, `${r.entry} (${r.child})`); break;
      case 'timer_cancel': close(r.of, clock, 'canceled'); break;
      case 'call_done': close(r.of, r.at, r.error ? 'error' : 'ok'); break;
      case 'timer_fired': close(r.of, r.at, 'ok'); break;
      case 'child_done': close(r.of, r.at, r.error ? 'error' : 'ok'); break;
      case 'attempt_failed': open.get(r.of)?.marks.push(r.at); break;
      case 'signal': case 'cancel_requested':
        if (r.at > clock) {
          const label = r.type === 'signal' ? `wait: signal ${JSON.stringify(r.topic)}` : 'wait: cancel request';
          spans.push({ kind: 'wait', label, start: clock, end: r.at, outcome: 'ok', marks: [], index });
        }
        break;
      case 'completed': case 'failed': case 'terminated': ended = r.at; break;
      default: break;
    }
    if ('at' in r && r.type !== 'attempt_failed') clock = Math.max(clock, r.at);
  });
  const end = ended ?? Math.max(clock, now);
  for (const s of open.values()) { s.end = end; s.outcome = ended === null ? 'open' : 'canceled'; }
  if (ended === null && open.size === 0 && history.length > 0 && end > clock) {
    spans.push({ kind: 'wait', label: 'waiting (a signal, an event)', start: clock, end, outcome: 'open', marks: [], index: history.length - 1 });
  }
  return { start, end: Math.max(end, start), spans };
}

const W = 1000;
const LABEL = 280;
const ROW = 20;
const TOP = 24;

/** The SVG of the lanes, with a time axis; a bar links to its record in the timeline. */
export function lanesSvg(l: Lanes): Html {
  const shown = l.spans.slice(0, MAX_SPANS);
  if (shown.length === 0) return html`<p class="none" id="lanes-empty">No activities, timers, child workflows or waits yet.</p>`;
  const span = Math.max(1, l.end - l.start);
  const chart = W - LABEL - 10;
  const x = (t: number): number => LABEL + ((t - l.start) / span) * chart;
  const height = TOP + shown.length * ROW + 6;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const tx = LABEL + f * chart;
    return html`<line class="tick" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${TOP - 6}" y2="${height}"/><text class="axis" x="${tx.toFixed(1)}" y="14" text-anchor="${f === 1 ? 'end' : f === 0 ? 'start' : 'middle'}">${formatOffset(f * span)}</text>`;
  });
  const bars = shown.map((s, i) => {
    const y = TOP + i * ROW;
    const x0 = x(s.start);
    const w = Math.max(2, x(s.end) - x0);
    const tip = `${s.label}: ${formatOffset(s.start - l.start)} to ${formatOffset(s.end - l.start)} (${formatDuration(s.end - s.start)}, ${s.outcome})`;
    const marks = s.marks.map((m) => html`<line class="mark" x1="${x(m).toFixed(1)}" x2="${x(m).toFixed(1)}" y1="${y + 2}" y2="${y + ROW - 4}"/>`);
    const name = s.label.length > 40 ? `${s.label.slice(0, 39)}…` : s.label;
    return html`<a href="#r${s.index}" class="lane lane-${s.kind} out-${s.outcome}"><title>${tip}</title><text class="lane-label" x="4" y="${y + 13}">${name}</text><rect x="${x0.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 7}" rx="2"/>${marks}</a>`;
  });
  const more = l.spans.length > shown.length ? html`<p class="notice">${shown.length} of ${l.spans.length} bars shown; the timeline below has every record.</p>` : '';
  return html`<svg class="lanes" id="lanes" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="activities, timers, child workflows and waits over time">${ticks}${bars}</svg>${more}`;
}
