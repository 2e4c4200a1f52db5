import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getEntry, loadRegistry, type Registry } from '../../registry';
import { GOOD, fakeCheckLua, tree } from './helpers';

const KNOWN = new Set(['json', 'time', 'funcs', 'uuid', 'logger']);
const WORKFLOW = new Set(['json', 'time', 'funcs', 'uuid']);

function good(): { reg: Registry; chunks: string[] } {
  const chunks: string[] = [];
  const reg = loadRegistry(GOOD, {
    checkLua: (src, chunk) => {
      chunks.push(chunk);
      return fakeCheckLua(src, chunk);
    },
    knownModules: KNOWN,
    workflowModules: WORKFLOW,
  });
  return { reg, chunks };
}

test('a folder with three namespaces loads every entry, files sorted', () => {
  const { reg } = good();
  assert.equal(reg.root, GOOD);
  assert.deepEqual(
    reg.files.map((f) => path.relative(GOOD, f)),
    ['_index.yaml', 'infra/infra.yml', 'lib/_index.yaml'],
  );
  assert.deepEqual([...reg.entries.keys()].sort(), [
    'app.infra:default_store', 'app.infra:temporal', 'app.lib:util',
    'app:charge', 'app:order', 'app:proc', 'app:processes', 'app:quick', 'app:svc', 'app:worker',
  ]);
});

test('Lua entries: source, chunk names, method, modules, imports, pool, merged meta, data', () => {
  const { reg, chunks } = good();
  assert.deepEqual([...chunks].sort(), ['lib/util.lua', 'src/charge.lua', 'src/charge.lua', 'src/order.lua', 'src/proc.lua']);
  const charge = getEntry(reg, 'app:charge', 'function.lua');
  assert.equal(charge.id, 'app:charge');
  assert.equal(charge.namespace, 'app');
  assert.equal(charge.name, 'charge');
  assert.equal(charge.sourcePath, path.join(GOOD, 'src/charge.lua'));
  assert.equal(charge.source, fs.readFileSync(path.join(GOOD, 'src/charge.lua'), 'utf8'));
  assert.equal(charge.method, 'main');
  assert.deepEqual(charge.modules, ['json', 'time']);
  assert.deepEqual(charge.imports, { util: 'app.lib:util' });
  assert.deepEqual(charge.pool, { type: 'static', size: 4 });
  assert.deepEqual(charge.meta, { team: 'billing', temporal: { activity: { worker: 'app:worker' } } });
  assert.equal(charge.data.retries, 3);
  assert.equal(charge.data.source, 'file://src/charge.lua'); // data is as written
  assert.deepEqual(charge.origin, { file: path.join(GOOD, '_index.yaml'), line: 10 });

  const quick = getEntry(reg, 'app:quick', 'function.lua');
  assert.equal(quick.method, 'quick');
  assert.deepEqual(quick.pool, { type: 'lazy', size: 2 });
  assert.deepEqual(quick.modules, []);
  assert.deepEqual(quick.imports, {});

  const proc = getEntry(reg, 'app:proc', 'process.lua');
  assert.equal(proc.pool, undefined);

  const order = getEntry(reg, 'app:order', 'workflow.lua');
  assert.equal(order.worker, 'app:worker');
  assert.deepEqual(order.meta.temporal, { activity: { worker: 'app:worker' }, workflow: { worker: 'worker' } });

  const util = getEntry(reg, 'app.lib:util', 'library.lua');
  assert.equal(util.sourcePath, path.join(GOOD, 'lib/util.lua'));
});

test('services, hosts, clients and workers: references resolved, defaults filled', () => {
  const { reg } = good();
  const host = getEntry(reg, 'app:processes', 'process.host');
  assert.equal(host.workers, 2);
  assert.equal(host.queueSize, 1024);
  assert.equal(host.lifecycle.autoStart, true);

  const svc = getEntry(reg, 'app:svc', 'process.service');
  assert.equal(svc.process, 'app:proc');
  assert.equal(svc.host, 'app:processes');
  assert.deepEqual(svc.input, [1, 'a']);
  assert.deepEqual(svc.lifecycle, {
    autoStart: true,
    requires: ['app:worker', 'app.infra:temporal'], // requires then depends_on, no repeats
    startTimeoutMs: 2000,
    stopTimeoutMs: 10_000,
    stableThresholdMs: 1500,
    restart: { initialDelayMs: 500, maxDelayMs: 90_000, backoffFactor: 2, jitter: 0.1, maxAttempts: 3 },
  });

  const worker = getEntry(reg, 'app:worker', 'temporal.worker');
  assert.equal(worker.client, 'app.infra:temporal');
  assert.equal(worker.taskQueue, 'orders');
  assert.deepEqual(worker.lifecycle, {
    autoStart: false, requires: [], startTimeoutMs: 10_000, stopTimeoutMs: 10_000, stableThresholdMs: 5000,
    restart: { initialDelayMs: 1000, maxDelayMs: 90_000, backoffFactor: 2, jitter: 0.1, maxAttempts: 0 },
  });

  const client = getEntry(reg, 'app.infra:temporal', 'temporal.client');
  assert.equal(client.store, path.join(GOOD, 'infra/data/wf.db'));
  assert.equal(client.lifecycle.autoStart, true);
  // No project file above it: beside the file that declares it (registry/project.ts).
  assert.equal(getEntry(reg, 'app.infra:default_store', 'temporal.client').store, path.join(GOOD, 'infra/.wippy/state.db'));
});

