// The `http_client` module against a local server: methods, headers, body, query, form, cookies,
// auth, redirects, timeouts, batch, Wippy's response table and error values; refused in workflows
// by the registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { evalLua } from '../helpers/lua';
import { loadRegistry, RegistryError } from '../../registry';
import { checkSyntax } from '../../lua/chunks';
import { MODULE_NAMES, WORKFLOW_MODULE_NAMES } from '../../lua-stdlib';
import { withRegistry } from '../../testkit/registry';

const M = { modules: ['http_client', 'json'] };

/** A server echoing what it got as JSON; /redirect, /slow, /big, /cookie behave as named. */
async function echoServer(t: { after(fn: () => void): void }): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += String(c); });
    req.on('end', () => {
      const url = req.url ?? '';
      if (url.startsWith('/redirect')) { res.writeHead(302, { Location: '/final?from=redirect' }); res.end(); return; }
      if (url.startsWith('/slow')) { setTimeout(() => { res.end('late'); }, 2000); return; }
      if (url.startsWith('/big')) { res.end('x'.repeat(1000)); return; }
      if (url.startsWith('/empty')) { res.writeHead(204); res.end(); return; }
      res.writeHead(url.startsWith('/missing') ? 404 : 200, { 'Content-Type': 'application/json', 'Set-Cookie': ['session=abc; Path=/', 'theme=dark'], 'X-Multi': ['a', 'b'] });
      res.end(JSON.stringify({ method: req.method, url, body, headers: req.headers }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => { server.closeAllConnections(); server.close(); });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('http_client: get/post/put/delete/request with headers, body, query, form, cookies and auth', async (t) => {
  const base = await echoServer(t);
  const v = await evalLua(`
    local hc = require("http_client")
    local json = require("json")
    local base = ...
    local function echo(r) return json.decode(r.body) end
    local g = hc.get(base .. "/a?keep=1", {query = {q = "x y", b = "2"}, headers = {["X-Test"] = "yes"}, cookies = {c = "1"}})
    local p = hc.post(base .. "/p", {body = '{"k":1}', headers = {["Content-Type"] = "application/json"}, auth = {user = "ann", pass = "pw"}})
    local f = hc.put(base .. "/f", {form = {b = "2", a = "1 2"}})
    local d = hc.delete(base .. "/d")
    local r = hc.request("patch", base .. "/r", {body = "raw"})
    local ge, pe, fe = echo(g), echo(p), echo(f)
    return {
      status = g.status_code, url = g.url, ct = g.headers["Content-Type"], multi = g.headers["X-Multi"], cookies = g.cookies,
      size = g.body_size == #g.body, g_url = ge.url, g_test = ge.headers["x-test"], g_cookie = ge.headers.cookie,
      p_method = pe.method, p_body = pe.body, p_auth = pe.headers.authorization,
      f_body = fe.body, f_ct = fe.headers["content-type"], d_method = echo(d).method, r_method = echo(r).method, r_body = echo(r).body,
    }`, { ...M, args: [JSON.stringify(base)] });
  assert.deepEqual(v, {
    status: 200, url: `${base}/a?b=2&keep=1&q=x+y`, ct: 'application/json', multi: 'a', cookies: { session: 'abc', theme: 'dark' },
    size: true, g_url: '/a?b=2&keep=1&q=x+y', g_test: 'yes', g_cookie: 'c=1',
    p_method: 'POST', p_body: '{"k":1}', p_auth: `Basic ${Buffer.from('ann:pw').toString('base64')}`,
    f_body: 'a=1+2&b=2', f_ct: 'application/x-www-form-urlencoded', d_method: 'DELETE', r_method: 'PATCH', r_body: 'raw',
  });
});

test('http_client: redirects followed, an HTTP error status is a response, an empty body is absent', async (t) => {
  const base = await echoServer(t);
  const v = await evalLua(`
    local hc = require("http_client")
    local base = ...
    local r = hc.get(base .. "/redirect")
    local m, err = hc.get(base .. "/missing")
    local e = hc.get(base .. "/empty")
    return {r.status_code, r.url, m.status_code, err == nil, e.status_code, e.body == nil, e.body_size}`, { ...M, args: [JSON.stringify(base)] });
  assert.deepEqual(v, [200, `${base}/final?from=redirect`, 404, true, 204, true, 0]);
});

test('http_client errors: refused connection, timeout, body too large, bad URL; retryable Internal with Go\'s texts', async (t) => {
  const base = await echoServer(t);
  const v = await evalLua(`
    local hc = require("http_client")
    local base = ...
    local out = {}
    for _, c in ipairs({
      {"GET", "http://127.0.0.1:1/x", nil},
      {"GET", base .. "/slow", {timeout = "100ms"}},
      {"GET", base .. "/big", {max_response_body = 10}},
      {"GET", "ftp://example.com/", nil},
    }) do
      local r, err = hc.request(c[1], c[2], c[3])
      table.insert(out, {r == nil, err:kind(), err:retryable(), err:message()})
    end
    local rs, errs = hc.request_batch({{"GET", base .. "/ok"}, {"GET", "http://127.0.0.1:1/"}})
    table.insert(out, {rs[1].status_code, rs[2] == nil, errs[1] == nil, errs[2]:kind()})
    table.insert(out, {hc.encode_uri("a b&c~/"), hc.decode_uri("a+b%26")})
    local _, bad = hc.decode_uri("%zz")
    table.insert(out, bad:message())
    return out`, { ...M, args: [JSON.stringify(base)] });
  assert.deepEqual(v, [
    [true, 'Internal', true, 'Get "http://127.0.0.1:1/x": dial tcp 127.0.0.1:1: connect: connection refused'],
    [true, 'Internal', true, `Get "${base}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`],
    [true, 'Internal', true, 'response body too large (max 10 bytes)'],
    [true, 'Internal', true, 'Get "ftp://example.com/": unsupported protocol scheme "ftp"'],
    [200, true, true, 'Internal'],
    ['a+b%26c~%2F', 'a b&'],
    'invalid URL escape "%zz"',
  ]);
});

test('http_client in a workflow is refused at load, saying to call it from a function (an activity)', () => {
  const dir = withRegistry({
    'r.yaml': 'namespace: app\nentries:\n  - {name: wf, kind: workflow.lua, source: "file://wf.lua", modules: [http_client]}\n',
    'wf.lua': 'return function() end',
  });
  assert.throws(() => loadRegistry(dir, { checkLua: checkSyntax, knownModules: MODULE_NAMES, workflowModules: WORKFLOW_MODULE_NAMES }), (e: unknown) => {
    assert.ok(e instanceof RegistryError);
    assert.match(e.message, /module http_client is not allowed in a workflow: .* do this work in a function\.lua activity and call it with funcs\.call/);
    return true;
  });
});
