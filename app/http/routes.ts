/**
 * The route table of one http.service: its routers' endpoints as `METHOD /prefix/path` patterns,
 * matched the way Go's ServeMux (which Wippy uses) matches them.
 *
 * Owns: compiling patterns (`{name}` one segment, `{name...}` the rest, a trailing `/` a subtree),
 * the conflict check Wippy's router runs before serving (two patterns of one method that can match
 * the same path without one being more specific), and matching a request: the most specific
 * pattern wins (a literal segment beats a parameter, a parameter beats the rest); a path that
 * some pattern matches under another method is 405 with `Allow`; OPTIONS on a known path that has
 * no OPTIONS endpoint is 204 (as Wippy registers one per route for CORS preflights); GET also
 * answers HEAD. Invariants: pure (no I/O); parameter values are the decoded path segments; a
 * segment that does not decode matches no parameter.
 */
import { ErrorCode, WippyError } from '../../base/errors';
import type { HttpEndpointEntry } from '../../registry';

type Seg = { lit: string } | { param: string } | { rest: string };

/** What a route serves: an http.endpoint entry, or any handler with a method and a path (the web UI's). */
export interface RouteTarget { id: string; method: string; path: string }

export interface Route<E extends RouteTarget = HttpEndpointEntry> {
  method: string;
  /** `/prefix/path` as served. */
  pattern: string;
  segs: Seg[];
  endpoint: E;
}

export type Match<E extends RouteTarget = HttpEndpointEntry> =
  | { route: Route<E>; params: Record<string, string> }
  | { status: 404 }
  | { status: 405; allow: string[] }
  | { status: 204; allow: string[] };

function compile(pattern: string): Seg[] {
  const parts = pattern.split('/').slice(1);
  return parts.map((p, i): Seg => {
    const m = /^\{([^{}]*)\}$/.exec(p);
    if (m && m[1].endsWith('...')) return { rest: m[1].slice(0, -3) };
    if (m) return { param: m[1] };
    // A trailing slash is a subtree in Go: "/files/" matches "/files/a/b".
    if (p === '' && i === parts.length - 1 && parts.length > 1) return { rest: '' };
    return { lit: p };
  });
}

const rank = (s: Seg): number => ('lit' in s ? 2 : 'param' in s ? 1 : 0);

/** Two patterns of one method that can match one path with neither more specific (Wippy's rule). */
function conflict(a: Route<RouteTarget>, b: Route<RouteTarget>): boolean {
  if (a.method !== b.method || a.segs.length !== b.segs.length) return false;
  let aMore = false;
  let bMore = false;
  for (let i = 0; i < a.segs.length; i++) {
    const x = a.segs[i];
    const y = b.segs[i];
    if ('lit' in x && 'lit' in y && x.lit !== y.lit) return false;
    if (rank(x) > rank(y)) aMore = true;
    if (rank(y) > rank(x)) bMore = true;
  }
  return aMore === bMore;
}

export class RouteTable<E extends RouteTarget = HttpEndpointEntry> {
  readonly routes: Array<Route<E>>;

  /** `service` names the http.service in the conflict error. */
  constructor(service: string, endpoints: Array<{ prefix: string; endpoint: E }>) {
    this.routes = endpoints.map(({ prefix, endpoint }) => {
      const pattern = `${prefix}${endpoint.path}`;
      return { method: endpoint.method, pattern, segs: compile(pattern), endpoint };
    });
    const clashes: string[] = [];
    for (let i = 0; i < this.routes.length; i++) {
      for (let j = i + 1; j < this.routes.length; j++) {
        const [a, b] = [this.routes[i], this.routes[j]];
        if (conflict(a, b)) clashes.push(`${a.method} ${a.pattern} (${a.endpoint.id}) and ${b.method} ${b.pattern} (${b.endpoint.id})`);
      }
    }
    if (clashes.length > 0) {
      throw new WippyError(ErrorCode.REGISTRY_INVALID, `http.service ${service}: these endpoints match the same requests: ${clashes.join('; ')}; change a path or a method`);
    }
  }

  match(method: string, path: string): Match<E> {
    const raw = path.split('/').slice(1);
    const parts = raw.map((p) => { try { return decodeURIComponent(p); } catch { return null; } });
    let best: { route: Route<E>; params: Record<string, string>; score: number[] } | null = null;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegs(route.segs, parts);
      if (!params) continue;
      const methodOk = route.method === method || (method === 'HEAD' && route.method === 'GET');
      allowed.add(route.method);
      if (route.method === 'GET') allowed.add('HEAD');
      if (!methodOk) continue;
      const score = route.segs.map(rank);
      if (!best || better(score, best.score) || (route.method === method && best.route.method !== method && equal(score, best.score))) {
        best = { route, params, score };
      }
    }
    if (best) return { route: best.route, params: best.params };
    if (allowed.size === 0) return { status: 404 };
    const allow = [...allowed, 'OPTIONS'].filter((m, i, all) => all.indexOf(m) === i).sort();
    return method === 'OPTIONS' ? { status: 204, allow } : { status: 405, allow };
  }
}

function matchSegs(segs: Seg[], parts: Array<string | null>): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if ('rest' in s) {
      const rest = parts.slice(i);
      if (rest.some((p) => p === null)) return null;
      if (s.rest !== '') params[s.rest] = rest.join('/');
      return params;
    }
    const p = parts[i];
    if (p === undefined || p === null) return null;
    if ('lit' in s) { if (s.lit !== p) return null; continue; }
    if (p === '') return null;
    params[s.param] = p;
  }
  return parts.length === segs.length ? params : null;
}

/** Segment by segment, the first difference decides (literal > parameter > rest); longer wins a tie. */
function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] > b[i];
  return a.length > b.length;
}

function equal(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
