/**
 * Wippy's HTTP entry kinds: `http.service` (a listening server), `http.router` (a prefix on a
 * server) and `http.endpoint` (a method and path on a router, handled by a function.lua).
 *
 * ```yaml
 * - name: gateway
 *   kind: http.service
 *   addr: "127.0.0.1:8085"          # host:port; ":8085" = every interface; port 0 = any free one
 *   timeouts: {read: 10s, write: 30s, idle: 60s}
 *   lifecycle: {auto_start: true}
 * - name: api
 *   kind: http.router
 *   meta: {server: gateway}         # the http.service (Wippy reads it from meta)
 *   prefix: /api
 * - name: get_order
 *   kind: http.endpoint
 *   meta: {router: app:api}         # the http.router
 *   method: GET
 *   path: /orders/{id}              # or /orders/:id
 *   func: get_order                 # a function.lua entry
 * ```
 *
 * Invariants, as Wippy validates them (api/service/http/config.go): a service has an address;
 * timeouts are durations >= 0 (0 = none); a router names its server in `meta.server`, an
 * endpoint its router in `meta.router`, its handler in `func`; a path starts with `/`; a method
 * is one of Go's (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, TRACE; written in any case, kept
 * upper case). `:name` path segments become `{name}` as Wippy rewrites them. References without a
 * namespace are in the entry's own. Wippy middleware names on a router are not run here: one
 * warning each (requests through that router are served without them).
 */
import type { EntryContext } from './fields';
import type { HttpEndpointEntry, HttpRouterEntry, HttpServiceEntry } from './types';
import { readLifecycle } from './lifecycle';
import { isPlainMap } from './load';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'] as const;

function base(ctx: EntryContext) {
  const r = ctx.raw;
  return { id: r.id, namespace: r.namespace, name: r.name, meta: r.meta, data: r.data, origin: { file: r.file, line: r.line } };
}

/** `host:port` as Go's net.Listen takes it: `[v6]:port`, `host:port`, `:port`. */
export function parseListenAddress(addr: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? m[2] ?? '', port };
}

export function readHttpService(ctx: EntryContext): HttpServiceEntry | undefined {
  const data = ctx.raw.data;
  const lifecycle = readLifecycle(ctx);
  const addr = data.addr === undefined || data.addr === null ? undefined : ctx.str(['addr'], data.addr);
  if (data.addr === undefined || data.addr === null) ctx.missing(['addr'], 'addr: "127.0.0.1:8080"');
  const t = ctx.map(['timeouts'], data.timeouts, '{read: 10s, write: 30s, idle: 60s}') ?? {};
  const timeouts = {
    readMs: ctx.duration(['timeouts', 'read'], t.read, 0),
    writeMs: ctx.duration(['timeouts', 'write'], t.write, 0),
    idleMs: ctx.duration(['timeouts', 'idle'], t.idle, 0),
  };
  if (addr === undefined) return undefined;
  const at = parseListenAddress(addr);
  if (!at) {
    ctx.problem(['addr'], `invalid listen address ${JSON.stringify(addr)}: write host:port, e.g. "127.0.0.1:8080" or ":8080" (every interface)`);
    return undefined;
  }
  return { ...base(ctx), kind: 'http.service', addr, host: at.host, port: at.port, timeouts, lifecycle };
}

/** `meta.KEY` (Wippy's place), else a data key of the same name. */
function metaRef(ctx: EntryContext, key: string, kind: 'http.service' | 'http.router', example: string): string | undefined {
  const inMeta = isPlainMap(ctx.raw.meta) ? ctx.raw.meta[key] : undefined;
  const [field, v] = inMeta !== undefined && inMeta !== null ? [['meta', key], inMeta] : [[key], ctx.raw.data[key]];
  if (v === undefined || v === null) {
    ctx.missing(['meta', key], `meta: {${key}: ${example}}`);
    return undefined;
  }
  return ctx.ref(field, v, [kind]);
}

export function readHttpRouter(ctx: EntryContext): HttpRouterEntry | undefined {
  const data = ctx.raw.data;
  const server = metaRef(ctx, 'server', 'http.service', 'app:gateway');
  const prefix = ctx.str(['prefix'], data.prefix, '/') ?? '/';
  if (!prefix.startsWith('/')) ctx.problem(['prefix'], `a router prefix starts with "/" (e.g. prefix: /${prefix})`);
  const middleware: string[] = [];
  for (const list of ['middleware', 'post_middleware']) {
    for (const m of ctx.strList([list], data[list])) {
      middleware.push(m);
      ctx.warning([list, (data[list] as unknown[]).indexOf(m)], `middleware ${m} is Wippy's but not run by wippy-ts yet; requests through this router are served without it`);
    }
  }
  if (server === undefined) return undefined;
  return { ...base(ctx), kind: 'http.router', server, prefix: prefix.replace(/\/+$/, ''), middleware };
}

export function readHttpEndpoint(ctx: EntryContext): HttpEndpointEntry | undefined {
  const data = ctx.raw.data;
  const router = metaRef(ctx, 'router', 'http.router', 'app:api');
  let func: string | undefined;
  if (data.func === undefined || data.func === null) ctx.missing(['func'], 'func: app:get_order (a function.lua entry)');
  else func = ctx.ref(['func'], data.func, ['function.lua']);
  let method: string | undefined;
  if (data.method === undefined || data.method === null) ctx.missing(['method'], 'method: GET');
  else {
    const m = ctx.str(['method'], data.method)?.toUpperCase();
    if (m !== undefined && !(HTTP_METHODS as readonly string[]).includes(m)) ctx.problem(['method'], `unknown HTTP method ${JSON.stringify(data.method)}; use one of ${HTTP_METHODS.join(', ')}`);
    else method = m;
  }
  let path: string | undefined;
  if (data.path === undefined || data.path === null) ctx.missing(['path'], 'path: /orders/{id}');
  else {
    const p = ctx.str(['path'], data.path);
    if (p !== undefined && !p.startsWith('/')) ctx.problem(['path'], `a path starts with "/" (e.g. path: /${p})`);
    else if (p !== undefined) path = p.split('/').map((seg) => (seg.startsWith(':') ? `{${seg.slice(1)}}` : seg)).join('/');
  }
  if (router === undefined || func === undefined || method === undefined || path === undefined) return undefined;
  return { ...base(ctx), kind: 'http.endpoint', router, method, path, func };
}
