/**
 * What `wippy workflow list|show|history` print: the JSON views scripts read and the human text
 * people read, computed from a workflow's row and history. Pure functions, no I/O.
 *
 * Invariants: JSON views have stable field names in snake_case with ISO-8601 UTC times, and
 * payloads decoded from their JSON text (a payload that is not JSON is kept as its text rather
 * than failing the view); human output says the same things as the JSON, in words, one record per
 * timeline line, and never hides a parked report (it is how a user learns what to fix). Listings
 * (created/updated) use the machine's clock, so a --virtual-time run is not "updated tomorrow";
 * the workflow clock is shown beside it when it ran ahead, and timelines use it (histories do);
 * output that grows with a history or a store comes as lines (generators) for the CLI to write
 * as they come, and nothing spreads or recurses over its length.
 */
import { describeCommand } from '../../runtime/engine/matcher';
import { isCommand, handleRecord, type HistoryRecord, type RecordHandlers, type WorkflowRow } from '../../runtime/store/events';
import type { ErrorInfo } from '../../base/errors';
import type { Payload } from '../../base/payload';

export interface ListItem {
  id: string; entry: string; status: string; worker: string; parent: string | null;
  /** When the store created / last changed the row, on the machine's clock. */
  created_at: string; updated_at: string;
  /** A --virtual-time run created or updated it: the workflow clock ran ahead of the machine's. */
  virtual_time: boolean;
  /** The same moments on the workflow clock (what `time.now()` read; history times are these). */
  workflow_created_at: string; workflow_updated_at: string;
}

export interface ShowView extends ListItem {
  input: unknown[];
  result: unknown;
  error: { kind: string; message: string; retryable: boolean } | null;
  parked: string | null;
  history_length: number;
  pending_signals: number;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A payload's value; the raw text if it is somehow not JSON. */
export function decodePayload(p: Payload | null): unknown {
  if (p === null) return null;
  try { return JSON.parse(p); } catch { return p; }
}

/** Machine-clock times of a row; a row from before the store kept them has only the workflow clock's. */
function wallTimes(row: WorkflowRow): { created: number; updated: number; virtual: boolean } {
  return row.wall ? { created: row.wall.createdAt, updated: row.wall.updatedAt, virtual: row.wall.virtual }
    : { created: row.createdAt, updated: row.updatedAt, virtual: false };
}

export function listItem(row: WorkflowRow): ListItem {
  const wall = wallTimes(row);
  return {
    id: row.id, entry: row.entry, status: row.status, worker: row.worker, parent: row.parent,
    created_at: iso(wall.created), updated_at: iso(wall.updated), virtual_time: wall.virtual,
    workflow_created_at: iso(row.createdAt), workflow_updated_at: iso(row.updatedAt),
  };
}

export function showView(row: WorkflowRow, historyLength: number, pendingSignals: number): ShowView {
  return {
    ...listItem(row),
    input: row.input.map(decodePayload),
    result: decodePayload(row.result),
    error: row.error ? { kind: row.error.kind, message: row.error.message, retryable: row.error.retryable ?? false } : null,
    parked: row.parked,
    history_length: historyLength,
    pending_signals: pendingSignals,
  };
}

// ---------------------------------------------------------------- human text

/** `2025-01-02 03:04:05Z`: second precision is what a table needs. */
function shortTime(ms: number): string {
  return `${iso(ms).slice(0, 19).replace('T', ' ')}Z`;
}

function oneLine(text: string, max: number): string {
  const first = text.split('\n')[0].trim();
  return first.length > max ? `${first.slice(0, max - 3)}...` : first;
}

function errorText(e: ErrorInfo): string {
  return `${e.kind}: ${e.message}`;
}

/** The short note a table shows: the error, or the first line of the park report. */
function note(row: WorkflowRow): string {
  if (row.status === 'parked' && row.parked) return oneLine(row.parked, 70);
  if (row.error) return oneLine(errorText(row.error), 70);
  return '';
}

/**
 * A table's lines: columns padded to their widest cell, the last one left ragged. Widths are
 * found with a loop, never `Math.max(...cells)`: a spread passes one argument per row and blows
 * the stack at a few hundred thousand.
 */
export function* tableLines(header: string[], rows: readonly string[][]): Generator<string> {
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < r.length; i++) if (r[i].length > widths[i]) widths[i] = r[i].length;
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  yield line(header);
  for (const r of rows) yield line(r);
}

export function listLines(rows: WorkflowRow[]): Generator<string> {
  return tableLines(['ID', 'ENTRY', 'STATUS', 'UPDATED', 'NOTE'],
    rows.map((r) => [r.id, r.entry, r.status, shortTime(wallTimes(r).updated), note(r)]));
}

