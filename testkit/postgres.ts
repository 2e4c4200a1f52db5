/**
 * A private PostgreSQL server for tests (the `db.sql.postgres` and `store.sql` tests), started
 * the way bench/peers/postgres.mjs starts DBOS's: Debian's `postgresql` binaries, a fresh data
 * folder, loopback only, trust authentication (but for PASSWORD_USER, whose password is checked).
 *
 * Owns: finding the server binaries, running it as the `postgres` user when we are root (the
 * server refuses root), one server per test process (`sharedPostgres()`), a fresh database per
 * caller (`freshDatabase`), and stopping it: when the process exits (SIGKILL, then the folder
 * goes with testkit/temp.ts), and through `setpriv --pdeathsig` if this process is killed.
 * Invariants: a missing installation is an Error that says what to install, never a skip (CI
 * installs the package: .ci/run); the server listens on 127.0.0.1 at a port that was free, with
 * its socket in its own folder; nothing here writes outside its temp folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import pg from 'pg';
import { tempDir } from './temp';
import { tick } from './wait';

/** The one role of a test server whose login needs a password (scram-sha-256); a test creates it with one. */
export const PASSWORD_USER = 'wippy_password';

export interface Postgres {
  host: string;
  port: number;
  /** The superuser (trust authentication: any password is accepted). */
  user: string;
  /** `postgresql://postgres@127.0.0.1:PORT/postgres`. */
  url: string;
  /** Run one statement as the superuser on database `db` (default `postgres`). */
  sql(text: string, db?: string): Promise<pg.QueryResult>;
}

/** Folder holding initdb/postgres: $PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL server binaries not found: install the Debian package postgresql (apt-get install -y postgresql), or set PG_BIN');
  }
  return path.join(root, versions[0], 'bin');
}

function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root and there is no `postgres` user to run PostgreSQL as (install the Debian package postgresql)');
  }
}

/** A loopback port nothing listens on right now (a server to start, or a server that is not there). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));

/**
 * Start a server. `durable`: fsync on (the default durability, as bench/peers/postgres.mjs runs
 * DBOS's); tests run with fsync off. The caller owns it; it stops when this process exits.
 */
export async function startPostgres(how: { durable?: boolean } = {}): Promise<Postgres> {
  const bin = postgresBinDir();
  const user = runAs();
  const dir = tempDir('wippy-pg-');
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  if (user.uid !== undefined) fs.chownSync(dir, user.uid, user.gid!);
  const opts = { uid: user.uid, gid: user.gid, cwd: dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } };
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'], { ...opts, stdio: 'pipe' });
  // Every login is trusted but PASSWORD_USER's, which must give its password (a real refused login).
  const hba = path.join(data, 'pg_hba.conf');
  fs.writeFileSync(hba, `host all ${PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
  const port = await freePort();
  const fd = fs.openSync(logFile, 'a');
  if (user.uid !== undefined) fs.fchownSync(fd, user.uid, user.gid!);
  const args = ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-p', String(port), '-c', `unix_socket_directories=${dir}`, '-c', `fsync=${how.durable ? 'on' : 'off'}`];
  // pdeathsig: the server gets SIGINT (fast shutdown) if this process dies without cleaning up.
  const child: ChildProcess = SETPRIV
    ? spawn(SETPRIV, ['--pdeathsig', 'INT', '--', path.join(bin, 'postgres'), ...args], { ...opts, stdio: ['ignore', fd, fd] })
    : spawn(path.join(bin, 'postgres'), args, { ...opts, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  // Before testkit/temp.ts's exit hook removes the folder the server writes into.
  process.prependListener('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const sql = async (text: string, db = 'postgres'): Promise<pg.QueryResult> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: db });
    await c.connect();
    try { return await c.query(text); } finally { await c.end(); }
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited at start-up: ${fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
    try { await sql('SELECT 1'); break; } catch (e) {
      if (i >= 600) throw new Error(`PostgreSQL did not accept connections within a minute: ${(e as Error).message}`);
      await tick(100);
    }
  }
  return { host: '127.0.0.1', port, user: 'postgres', url, sql };
}

let shared: Promise<Postgres> | null = null;

/** The server of this test process, started on first use. */
export function sharedPostgres(): Promise<Postgres> {
  shared ??= startPostgres();
  return shared;
}

let databases = 0;

/** A new empty database on the shared server; its name. */
export async function freshDatabase(prefix = 'wippy_test'): Promise<{ pg: Postgres; database: string }> {
  const server = await sharedPostgres();
  const database = `${prefix}_${process.pid}_${++databases}`;
  await server.sql(`CREATE DATABASE ${database}`);
  return { pg: server, database };
}
