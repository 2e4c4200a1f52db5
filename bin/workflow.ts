/**
 * `wippy workflow list|show|history|signal|cancel|terminate|export`: inspect and steer the
 * workflows in a store, also while a `wippy run` in another process runs them.
 *
 * Owns: each subcommand's flow (validate the arguments, pick and open the store, read or queue,
 * print) and its exit status: 0 done; 1 the workflow does not exist or has finished (and store
 * problems); 2 bad usage (malformed JSON payload, reserved topic, unknown status, unwritable -o). The work itself
 * lives in app/control (store choice, durable requests, views).
 *
 * Invariants: the store is opened without its process lock and closed before returning; these
 * commands never write a history: signal, cancel and terminate are rows in the signals table
 * that an engine applies (the running one within ~200ms, else the next `wippy run` at start);
 * usage is validated before the store is opened, so a bad argument is exit 2 whatever the store.
 */
import { exitCodeFor } from '../base/exit';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, WippyError } from '../base/errors';
import type { WorkflowStatus } from '../runtime/store/events';
import type { OpenedStore } from '../runtime/store';
import { WORKFLOW_STATUSES } from '../runtime/store/store';
import {
  selectStore, openForInspection, storeHolder, findWorkflow, parsePayloads, checkUserTopic,
  sendSignal, sendControl, waitAccepted, listItem, showView, renderShow, listLines, historyLines, jsonArrayLines,
} from '../app/control';
import type { ControlKind, SelectedStore, Sent, StoreChoice } from '../app/control';

export interface StoreOptions extends StoreChoice { json?: boolean }
export interface ListOptions extends StoreOptions { status?: string }
export interface ControlOptions extends StoreChoice { reason?: string; wait?: boolean }
export interface ExportOptions extends StoreChoice { output?: string }

const STATUSES = WORKFLOW_STATUSES;
/** How long signal/cancel/terminate wait for a running engine to take the request. */
const ACCEPT_WAIT_MS = 3000;

/** Pick and open the store, run `fn`, always close it. */
async function withStore<T>(choice: StoreChoice, fn: (store: OpenedStore, sel: SelectedStore) => T | Promise<T>): Promise<T> {
  const sel = selectStore(choice);
  const store = openForInspection(sel);
  try {
    return await fn(store, sel);
  } finally {
    store.close();
  }
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function printJson(v: unknown): void {
  print(JSON.stringify(v, null, 2));
}

/** Bytes gathered before one write: big enough to be cheap, small enough to stream. */
const WRITE_CHUNK = 64 * 1024;

/**
 * Write `lines` to stdout as they come, in chunks, waiting for the stream to drain when it asks
 * to: a 200,000-record history is never one string, and memory stays flat behind a slow pipe.
 */
async function writeLines(lines: Iterable<string>): Promise<void> {
  let chunk = '';
  const flush = async (): Promise<void> => {
    const text = chunk;
    chunk = '';
    if (!process.stdout.write(text)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
  };
  for (const l of lines) {
    chunk += `${l}\n`;
    if (chunk.length >= WRITE_CHUNK) await flush();
  }
  if (chunk !== '') await flush();
}

/** `--status running,parked`: each must be a known status. */
function parseStatuses(raw: string | undefined): WorkflowStatus[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !STATUSES.includes(s as WorkflowStatus));
  if (list.length === 0 || bad.length) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT,
      `--status ${raw}: ${bad.length ? `unknown status ${bad.join(', ')}` : 'no status given'}; use one or more of ${STATUSES.join(', ')} (comma-separated)`);
  }
  return list as WorkflowStatus[];
}

export async function listCommand(opts: ListOptions): Promise<number> {
  const statuses = parseStatuses(opts.status);
  return withStore(opts, async (store, sel) => {
    const rows = store.listWorkflows(statuses);
    if (opts.json) await writeLines(jsonArrayLines(rows.map(listItem)));
    else if (rows.length === 0) print(`no workflows${statuses ? ` with status ${statuses.join(' or ')}` : ''} in ${sel.label}`);
    else await writeLines(listLines(rows));
    return exitCodeFor('ok');
  });
}

export async function showCommand(id: string, opts: StoreOptions): Promise<number> {
  return withStore(opts, (store, sel) => {
    const row = findWorkflow(store, id);
    const length = store.historyLength(row.id);
    const pending = store.pendingSignals().filter((s) => s.workflowId === row.id).length;
    if (opts.json) printJson(showView(row, length, pending));
    else print(renderShow(row, length, pending, sel.label));
    return exitCodeFor('ok');
  });
}

