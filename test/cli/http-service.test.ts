// http.service / http.router / http.endpoint through the real `wippy run` on loopback: requests
// reach function.lua handlers through the `http` module; bad input gets Go's answers (404, 405),
// a failing handler a 500 and one log line while the service keeps serving; a port in use stops
// the run before anything starts; a stop lets the request in flight finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { assertNoJsStack } from '../helpers/cli';
import { registryYaml, temporalEntries, withRegistry, type EntrySpec } from '../../testkit/registry';
import { httpEntries, startHttpRun } from '../../testkit/http';
import { wippy, startWippy } from '../../testkit/wippy';
import { until } from '../../testkit/wait';
import { openStore } from '../../runtime/store';

const HANDLERS = {
  'echo.lua': `local http = require("http")
return function()
  local req, err = http.request()
  if err then return nil, err end
  local res = http.response()
  local body, berr = req:body_json()
  if berr then
    res:set_header("Content-Type", "application/json")
    res:set_status(http.STATUS.BAD_REQUEST)
    res:write_json({error = berr:message(), kind = berr:kind()})
    return
  end
  res:set_header("X-Handler", "echo")
  res:write_json({
    method = req:method(), path = req:path(), id = req:param("id"), params = req:params(),
    q = req:query("q"), all = req:query_params(), missing = req:query("nope"),
    agent = req:header("X-Agent"), lower = req:header("x-agent"), ct = req:content_type(),
    body = body, has_body = req:has_body(), json = req:is_content_type("application/json"),
  })
end`,
  'fail.lua': `local http = require("http")
return function()
  local req = http.request()
  if req:query("how") == "raise" then error("the handler broke") end
  return nil, errors.new({kind = "Unavailable", message = "backend down"})
end`,
  'value.lua': 'return function() return {answer = 42} end',
  'nothing.lua': 'return function() end',
  'headers.lua': `local http = require("http")
return function()
  local res = http.response()
  res:set_status(202)
  local err = res:set_header("X-Late", "1")
  res:write("late: " .. tostring(err))
end`,
  'slow.lua': `local http = require("http")
local time = require("time")
return function()
  print("SLOW STARTED")
  time.sleep("400ms")
  http.response():write("slow done")
end`,
  'outside.lua': `local http = require("http")
return function() local r, err = http.request() return {r == nil, tostring(err)} end`,
};

function app(extra: EntrySpec[] = [], files: Record<string, string> = {}): string {
  const entries = [
    ...httpEntries('app', [
      { name: 'echo', method: 'POST', path: '/things/{id}', file: 'echo.lua' },
      { name: 'echo_get', method: 'get', path: '/things/:id', file: 'echo.lua' },
      { name: 'fail', method: 'GET', path: '/fail', file: 'fail.lua' },
      { name: 'value', method: 'GET', path: '/value', file: 'value.lua' },
      { name: 'nothing', method: 'GET', path: '/nothing', file: 'nothing.lua' },
      { name: 'headers', method: 'GET', path: '/headers', file: 'headers.lua' },
      { name: 'slow', method: 'GET', path: '/slow', file: 'slow.lua', modules: ['time'] },
    ], { prefix: '/api' }),
    { name: 'outside', kind: 'function.lua', file: 'outside.lua', modules: ['http'] },
    ...extra,
  ];
  return withRegistry({ 'registry.yaml': registryYaml('app', entries), ...HANDLERS, ...files });
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const r = await fetch(url, init);
  return { status: r.status, text: await r.text(), headers: r.headers };
}

