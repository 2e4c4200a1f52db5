/**
 * `wippy ui` over HTTP, without a browser: who may ask (loopback Host check, the token on other
 * addresses, actions only from the page's script), bad input (malformed HTTP, paths that do not
 * decode, bodies that are not JSON or too big, a signal the CLI would refuse) answered with a 4xx
 * while the server goes on, a 404 page for an unknown id, and the command's usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { uiRegistry } from '../../testkit/ui';
import { startWippy, wippy, type WippyRun } from '../../testkit/wippy';
import { readStore } from '../../testkit/store';

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const action = { 'Content-Type': 'application/json', 'X-Wippy-UI': '1' };

/** Raw bytes on a socket; what the server answers before closing. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    let got = '';
    s.on('data', (d) => { got += String(d); });
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
    setTimeout(() => s.destroy(), 10_000).unref();
  });
}

async function serve(args: string[]): Promise<{ run: WippyRun; url: string }> {
  const run = startWippy(['ui', ...args, '--port', '0']);
  await run.waitFor(/wippy ui: serving .* at (http:\/\/\S+)/, 60_000);
  return { run, url: /at (http:\/\/\S+)/.exec(run.stderr())![1] };
}

test('wippy ui on loopback: bad requests get a 4xx and the server goes on; actions need the page; a 404 page', async () => {
  const p = uiRegistry();
  const done = wippy(['run', p.dir, '-x', 'app:payment', '{"id": "o-1", "amount": 3}'], { timeoutMs: 60_000 });
  assert.equal(done.code, 0, done.stderr);
  const id = readStore(p.db, (s) => s.listWorkflows()[0].id);
  const { run, url } = await serve([p.dir]);
  try {
    const port = Number(new URL(url).port);
    assert.match(await raw(port, 'THIS IS NOT HTTP\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: nope\r\n\r\n`), /^HTTP\/1\.1 400/);
    assert.equal((await request(`${url}workflows/%E0%A4%A`)).status, 404);
    const missing = await request(`${url}workflows/no-such-id`);
    assert.equal(missing.status, 404);
    assert.match(missing.body, /No workflow no-such-id in this store/);
    assert.equal((await request(`${url}nowhere`)).status, 404);
    assert.equal((await request(`${url}start`)).status, 405);
    // Who may ask: a Host that is not this server (DNS rebinding), an action without the page's header.
    assert.equal((await request(url, { headers: { Host: 'evil.example' } })).status, 403);
    const sig = `${url}workflows/${id}/signal`;
    assert.equal((await request(sig, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"topic":"x"}' })).status, 403);
    assert.equal((await request(sig, { method: 'POST', headers: { ...action, 'Sec-Fetch-Site': 'cross-site' }, body: '{"topic":"x"}' })).status, 403);
    assert.deepEqual(JSON.parse((await request(sig, { method: 'POST', headers: action, body: '{"topic": ' })).body), { error: 'the request body is not JSON' });
    assert.equal((await request(sig, { method: 'POST', headers: action, body: JSON.stringify({ topic: 'x', payload: 'x'.repeat(1_200_000) }) })).status, 413);
    // The CLI's checks, the same functions: a finished workflow, a reserved topic, a payload that is not JSON.
    const finished = await request(sig, { method: 'POST', headers: action, body: '{"topic": "go"}' });
    assert.equal(finished.status, 409);
    assert.match(JSON.parse(finished.body).error, /has already completed; there is nothing to signal/);
    assert.match(JSON.parse((await request(sig, { method: 'POST', headers: action, body: '{"topic": "@cancel"}' })).body).error, /reserved/);
    const notJson = await request(`${url}start`, { method: 'POST', headers: action, body: '{"entry": "app:payment", "input": "{oops"}' });
    assert.equal(notJson.status, 400);
    assert.match(JSON.parse(notJson.body).error, /payload 1 is not valid JSON/);
    assert.equal((await request(`${url}start`, { method: 'POST', headers: action, body: '{"entry": "app:nope"}' })).status, 404);
    assert.equal(readStore(p.db, (s) => s.pendingSignals().length), 0, 'nothing refused was written');
    // A query echoed into the page is text: the filter field shows it, nothing runs.
    const echo = await request(`${url}?q=${encodeURIComponent('"><script>x()</script>')}`);
    assert.equal(echo.status, 200);
    assert.ok(!echo.body.includes('<script>x()') && echo.body.includes('&quot;&gt;&lt;script&gt;x()'), 'escaped');
    assert.match(String(echo.headers['content-security-policy']), /script-src 'self'/);
    // Still serving after all of it.
    const list = await request(url);
    assert.equal(list.status, 200);
    assert.ok(list.body.includes(`data-id="${id}"`));
    assert.ok(run.alive);
  } finally {
    await run.kill();
  }
});

test('wippy ui on another address: a warning, a token in the URL, and every request without it refused', async () => {
  const p = uiRegistry();
  const { run, url } = await serve([p.dir, '--host', '0.0.0.0']);
  try {
    assert.match(run.stderr(), /warning: serving on a non-loopback address/);
    const token = new URL(url).searchParams.get('token')!;
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    const base = `http://127.0.0.1:${new URL(url).port}/`;
    assert.equal((await request(base)).status, 403);
    assert.equal((await request(`${base}?token=wrong`)).status, 403);
    assert.equal((await request(`${base}assets/main.js`)).status, 403);
    const login = await request(`${base}workflows/x?token=${token}`);
    assert.equal(login.status, 303);
    assert.equal(login.headers.location, '/workflows/x');
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await request(base, { headers: { Cookie: cookie } })).status, 200);
    assert.equal((await request(`${base}workflows/x/cancel`, { method: 'POST', headers: { ...action, Cookie: cookie }, body: '{}' })).status, 404);
  } finally {
    await run.kill();
  }
});

test('wippy ui usage: a bad port is exit 2, a port in use is exit 1, one line each', async () => {
  const p = uiRegistry();
  const bad = wippy(['ui', p.dir, '--port', '99999']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /expected a port number 0-65535/);
  const taken = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => taken.once('listening', r));
  try {
    const port = (taken.address() as net.AddressInfo).port;
    const busy = wippy(['ui', p.dir, '--port', String(port)]);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, /^error: wippy ui cannot listen on 127\.0\.0\.1:\d+: the address is in use; choose another --port/);
    assert.equal(busy.stderr.trim().split('\n').length, 1, busy.stderr);
  } finally {
    taken.close();
  }
});
