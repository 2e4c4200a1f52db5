/**
 * Which store the shared engine suites run on: the default SQLite file of each fixture, or, when
 * WIPPY_TEST_PG holds a server's URL, a fresh PostgreSQL database per fixture. `onPostgres` sets
 * it for a test file that runs suites again on PostgreSQL (test/on-postgres/).
 *
 * Owns: the switch, starting the server for such a file, and making a database synchronously
 * (`createdb`, from the server's binaries), so fixtures stay synchronous. Invariant: without
 * WIPPY_TEST_PG nothing here runs and fixtures are exactly what they were.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { before } from 'node:test';
import { postgresBinDir, sharedPostgres } from './postgres';

/** The env var naming the server of a PostgreSQL run (`postgresql://postgres@127.0.0.1:PORT`). */
export const TEST_PG_ENV = 'WIPPY_TEST_PG';

let made = 0;

/** A fresh database's URL when this run is on PostgreSQL, else null. */
export function testStoreUrl(): string | null {
  const server = process.env[TEST_PG_ENV];
  if (!server) return null;
  const u = new URL(server);
  const name = `wippy_engine_${process.pid}_${++made}`;
  execFileSync(path.join(postgresBinDir(), 'createdb'), ['-h', u.hostname, '-p', u.port, '-U', u.username || 'postgres', name], { stdio: 'pipe' });
  return `postgresql://${u.username || 'postgres'}@${u.hostname}:${u.port}/${name}`;
}

/** The store a fixture's registry names: its PostgreSQL URL when it has one. */
export function storeLine(url: string | null): string[] {
  return url === null ? [] : [`store: ${url}`];
}

/**
 * Run the test files `load` requires on PostgreSQL: call it first in a test file, then require
 * them inside `load`. The server starts before their first test; their fixtures (and the `wippy`
 * processes they start, which inherit the environment) each get a fresh database.
 */
export function onPostgres(load: () => void): void {
  before(async () => {
    const pg = await sharedPostgres();
    process.env[TEST_PG_ENV] = `postgresql://postgres@127.0.0.1:${pg.port}`;
  });
  load();
}
