/**
 * `http`: the request and response of the HTTP exchange an `http.endpoint` handler runs for, as
 * Wippy's `http` module (runtime/lua/modules/http/spec.md).
 *
 * `http.request([{timeout, max_body}]) -> Request, err`, `http.response() -> Response, err`
 * (Internal "no HTTP request context found" outside a handler). Request: `method`, `path`,
 * `query(k)`, `query_params()` (values joined with ","), `header(name)` (exact canonical name,
 * values joined with ", "), `content_type`, `content_length`, `host`, `remote_addr`, `body`,
 * `body_json`, `has_body`, `accepts`, `is_content_type`, `param`, `params`. Response:
 * `set_status`, `set_header`, `set_content_type`, `write`, `write_json`, `flush`,
 * `set_transfer`, `write_event`; each returns nil or an error value. Constants `METHOD`,
 * `STATUS`, `CONTENT`, `TRANSFER`, `ERROR`.
 *
 * Invariants: every method returns Wippy's `value, err` (or `err`) and raises only for a wrong
 * argument type; status and headers are refused (Invalid) once the headers are sent, which the
 * first `set_status` or write does, as Go's ResponseWriter does; the exchange is the execution's
 * own (never handed to nested calls); not available in workflows (the registry refuses it there).
 * `request:stream()` and `parse_multipart()` are not provided (an error value says so).
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, checkText, hostOf, decode, CodecError, fail, ok,
  pushBytes, methodsClass, setClassMetatable, checkBox, pushError, wippyEncode, EncodeError, bytesToUtf8OrNull,
} from '../lua/api';
import { ErrorKind } from '../base/errors';
import type { HttpExchange, HttpRequestData } from '../base/http';

const REQ_MT = 'wippy.http.request';
const RES_MT = 'wippy.http.response';
const DEFAULT_MAX_BODY = 125829120;

interface RequestBox { req: HttpRequestData; maxBody: number }
interface ResponseBox { ex: HttpExchange }

function exchangeOf(L: LuaState): HttpExchange | null {
  const s = hostOf(L).services;
  return s.http ? s.http() : null;
}

/** Push `v` (nil when undefined) and the nil error slot. */
function value(L: LuaState, v: string | number | boolean | undefined): number {
  if (v === undefined) lua.lua_pushnil(L);
  else if (typeof v === 'string') pushText(L, v);
  else if (typeof v === 'number') lua.lua_pushnumber(L, v);
  else lua.lua_pushboolean(L, v);
  return ok(L);
}

function pushStringTable(L: LuaState, t: Record<string, string>): number {
  lua.lua_createtable(L, 0, Object.keys(t).length);
  for (const [k, v] of Object.entries(t)) { pushText(L, v); lua.lua_setfield(L, -2, lstr(k)); }
  return ok(L);
}

/** Push one error value as the only result (`err`), or nil. */
function errOnly(L: LuaState, kind?: string, message?: string): number {
  if (kind === undefined) lua.lua_pushnil(L);
  else pushError(L, { kind, message: message ?? '', retryable: false });
  return 1;
}

const req = (L: LuaState): HttpRequestData => checkBox<RequestBox>(L, REQ_MT, 'http.Request').req;
const header = (r: HttpRequestData, name: string): string | undefined => r.headers[name]?.join(', ');
const query = (r: HttpRequestData): URLSearchParams => new URLSearchParams(r.rawQuery);

/** The body as Wippy reads it: bounded by max_body. */
function body(L: LuaState): Uint8Array | number {
  const box = checkBox<RequestBox>(L, REQ_MT, 'http.Request');
  if (box.req.contentLength > box.maxBody || box.req.body.length > box.maxBody) return fail(L, ErrorKind.Invalid, 'request body too large');
  return box.req.body;
}

