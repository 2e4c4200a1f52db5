/**
 * The web UI's actions: signal, cancel, terminate, start, and writing a golden file, each
 * through the same durable control path as `wippy workflow ...` (app/control: a row in the store's
 * signals table that the engine holding the store applies; a start is a `@start` row), never a
 * write to a history.
 *
 * Owns: reading an action's JSON body, the checks the CLI makes (the same functions: a reserved
 * topic, a payload that is not one JSON value or that Lua cannot hold, a finished workflow, a taken
 * id), and the answer: `{message}` with what happened and who delivers it, or `{error}` with a
 * status (400 bad input, 404 no such workflow, 409 finished / taken / the file exists). Invariants:
 * nothing is written when a check fails; a golden file is written only inside the registry folder,
 * with the `.golden.json` suffix, and an existing file is replaced only when the request says so
 * (the page asks first).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, WippyError } from '../../base/errors';
import {
  checkUserTopic, parsePayloads, sendSignal, sendControl, storeHolder, requestStart, findWorkflowEntry,
} from '../control';
import { toGolden, GOLDEN_SUFFIX } from '../golden';
import { workflowHref } from './html';
import type { UiContext } from './context';

export interface ActionResult { status: number; body: { message?: string; error?: string; href?: string; confirm?: string } }

const ok = (message: string, href?: string): ActionResult => ({ status: 200, body: { message, href } });

function text(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new WippyError(ErrorCode.BAD_ARGUMENT, `${key} must be text`);
  return v;
}

/** Who delivers a request: the running `wippy run` within a moment, or the next one. */
function deliveredBy(ctx: UiContext): string {
  const holder = storeHolder(ctx.storePath, ctx.store);
  return holder !== null ? `the running wippy run (pid ${holder}) delivers it within a moment` : 'no `wippy run` is using this store now: the next one delivers it when it starts';
}

export function signalAction(ctx: UiContext, id: string, body: Record<string, unknown>): ActionResult {
  const topic = text(body, 'topic').trim();
  checkUserTopic(topic);
  const payload = text(body, 'payload');
  const payloads = payload.trim() === '' ? [] : parsePayloads([payload]);
  const sent = sendSignal(ctx.store, id, topic, payloads);
  return ok(`signal ${JSON.stringify(topic)} stored for workflow ${sent.row.id}; ${deliveredBy(ctx)}`);
}

export function controlAction(ctx: UiContext, id: string, kind: 'cancel' | 'terminate', body: Record<string, unknown>): ActionResult {
  const sent = sendControl(ctx.store, id, kind, text(body, 'reason') || undefined);
  return ok(`${kind} request stored for workflow ${sent.row.id}; ${deliveredBy(ctx)}`);
}

export function startAction(ctx: UiContext, body: Record<string, unknown>): ActionResult {
  const given = text(body, 'entry').trim();
  const input = text(body, 'input');
  const args = input.trim() === '' ? [] : parsePayloads([input]);
  let entry: string;
  if (ctx.registry !== null) {
    if (!ctx.registry.workflows.includes(given)) {
      throw new WippyError(ErrorCode.ENTRY_NOT_FOUND, `no workflow.lua entry ${JSON.stringify(given)} in the registry at ${ctx.registry.path}`);
    }
    entry = given;
  } else {
    entry = findWorkflowEntry(given, ctx.choice).id;
  }
  const idText = text(body, 'id').trim();
  const { id } = requestStart(ctx.store, { entry, input: args, id: idText === '' ? undefined : idText });
  return ok(`workflow ${id} (${entry}) recorded; ${deliveredBy(ctx).replace('delivers it', 'starts it')}`, workflowHref(id));
}

/** The workflow's history as golden file text (what `wippy workflow export` writes). */
export function goldenText(ctx: UiContext, id: string): { name: string; text: string } | null {
  const row = ctx.store.getWorkflow(id);
  if (row === null) return null;
  return { name: row.id, text: toGolden(ctx.store.history(row.id), { recorded_by: 'wippy ui' }, { workflowId: row.id }) };
}

export function exportAction(ctx: UiContext, id: string, body: Record<string, unknown>): ActionResult {
  if (ctx.registry === null) throw new WippyError(ErrorCode.BAD_ARGUMENT, 'no registry folder to save into: start wippy ui with the registry PATH, or use the download link');
  const rel = text(body, 'file').trim();
  if (!rel.endsWith(GOLDEN_SUFFIX) || path.isAbsolute(rel) || rel.split(/[\\/]/).some((s) => s === '..' || s === '')) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `${JSON.stringify(rel)}: give a path inside the registry folder ending in ${GOLDEN_SUFFIX} (e.g. goldens/order.golden.json)`);
  }
  const golden = goldenText(ctx, id);
  if (golden === null) throw new WippyError(ErrorCode.WORKFLOW_NOT_FOUND, `no workflow ${id} in this store`);
  const file = path.join(ctx.registry.root, rel);
  if (fs.existsSync(file) && body.overwrite !== true) {
    return { status: 409, body: { error: `${rel} exists`, confirm: `${rel} exists in the registry folder. Replace it with this workflow's history?` } };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, golden.text);
  return ok(`wrote ${rel}: workflow ${golden.name}; replay it under Goldens (or \`wippy replay ${rel}\`)`, `/goldens/view?file=${encodeURIComponent(rel)}`);
}