test('http.endpoint handlers: method, path parameters, query, headers, JSON body, response headers; Go\'s 404 and 405', async () => {
  const { run, base } = await startHttpRun(app());
  try {
    const r = await call(`${base}/api/things/a%2Fb?q=1&q=2&z=x`, { method: 'POST', body: '{"n": [1, 2.5]}', headers: { 'X-Agent': 'test', 'Content-Type': 'application/json' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-handler'), 'echo');
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.deepEqual(JSON.parse(r.text), {
      method: 'POST', path: '/api/things/a%2Fb', id: 'a/b', params: { id: 'a/b' }, q: '1', all: { q: '1,2', z: 'x' },
      agent: 'test', ct: 'application/json', body: { n: [1, 2.5] }, has_body: true, json: true,
    });
    // `:id` is Wippy's other spelling of `{id}`; a lower-case method in the registry is accepted.
    const get = await call(`${base}/api/things/7`, { method: 'GET' });
    assert.equal(get.status, 400, 'no body: body_json fails and the handler says so');
    assert.equal(JSON.parse(get.text).kind, 'Invalid');
    const bad = await call(`${base}/api/things/7`, { method: 'POST', body: '{"n": ' });
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.text), { error: 'unexpected end at offset 6', kind: 'Invalid' });
    const missing = await call(`${base}/api/nowhere`);
    assert.deepEqual([missing.status, missing.text], [404, '404 page not found\n']);
    const wrong = await call(`${base}/api/value`, { method: 'DELETE' });
    assert.deepEqual([wrong.status, wrong.text, wrong.headers.get('allow')], [405, 'Method Not Allowed\n', 'GET, HEAD, OPTIONS']);
    const preflight = await call(`${base}/api/value`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 204);
    // A returned value without a written response is sent as JSON; nothing at all is a 500.
    const value = await call(`${base}/api/value`);
    assert.deepEqual([value.status, value.headers.get('content-type'), JSON.parse(value.text)], [200, 'application/json', { answer: 42 }]);
    const nothing = await call(`${base}/api/nothing`);
    assert.deepEqual([nothing.status, nothing.text], [500, 'no response sent\n']);
    // Go's rule: once the status is out, a header is refused with an error value.
    const late = await call(`${base}/api/headers`);
    assert.equal(late.status, 202);
    assert.equal(late.headers.get('x-late'), null);
    assert.equal(late.text, 'late: cannot set headers after headers are sent');
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
  }
  assertNoJsStack(run.stderr());
});

test('a failing handler: 500 with the error, one log line each, and the service keeps serving', async () => {
  const { run, base } = await startHttpRun(app());
  try {
    const returned = await call(`${base}/api/fail`);
    assert.deepEqual([returned.status, returned.text], [500, 'Unavailable: backend down\n']);
    const raised = await call(`${base}/api/fail?how=raise`);
    assert.equal(raised.status, 500);
    assert.match(raised.text, /^Internal: fail\.lua:4: the handler broke\n$/);
    const after = await call(`${base}/api/value`);
    assert.equal(after.status, 200, 'still serving');
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
  }
  const logged = run.stderr().split('\n').filter((l) => l.includes('handler app:fail failed'));
  assert.deepEqual(logged, [
    '[error] http.service app:gateway: GET /api/fail: handler app:fail failed: Unavailable: backend down',
    '[error] http.service app:gateway: GET /api/fail: handler app:fail failed: Internal: fail.lua:4: the handler broke',
  ]);
  assertNoJsStack(run.stderr());
  // Outside a handler there is no request.
  const outside = wippy(['run', app(), '-x', 'app:outside']);
  assert.equal(outside.code, 0, outside.stderr);
  assert.deepEqual(JSON.parse(outside.stdout.trim().split('\n').pop()!), [true, 'no HTTP request context found']);
});

test('a port in use: one line, exit 1, and nothing else starts (no service, no workflow)', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const dir = app([
      ...temporalEntries('app', 'q'),
      { name: 'procs', kind: 'process.host' },
      { name: 'hello', kind: 'process.lua', file: 'hello.lua' },
      { name: 'hello.svc', kind: 'process.service', more: ['process: app:hello', 'host: app:procs', 'lifecycle: {auto_start: true}'] },
      { name: 'wf', kind: 'workflow.lua', file: 'wf.lua', more: ['meta: {temporal: {workflow: {worker: app:worker}}}'] },
    ], { 'hello.lua': 'return function() print("SERVICE STARTED") while true do process.inbox():receive() end end', 'wf.lua': 'return function() print("WORKFLOW RAN") return 1 end' });
    // The registry asks for the blocker's port.
    const yaml = `${dir}/registry.yaml`;
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace('addr: "127.0.0.1:0"', `addr: "127.0.0.1:${port}"`));
    // A start waiting in the store: nothing may start it.
    assert.equal(wippy(['workflow', 'start', 'app:wf', '--id', 'w1', '--registry', dir]).code, 0);
    const run = startWippy(['run', dir]);
    assert.equal(await run.exited, 1);
    assert.equal(run.stderr(), `error: http.service app:gateway cannot listen on 127.0.0.1:${port}: the address is in use (another program, or another wippy run, listens there); stop it or change addr\n`);
    assert.deepEqual(run.lines(), []);
    const s = openStore(`${dir}/.wippy/state.db`, { lock: false });
    try {
      assert.equal(s.getWorkflow('w1'), null, 'the start request was not taken');
      assert.equal(s.pendingSignals().length, 1);
    } finally { s.close(); }
  } finally {
    blocker.close();
  }
});

test('stopping: the request in flight is answered, then the run exits 0; afterwards the port is free', async () => {
  const { run, base } = await startHttpRun(app());
  const inflight = call(`${base}/api/slow`);
  await until(() => run.lines().includes('SLOW STARTED'), 'the slow handler to start');
  const stopping = run.stop();
  const r = await inflight;
  assert.deepEqual([r.status, r.text], [200, 'slow done']);
  assert.equal(await stopping, 0, run.stderr());
  await assert.rejects(fetch(`${base}/api/value`), 'nothing listens after the stop');
});
