/**
 * `wippy workflow start ENTRY [ARG_JSON...] [--id ID] [--wait] [--db FILE] [--registry PATH]`:
 * record a workflow start in the store; a running `wippy run` on it starts the workflow within a
 * second, else the next one to start does (app/control/start.ts).
 *
 * Output: without --wait, the workflow id is stdout's one line (for scripts) and a sentence on
 * stderr says who starts it; with --wait the sentence goes to stderr and the workflow's result is
 * the last stdout line, as `wippy run -x` prints it. Exit status: 0 recorded (or, with --wait,
 * completed); 1 the id is taken, the workflow failed, was canceled or terminated, or the running
 * node dropped the start (its log says why); 2 bad usage (malformed JSON argument, an entry that
 * is not a workflow.lua of the registry: nothing is recorded); 3 the workflow was parked (its
 * report on stderr); 4 the store is damaged.
 */
import { exitCodeFor } from '../base/exit';
import { ErrorKind } from '../base/errors';
import { openStore, type OpenedStore } from '../runtime/store';
import {
  selectStore, openForInspection, storeHolder, takenBy, parsePayloads,
  findWorkflowEntry, requestStart, startState, endedRow, pollFor, storeMissing,
} from '../app/control';
import type { StoreChoice } from '../app/control';
import { reportErrorResult } from './report';

export interface StartOptions extends StoreChoice { id?: string; wait?: boolean }

/** How long a start waits for a running node to take the request before saying so. */
const TAKE_WAIT_MS = 3000;

export async function startCommand(entryGiven: string, rawArgs: string[], opts: StartOptions): Promise<number> {
  // Usage first: nothing is recorded for a bad argument or an unknown entry.
  const input = parsePayloads(rawArgs);
  const entry = findWorkflowEntry(entryGiven, opts);
  const sel = selectStore(opts);
  // No store yet: create it (the next `wippy run` finds the request there).
  const store: OpenedStore = storeMissing(sel.path) ? openStore(sel.path, { lock: false, label: sel.label }) : openForInspection(sel);
  try {
    const { id, signalId } = requestStart(store, { entry: entry.id, input, id: opts.id });
    const say = (text: string): void => { process.stderr.write(`${text}\n`); };
    const holder = storeHolder(sel.path, store);
    const what = `workflow ${id} (${entry.id})`;
    if (!opts.wait) process.stdout.write(`${id}\n`);
    if (holder === null) {
      say(`${what} recorded in ${sel.label}; no \`wippy run\` is using this store now: the next one starts it${opts.wait ? ' (waiting for it; Ctrl-C stops waiting, the start stays recorded)' : ''}`);
      if (!opts.wait) return exitCodeFor('ok');
    }
    const taken = await pollFor(() => { const s = startState(store, id, signalId); return s.state === 'waiting' ? null : s; }, opts.wait ? Infinity : TAKE_WAIT_MS);
    if (taken === null) {
      say(`${what} recorded; the running wippy run (pid ${holder}) has not taken it after ${TAKE_WAIT_MS / 1000}s (it may be busy): it starts it when it gets to it`);
      return exitCodeFor('ok');
    }
    if (taken.state === 'dropped') {
      say(`error: the wippy run on ${sel.label} did not start ${what}; its log says why (an entry its registry lacks, an id taken meanwhile)`);
      return exitCodeFor('failed');
    }
    if (!opts.wait) {
      say(`${what} started${holder !== null ? ` by ${takenBy(store, id, holder)}` : ''}`);
      return exitCodeFor('ok');
    }
    if (holder !== null) say(`${what} started by ${takenBy(store, id, holder)}; waiting for its result`);
    const row = (await pollFor(() => endedRow(store, id), Infinity, 100))!;
    if (row.status === 'completed') {
      process.stdout.write(`${row.result ?? 'null'}\n`);
      return exitCodeFor('ok');
    }
    if (row.status === 'parked') {
      say(`error: ${row.parked ?? `workflow ${id} was parked`}`);
      return exitCodeFor('parked');
    }
    reportErrorResult(row.error ?? { kind: ErrorKind.Internal, message: `workflow ${id} ended ${row.status}` });
    return exitCodeFor('failed');
  } finally {
    store.close();
  }
}