export async function historyCommand(id: string, opts: StoreOptions): Promise<number> {
  return withStore(opts, async (store) => {
    const row = findWorkflow(store, id);
    const history = store.history(row.id);
    await writeLines(opts.json ? jsonArrayLines(history) : historyLines(row, history));
    return exitCodeFor('ok');
  });
}

export async function signalCommand(id: string, topic: string, rawPayloads: string[], opts: ControlOptions): Promise<number> {
  checkUserTopic(topic);
  const payloads = parsePayloads(rawPayloads);
  return withStore(opts, async (store, sel) => {
    const sent = sendSignal(store, id, topic, payloads);
    const what = `signal ${JSON.stringify(topic)}${payloads.length ? `(${payloads.join(', ')})` : ''}`;
    print(await deliveryReport(store, sel, sent, what, opts.wait !== false, (by) => {
      // A workflow that finished just before the engine took the signal drops it unrecorded.
      const recorded = store.history(sent.row.id).some((r) => r.type === 'signal' && r.signal === sent.signalId);
      return recorded ? `${what} delivered to workflow ${sent.row.id} (${sent.row.entry}) ${by}`
        : `${what} taken ${by}, but workflow ${sent.row.id} (${sent.row.entry}) finished first (status ${store.getWorkflow(sent.row.id)?.status}); it was not delivered`;
    }));
    return exitCodeFor('ok');
  });
}

export async function controlCommand(kind: ControlKind, id: string, opts: ControlOptions): Promise<number> {
  return withStore(opts, async (store, sel) => {
    const sent = sendControl(store, id, kind, opts.reason);
    const what = kind === 'cancel' ? 'cancel request' : 'terminate request';
    print(await deliveryReport(store, sel, sent, what, opts.wait !== false, (by) => {
      const now = store.getWorkflow(sent.row.id);
      if (kind === 'terminate' && now?.status === 'terminated') return `workflow ${sent.row.id} (${sent.row.entry}) terminated ${by}`;
      if (kind === 'terminate') return `terminate delivered to workflow ${sent.row.id} (${sent.row.entry}) ${by}; status now: ${now?.status}`;
      return `cancel delivered to workflow ${sent.row.id} (${sent.row.entry}) ${by} as a pid.cancel event; the workflow decides how to stop (status now: ${now?.status})`;
    }));
    return exitCodeFor('ok');
  });
}

/**
 * Say where a queued request stands: taken by the running `wippy run` (waited for briefly), or
 * stored for the next one.
 */
async function deliveryReport(store: OpenedStore, sel: SelectedStore, sent: Sent, what: string, wait: boolean, delivered: (by: string) => string): Promise<string> {
  const holder = storeHolder(sel.path, store);
  if (holder === null) {
    return `${what} stored for workflow ${sent.row.id} (${sent.row.entry}); no \`wippy run\` is using this store now: the next one delivers it when it starts`;
  }
  if (wait && await waitAccepted(store, sent.signalId, ACCEPT_WAIT_MS)) return delivered(`by the running wippy run (pid ${holder})`);
  return `${what} stored for workflow ${sent.row.id} (${sent.row.entry}); the running wippy run (pid ${holder}) picks it up within a moment${wait ? ' (it had not yet after 3s; it may not run this workflow)' : ''}`;
}

/**
 * `export ID [-o FILE]`: the workflow's history as a golden file (app/golden), to stdout or
 * FILE. Any status exports: an unfinished history replays as far as it goes.
 */
export async function exportCommand(id: string, opts: ExportOptions): Promise<number> {
  const { toGolden } = await import('../app/golden'); // only this command needs it
  return withStore(opts, (store) => {
    const row = findWorkflow(store, id);
    const text = toGolden(store.history(row.id), { recorded_by: 'wippy workflow export' }, { workflowId: row.id });
    if (opts.output === undefined || opts.output === '-') {
      process.stdout.write(text);
      return exitCodeFor('ok');
    }
    try {
      fs.writeFileSync(opts.output, text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? `folder ${path.dirname(opts.output)} does not exist; create it first` : code === 'EISDIR' ? 'it is a folder; give a file name' : code ?? (e as Error).message;
      throw new WippyError(ErrorCode.BAD_ARGUMENT, `-o ${opts.output}: cannot write the golden file (${why})`);
    }
    const shown = path.relative(process.cwd(), path.resolve(opts.output)) || opts.output;
    const registry = opts.registry !== undefined ? ` --registry ${opts.registry}` : opts.db !== undefined ? ' --registry PATH' : '';
    print(`wrote ${shown}: workflow ${row.id} (${row.entry}, ${row.status}); check it with \`wippy replay ${shown}${registry}\``);
    return exitCodeFor('ok');
  });
}
