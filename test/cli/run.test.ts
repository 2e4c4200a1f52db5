// `wippy run` through the real binary: exit codes, the stdout/stderr split, no JS stacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoJsStack, quotedExamples } from '../helpers/cli';
import { withRegistry } from '../../testkit/registry';
import { wippy } from '../../testkit/wippy';

const fixture = () => withRegistry({
  'registry.yaml': `namespace: app
entries:
  - name: ok
    kind: function.lua
    source: file://ok.lua
  - name: fails
    kind: function.lua
    source: file://fails.lua
  - name: raises
    kind: function.lua
    source: file://raises.lua
  - name: spin
    kind: function.lua
    source: file://spin.lua
`,
  'ok.lua': 'return function(a, b) print("working on", a) return {a = a, b = b, n = 2.0} end',
  'fails.lua': 'return function() return nil, errors.new{kind = "NotFound", message = "order 7 not found"} end',
  'raises.lua': 'local function deep() error("kaboom") end\nreturn function() deep() end',
  'spin.lua': 'return function() while true do end end',
});

test('wippy --help and wippy run --help describe the commands and every option', () => {
  const h = wippy(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Usage: wippy/);
  assert.match(h.stdout, /run \[options\] <path> \[args\.\.\.\]/);
  const r = wippy(['run', '--help']);
  assert.equal(r.code, 0);
  for (const opt of ['-x, --exec <entry>', '--db <file|url>', '--virtual-time', '--budget <instructions>', 'Exit status']) assert.ok(r.stdout.includes(opt), opt);
});

test('-x prints the result as the last stdout line, after what the script printed', () => {
  const r = wippy(['run', fixture(), '-x', 'app:ok', '"x"', '{"k":[1,2]}']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'working on\tx');
  assert.deepEqual(JSON.parse(lines[lines.length - 1]), { a: 'x', b: { k: [1, 2] }, n: 2 });
  assert.equal(lines[lines.length - 1], '{"a":"x","b":{"k":[1,2]},"n":2.0}');
});

test('the example in the README runs', () => {
  const r = wippy(['run', 'examples/hello', '-x', 'app:greet', '"world"']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), '{"greeting":"hello, WORLD!","length":6}');
});

test('nil, err goes to stderr with exit 1 and nothing on stdout', () => {
  const r = wippy(['run', fixture(), '-x', 'app:fails']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim(), 'error: NotFound: order 7 not found');
});

test('a raised error prints file:line and the Lua traceback, no JS stack', () => {
  const r = wippy(['run', fixture(), '-x', 'app:raises']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: Internal: raises\.lua:1: kaboom$/m);
  assert.match(r.stderr, /stack traceback:/);
  assertNoJsStack(r.stderr);
});

test('a runaway entry is stopped by --budget', () => {
  const r = wippy(['run', fixture(), '-x', 'app:spin', '--budget', '1000000']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /instruction budget exceeded in app:spin at spin\.lua:1/);
});

test('user mistakes: bad registry, bad JSON argument, unknown entry, missing path — exit 2, one clear message', () => {
  const bad = withRegistry({
    'r.yaml': 'namespace: app\nentries:\n  - name: f\n    kind: function.lua\n    source: file://f.lua\n',
    'f.lua': 'return function(\n  x = = 1\nend\n',
  });
  const cases: Array<[string[], RegExp]> = [
    [['run', bad, '-x', 'app:f'], /r\.yaml:5: entry app:f, field source: Lua syntax error: f\.lua:2:/],
    [['run', fixture(), '-x', 'app:ok', '{bad'], /argument 1 is not valid JSON: \{bad/],
    [['run', fixture(), '-x', 'app:nope'], /no entry app:nope in the registry/],
    [['run', '/definitely/not/here', '-x', 'a:b'], /no such file or folder/],
    [['run', fixture(), '"stray"'], /only used with -x/],
  ];
  for (const [args, re] of cases) {
    const r = wippy(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
    assertNoJsStack(r.stderr);
  }
});

test('the hint for an argument that is not JSON shows examples that are valid JSON', () => {
  // The broken object, a bare word, long text and text with a quote (it cannot go in '...').
  for (const arg of ['{"approved": true', '[1, 2', '"open', 'world', 'x'.repeat(50), "it's"]) {
    const r = wippy(['run', fixture(), '-x', 'app:ok', arg]);
    assert.equal(r.code, 2, r.stderr);
    const examples = quotedExamples(r.stderr);
    assert.ok(examples.length >= 1, r.stderr);
    for (const ex of examples) assert.doesNotThrow(() => JSON.parse(ex), `${arg}: the hint ${ex} is not JSON (${r.stderr.trim()})`);
  }
  assert.match(wippy(['run', fixture(), '-x', 'app:ok', 'world']).stderr, /a string needs quotes, e\.g\. '"world"'\)$/m);
});

test('an entry can be named without its namespace when unambiguous', () => {
  const r = wippy(['run', fixture(), '-x', 'ok', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), '{"a":1,"n":2.0}');
});
