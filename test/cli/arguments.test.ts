// Text a user passes on the command line, and the names in Lua argument errors, through the real
// binary: a JSON argument holding a lone surrogate or bytes that are not UTF-8 is refused before
// anything runs (exit 2, one line), never stored as something else; `os.date` / `os.time`
// argument errors name the function as Lua does ('date', 'time'), not '?'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { withRegistry } from '../../testkit/registry';
import { wippy, WIPPY } from '../../testkit/wippy';

const fixture = () => withRegistry({
  'registry.yaml': `namespace: app
entries:
  - name: echo
    kind: function.lua
    source: file://echo.lua
  - name: dates
    kind: function.lua
    source: file://dates.lua
`,
  'echo.lua': 'return function(v) return {got = v} end',
  'dates.lua': `return function(k)
  if k == 1 then return os.date("%Ez", 0) end
  if k == 2 then return os.time("tomorrow") end
  return os.date("!%Y", 0)
end`,
});

/** `wippy ARGS` through sh, so an argument can hold raw bytes (spawn only passes UTF-8 strings). */
function wippyRaw(shellArgs: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', `exec "${process.execPath}" "${WIPPY}" ${shellArgs}`], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a lone surrogate in a -x argument is refused up front, naming the argument and the escape', () => {
  const dir = fixture();
  for (const arg of ['"\\ud800"', '{"k": ["ok", "x\\udc01"]}', '{"\\udbff": 1}']) {
    const r = wippy(['run', dir, '-x', 'app:echo', arg]);
    assert.equal(r.code, 2, `${arg}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: argument 1 cannot be passed to Lua: .*lone surrogate \\u(d800|dc01|dbff)/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  // A proper pair is a character and passes.
  const ok = wippy(['run', dir, '-x', 'app:echo', '"\\ud83d\\ude00"']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout.trim()).got, '\u{1F600}');
});

test('bytes that are not UTF-8 in an argument are refused, not stored as U+FFFD; a typed U+FFFD passes', () => {
  const dir = fixture();
  const bad = wippyRaw(`run "${dir}" -x app:echo "$(printf '"a\\377b"')"`);
  assert.equal(bad.code, 2, bad.stderr);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^error: argument 1 is not valid UTF-8: .*U\+FFFD/);
  assertNoJsStack(bad.stderr);
  // U+FFFD typed on a command line that is valid UTF-8 is what the user meant.
  const typed = wippy(['run', dir, '-x', 'app:echo', '"a\uFFFDb"']);
  assert.equal(typed.code, 0, typed.stderr);
  assert.equal(JSON.parse(typed.stdout.trim()).got, 'a\uFFFDb');
});

test('wippy workflow signal refuses a payload with a lone surrogate or bytes that are not UTF-8, storing nothing', () => {
  const dir = withRegistry({ 'registry.yaml': 'namespace: app\nentries:\n  - name: client\n    kind: temporal.client\n' });
  const db = path.join(dir, 'nothing.db');
  const sur = wippy(['workflow', 'signal', 'w1', 'go', '"\\udfff"', '--db', db]);
  assert.equal(sur.code, 2, sur.stderr);
  assert.match(sur.stderr, /^error: payload 1 cannot be passed to Lua: .*lone surrogate \\udfff/);
  const raw = wippyRaw(`workflow signal w1 go "$(printf '"\\300"')" --db "${db}"`);
  assert.equal(raw.code, 2, raw.stderr);
  assert.match(raw.stderr, /^error: payload 1 is not valid UTF-8/);
  assert.ok(!fs.existsSync(db), 'usage is checked before the store is opened');
});

test("os.date and os.time argument errors name the function ('date', 'time') as Lua does, not '?'", () => {
  const dir = fixture();
  const d = wippy(['run', dir, '-x', 'app:dates', '1']);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /bad argument #1 to 'date' \(invalid conversion specifier/);
  assert.doesNotMatch(d.stderr, /'\?'/);
  const t = wippy(['run', dir, '-x', 'app:dates', '2']);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /bad argument #1 to 'time' \(table expected, got string\)/);
  assert.doesNotMatch(t.stderr, /'\?'/);
  const ok = wippy(['run', dir, '-x', 'app:dates', '3']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), '"1970"');
});