const requestMethods: Record<string, LuaFn> = {
  method: (L) => value(L, req(L).method),
  path: (L) => value(L, req(L).path),
  query: (L) => { const q = query(req(L)); const k = checkText(L, 2); return value(L, q.has(k) ? q.get(k)! : undefined); },
  query_params: (L) => {
    const all: Record<string, string> = {};
    const q = query(req(L));
    for (const k of new Set(q.keys())) all[k] = q.getAll(k).join(',');
    return pushStringTable(L, all);
  },
  header: (L) => value(L, header(req(L), checkText(L, 2))),
  content_type: (L) => value(L, req(L).headers['Content-Type']?.[0]),
  content_length: (L) => value(L, req(L).contentLength),
  host: (L) => value(L, req(L).host),
  remote_addr: (L) => value(L, req(L).remoteAddr),
  body: (L) => {
    const b = body(L);
    if (typeof b === 'number') return b;
    pushBytes(L, b);
    return ok(L);
  },
  body_json: (L) => {
    const b = body(L);
    if (typeof b === 'number') return b;
    const text = bytesToUtf8OrNull(b);
    if (text === null) return fail(L, ErrorKind.Invalid, 'invalid UTF-8 in the body', 'invalid JSON');
    try {
      decode(L, text, 'json');
      return ok(L);
    } catch (e) {
      if (e instanceof CodecError) return fail(L, ErrorKind.Invalid, text.trim() === '' ? 'unexpected end of JSON input' : e.message.replace(/^invalid JSON: /, ''), 'invalid JSON');
      throw e;
    }
  },
  has_body: (L) => value(L, req(L).contentLength > 0),
  accepts: (L) => {
    const want = checkText(L, 2);
    const accept = req(L).headers.Accept?.[0] ?? '';
    return value(L, accept !== '' && accept.split(',').map((a) => a.trim()).some((a) => a === want || a === '*/*'));
  },
  is_content_type: (L) => { const r = req(L); const want = checkText(L, 2); return value(L, (r.headers['Content-Type']?.[0] ?? '').startsWith(want)); },
  param: (L) => value(L, req(L).params[checkText(L, 2)]),
  params: (L) => pushStringTable(L, req(L).params),
  stream: (L) => { req(L); return fail(L, ErrorKind.Internal, 'request:stream() is not provided by wippy-ts yet; read the body with request:body()'); },
  parse_multipart: (L) => { req(L); return fail(L, ErrorKind.Internal, 'request:parse_multipart() is not provided by wippy-ts yet'); },
};

const res = (L: LuaState): HttpExchange['response'] => checkBox<ResponseBox>(L, RES_MT, 'http.Response').ex.response;

/** An error when the headers are out already (`what`: "set status", "set headers"...). */
function sent(L: LuaState, what: string): number | null {
  return res(L).headersSent ? errOnly(L, ErrorKind.Invalid, `cannot ${what} after headers are sent`) : null;
}

const responseMethods: Record<string, LuaFn> = {
  set_status: (L) => {
    const r = res(L);
    const code = lauxlib.luaL_checkinteger(L, 2);
    return sent(L, 'set status') ?? (r.setStatus(code), errOnly(L));
  },
  set_header: (L) => {
    const name = checkText(L, 2);
    const v = checkText(L, 3);
    return sent(L, 'set headers') ?? (res(L).setHeader(name, v), errOnly(L));
  },
  set_content_type: (L) => {
    const ct = checkText(L, 2);
    return sent(L, 'set content type') ?? (res(L).setHeader('Content-Type', ct), errOnly(L));
  },
  write: (L) => {
    const r = res(L);
    r.write(lauxlib.luaL_checklstring(L, 2));
    return errOnly(L);
  },
  write_json: (L) => {
    const r = res(L);
    let text: string;
    try {
      text = lua.lua_isnoneornil(L, 2) ? 'null' : wippyEncode(L, 2);
    } catch (e) {
      if (e instanceof EncodeError) return errOnly(L, ErrorKind.Invalid, `failed to encode JSON: ${e.message}`);
      throw e;
    }
    if (!r.headersSent) r.setHeader('Content-Type', 'application/json');
    r.write(text);
    return errOnly(L);
  },
  flush: (L) => { res(L).flush(); return errOnly(L); },
  set_transfer: (L) => {
    const mode = checkText(L, 2);
    const r = res(L);
    if (mode !== 'chunked' && mode !== 'sse') lauxlib.luaL_argerror(L, 2, lstr('invalid transfer type'));
    const early = sent(L, 'set transfer mode');
    if (early !== null) return early;
    if (mode === 'sse') r.setHeader('Content-Type', 'text/event-stream');
    r.setHeader('Cache-Control', 'no-cache');
    if (mode === 'sse') r.setHeader('Connection', 'keep-alive');
    r.transferMode = mode as 'chunked' | 'sse';
    return errOnly(L);
  },
  write_event: (L) => {
    const r = res(L);
    if (r.transferMode !== 'sse') {
      if (r.headersSent) return errOnly(L, ErrorKind.Invalid, 'cannot switch to SSE mode after headers are sent');
      r.setHeader('Content-Type', 'text/event-stream');
      r.setHeader('Cache-Control', 'no-cache');
      r.setHeader('Connection', 'keep-alive');
      r.transferMode = 'sse';
    }
    lauxlib.luaL_checktype(L, 2, lua.LUA_TTABLE);
    lua.lua_getfield(L, 2, lstr('name'));
    const name = lua.lua_type(L, -1) === lua.LUA_TSTRING || lua.lua_type(L, -1) === lua.LUA_TNUMBER ? checkText(L, -1) : '';
    lua.lua_pop(L, 1);
    if (name === '') lauxlib.luaL_argerror(L, 2, lstr('missing event name'));
    lua.lua_getfield(L, 2, lstr('data'));
    if (lua.lua_isnil(L, -1)) lauxlib.luaL_argerror(L, 2, lstr('missing event data'));
    let data: string;
    try {
      data = wippyEncode(L, -1);
    } catch (e) {
      if (e instanceof EncodeError) return errOnly(L, ErrorKind.Invalid, `failed to marshal event data: ${e.message}`);
      throw e;
    }
    lua.lua_pop(L, 1);
    r.write(`event: ${name}\ndata: ${data}\n\n`);
    r.flush();
    return errOnly(L);
  },
};

