// Owns the plumbing shared by the peer servers: free ports, child processes that log to a
// file, waiting for readiness, and the cleanup registry that stops every server and removes
// every temp folder — on success, on failure, and on SIGINT/SIGTERM (with a last-resort
// synchronous SIGKILL + rm on process exit).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Progress line on stderr (stdout carries only the final JSON). */
export function log(msg) {
  process.stderr.write(`[peers] ${msg}\n`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 right now (tiny race until the server binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---- tracked resources (children and temp folders) ------------------------------------------

const liveChildren = new Set();
const liveDirs = new Set();
const cleanups = [];

const TEMP_PREFIX = 'wippy-peers-';
const OWNER_FILE = '.owner-pid';

/** A fresh temp folder (`wippy-peers-<what>-XXXXXX`), removed at cleanup. */
export function tempDir(what) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${what}-`));
  fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
  liveDirs.add(dir);
  return dir;
}

const alive = (pid) => {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
};
const pidIn = (file) => {
  try { return Number(fs.readFileSync(file, 'utf8').split('\n')[0]) || 0; } catch { return 0; }
};

/**
 * Remove temp folders left by an earlier run that was SIGKILLed (its owner is gone and, for
 * PostgreSQL, so is the postmaster). Returns how many were removed.
 */
export function sweepStaleTempDirs() {
  let n = 0;
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    const owner = pidIn(path.join(dir, OWNER_FILE));
    const postmaster = pidIn(path.join(dir, 'data', 'postmaster.pid'));
    if (!owner || owner === process.pid || alive(owner) || (postmaster && alive(postmaster))) continue;
    try { fs.rmSync(dir, { recursive: true, force: true }); n++; } catch { /* not ours to fight over */ }
  }
  return n;
}

export function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  liveDirs.delete(dir);
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));

/**
 * Spawn a long-running server whose stdout/stderr go to `logFile`. The child stays in our
 * process group, so a group-wide kill takes it down too; where util-linux `setpriv` exists it
 * also gets `pdeathsig`, so it is stopped even if this process is SIGKILLed.
 */
export function spawnServer(cmd, args, { logFile, pdeathsig = 'TERM', ...opts } = {}) {
  const fd = fs.openSync(logFile, 'a');
  const [file, argv] = SETPRIV && os.platform() === 'linux'
    ? [SETPRIV, ['--pdeathsig', pdeathsig, '--', cmd, ...args]]
    : [cmd, args];
  const child = spawn(file, argv, { ...opts, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  liveChildren.add(child);
  child.exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      liveChildren.delete(child);
      resolve({ code: null, signal: null, error: err });
    });
  });
  return child;
}

/** Track a child started elsewhere (e.g. fork) so the exit fallback can kill it. */
export function trackChild(child) {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** Send `signal`, wait up to `ms` for exit, then SIGKILL. */
export async function stopChild(child, signal = 'SIGTERM', ms = 15000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = child.exitPromise ?? new Promise((r) => child.once('exit', r));
  try { child.kill(signal); } catch { /* already gone */ }
  const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, ms);
  await exited;
  clearTimeout(t);
}

/** Run a short command to completion; reject with its output on a non-zero exit. */
export function runCommand(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(cmd)} exited ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Poll `check` (async, truthy = ready) every 100 ms until `ms` elapse. */
export async function waitFor(what, check, { ms = 30000, child, logFile } = {}) {
  const deadline = Date.now() + ms;
  let lastErr;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what}: process exited early (${child.exitCode ?? child.signalCode})${tail(logFile)}`);
    }
    try {
      if (await check()) return;
    } catch (e) { lastErr = e; }
    await sleep(100);
  }
  throw new Error(`${what}: not ready after ${ms} ms${lastErr ? ` (${lastErr.message})` : ''}${tail(logFile)}`);
}

/** Last lines of a log file, for error messages. */
export function tail(logFile, n = 3) {
  if (!logFile) return '';
  try {
    const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-n);
    return `; log: ${lines.join(' | ')}`;
  } catch { return ''; }
}

// ---- cleanup registry and signals ------------------------------------------------------------

/** Register an async cleanup; returns a function that runs it once and unregisters it. */
export function onCleanup(fn) {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    const i = cleanups.indexOf(once);
    if (i >= 0) cleanups.splice(i, 1);
    await fn();
  };
  cleanups.push(once);
  return once;
}

/** Run every pending cleanup, newest first; errors are logged, not thrown. */
export async function runCleanups() {
  while (cleanups.length) {
    const fn = cleanups[cleanups.length - 1];
    try { await fn(); } catch (e) { log(`cleanup failed: ${e.message}`); }
  }
}

/** On SIGINT/SIGTERM: stop everything, then exit 128+n. On exit: kill what is left. */
let stopping = false;
/** True once a signal asked us to stop (libraries' reconnect noise can be dropped then). */
export const isStopping = () => stopping;

export function installSignalHandlers() {
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
    process.on(sig, () => {
      if (stopping) return; // a second signal while cleaning up: keep cleaning up
      stopping = true;
      log(`${sig}: stopping peer servers and removing temp folders`);
      const hard = setTimeout(() => process.exit(128 + n), 30000);
      hard.unref();
      runCleanups().finally(() => process.exit(128 + n));
    });
  }
  process.on('exit', () => {
    for (const child of liveChildren) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
    for (const dir of liveDirs) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ } }
  });
}
