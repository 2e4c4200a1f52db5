// The tracked package-lock.json is the one npm writes: `npm install` on a fresh clone must not
// change it (a clone dirty after the README's first command). Offline, no scripts, no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../testkit/temp';
import { ROOT } from '../../testkit/wippy';

test('npm rewrites package-lock.json byte for byte (same as .ci/run checks)', () => {
  const dir = tempDir('wippy-lock-');
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  // Under `npm test` npm_execpath is the npm that runs us; else the npm beside this node.
  const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)
    ? process.env.npm_execpath
    : path.join(path.dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');
  const r = spawnSync(process.execPath, [npmCli, 'install', '--package-lock-only', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], {
    cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_cache: path.join(dir, '.npm-cache') },
  });
  assert.equal(r.status, 0, `npm failed: ${r.stderr}`);
  const before = fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8');
  const after = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  assert.equal(after, before, 'npm writes a different package-lock.json: run `npm install` and commit the lockfile');
});
