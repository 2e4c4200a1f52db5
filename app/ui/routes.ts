/**
 * The web UI's routes: every URL it answers, what answers it, and the shape of an answer.
 *
 * Owns: the URL space (pages, actions, live streams, the golden download, the assets). The server
 * (server.ts) matches a request with app/http/routes.ts's RouteTable and checks who may ask
 * before any route runs. Invariant: a route reads its inputs only from the matched path
 * parameters, the query and the (already checked) JSON body.
 */
import type * as http from 'node:http';
import { listPage, listFingerprint } from './list-page';
import { workflowPage, workflowFingerprint } from './workflow-page';
import { goldensPage, goldenView } from './goldens-page';
import { signalAction, controlAction, startAction, exportAction, goldenText, type ActionResult } from './actions';
import { serveLive } from './live';
import { notFound, type Page } from './layout';
import type { UiContext } from './context';

export interface UiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export type UiAnswer =
  | { page: Page }
  | { status: number; json: unknown }
  | { live: (req: http.IncomingMessage, res: http.ServerResponse) => void }
  | { asset: string }
  | { download: { name: string; type: string; text: string } };

export interface UiRoute {
  id: string;
  method: string;
  path: string;
  /** Failures answer JSON (actions, downloads) instead of an error page. */
  json?: boolean;
  handle(ctx: UiContext, r: UiRequest): UiAnswer | Promise<UiAnswer>;
}

const action = (fn: (ctx: UiContext, r: UiRequest) => ActionResult) => (ctx: UiContext, r: UiRequest): UiAnswer => {
  const a = fn(ctx, r);
  return { status: a.status, json: a.body };
};

export function uiRoutes(): UiRoute[] {
  return [
    { id: 'list', method: 'GET', path: '/', handle: (ctx, r) => ({ page: listPage(ctx, r.query) }) },
    { id: 'workflow', method: 'GET', path: '/workflows/{id}', handle: (ctx, r) => ({ page: workflowPage(ctx, r.params.id) }) },
    {
      id: 'golden-download', method: 'GET', path: '/workflows/{id}/golden.json',
      handle: (ctx, r) => {
        const g = goldenText(ctx, r.params.id);
        return g === null ? { page: notFound(`No workflow ${r.params.id} in this store.`) } : { download: { name: `${g.name}.golden.json`, type: 'application/json; charset=utf-8', text: g.text } };
      },
    },
    { id: 'signal', method: 'POST', path: '/workflows/{id}/signal', json: true, handle: action((ctx, r) => signalAction(ctx, r.params.id, r.body)) },
    { id: 'cancel', method: 'POST', path: '/workflows/{id}/cancel', json: true, handle: action((ctx, r) => controlAction(ctx, r.params.id, 'cancel', r.body)) },
    { id: 'terminate', method: 'POST', path: '/workflows/{id}/terminate', json: true, handle: action((ctx, r) => controlAction(ctx, r.params.id, 'terminate', r.body)) },
    { id: 'export', method: 'POST', path: '/workflows/{id}/export', json: true, handle: action((ctx, r) => exportAction(ctx, r.params.id, r.body)) },
    { id: 'start', method: 'POST', path: '/start', json: true, handle: action((ctx, r) => startAction(ctx, r.body)) },
    { id: 'goldens', method: 'GET', path: '/goldens', handle: (ctx) => ({ page: goldensPage(ctx) }) },
    { id: 'golden', method: 'GET', path: '/goldens/view', handle: (ctx, r) => ({ page: goldenView(ctx, r.query.get('file') ?? '') }) },
    { id: 'live-list', method: 'GET', path: '/live/list', handle: (ctx, r) => ({ live: (req, res) => serveLive(req, res, () => listFingerprint(ctx, r.query), r.query.get('since')) }) },
    { id: 'live-workflow', method: 'GET', path: '/live/workflow', handle: (ctx, r) => ({ live: (req, res) => serveLive(req, res, () => workflowFingerprint(ctx, r.query.get('id') ?? ''), r.query.get('since')) }) },
    { id: 'asset', method: 'GET', path: '/assets/{name}', handle: (_ctx, r) => ({ asset: r.params.name }) },
    { id: 'favicon', method: 'GET', path: '/favicon.ico', handle: () => ({ asset: 'favicon.svg' }) },
  ];
}
