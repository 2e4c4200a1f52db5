// Randomness inside a workflow is recorded and replayed: crypto.random.bytes/string/uuid, the nonce
// of crypto.encrypt.aes (a `random` history record each, base64 bytes) and uuid.v1/v4/v7 (a `uuid`
// record each). Through the real binary killed with SIGKILL twice: after every restart the
// workflow sees the bytes recorded before the first crash, and no draw is recorded twice. Then the
// exported golden file holds the records, replays, and fails when a recorded byte is changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startWippy, type WippyRun, wippy } from '../../testkit/wippy';
import { wfRegistryFiles, withRegistry } from '../../testkit/registry';
import { tick, until } from '../../testkit/wait';
import { openStore } from '../../runtime/store';
import type { HistoryRecord, RecordOf } from '../../runtime/store/events';

const WF = `local crypto, uuid = require("crypto"), require("uuid")
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
return function()
  local key = string.rep("k", 32)
  local v = {bytes = hex(crypto.random.bytes(16)), str = crypto.random.string(12, "abcdef"), ruuid = crypto.random.uuid(),
             v1 = uuid.v1(), v4 = uuid.v4(), v7 = uuid.v7()}
  local enc = crypto.encrypt.aes("secret", key)
  v.enc = hex(enc)
  local msg = process.inbox():receive()
  v.dec = crypto.decrypt.aes(enc, key)
  v.signal = msg:topic()
  return v
end`;

const ENTRY = `  - name: draw
    kind: workflow.lua
    source: file://wf_draw.lua
    modules: [crypto, uuid]
    meta: {temporal: {workflow: {worker: app:worker}}}
`;

test('crypto.random, a cipher nonce and uuid.v1/v4/v7 in a workflow: recorded once, the same after SIGKILL and restarts, and in its golden file', async () => {
  const dir = withRegistry({ ...wfRegistryFiles({}, {}, {}, ENTRY), 'wf_draw.lua': WF });
  const db = path.join(dir, '.wippy', 'state.db');
  const stdout = path.join(dir, 'stdout.log');
  const history = (): { id: string; status: string; result?: string; h: HistoryRecord[] } | null => {
    if (!fs.existsSync(db)) return null;
    const s = openStore(db, { lock: false });
    try {
      const [wf] = s.listWorkflows();
      return wf ? { id: wf.id, status: wf.status, result: wf.result ?? undefined, h: s.history(wf.id) } : null;
    } finally { s.close(); }
  };
  const kill = async (r: WippyRun) => { r.proc.kill('SIGKILL'); await r.exited; };

  // 1. Run until every draw is recorded (the workflow then waits for a signal), and kill it.
  const r1 = startWippy(['run', dir, '-x', 'app:draw'], { stdoutFile: stdout });
  await until(() => (history()?.h.filter((r) => r.type === 'random').length ?? 0) === 4, 'the four random records');
  await kill(r1);
  const first = history()!;
  const randoms = first.h.filter((r): r is RecordOf<'random'> => r.type === 'random');
  const uuids = first.h.filter((r): r is RecordOf<'uuid'> => r.type === 'uuid');
  assert.deepEqual(randoms.map((r) => [r.fn, r.bytes]), [['crypto.random.bytes', 16], ['crypto.random.string', 12], ['crypto.random.uuid', 16], ['crypto.encrypt.aes', 12]]);
  assert.deepEqual(uuids.map((r) => r.version), [1, 4, 7]);
  assert.equal(first.status, 'running');

  // 2. Restart: it replays up to the wait; kill it again there.
  const r2 = startWippy(['run', dir], { stdoutFile: stdout });
  await until(() => r2.err.join('').includes('wippy:'), 'the second run to be up');
  await tick(300);
  await kill(r2);

  // 3. Restart, signal it through the store (as `wippy workflow signal` does), let it finish.
  const r3 = startWippy(['run', dir], { stdoutFile: stdout });
  await until(() => r3.err.join('').includes('wippy:'), 'the third run to be up');
  const s = openStore(db, { lock: false });
  s.addSignal({ workflowId: first.id, topic: 'go', from: '', payloads: [], at: Date.now() });
  s.close();
  await until(() => history()!.status !== 'running', 'completion');
  r3.proc.kill('SIGINT');
  assert.equal(await r3.exited, 0);

  const done = history()!;
  assert.equal(done.status, 'completed', JSON.stringify(done));
  const v = JSON.parse(done.result!) as Record<string, string>;
  const bytes = (i: number) => Buffer.from(randoms[i].value, 'base64');
  assert.equal(v.bytes, bytes(0).toString('hex'), 'crypto.random.bytes gave the bytes recorded before the crash');
  assert.equal(v.str, [...bytes(1)].map((b) => 'abcdef'[b % 6]).join(''), 'crypto.random.string from its recorded bytes');
  assert.equal(v.ruuid.replace(/-/g, '').slice(12, 13), '4');
  assert.equal(v.ruuid.replace(/-/g, '').slice(0, 12), bytes(2).subarray(0, 6).toString('hex'), 'crypto.random.uuid from its recorded bytes');
  assert.equal(v.enc.slice(0, 24), bytes(3).toString('hex'), 'the AES-GCM nonce is the recorded one');
  assert.equal(v.dec, 'secret');
  assert.deepEqual([v.v1, v.v4, v.v7], uuids.map((r) => r.value), 'uuid.v1/v4/v7 replayed from the history');
  assert.equal(done.h.filter((r) => r.type === 'random').length, 4, 'no draw recorded twice');
  assert.equal(done.h.filter((r) => r.type === 'uuid').length, 3);

  // 4. The golden file holds the random records and replays; a changed recorded byte changes the result.
  const golden = path.join(dir, 'goldens', 'draw.golden.json');
  fs.mkdirSync(path.dirname(golden));
  const e = wippy(['workflow', 'export', first.id, '-o', golden, '--db', db]);
  assert.equal(e.code, 0, e.stderr);
  const text = fs.readFileSync(golden, 'utf8');
  assert.equal((text.match(/"type": ?"random"/g) ?? []).length, 4, text);
  const ok = wippy(['test', path.dirname(golden), '--registry', dir]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /1 passed, 0 failed/);
  const flipped = Buffer.from(randoms[0].value, 'base64');
  flipped[0] ^= 0xff;
  fs.writeFileSync(golden, text.replace(randoms[0].value, flipped.toString('base64')));
  const bad = wippy(['test', path.dirname(golden), '--registry', dir]);
  assert.notEqual(bad.code, 0, bad.stdout);
  assert.match(bad.stdout + bad.stderr, /0 passed, 1 failed/);
});
