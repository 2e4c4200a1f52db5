/**
 * `http_client`: outgoing HTTP requests, as Wippy's `http_client` module
 * (runtime/lua/modules/httpclient/spec.md and its Go source).
 *
 * `get/post/put/delete/head/patch(url [, options])`, `request(method, url [, options])` ->
 * `response, err`; `request_batch({{method, url, options}...})` -> `responses, errors|nil`;
 * `encode_uri(s)`, `decode_uri(s)`. Options: `headers`, `body`, `timeout` (a number of seconds or
 * a Go duration string), `query` (merged into the URL, keys sorted as Go encodes them),
 * `cookies`, `form` (url-encoded body), `files` (multipart with `form`), `auth = {user, pass}`,
 * `max_response_body`, `unix_socket`. The response is a table: `status_code`, `url` (after
 * redirects), `body` (absent when empty), `body_size`, `headers` (first value of each, canonical
 * names), `cookies`.
 *
 * Invariants: a network failure, a timeout or a too-large body is `nil, err` with kind Internal,
 * retryable (Wippy's), and Go's text; an HTTP error status is a response, not an error; a wrong
 * argument type raises. Not available in workflows: a request is not deterministic, so the
 * registry refuses the module in a workflow.lua and says to call it from a function (an
 * activity); `stream = true` is not provided (an error value says so).
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, checkText, hostOf, waitFor, fail, ok, pushBytes,
  pushError, toLua,
} from '../lua/api';
import { ErrorKind } from '../base/errors';
import { parseDuration } from '../base/duration';
import type { HttpClientRequest, HttpClientResponse } from '../lua/api';

type Options = Omit<HttpClientRequest, 'method' | 'url'> & { stream: boolean; problem?: string };

/** The string-to-string pairs of the table at `idx`.`field` (non-string pairs skipped, as Wippy). */
function stringMap(L: LuaState, idx: number, field: string): Array<[string, string]> | null {
  lua.lua_getfield(L, idx, lstr(field));
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) { lua.lua_pop(L, 1); return null; }
  const out: Array<[string, string]> = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2) !== 0) {
    if (lua.lua_type(L, -2) === lua.LUA_TSTRING && lua.lua_type(L, -1) === lua.LUA_TSTRING) out.push([checkText(L, -2), checkText(L, -1)]);
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  return out;
}

function field(L: LuaState, idx: number, name: string): number {
  lua.lua_getfield(L, idx, lstr(name));
  return lua.lua_type(L, -1);
}

/** Go's url.Values.Encode: keys sorted, `+` for spaces. */
function encodeSorted(pairs: Array<[string, string]>): string {
  const p = new URLSearchParams(pairs);
  p.sort();
  return p.toString();
}