test('one YAML file: its folder is the root', () => {
  const reg = loadRegistry(path.join(GOOD, 'lib/_index.yaml'));
  assert.equal(reg.root, path.join(GOOD, 'lib'));
  assert.deepEqual([...reg.entries.keys()], ['app.lib:util']);
  assert.equal(getEntry(reg, 'app.lib:util', 'library.lua').sourcePath, path.join(GOOD, 'lib/util.lua'));
});

test('the scan skips node_modules, dot-folders and dot-files, and reads .yml and nested folders', () => {
  const dir = tree({
    'a.yml': 'namespace: a\nentries:\n  - {name: l, kind: library.lua, source: "file://l.lua"}\n',
    'l.lua': 'return {}',
    'deep/er/b.yaml': 'namespace: b\nentries:\n  - {name: h, kind: process.host}\n',
    'node_modules/x/bad.yaml': 'not: [valid',
    '.wippy/bad.yaml': 'not: [valid',
    '.wippy.yaml': 'logger: {level: debug}\n',
    'notes.txt': 'ignored',
    'empty.yaml': '# nothing here yet\n',
  });
  const reg = loadRegistry(dir);
  assert.deepEqual([...reg.entries.keys()], ['a:l', 'b:h']);
  assert.deepEqual(reg.files.map((f) => path.relative(dir, f)), ['a.yml', 'deep/er/b.yaml', 'empty.yaml']);
});

test('Wippy forms: one entry at the top level, an explicit data: map, file:/// absolute sources (inside the root)', () => {
  const dir = tree({
    'single.yaml': 'namespace: s\nname: only\nkind: process.host\nhost: {queue_size: 7}\n',
    'lib/abs.lua': 'return 1',
  });
  fs.writeFileSync(path.join(dir, 'data.yaml'), [
      'namespace: d',
      'entries:',
      '  - name: w',
      '    kind: temporal.worker',
      '    data: {client: c, task_queue: q}',
      '  - name: c',
      '    kind: temporal.client',
      '    store: ":memory:"',
      '  - name: f',
      '    kind: function.lua',
      `    source: file://${path.join(dir, 'lib/abs.lua')}`,
      '    pool: {type: inline, size: 9}',
      '',
    ].join('\n'));
  const chunks: string[] = [];
  const reg = loadRegistry(dir, { checkLua: (_s, c) => (chunks.push(c), null) });
  assert.equal(getEntry(reg, 's:only', 'process.host').queueSize, 7);
  assert.equal(getEntry(reg, 's:only', 'process.host').workers, 8);
  const w = getEntry(reg, 'd:w', 'temporal.worker');
  assert.equal(w.client, 'd:c');
  assert.equal(w.taskQueue, 'q');
  assert.equal(getEntry(reg, 'd:c', 'temporal.client').store, ':memory:');
  const f = getEntry(reg, 'd:f', 'function.lua');
  assert.equal(f.sourcePath, path.join(dir, 'lib/abs.lua'));
  assert.deepEqual(f.pool, { type: 'inline', size: 1 });
  assert.deepEqual(chunks, ['lib/abs.lua']);
});

test('durations accept Go strings and nanosecond numbers everywhere', () => {
  const dir = tree({
    'r.yaml': [
      'namespace: app',
      'entries:',
      '  - name: h',
      '    kind: process.host',
      '    lifecycle:',
      '      start_timeout: 1h30m',
      '      stop_timeout: 250000000',
      '      restart: {initial_delay: 10ms, max_delay: 1m, backoff_factor: 1.5, jitter: 0}',
      '',
    ].join('\n'),
  });
  const lc = getEntry(loadRegistry(dir), 'app:h', 'process.host').lifecycle;
  assert.equal(lc.startTimeoutMs, 5_400_000);
  assert.equal(lc.stopTimeoutMs, 250);
  assert.deepEqual(lc.restart, { initialDelayMs: 10, maxDelayMs: 60_000, backoffFactor: 1.5, jitter: 0, maxAttempts: 0 });
});
