/**
 * `wippy workflow start`: asking for a new workflow from outside the engine that will run it,
 * possibly while a `wippy run` in another process owns the store.
 *
 * Owns: finding the entry the user named (a workflow.lua entry, found as tolerantly as the store's
 * temporal.client: registry/clients.ts), the checks before anything is written (the id is free,
 * no other start for it is pending), writing the request, and following it until the workflow
 * exists and until it ends (`--wait`).
 *
 * How it reaches a running node: the request is a `@start` row in the store's signals table
 * (runtime/engine/addressing.ts), the table a running engine polls every 200ms and a starting one
 * drains; the engine creates the workflow in the same commit that consumes the row. So the CLI
 * never writes a history (histories keep one writer: the engine holding the lock), a running
 * node picks the start up within a second, and with no node running it waits for the next
 * `wippy run`.
 *
 * Invariants: nothing is written unless the entry is a workflow.lua entry of the registry and the
 * id is free; the request is in the store before `requestStart` returns; an id is generated
 * (UUIDv7) only when none is given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, WippyError } from '../../base/errors';
import { uuidV7 } from '../../base/uuid';
import { findEntries, projectRoot, type FoundEntry } from '../../registry';
import { startRequestRow, START_TOPIC } from '../../runtime/engine/addressing';
import type { HistoryStore } from '../../runtime/store/store';
import { isPostgresUrl } from '../../runtime/store';
import type { WorkflowRow } from '../../runtime/store/events';
import type { Payload } from '../../base/payload';
import { CLI_SENDER, FINISHED } from './requests';
import type { StoreChoice } from './store-select';

/** Where the entry was looked for, for messages. */
function searchPlaces(choice: StoreChoice, cwd: string): Array<{ target: string; recursive: boolean }> {
  if (choice.registry !== undefined) return [{ target: choice.registry, recursive: true }];
  const root = projectRoot(cwd);
  if (root !== null) return [{ target: root, recursive: true }];
  const places = [{ target: cwd, recursive: true }];
  for (let d = cwd; path.dirname(d) !== d;) {
    d = path.dirname(d);
    places.push({ target: d, recursive: false });
  }
  return places;
}

/**
 * The workflow.lua entry `given` names (a full id, or a name that only one entry has), in the
 * registry at `--registry`, else the project's, else the one found from the current folder.
 * ENTRY_NOT_FOUND (exit 2) otherwise.
 */
export function findWorkflowEntry(given: string, choice: StoreChoice, cwd = process.cwd()): FoundEntry {
  const places = searchPlaces(choice, cwd);
  for (const p of places) {
    const { entries } = findEntries(p.target, 'workflow.lua', { recursive: p.recursive });
    if (entries.length === 0) continue;
    const exact = entries.find((e) => e.id === given);
    if (exact) return exact;
    const named = given.includes(':') ? [] : entries.filter((e) => e.id.endsWith(`:${given}`));
    if (named.length === 1) return named[0];
    const where = p.target === cwd ? 'the registry under the current folder' : `the registry at ${p.target}`;
    const hint = named.length > 1 ? `; ${given} is the name of ${named.map((e) => e.id).join(', ')}: give the full id`
      : `; its workflow.lua entries: ${entries.slice(0, 6).map((e) => e.id).join(', ')}${entries.length > 6 ? ', ...' : ''}`;
    throw new WippyError(ErrorCode.ENTRY_NOT_FOUND, `no workflow.lua entry ${given} in ${where}${hint}`);
  }
  const where = choice.registry !== undefined ? `the registry at ${choice.registry}` : 'the registry found from the current folder';
  throw new WippyError(ErrorCode.ENTRY_NOT_FOUND, `no workflow.lua entry ${given}: ${where} has no workflow.lua entries; pass --registry PATH (the registry \`wippy run\` uses)`);
}

export interface StartAsk { entry: string; input: Payload[]; id?: string }

/** Check the id and write the start request; returns the workflow id and the request's row id. */
export function requestStart(store: HistoryStore, ask: StartAsk, now = Date.now()): { id: string; signalId: number } {
  const id = ask.id ?? uuidV7(now);
  if (ask.id !== undefined) {
    if (id.trim() === '' || id !== id.trim()) throw new WippyError(ErrorCode.BAD_ARGUMENT, `--id ${JSON.stringify(id)}: a workflow id must be non-empty text without surrounding spaces`);
    const row = store.getWorkflow(id);
    if (row) {
      throw new WippyError(ErrorCode.WORKFLOW_EXISTS,
        `workflow ${id} already exists (${row.entry}, ${row.status}); a store keeps one run per workflow id: choose another --id`);
    }
    if (store.pendingSignals().some((s) => s.topic === START_TOPIC && s.workflowId === id)) {
      throw new WippyError(ErrorCode.WORKFLOW_EXISTS, `a start of workflow ${id} is already waiting for \`wippy run\`; choose another --id`);
    }
  }
  const signalId = store.addSignal(startRequestRow({ id, entry: ask.entry, input: ask.input }, CLI_SENDER, now));
  return { id, signalId };
}

/** Poll every `stepMs` until `probe` returns a value (or `timeoutMs` passes: null). */
export async function pollFor<T>(probe: () => T | null, timeoutMs = Infinity, stepMs = 50): Promise<T | null> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== null) return v;
    if (Date.now() >= end) return null;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Where a start request stands: `waiting` (no engine took it yet), `started` (the workflow
 * exists), or `dropped` (an engine consumed it but created nothing: it logged why).
 */
export function startState(store: HistoryStore, id: string, signalId: number): { state: 'waiting' | 'dropped' } | { state: 'started'; row: WorkflowRow } {
  const row = store.getWorkflow(id);
  if (row) return { state: 'started', row };
  const pending = store.pendingSignals(signalId - 1)[0]?.id === signalId;
  // Read the row again: the engine may have created it and consumed the request in between.
  const again = pending ? null : store.getWorkflow(id);
  if (again) return { state: 'started', row: again };
  return { state: pending ? 'waiting' : 'dropped' };
}

/** The workflow's row once it has finished or is parked. */
export function endedRow(store: HistoryStore, id: string): WorkflowRow | null {
  const row = store.getWorkflow(id);
  return row && (FINISHED.includes(row.status) || row.status === 'parked') ? row : null;
}

/** True when `file` is missing: `wippy workflow start` then creates the store for the next run. */
export function storeMissing(file: string): boolean {
  return !isPostgresUrl(file) && !fs.existsSync(file);
}