export function renderShow(row: WorkflowRow, historyLength: number, pendingSignals: number, storeLabel: string): string {
  const field = (k: string, v: string) => `  ${`${k}:`.padEnd(9)} ${v}`;
  const out = [`workflow ${row.id}`];
  out.push(field('entry', row.entry));
  out.push(field('status', row.status));
  out.push(field('worker', row.worker));
  out.push(field('parent', row.parent ?? '-'));
  const wall = wallTimes(row);
  out.push(field('created', shortTime(wall.created)));
  out.push(field('updated', `${shortTime(wall.updated)} (${formatOffset(wall.updated - wall.created)} after start)`));
  if (wall.virtual) {
    out.push(field('clock', `virtual (--virtual-time): on the workflow clock it started ${shortTime(row.createdAt)}, updated ${shortTime(row.updatedAt)} (${formatOffset(row.updatedAt - row.createdAt)})`));
  }
  out.push(field('input', row.input.length ? row.input.join(', ') : '(none)'));
  if (row.status === 'completed' || row.result !== null) out.push(field('result', row.result ?? 'null'));
  if (row.error) out.push(field('error', errorText(row.error)));
  out.push(field('history', `${historyLength} record${historyLength === 1 ? '' : 's'} (wippy workflow history ${row.id})`));
  if (pendingSignals > 0) {
    out.push(field('pending', `${pendingSignals} signal${pendingSignals === 1 ? '' : 's'} or request${pendingSignals === 1 ? '' : 's'} not yet delivered (a running \`wippy run\` picks them up)`));
  }
  out.push(field('store', storeLabel));
  if (row.status === 'parked') {
    out.push('parked:');
    for (const l of (row.parked ?? '(no report recorded)').split('\n')) out.push(`  ${l}`);
  }
  return out.join('\n');
}

/** `+24h0m0.003s`, `+2m5.120s`, `+0.004s`: hours and minutes only when there are any. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(Math.round(ms));
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = `${Math.floor(rest / 1000)}.${String(rest % 1000).padStart(3, '0')}s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}

const MAX_TEXT = 200;

const none = (): string => '';
const errorOf = (r: { error?: ErrorInfo }): string => (r.error ? ` (error ${errorText(r.error)})` : '');

/**
 * What a record says beyond describeCommand: values a reader looks for in a timeline. One handler
 * per record type (RecordHandlers): a new type does not compile until it says what it shows.
 */
const EXTRA: RecordHandlers<string> = {
  started: (r) => (r.input.length ? ` input: ${r.input.join(', ')}` : ''),
  completed: none,
  failed: none,
  terminated: none,
  call: none,
  timer: none,
  timer_cancel: none,
  uuid: (r) => ` = ${r.value}`,
  random: (r) => ` = base64:${r.value}`,
  spawn: (r) => ` -> ${r.child}${errorOf(r)}`,
  send: errorOf,
  cancel_child: errorOf,
  version: none,
  call_done: (r) => (r.attempts > 1 ? ` (after ${r.attempts} attempts)` : ''),
  timer_fired: none,
  child_done: (r) => (r.error ? `: error ${errorText(r.error)}` : `: ${r.value ?? 'null'}`),
  signal: (r) => (r.from ? ` from ${r.from}` : ''),
  cancel_requested: (r) => (r.reason ? ` (${r.reason})` : ''),
  attempt_failed: none,
};

function extra(r: HistoryRecord): string {
  return handleRecord(r, EXTRA);
}

/** One record's timeline text (without index and offset). */
function describeRecord(r: HistoryRecord): string {
  let text = `${isCommand(r) ? `step ${r.cmd}: ` : ''}${describeCommand(r)}${extra(r)}`;
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT - 3)}...`;
  return `${text}${isCommand(r) && r.line ? `  at ${r.line}` : ''}`;
}

/**
 * The timeline, line by line (a header, then one line per record): `index  +offset  what  at
 * file:line`; a command shows its step number (what `result of step N` and `timer of step N`
 * refer to). Commands carry no time of their own; they were emitted at the workflow time of the
 * last event before them, so that is the offset shown. Two passes over the history (widths, then
 * lines) and nothing per record kept: a 200,000-record history prints as it is produced, with no
 * spread or recursion over its length.
 */
export function* historyLines(row: WorkflowRow, history: readonly HistoryRecord[]): Generator<string> {
  const start = history[0] && 'at' in history[0] ? history[0].at : row.createdAt;
  const wi = Math.max(1, String(Math.max(0, history.length - 1)).length);
  let wo = 1;
  let now = start;
  for (const r of history) {
    if ('at' in r) now = r.at;
    wo = Math.max(wo, formatOffset(now - start).length);
  }
  const clock = row.wall?.virtual ? ' on the virtual clock (--virtual-time)' : '';
  yield `workflow ${row.id} (${row.entry}), ${row.status}, ${history.length} record${history.length === 1 ? '' : 's'}, started ${shortTime(start)}${clock}`;
  now = start;
  for (let i = 0; i < history.length; i++) {
    const r = history[i];
    if ('at' in r) now = r.at;
    yield `${String(i).padStart(wi)}  ${formatOffset(now - start).padEnd(wo)}  ${describeRecord(r)}`;
  }
}

/**
 * `JSON.stringify(items, null, 2)`, line by line: the same text, one item at a time, so a long
 * history or list is written as it is produced instead of as one giant string.
 */
export function* jsonArrayLines(items: readonly unknown[]): Generator<string> {
  if (items.length === 0) { yield '[]'; return; }
  yield '[';
  for (let i = 0; i < items.length; i++) {
    const text = JSON.stringify(items[i], null, 2) ?? 'null';
    const last = i === items.length - 1;
    const lines = text.split('\n');
    for (let j = 0; j < lines.length; j++) yield `  ${lines[j]}${last || j < lines.length - 1 ? '' : ','}`;
  }
  yield ']';
}
