// http.service / http.router / http.endpoint as Wippy writes them: references in meta, relative
// names, `:param` paths, lower-case methods; each mistake one line with file, entry and field;
// middleware names a warning each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistry, formatProblem, type HttpEndpointEntry, type HttpRouterEntry, type HttpServiceEntry } from '../../registry';
import { parseListenAddress } from '../../registry/http-kinds';
import { RouteTable } from '../../app/http/routes';
import { loadFails, tree } from './helpers';

const LUA = { 'h.lua': 'return function() end' };
const reg = (lines: string[]): string => tree({ 'registry.yaml': `namespace: app\nentries:\n${lines.join('\n')}\n`, ...LUA });
const HANDLER = '  - {name: h, kind: function.lua, source: "file://h.lua"}';

test('the HTTP kinds load as Wippy writes them (meta references, bare names, :param, any-case method)', () => {
  const r = loadRegistry(reg([
    '  - name: gateway',
    '    kind: http.service',
    '    addr: ":8085"',
    '    timeouts: {read: 5s, idle: 1m}',
    '    lifecycle: {auto_start: true}',
    '  - {name: api, kind: http.router, meta: {server: gateway}, prefix: /api/}',
    '  - {name: ep, kind: http.endpoint, meta: {router: app:api}, method: post, path: "/orders/:id/approve", func: h}',
    HANDLER,
  ]));
  const svc = r.entries.get('app:gateway') as HttpServiceEntry;
  assert.deepEqual([svc.host, svc.port, svc.timeouts, svc.lifecycle.autoStart], ['', 8085, { readMs: 5000, writeMs: 0, idleMs: 60000 }, true]);
  const api = r.entries.get('app:api') as HttpRouterEntry;
  assert.deepEqual([api.server, api.prefix], ['app:gateway', '/api']);
  const ep = r.entries.get('app:ep') as HttpEndpointEntry;
  assert.deepEqual([ep.router, ep.method, ep.path, ep.func], ['app:api', 'POST', '/orders/{id}/approve', 'app:h']);
  assert.deepEqual(r.warnings, []);
});

test('HTTP entry mistakes: one line each, with file, entry and field', () => {
  const err = loadFails(reg([
    '  - {name: noaddr, kind: http.service}',
    '  - {name: badaddr, kind: http.service, addr: "localhost"}',
    '  - {name: api, kind: http.router, prefix: /x}',
    '  - {name: api2, kind: http.router, meta: {server: h}}',
    '  - {name: e1, kind: http.endpoint, meta: {router: api2}, method: FETCH, path: /a, func: h}',
    '  - {name: e2, kind: http.endpoint, meta: {router: api2}, method: GET, path: a, func: h}',
    '  - {name: e3, kind: http.endpoint, meta: {router: api2}, method: GET, path: /a, func: api2}',
    '  - {name: e4, kind: http.endpoint, method: GET, path: /a, func: h}',
    HANDLER,
  ]));
  const lines = err.message.split('\n');
  const expect = [
    /registry\.yaml:3: entry app:noaddr, field addr: missing required field addr \(e\.g\. addr: "127\.0\.0\.1:8080"\)/,
    /registry\.yaml:4: entry app:badaddr, field addr: invalid listen address "localhost": write host:port/,
    /registry\.yaml:5: entry app:api, field meta\.server: missing required field meta\.server \(e\.g\. meta: \{server: app:gateway\}\)/,
    /registry\.yaml:6: entry app:api2, field meta\.server: app:h is a function\.lua entry, expected a http\.service/,
    /registry\.yaml:7: entry app:e1, field method: unknown HTTP method "FETCH"; use one of GET, POST/,
    /registry\.yaml:8: entry app:e2, field path: a path starts with "\/" \(e\.g\. path: \/a\)/,
    /registry\.yaml:9: entry app:e3, field func: app:api2 is a http\.router entry, expected a function\.lua/,
    /registry\.yaml:10: entry app:e4, field meta\.router: missing required field meta\.router/,
  ];
  assert.equal(lines.length, expect.length, err.message);
  expect.forEach((re, i) => assert.match(lines[i], re));
});

