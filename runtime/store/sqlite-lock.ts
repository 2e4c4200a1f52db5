/**
 * The SQLite store's place on disk: its folder, and the process lock that keeps one writer per
 * store across processes.
 *
 * Owns: `<db>.lock` files (created with O_EXCL, holding the pid), the set this process holds,
 * and removing them at close or exit. Invariants: a lock is taken before the database is opened
 * and released by close() or at process exit; a lock whose pid is dead is stale and taken over
 * (removed only if it still says what was read, then taken again and read back); a lock held
 * by this process counts as ours only if this process took it; a lock without a readable pid
 * that is younger than LOCK_FRESH_MS is being written and counts as held.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ErrorCode, WippyError } from '../../base/errors';
import { fsError } from './sqlite-errors';

/** A lock file without a readable pid younger than this is being written: treat it as held. */
const LOCK_FRESH_MS = 5000;

/**
 * mkdir -p, one level at a time: fs.mkdirSync({recursive}) spins forever under /proc, and a
 * missing level should be named in the message.
 */
export function ensureFolder(dir: string, label: string): void {
  const missing: string[] = [];
  let d = dir;
  while (!fs.existsSync(d)) {
    missing.unshift(d);
    const up = nodePath.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(label, e, `cannot create folder ${m}`);
    }
  }
}

/** Lock files this process holds (absolute paths): a pid equal to ours is ours only if listed. */
const heldLocks = new Set<string>();
let exitHookInstalled = false;

export function releaseLock(lockPath: string): void {
  if (!heldLocks.delete(lockPath)) return;
  try {
    // Remove it only if it is still ours (a stale-lock takeover by another process must survive).
    if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}

/** Who holds an existing lock file: `null` when it vanished while we looked. */
function lockHolder(lockPath: string): { text: string; pid: number | null; alive: boolean } | null {
  let text: string;
  let mtime: number;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
    mtime = fs.statSync(lockPath).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const t = text.trim();
  const pid = /^\d+$/.test(t) ? Number(t) : null;
  if (pid === null || pid <= 0) return { text, pid: null, alive: Date.now() - mtime < LOCK_FRESH_MS };
  if (pid === process.pid) return { text, pid, alive: heldLocks.has(lockPath) };
  try {
    process.kill(pid, 0);
    return { text, pid, alive: true };
  } catch (e) {
    return { text, pid, alive: (e as NodeJS.ErrnoException).code !== 'ESRCH' };
  }
}

export function acquireLock(lockPath: string, label: string): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(lockPath, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(label, e, `cannot create lock file ${lockPath}`);
      const holder = lockHolder(lockPath);
      if (holder === null) continue;
      if (holder.alive) {
        const who = holder.pid === process.pid ? 'this process (opened twice)'
          : holder.pid === null ? 'another wippy process (starting up)' : `another wippy process (pid ${holder.pid})`;
        throw new WippyError(ErrorCode.STORE_LOCKED,
          `${label}: in use by ${who}; stop it first, or delete ${lockPath} if no wippy is running`);
      }
      // Stale. Remove it only if it still says what we read: a narrow race with a concurrent
      // takeover remains, which the read-back below catches.
      try {
        if (fs.readFileSync(lockPath, 'utf8') === holder.text) fs.unlinkSync(lockPath);
      } catch {
        // Someone else removed it first: try again.
      }
      continue;
    }
    try {
      fs.writeSync(fd, `${process.pid}\n`);
    } finally {
      fs.closeSync(fd);
    }
    if (fs.readFileSync(lockPath, 'utf8').trim() !== String(process.pid)) continue;
    heldLocks.add(lockPath);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => { for (const l of [...heldLocks]) releaseLock(l); });
    }
    return;
  }
  throw new WippyError(ErrorCode.STORE_LOCKED, `${label}: could not take the lock ${lockPath} (other processes keep taking it); try again`);
}