const REQUEST_CLASS = methodsClass('http.Request', requestMethods, { __tostring: (L) => { pushText(L, 'http.Request{}'); return 1; } });
const RESPONSE_CLASS = methodsClass('http.Response', responseMethods, { __tostring: (L) => { pushText(L, 'http.Response{}'); return 1; } });

function noContext(L: LuaState): number {
  return fail(L, ErrorKind.Internal, 'no HTTP request context found');
}

/** `http.request([options])`: `timeout` (ms, accepted; the body is already read) and `max_body`. */
const request: LuaFn = (L) => {
  const ex = exchangeOf(L);
  if (!ex) return noContext(L);
  let maxBody = DEFAULT_MAX_BODY;
  if (lua.lua_type(L, 1) === lua.LUA_TTABLE) {
    lua.lua_getfield(L, 1, lstr('max_body'));
    if (lua.lua_isnumber(L, -1) && lua.lua_tonumber(L, -1) > 0) maxBody = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
  }
  const box = lua.lua_newuserdata(L, 0) as RequestBox;
  box.req = ex.request;
  box.maxBody = maxBody;
  setClassMetatable(L, REQ_MT, REQUEST_CLASS);
  return ok(L);
};

const response: LuaFn = (L) => {
  const ex = exchangeOf(L);
  if (!ex) return noContext(L);
  const box = lua.lua_newuserdata(L, 0) as ResponseBox;
  box.ex = ex;
  setClassMetatable(L, RES_MT, RESPONSE_CLASS);
  return ok(L);
};

const CONSTANTS: Record<string, Record<string, string | number>> = {
  METHOD: { GET: 'GET', POST: 'POST', PUT: 'PUT', DELETE: 'DELETE', PATCH: 'PATCH', HEAD: 'HEAD', OPTIONS: 'OPTIONS' },
  STATUS: {
    OK: 200, CREATED: 201, ACCEPTED: 202, NO_CONTENT: 204, PARTIAL_CONTENT: 206, MOVED_PERMANENTLY: 301, FOUND: 302,
    SEE_OTHER: 303, NOT_MODIFIED: 304, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308, BAD_REQUEST: 400,
    UNAUTHORIZED: 401, PAYMENT_REQUIRED: 402, FORBIDDEN: 403, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405,
    NOT_ACCEPTABLE: 406, CONFLICT: 409, GONE: 410, UNPROCESSABLE: 422, TOO_MANY_REQUESTS: 429, INTERNAL_ERROR: 500,
    NOT_IMPLEMENTED: 501, BAD_GATEWAY: 502, SERVICE_UNAVAILABLE: 503, GATEWAY_TIMEOUT: 504, VERSION_NOT_SUPPORTED: 505,
  },
  CONTENT: { JSON: 'application/json', FORM: 'application/x-www-form-urlencoded', MULTIPART: 'multipart/form-data', TEXT: 'text/plain', STREAM: 'application/octet-stream' },
  TRANSFER: { CHUNKED: 'chunked', SSE: 'sse' },
  ERROR: { PARSE_FAILED: 'PARSE_FAILED', INVALID_STATE: 'INVALID_STATE', WRITE_FAILED: 'WRITE_FAILED', STREAM_ERROR: 'STREAM_ERROR' },
};

export function openHttp(L: LuaState): void {
  lua.lua_createtable(L, 0, 7);
  setFuncs(L, { request, response });
  for (const [name, consts] of Object.entries(CONSTANTS)) {
    lua.lua_createtable(L, 0, Object.keys(consts).length);
    for (const [k, v] of Object.entries(consts)) {
      if (typeof v === 'number') lua.lua_pushinteger(L, v); else pushText(L, v);
      lua.lua_setfield(L, -2, lstr(k));
    }
    lua.lua_setfield(L, -2, lstr(name));
  }
}
