// Owns the Restate side's processes: the `restate-server` binary shipped in the npm package
// @restatedev/restate-server-<os>-<arch> (single node, loopback, free ports, temp base dir,
// default durability), and the SDK endpoint child (restate-endpoint.mjs) registered as a
// deployment through the admin API. Stops both and removes the base dir.

import { fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort, log, onCleanup, removeDir, runCommand, sleep, spawnServer, stopChild, tempDir, trackChild, waitFor,
} from './procs.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

export function restateVersions() {
  return {
    server: require('@restatedev/restate-server/package.json').version,
    sdk: require('@restatedev/restate-sdk/package.json').version,
  };
}

function serverBinary() {
  const pkg = `@restatedev/restate-server-${os.platform()}-${os.arch()}`;
  try {
    return require.resolve(`${pkg}/bin/restate-server`);
  } catch {
    throw new Error(`${pkg} is not installed (run npm --prefix bench/peers ci)`);
  }
}

/** The durability-relevant defaults, read from `restate-server --dump-config`. */
export async function durabilitySummary() {
  const want = {
    '': ['default-replication', 'default-num-partitions'],
    bifrost: ['default-provider'],
    'log-server': ['rocksdb-disable-wal-fsync'],
    'worker.storage': ['rocksdb-disable-wal'],
    'bifrost.local': ['rocksdb-disable-wal-fsync'],
  };
  const text = await runCommand(serverBinary(), ['--dump-config'], { env: { ...process.env, RESTATE_DISABLE_TELEMETRY: 'true' } });
  const found = [];
  let section = '';
  for (const line of text.split('\n')) {
    const sec = line.match(/^\[([^\]]+)\]/);
    if (sec) { section = sec[1]; continue; }
    const kv = line.match(/^([a-z0-9-]+) = (.*)$/);
    if (kv && want[section]?.includes(kv[1])) found.push(`${section ? `${section}.` : ''}${kv[1]}=${kv[2]}`);
  }
  return `${found.join(', ')} (the log is the durable record: an invocation's journal entry is acknowledged only `
    + 'after the log-server has written it to its RocksDB WAL with fsync)';
}

async function httpOk(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

/** Start restate-server. Returns { ingressUrl, adminUrl, baseDir, pid, stop() }. */
export async function startRestateServer() {
  const binary = serverBinary();
  const baseDir = tempDir('restate');
  const logFile = path.join(baseDir, 'restate-server.log');
  let child;
  const stop = onCleanup(async () => {
    if (child) {
      log('stopping restate-server');
      await stopChild(child, 'SIGTERM', 20000);
    }
    removeDir(baseDir);
  });
  try {
    const [ingress, admin, fabric] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingress}`,
      RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${admin}`,
      RESTATE_BIND_ADDRESS: `127.0.0.1:${fabric}`,
      RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${fabric}/`,
      RESTATE_DISABLE_TELEMETRY: 'true', // the network is closed anyway; not a durability setting
    };
    child = spawnServer(binary, [
      '--base-dir', baseDir, '--node-name', 'bench', '--no-logo', '--listen-mode', 'tcp',
      '--log-format', 'compact', '--log-disable-ansi-codes', 'true',
    ], { env, cwd: baseDir, logFile });
    const ingressUrl = `http://127.0.0.1:${ingress}`;
    const adminUrl = `http://127.0.0.1:${admin}`;
    await waitFor('restate-server admin', () => httpOk(`${adminUrl}/health`), { ms: 60000, child, logFile });
    await waitFor('restate-server ingress', () => httpOk(`${ingressUrl}/restate/health`), { ms: 60000, child, logFile });
    log(`restate-server up: ingress ${ingressUrl}, admin ${adminUrl}, base dir ${baseDir}`);
    return { ingressUrl, adminUrl, baseDir, pid: child.pid, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Fork the SDK endpoint (an HTTP/2 server on a free loopback port) and register it with the
 * admin API. Returns { uri, pid, stop() }. The child exits by itself if this process disappears
 * (IPC disconnect).
 */
export async function startRestateEndpoint(adminUrl, logFile) {
  const fd = fs.openSync(logFile, 'a');
  const child = fork(path.join(here, 'restate-endpoint.mjs'), [], { stdio: ['ignore', fd, fd, 'ipc'] });
  fs.closeSync(fd);
  trackChild(child);
  child.exitPromise = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const stop = onCleanup(async () => {
    log('stopping the Restate SDK endpoint');
    await stopChild(child, 'SIGTERM', 5000);
  });
  try {
    const port = await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('SDK endpoint did not report its port in 20 s')), 20000);
      child.once('message', (m) => { clearTimeout(t); resolve(m.port); });
      child.once('exit', (code) => { clearTimeout(t); reject(new Error(`SDK endpoint exited (${code}), see ${logFile}`)); });
    });
    const uri = `http://127.0.0.1:${port}`;
    // Register; the admin API may answer 5xx for a moment while partitions start.
    let lastErr = '';
    for (let attempt = 0; attempt < 60; attempt++) {
      const res = await fetch(`${adminUrl}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri, force: true }),
      });
      const body = await res.text();
      if (res.ok) {
        const services = (JSON.parse(body).services ?? []).map((s) => s.name);
        log(`registered SDK endpoint ${uri}: ${services.join(', ')}`);
        return { uri, pid: child.pid, stop };
      }
      lastErr = `${res.status} ${body.slice(0, 200)}`;
      await sleep(500);
    }
    throw new Error(`registering ${uri} failed: ${lastErr}`);
  } catch (e) {
    await stop();
    throw e;
  }
}
