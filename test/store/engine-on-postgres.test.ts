/**
 * The engine suites, a second time, on PostgreSQL: the same test files (history, replay, signals,
 * timers, children, cancel, version, parking, crash/restart, goldens, and the `wippy workflow`
 * commands) run in a child `node --test` with WIPPY_TEST_PG naming this process's private server
 * (testkit/store-mode.ts: every fixture's registry then names a fresh database). One shared suite
 * parametrised by store, as test/store/suite.ts is for the store alone.
 *
 * The child's TAP goes through a pipe: it only reports, nothing is counted after a kill there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedPostgres } from '../../testkit/postgres';
import { TEST_PG_ENV } from '../../testkit/store-mode';

const DIST_TEST = path.resolve(__dirname, '..');

/** The suites run on both stores: whole folders, plus the CLI's workflow commands. */
function suites(): string[] {
  const all = (dir: string): string[] => fs.readdirSync(path.join(DIST_TEST, dir)).filter((f) => f.endsWith('.test.js')).map((f) => path.join(DIST_TEST, dir, f));
  const cli = ['workflow-control', 'workflow-start', 'workflow-inspect', 'workflow-export'].map((n) => path.join(DIST_TEST, 'cli', `${n}.test.js`));
  return [...all('engine'), ...all('golden'), ...cli, path.join(DIST_TEST, 'reliability', 'signals.test.js')];
}

test('the engine, golden and workflow-command suites pass on PostgreSQL', { timeout: 600_000 }, async () => {
  const pg = await sharedPostgres();
  const files = suites();
  const env: NodeJS.ProcessEnv = { ...process.env, [TEST_PG_ENV]: `postgresql://postgres@127.0.0.1:${pg.port}` };
  delete env.NODE_TEST_CONTEXT; // set when this file runs under `node --test`: the child would report to it, not in TAP
  const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=180000', '--test-reporter=tap', ...files], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const count = (what: string): number => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(out)?.[1] ?? -1);
  const failed = out.split('\n').filter((l) => /^\s*not ok /.test(l)).join('\n');
  assert.equal(count('fail'), 0, `failures on PostgreSQL:\n${failed || out.slice(-2000)}`);
  assert.equal(count('cancelled'), 0, `cancelled on PostgreSQL:\n${failed}`);
  assert.equal(count('skipped'), 0, 'no test may be skipped on PostgreSQL');
  // Every file ran and its tests passed (a file that failed to load counts as a failure above).
  assert.ok(count('pass') >= files.length, `only ${count('pass')} tests passed for ${files.length} files`);
  assert.equal(code, 0, out.slice(-4000));
});