test('Wippy middleware on a router is a warning: served without it', () => {
  const r = loadRegistry(reg([
    '  - {name: gw, kind: http.service, addr: "127.0.0.1:0"}',
    '  - {name: api, kind: http.router, meta: {server: gw}, middleware: [cors, token_auth]}',
  ]));
  assert.deepEqual(r.warnings.map((w) => formatProblem(w, true).replace(/^.*registry\.yaml/, 'registry.yaml')), [
    'registry.yaml:4: warning: entry app:api, field middleware[0]: middleware cors is Wippy\'s but not run by wippy-ts yet; requests through this router are served without it',
    'registry.yaml:4: warning: entry app:api, field middleware[1]: middleware token_auth is Wippy\'s but not run by wippy-ts yet; requests through this router are served without it',
  ]);
});

test('listen addresses as Go takes them', () => {
  assert.deepEqual(parseListenAddress(':8080'), { host: '', port: 8080 });
  assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:443'), { host: '::1', port: 443 });
  for (const bad of ['8080', 'host:', 'a:b:1', ':70000', '[::1]']) assert.equal(parseListenAddress(bad), null, bad);
});

test('routes: the most specific pattern wins, the rest wildcard, 405 with Allow, OPTIONS 204; conflicts refused', () => {
  const ep = (id: string, method: string, path: string) => ({ prefix: '/api', endpoint: { id, method, path } as HttpEndpointEntry });
  const t = new RouteTable('app:gw', [
    ep('app:one', 'GET', '/orders/{id}'), ep('app:new', 'GET', '/orders/new'), ep('app:files', 'GET', '/files/{path...}'),
    ep('app:post', 'POST', '/orders'), ep('app:tree', 'GET', '/tree/'),
  ]);
  const hit = (m: string, p: string): unknown => { const r = t.match(m, p); return 'route' in r ? [r.route.endpoint.id, r.params] : r; };
  assert.deepEqual(hit('GET', '/api/orders/new'), ['app:new', {}]);
  assert.deepEqual(hit('GET', '/api/orders/7'), ['app:one', { id: '7' }]);
  assert.deepEqual(hit('HEAD', '/api/orders/7'), ['app:one', { id: '7' }]);
  assert.deepEqual(hit('GET', '/api/orders/a%20b'), ['app:one', { id: 'a b' }]);
  assert.deepEqual(hit('GET', '/api/files/a/b.txt'), ['app:files', { path: 'a/b.txt' }]);
  assert.deepEqual(hit('GET', '/api/tree/x/y'), ['app:tree', {}]);
  assert.deepEqual(hit('GET', '/api/orders/7/x'), { status: 404 });
  assert.deepEqual(hit('GET', '/api/orders/'), { status: 404 });
  assert.deepEqual(hit('PUT', '/api/orders'), { status: 405, allow: ['OPTIONS', 'POST'] });
  assert.deepEqual(hit('OPTIONS', '/api/orders/7'), { status: 204, allow: ['GET', 'HEAD', 'OPTIONS'] });
  assert.throws(() => new RouteTable('app:gw', [ep('app:a', 'GET', '/x/{id}'), ep('app:b', 'GET', '/x/{key}')]),
    /http\.service app:gw: these endpoints match the same requests: GET \/api\/x\/\{id\} \(app:a\) and GET \/api\/x\/\{key\} \(app:b\); change a path or a method/);
  assert.throws(() => new RouteTable('app:gw', [ep('app:a', 'GET', '/{a}/b'), ep('app:b', 'GET', '/a/{b}')]), /match the same requests/);
  assert.doesNotThrow(() => new RouteTable('app:gw', [ep('app:a', 'GET', '/x/{id}'), ep('app:b', 'POST', '/x/{key}')]));
});
