// Owns the private PostgreSQL used by DBOS: initdb into a fresh temp folder, start the
// postmaster on 127.0.0.1 at a free port with default durability (fsync=on,
// synchronous_commit=on), report its settings, and stop it + remove the folder.
// Postgres refuses to run as root, so as root it runs as the `postgres` system user (or
// `nobody` if there is none).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import {
  freePort, log, onCleanup, removeDir, runCommand, spawnServer, stopChild, tempDir, waitFor,
} from './procs.mjs';

/** Folder holding initdb/postgres: $PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
function findBinDir() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(root, versions[0], 'bin');
  }
  try {
    return path.dirname(fs.realpathSync(execFileSync('which', ['postgres'], { encoding: 'utf8' }).trim()));
  } catch {
    throw new Error('PostgreSQL server binaries not found (install Debian package postgresql, or set PG_BIN)');
  }
}

/** uid/gid to run postgres as: ourselves unless root, then `postgres` or `nobody`. */
function runAsUser() {
  if (process.getuid() !== 0) return {};
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { uid, gid, name };
    } catch { /* try the next one */ }
  }
  throw new Error('running as root and neither a `postgres` nor a `nobody` user exists');
}

/**
 * Start PostgreSQL. Returns { url (superuser, database `postgres`), baseUrl, version,
 * settings, stop() }. stop() is also registered as a cleanup.
 */
export async function startPostgres() {
  const bin = findBinDir();
  const user = runAsUser();
  const dir = tempDir('pg');
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  let child;
  const stop = onCleanup(async () => {
    if (child) {
      log('stopping PostgreSQL');
      await stopChild(child, 'SIGINT', 15000); // SIGINT = fast shutdown
    }
    removeDir(dir);
  });
  try {
    if (user.uid !== undefined) fs.chownSync(dir, user.uid, user.gid);
    fs.chmodSync(dir, 0o700);
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    const asUser = { uid: user.uid, gid: user.gid, env, cwd: dir };

    log(`initdb (${bin}${user.name ? `, as ${user.name}` : ''})`);
    await runCommand(path.join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'], asUser);

    const port = await freePort();
    fs.writeFileSync(logFile, '');
    if (user.uid !== undefined) fs.chownSync(logFile, user.uid, user.gid);
    child = spawnServer(path.join(bin, 'postgres'), [
      '-D', dataDir,
      '-c', 'listen_addresses=127.0.0.1',
      '-p', String(port),
      '-c', `unix_socket_directories=${dir}`,
      // Durability: the defaults, spelled out so nothing in the environment changes them.
      '-c', 'fsync=on',
      '-c', 'synchronous_commit=on',
      '-c', 'full_page_writes=on',
    ], { ...asUser, logFile, pdeathsig: 'INT' }); // SIGINT = fast shutdown

    const baseUrl = `postgresql://postgres@127.0.0.1:${port}`;
    const url = `${baseUrl}/postgres`;
    await waitFor('PostgreSQL', async () => {
      const c = new pg.Client({ connectionString: url });
      try { await c.connect(); await c.query('SELECT 1'); return true; } finally { await c.end().catch(() => {}); }
    }, { ms: 30000, child, logFile });

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const q = async (sql) => (await c.query(sql)).rows[0];
    const version = (await q('SHOW server_version')).server_version;
    const settings = {};
    for (const s of ['fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers', 'max_connections']) {
      settings[s] = (await q(`SHOW ${s}`))[s];
    }
    await c.end();
    log(`PostgreSQL ${version} on 127.0.0.1:${port} (fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit})`);
    return { url, baseUrl, version, settings, dataDir, pid: child.pid, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
