// A --virtual-time run does not make `wippy workflow list` show updates "tomorrow": listings use
// the machine's clock; the workflow clock is shown beside it, and histories keep it (replay needs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wfRegistry } from '../../testkit/registry';
import { wippy } from '../../testkit/wippy';

const DAY = 86_400_000;

const registry = () => wfRegistry({ sleepy: 'local time = require("time") return function() time.sleep("24h") return "rested" end' }).dir;

interface Item { id: string; created_at: string; updated_at: string; virtual_time: boolean; workflow_created_at: string; workflow_updated_at: string }

function ok(args: string[], cwd: string): string {
  const r = wippy(args, { cwd });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('a --virtual-time run: list shows when it really ran, show names the virtual clock, the history keeps the workflow clock', () => {
  const dir = registry();
  const before = Date.now();
  assert.equal(ok(['run', '.', '--virtual-time', '-x', 'app:sleepy'], dir).trim(), '"rested"');
  const after = Date.now();
  const [w] = JSON.parse(ok(['workflow', 'list', '--json'], dir)) as Item[];
  const t = (s: string) => Date.parse(s);
  assert.ok(before <= t(w.created_at) && t(w.created_at) <= t(w.updated_at) && t(w.updated_at) <= after,
    `machine-clock times within the run: ${JSON.stringify(w)}, run from ${new Date(before).toISOString()} to ${new Date(after).toISOString()}`);
  assert.equal(w.virtual_time, true);
  assert.ok(t(w.workflow_updated_at) - t(w.workflow_created_at) >= DAY, JSON.stringify(w));

  const table = ok(['workflow', 'list'], dir).trim().split('\n');
  assert.equal(table.length, 2);
  assert.ok(table[1].includes(`${w.updated_at.slice(0, 19).replace('T', ' ')}Z`), table[1]);

  const show = ok(['workflow', 'show', w.id], dir);
  assert.match(show, /^ {2}clock: {4}virtual \(--virtual-time\): on the workflow clock it started \S+ \S+, updated \S+ \S+ \(\+24h0m\d+\.\d{3}s\)$/m);

  const history = JSON.parse(ok(['workflow', 'history', w.id, '--json'], dir)) as Array<{ at?: number }>;
  const times = history.filter((r) => r.at !== undefined).map((r) => r.at!);
  assert.ok(times[times.length - 1] - times[0] >= DAY, `history times stay on the workflow clock: ${times.join(', ')}`);
  assert.match(ok(['workflow', 'history', w.id], dir), /^workflow .* started .* on the virtual clock \(--virtual-time\)$/m);
});

test('a run on the real clock is not marked virtual and shows no clock line', () => {
  const dir = wfRegistry({ quick: 'return function() return 1 end' }).dir;
  ok(['run', '.', '-x', 'app:quick'], dir);
  const [w] = JSON.parse(ok(['workflow', 'list', '--json'], dir)) as Item[];
  assert.equal(w.virtual_time, false);
  assert.doesNotMatch(ok(['workflow', 'show', w.id], dir), /clock:/);
});
