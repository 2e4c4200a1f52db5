/**
 * A workflow's timeline as a table: every history record in order, with its time, kind, what it
 * did (function, timer, child, topic), its arguments and result, attempts, the duration of a step,
 * and the Lua `file:line` that emitted it with that source line (the line in context opens on
 * click, from the data block `sourceData` writes once per page).
 *
 * Owns: one row per record (one handler per record type: a new type does not compile until it
 * says what its row shows). Invariants: rows are produced one at a time (a 10,000-record history
 * streams); a command shows the time of the record before it (when the workflow ran it); an event
 * that completes a command shows that command's line and its duration; every value goes through
 * html.ts (payloads as text, never markup).
 */
import { formatOffset } from '../control/views';
import { formatDuration } from '../../base/duration';
import { handleRecord, isBookkeeping, isCommand, isEvent, type HistoryRecord, type RecordHandlers } from '../../runtime/store/events';
import type { ErrorInfo } from '../../base/errors';
import { html, jsonScript, workflowHref, type Html } from './html';
import { payloadBlock, payloadList } from './layout';
import type { SourceIndex } from './sources';

interface Cell { what: Html; details: Html }

const none = html``;
const errorText = (e: ErrorInfo): Html => html`<pre class="payload error">${e.kind}: ${e.message}</pre>`;
const childLink = (id: string): Html => html`<a href="${workflowHref(id)}">${id}</a>`;

const CELLS: RecordHandlers<Cell> = {
  started: (r) => ({ what: html`workflow started <code>${r.entry}</code>`, details: html`<span class="k">input</span>${payloadList(r.input)}` }),
  completed: (r) => ({ what: html`workflow completed`, details: html`<span class="k">result</span>${payloadBlock(r.value)}` }),
  failed: (r) => ({ what: html`workflow failed`, details: errorText(r.error) }),
  terminated: (r) => ({ what: html`workflow terminated`, details: html`<pre class="payload">${r.reason}</pre>` }),
  call: (r) => ({ what: html`funcs.call <code>${r.fn}</code>`, details: html`<span class="k">args</span>${payloadList(r.args)}` }),
  timer: (r) => ({ what: html`timer <code>${formatDuration(r.ms)}</code>`, details: none }),
  timer_cancel: (r) => ({ what: html`timer of step ${r.of} stopped`, details: none }),
  uuid: (r) => ({ what: html`uuid.v${r.version}()`, details: html`<code>${r.value}</code>` }),
  random: (r) => ({ what: html`${r.fn}: ${r.bytes} random bytes`, details: html`<code>base64:${r.value}</code>` }),
  spawn: (r) => ({
    what: html`${r.wait ? 'workflow.exec' : 'process.spawn'} <code>${r.entry}</code> → ${childLink(r.child)}`,
    details: html`<span class="k">args</span>${payloadList(r.args)}${r.error ? errorText(r.error) : ''}`,
  }),
  send: (r) => ({ what: html`process.send <code>${r.to}</code> topic <code>${r.topic}</code>`, details: html`${payloadList(r.payloads)}${r.error ? errorText(r.error) : ''}` }),
  cancel_child: (r) => ({ what: html`process.${r.terminate ? 'terminate' : 'cancel'} <code>${r.to}</code>`, details: r.error ? errorText(r.error) : none }),
  version: (r) => ({ what: html`workflow.version(<code>${JSON.stringify(r.change)}</code>) = ${r.version}`, details: none }),
  call_done: (r) => ({ what: html`result of step ${r.of}`, details: r.error ? errorText(r.error) : payloadBlock(r.value ?? 'null') }),
  timer_fired: (r) => ({ what: html`timer of step ${r.of} fired`, details: none }),
  child_done: (r) => ({ what: html`child ${childLink(r.child)} finished`, details: r.error ? errorText(r.error) : payloadBlock(r.value ?? 'null') }),
  signal: (r) => ({ what: html`signal <code>${r.topic}</code>${r.from ? html` from <code>${r.from}</code>` : ''}`, details: payloadList(r.payloads) }),
  cancel_requested: (r) => ({ what: html`cancel requested${r.from ? html` by <code>${r.from}</code>` : ''}`, details: r.reason ? html`<pre class="payload">${r.reason}</pre>` : none }),
  attempt_failed: (r) => ({ what: html`attempt ${r.attempt} of step ${r.of} failed`, details: html`${errorText(r.error)}<span class="k">next attempt</span> in ${formatDuration(Math.max(0, r.due - r.at))}` }),
};

function kindOf(r: HistoryRecord): string {
  return isCommand(r) ? 'command' : isEvent(r) ? 'event' : isBookkeeping(r) ? 'bookkeeping' : 'lifecycle';
}

/** The Lua line cell: `file:line` (a button that opens it in context) and the line's text now. */
export function luaLine(at: string | undefined, sources: SourceIndex, dim = false): Html {
  if (!at) return none;
  const text = sources.lineText(at);
  return html`<button type="button" class="lua${dim ? ' dim' : ''}" data-line="${at}" title="show the source around this line">${at}</button>${text !== null ? html`<code class="src">${text}</code>` : ''}`;
}

/** The table's rows, one record at a time. */
export function* timelineRows(history: readonly HistoryRecord[], sources: SourceIndex): Generator<Html> {
  const start = history[0] && 'at' in history[0] ? history[0].at : 0;
  let clock = start;
  /** Per command: when it was emitted and its line (events that complete it show both). */
  const emitted = new Map<number, { at: number; line: string }>();
  yield html`<table class="timeline" id="timeline"><thead><tr><th>#</th><th>time</th><th>kind</th><th>what</th><th>details</th><th>attempts / took</th><th>Lua line</th></tr></thead><tbody>`;
  for (let i = 0; i < history.length; i++) {
    const r = history[i];
    if (isCommand(r)) emitted.set(r.cmd, { at: clock, line: r.line });
    if ('at' in r && r.type !== 'attempt_failed') clock = Math.max(clock, r.at);
    const at = r.type === 'attempt_failed' ? r.at : clock;
    const cell = handleRecord(r, CELLS);
    const of = 'of' in r ? emitted.get(r.of) : undefined;
    const took = of !== undefined && 'at' in r ? formatDuration(Math.max(0, r.at - of.at)) : '';
    const attempts = r.type === 'call_done' ? `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}` : r.type === 'attempt_failed' ? `attempt ${r.attempt}` : '';
    const line = isCommand(r) ? luaLine(r.line, sources) : of !== undefined ? luaLine(of.line, sources, true) : none;
    yield html`<tr id="r${i}" class="k-${kindOf(r)} t-${r.type}"><td class="idx">${i}</td><td class="at" title="${new Date(at).toISOString()}">${formatOffset(at - start)}</td><td><span class="kind">${isCommand(r) ? `step ${r.cmd}` : kindOf(r)}</span></td><td class="what">${cell.what}</td><td class="details">${cell.details}</td><td class="att">${attempts}${attempts && took ? html`<br>` : ''}${took}</td><td class="line">${line}</td></tr>`;
  }
  yield html`</tbody></table>`;
}

/** The source around every line the history names, once per line (what the line buttons open). */
export function sourceData(history: readonly HistoryRecord[], sources: SourceIndex, extra: readonly string[] = []): Html {
  const out: Record<string, unknown> = {};
  const add = (at: string): void => {
    if (at === '' || at in out) return;
    const c = sources.context(at);
    if (c !== null) out[at] = c;
  };
  for (const r of history) if (isCommand(r)) add(r.line);
  for (const at of extra) add(at);
  return jsonScript('sources', out);
}