function readOptions(L: LuaState, idx: number, url: string): Options & { url: string } {
  const o: Options & { url: string } = { url, headers: {}, timeoutMs: 0, maxResponseBody: 0, stream: false };
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) return o;
  idx = lua.lua_absindex(L, idx);
  for (const [k, v] of stringMap(L, idx, 'headers') ?? []) o.headers[k] = v;
  if (field(L, idx, 'body') === lua.LUA_TSTRING) o.body = lua.lua_tolstring(L, -1);
  lua.lua_pop(L, 1);
  const t = field(L, idx, 'timeout');
  if (t === lua.LUA_TNUMBER) o.timeoutMs = lua.lua_tonumber(L, -1) * 1000;
  else if (t === lua.LUA_TSTRING) { try { o.timeoutMs = parseDuration(checkText(L, -1)); } catch { /* Wippy ignores a bad duration */ } }
  lua.lua_pop(L, 1);
  if (field(L, idx, 'unix_socket') === lua.LUA_TSTRING) o.unixSocket = checkText(L, -1);
  lua.lua_pop(L, 1);
  if (field(L, idx, 'max_response_body') === lua.LUA_TNUMBER) o.maxResponseBody = lua.lua_tonumber(L, -1);
  lua.lua_pop(L, 1);
  if (field(L, idx, 'stream') === lua.LUA_TBOOLEAN) o.stream = lua.lua_toboolean(L, -1);
  lua.lua_pop(L, 1);
  const query = stringMap(L, idx, 'query');
  if (query && query.length > 0) {
    try {
      const u = new URL(url);
      const q = new URLSearchParams(u.search);
      for (const [k, v] of query) q.set(k, v);
      u.search = encodeSorted([...q]);
      o.url = u.toString();
    } catch { o.problem = `parse "${url}": invalid URL`; }
  }
  const cookies = stringMap(L, idx, 'cookies');
  if (cookies && cookies.length > 0) o.headers.Cookie = cookies.map(([k, v]) => `${k}=${v}`).join('; ');
  const form = stringMap(L, idx, 'form') ?? [];
  const files = readFiles(L, idx);
  if (files.length > 0) {
    const boundary = `wippy${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
    const parts: Buffer[] = [];
    for (const [k, v] of form) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    for (const f of files) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`), Buffer.from(f.content), Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    o.body = Buffer.concat(parts);
    o.headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`;
  } else if (form.length > 0) {
    o.body = Buffer.from(encodeSorted(form));
    o.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  lua.lua_getfield(L, idx, lstr('auth'));
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const user = field(L, -1, 'user') === lua.LUA_TSTRING ? checkText(L, -1) : '';
    lua.lua_pop(L, 1);
    const pass = field(L, -1, 'pass') === lua.LUA_TSTRING ? checkText(L, -1) : '';
    lua.lua_pop(L, 1);
    if (user !== '') o.headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  lua.lua_pop(L, 1);
  return o;
}

function readFiles(L: LuaState, idx: number): Array<{ name: string; filename: string; content: Uint8Array }> {
  const out: Array<{ name: string; filename: string; content: Uint8Array }> = [];
  if (field(L, idx, 'files') !== lua.LUA_TTABLE) { lua.lua_pop(L, 1); return out; }
  const n = lua.lua_rawlen(L, -1);
  for (let i = 1; i <= n; i++) {
    if (lua.lua_rawgeti(L, -1, i) === lua.LUA_TTABLE) {
      const name = field(L, -1, 'name') === lua.LUA_TSTRING ? checkText(L, -1) : '';
      lua.lua_pop(L, 1);
      const filename = field(L, -1, 'filename') === lua.LUA_TSTRING ? checkText(L, -1) : '';
      lua.lua_pop(L, 1);
      const content = field(L, -1, 'content') === lua.LUA_TSTRING ? lua.lua_tolstring(L, -1) : null;
      lua.lua_pop(L, 1);
      if (name !== '' && content && content.length > 0) out.push({ name, filename, content });
    }
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  return out;
}

function pushResponse(L: LuaState, r: HttpClientResponse): void {
  lua.lua_createtable(L, 0, 6);
  lua.lua_pushinteger(L, r.status); lua.lua_setfield(L, -2, lstr('status_code'));
  pushText(L, r.url); lua.lua_setfield(L, -2, lstr('url'));
  if (r.body.length > 0) { pushBytes(L, r.body); lua.lua_setfield(L, -2, lstr('body')); }
  lua.lua_pushinteger(L, r.body.length); lua.lua_setfield(L, -2, lstr('body_size'));
  const names = Object.keys(r.headers);
  if (names.length > 0) {
    lua.lua_createtable(L, 0, names.length);
    for (const k of names) { pushText(L, r.headers[k][0]); lua.lua_setfield(L, -2, toLua(k)); }
    lua.lua_setfield(L, -2, lstr('headers'));
  }
  const cookies = (r.headers['Set-Cookie'] ?? []).map((c) => c.split(';')[0]).filter((c) => c.includes('='));
  if (cookies.length > 0) {
    lua.lua_createtable(L, 0, cookies.length);
    for (const c of cookies) { const i = c.indexOf('='); pushText(L, c.slice(i + 1).trim()); lua.lua_setfield(L, -2, toLua(c.slice(0, i).trim())); }
    lua.lua_setfield(L, -2, lstr('cookies'));
  }
}

const netError = (message: string) => ({ kind: ErrorKind.Internal, message, retryable: true });

/** The request in the table/arguments, or the `nil, err` already pushed. */
function send(L: LuaState, method: string, url: string, optsIdx: number): number {
  if (url === '') lauxlib.luaL_argerror(L, optsIdx - 1, lstr('URL required'));
  const o = readOptions(L, optsIdx, url);
  const client = hostOf(L).services.httpClient?.() ?? null;
  if (!client) return fail(L, ErrorKind.Internal, 'http_client is not available here (in a workflow, make requests in a function called as an activity)');
  if (o.stream) return fail(L, ErrorKind.Internal, 'stream = true is not provided by wippy-ts yet; read the whole body');
  if (o.problem) { lua.lua_pushnil(L); pushError(L, netError(o.problem)); return 2; }
  const host = hostOf(L);
  return waitFor(L, host, (done) => client.request({ ...o, method }, (r) => done((L1) => {
    if ('error' in r) { lua.lua_pushnil(L1); pushError(L1, netError(r.error)); return 2; }
    pushResponse(L1, r.response);
    return ok(L1);
  })));
}

const method = (m: string): LuaFn => (L) => send(L, m, checkText(L, 1), 2);

const request: LuaFn = (L) => send(L, checkText(L, 1).toUpperCase(), checkText(L, 2), 3);

/** All at once; `responses, errors` (errors nil when every request succeeded). */
const requestBatch: LuaFn = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const n = lua.lua_rawlen(L, 1);
  if (n === 0) return fail(L, ErrorKind.Invalid, 'requests table cannot be empty');
  const client = hostOf(L).services.httpClient?.() ?? null;
  if (!client) return fail(L, ErrorKind.Internal, 'http_client is not available here (in a workflow, make requests in a function called as an activity)');
  const reqs: HttpClientRequest[] = [];
  for (let i = 1; i <= n; i++) {
    if (lua.lua_rawgeti(L, 1, i) !== lua.LUA_TTABLE) return fail(L, ErrorKind.Invalid, 'each request must be a table');
    if (lua.lua_rawgeti(L, -1, 1) !== lua.LUA_TSTRING) return fail(L, ErrorKind.Invalid, 'method must be a string');
    const m = checkText(L, -1).toUpperCase();
    if (lua.lua_rawgeti(L, -2, 2) !== lua.LUA_TSTRING) return fail(L, ErrorKind.Invalid, 'URL must be a string');
    const url = checkText(L, -1);
    lua.lua_rawgeti(L, -3, 3);
    const o = readOptions(L, -1, url);
    if (o.stream) return fail(L, ErrorKind.Invalid, 'streaming not supported in batch requests');
    reqs.push({ ...o, method: m });
    lua.lua_pop(L, 4);
  }
  return waitFor(L, hostOf(L), (done) => {
    const results: Array<{ response: HttpClientResponse } | { error: string }> = [];
    let left = reqs.length;
    const cancels = reqs.map((r, i) => client.request(r, (res) => {
      results[i] = res;
      if (--left === 0) done((L1) => {
        const anyError = results.some((x) => 'error' in x);
        lua.lua_createtable(L1, results.length, 0);
        results.forEach((x, j) => { if ('response' in x) { pushResponse(L1, x.response); lua.lua_rawseti(L1, -2, j + 1); } });
        if (!anyError) return ok(L1);
        lua.lua_createtable(L1, results.length, 0);
        results.forEach((x, j) => { if ('error' in x) { pushError(L1, netError(x.error)); lua.lua_rawseti(L1, -2, j + 1); } });
        return 2;
      });
    }));
    return () => { for (const c of cancels) c(); };
  });
};

export function openHttpClient(L: LuaState): void {
  lua.lua_createtable(L, 0, 10);
  setFuncs(L, {
    get: method('GET'), post: method('POST'), put: method('PUT'), delete: method('DELETE'), head: method('HEAD'),
    patch: method('PATCH'), request, request_batch: requestBatch,
    encode_uri: (L) => { pushText(L, encodeURIComponent(checkText(L, 1)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)); return 1; },
    decode_uri: (L) => {
      const s = checkText(L, 1);
      const bad = /%(?![0-9a-fA-F]{2}).{0,2}/.exec(s);
      if (bad) return fail(L, ErrorKind.Invalid, `invalid URL escape "${bad[0]}"`);
      try { pushText(L, decodeURIComponent(s.replace(/\+/g, ' '))); } catch { pushText(L, unescape(s.replace(/\+/g, ' '))); }
      return ok(L);
    },
  });
}
