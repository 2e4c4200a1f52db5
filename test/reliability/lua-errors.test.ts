// Every module call reachable from Lua, with wrong argument types and bad values: each case is
// one line of a generated Lua file, so the expected message carries its exact `file:line`. A raised
// error must be a Lua error with that location (never "internal error in a runtime binding", a JS
// message or a crash); a failure returned as `nil, err` must say what was wrong. Also: durations
// ("1d", "-5s", ""), a 10 MB value crossing between states, and a sleep longer than setTimeout's
// limit (which used to fire at once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../app/runtime';
import { realClock } from '../../base/clock';
import { withRegistry } from '../../testkit/registry';

const FIRST_LINE = 3; // cases start on this line of cases.lua
const D = 'write a number with a unit, e.g. "1h30m", "10s" or "500ms"';
const POSITIVE = 'durations must be positive or zero (e.g. "1h30m", "10s" or "500ms")';
const DAYS = '"d" (days) is not a unit; write hours instead, e.g. "24h"';
const REQ = 'this entry can require: json, time, uuid, funcs, ctx, workflow';

/** [Lua expression, outcome]. `raises: MSG` expects `cases.lua:<its line>: MSG`. */
const CASES: Array<[string, string]> = [
  // json (Wippy's rules: nil encodes as null, NaN as null; bad tables are Internal; a non-string to decode is Invalid)
  ['json.encode()', 'returns: null'],
  ['json.encode({1, 2, f = print})', 'returns: nil, Internal: cannot encode mixed-key table: table has both numeric and non-numeric keys'],
  ['json.encode((function() local t = {} t[1] = t return t end)())', 'returns: nil, Internal: cannot encode recursively nested tables to JSON'],
  ['json.encode(0/0)', 'returns: null'],
  ['json.decode({})', 'returns: nil, Invalid: string expected'],
  ['json.decode()', 'returns: nil, Invalid: string expected'],
  ['json.decode("{")', 'returns: nil, Internal: invalid JSON: expected a string key at offset 1'],
  ['json.decode("\\255")', 'returns: nil, Internal: invalid UTF-8 in input'],
  ['json.decode(string.rep("[", 300))', 'returns: nil, Internal: invalid JSON: nesting deeper than 200 at offset 201'],
  // time, durations
  ['time.sleep("1d")', `raises: time.sleep: invalid duration "1d": ${DAYS}`],
  ['time.sleep("-5s")', `raises: time.sleep: invalid duration "-5s": ${POSITIVE}`],
  ['time.sleep("")', `raises: time.sleep: invalid duration "": it is empty; ${D}`],
  ['time.sleep({})', 'raises: time.sleep: invalid duration (table): expected a Duration, a string like "1h30m" or a number of nanoseconds'],
  ['time.sleep(0/0)', 'raises: time.sleep: invalid duration NaN: expected a string like "1h30m" or a finite number of nanoseconds'],
  ['time.parse_duration("1d")', `returns: nil, Invalid: invalid duration "1d": ${DAYS}`],
  ['time.parse_duration("-5s")', `returns: nil, Invalid: invalid duration "-5s": ${POSITIVE}`],
  ['time.parse_duration("")', `returns: nil, Invalid: invalid duration "": it is empty; ${D}`],
  ['time.after(true)', 'raises: time.after: invalid duration (boolean): expected a Duration, a string like "1h30m" or a number of nanoseconds'],
  ['time.timer("1d")', `raises: time.timer: invalid duration "1d": ${DAYS}`],
  ['time.ticker("0s")', "raises: bad argument #1 to 'ticker' (ticker interval must be positive)"],
  ['time.unix("x")', "raises: bad argument #1 to 'unix' (number expected, got string)"],
  ['time.unix(1.5)', "raises: bad argument #1 to 'unix' (seconds must be a whole number)"],
  ['time.since("yesterday")', "raises: bad argument #1 to 'since' (Time expected, got string)"],
  ['time.now():add("1x")', 'raises: Time:add: invalid duration "1x": unknown unit "x"; units are ns, us (or µs), ms, s, m, h, e.g. "1h30m", "10s" or "500ms"'],
  ['time.now():sub(5)', 'raises: Time:sub: expected a Time (to go back in time use t:add(-d) or t:add("-1h"))'],
  ['time.now():format(nil)', "raises: bad argument #1 to 'format' (string expected, got nil)"],
  ['time.parse("2006-01-02", "not a date")', 'returns: nil, Invalid: parsing time "not a date" as "2006-01-02": cannot parse "not a date" as "2006"'],
  ['time.load_location("Mars/Olympus")', 'returns: nil, NotFound: unknown time zone "Mars/Olympus": use "UTC", "Local" or an IANA name such as "America/New_York"'],
  // uuid
  ['uuid.version({})', 'returns: nil, Invalid: input must be a string'],
  ['uuid.version("zzz")', 'returns: nil, Invalid: invalid UUID format'],
  ['uuid.validate(nil)', 'returns: false'],
  // funcs
  ['funcs.call()', "raises: bad argument #1 to 'call' (string expected, got no value)"],
  ['funcs.call({})', "raises: bad argument #1 to 'call' (string expected, got table)"],
  ['funcs.call("no-namespace")', "returns: nil, Invalid: function id 'no-namespace' must be written namespace:name (e.g. app.api:charge_card)"],
  ['funcs.call("app:missing")', 'returns: nil, NotFound: no function app:missing in the registry'],
  ['funcs.call("app:echo", function() end)', 'raises: funcs: cannot pass to app:echo: cannot encode a function at argument 1'],
  ['funcs.call("app:echo", 1, (function() local t = {} t.t = t return t end)())', 'raises: funcs: cannot pass to app:echo: cannot encode a cyclic table (it contains itself) at argument 2.t'],
  ['funcs.call("app:echo", "caf\\233")', 'raises: funcs: cannot pass to app:echo: string is not valid UTF-8 at argument 1'],
  ['funcs.call("app:echo", {n = math.huge})', 'raises: funcs: cannot pass to app:echo: cannot encode Infinity (JSON has no NaN or infinity) at argument 1.n'],
  ['funcs.async("app:echo", print)', 'raises: funcs: cannot pass to app:echo: cannot encode a function at argument 1'],
  ['funcs.new():with_context("x")', "raises: bad argument #1 to 'with_context' (table expected, got string)"],
  ['funcs.new():with_options({f = print})', 'raises: cannot encode a function at options.f'],
  // process
  ['process.send()', "raises: bad argument #1 to 'send' (string expected, got no value)"],
  ['process.send("nobody", nil)', "raises: bad argument #2 to 'send' (string expected, got nil)"],
  ['process.send("nobody", "topic")', 'returns: nil, NotFound: process nobody not found (it never existed or has exited)'],
  ['process.send("nobody", "topic", print)', 'raises: cannot send: cannot encode a function at payload 1'],
  ['process.spawn({})', "raises: bad argument #1 to 'spawn' (string expected, got table)"],
  ['process.spawn("app:missing", "app:host")', 'returns: nil, NotFound: no entry app:missing in the registry'],
  ['process.set_options(1)', 'returns: false'],
  ['process.listen({})', "raises: bad argument #1 to 'listen' (string expected, got table)"],
  ['process.registry.register({})', "raises: bad argument #1 to 'register' (string expected, got table)"],
  ['process.cancel(nil)', "raises: bad argument #1 to 'cancel' (string expected, got nil)"],
  // channel
  ['channel.new("x")', "raises: bad argument #1 to 'new' (number expected, got string)"],
  ['channel.new(-1)', 'raises: channel.new: size must be 0 or more'],
  ['channel.select("x")', "raises: bad argument #1 to 'select' (table expected, got string)"],
  ['channel.select({})', 'raises: channel.select: no cases (this would wait forever)'],
  ['channel.select({1})', 'raises: channel.select: case 1 is not a channel case (use ch:case_receive() or ch:case_send(v))'],
  // errors
  ['errors.new(42)', "raises: bad argument #1 to 'new' (table expected, got number)"],
  ['errors.new({message = 42})', "raises: errors.new: field 'message' must be a string"],
  ['errors.new({retryable = "yes"})', "raises: errors.new: field 'retryable' must be a boolean"],
  ['errors.wrap(errors.new("x"), {})', "raises: bad argument #2 to 'wrap' (string expected, got table)"],
  ['errors.is(nil)', "raises: bad argument #2 to 'is' (string expected, got no value)"],
  ['errors.new("x").kind(nil)', "raises: bad argument #1 to 'kind' (error expected, got nil)"],
  // ctx
  ['ctx.get()', "raises: bad argument #1 to 'get' (string expected, got no value)"],
  ['ctx.get({})', "raises: bad argument #1 to 'get' (string expected, got table)"],
  ['ctx.get("nope")', "returns: nil, NotFound: no context value 'nope'"],
  // workflow (outside a workflow; inside one, see below)
  ['workflow.version()', "raises: bad argument #1 to 'version' (string expected, got no value)"],
  ['workflow.version("c", 2, 1)', 'raises: workflow.version: min (2) is greater than max (1)'],
  ['workflow.version("c", "a", 1)', "raises: bad argument #2 to 'version' (number expected, got string)"],
  ['workflow.exec()', "raises: bad argument #1 to 'exec' (string expected, got no value)"],
  ['workflow.exec("app:wf")', 'returns: nil, Invalid: workflow.exec is only available inside a workflow'],
  // the sandbox's own
  ['require("io")', `raises: module 'io' is not available to app:cases: ${REQ}`],
  ['require("../secrets")', `raises: module '../secrets' is not available to app:cases: ${REQ}`],
  ['require("/etc/passwd")', `raises: module '/etc/passwd' is not available to app:cases: ${REQ}`],
  ['load(string.char(27) .. "Lua")', "returns: nil, attempt to load a binary chunk (mode is 't')"],
  ['string.rep("x", 1e9)', 'raises: string.rep: result would be 1000000000 bytes, more than the 67108864-byte limit'],
  // Past 64 MiB, whatever builds the string: `..`, string.format, gsub, table.concat.
  ['("x"):rep(2^16):rep(2^10) .. "y"', 'raises: string length overflow: the result would be 67108865 bytes, more than the 67108864-byte limit'],
  ['string.format("%s%s", ("x"):rep(2^16):rep(2^9), ("x"):rep(2^16):rep(2^9) .. "x")', 'raises: string length overflow: the result would be 67108865 bytes, more than the 67108864-byte limit'],
  ['(string.gsub(("x"):rep(2000), "x", {x = ("y"):rep(40000)}))', 'raises: string length overflow: the result would be 67120000 bytes, more than the 67108864-byte limit'],
  ['table.concat({("z"):rep(2^16):rep(2^9), ("z"):rep(2^16):rep(2^9), "z"})', 'raises: string length overflow: the result would be 67108865 bytes, more than the 67108864-byte limit'],
];

const REGISTRY = `namespace: app
entries:
  - name: cases
    kind: function.lua
    source: file://cases.lua
    modules: [json, time, uuid, funcs, ctx, workflow]
  - name: wcases
    kind: workflow.lua
    source: file://wcases.lua
    modules: [json, time, uuid, funcs, ctx, workflow]
    meta: {temporal: {workflow: {worker: app:worker}}}
  - name: echo
    kind: function.lua
    source: file://echo.lua
  - name: host
    kind: process.host
  - name: client
    kind: temporal.client
  - name: worker
    kind: temporal.worker
    client: app:client
    task_queue: q
`;

const RUNNER = `}
return function(k)
  local r = table.pack(pcall(cases[k]))
  if not r[1] then return "raises: " .. tostring(r[2]) end
  if r[2] == nil and r[3] ~= nil then
    local e = r[3]
    return "returns: nil, " .. (type(e) == "userdata" and (e:kind() .. ": " .. e:message()) or tostring(e))
  end
  return "returns: " .. tostring(r[2])
end
`;

function casesFile(cases: Array<[string, string]>): string {
  return 'local json, time, uuid, funcs, ctx, workflow = require("json"), require("time"), require("uuid"), require("funcs"), require("ctx"), require("workflow")\nlocal cases = {\n'
    + cases.map(([expr]) => `  function() return ${expr} end,\n`).join('') + RUNNER;
}

/** What the case at 1-based index k must produce: raises get `<file>:<line>: `. */
function expected(file: string, k: number, outcome: string): string {
  return outcome.startsWith('raises: ') ? `raises: ${file}:${FIRST_LINE + k - 1}: ${outcome.slice(8)}` : outcome;
}

// Inside a workflow the same bindings go to the engine: wrong types still raise at the call site.
const WF_CASES: Array<[string, string]> = [
  ['time.sleep("1d")', `raises: time.sleep: invalid duration "1d": ${DAYS}`],
  ['time.sleep("-5s")', `raises: time.sleep: invalid duration "-5s": ${POSITIVE}`],
  ['time.after("")', `raises: time.after: invalid duration "": it is empty; ${D}`],
  ['funcs.call({})', "raises: bad argument #1 to 'call' (string expected, got table)"],
  ['funcs.call("app:echo", function() end)', 'raises: funcs: cannot pass to app:echo: cannot encode a function at argument 1'],
  ['funcs.call("app:missing")', 'returns: nil, NotFound: no function app:missing in the registry'],
  ['workflow.exec({})', "raises: bad argument #1 to 'exec' (string expected, got table)"],
  ['workflow.exec("app:wcases", print)', 'raises: workflow.exec: cannot pass to app:wcases: cannot encode a function at argument 1'],
  ['workflow.version("c", 2, 1)', 'raises: workflow.version: min (2) is greater than max (1)'],
  ['process.send(nil, "x")', "raises: bad argument #1 to 'send' (string expected, got nil)"],
  ['process.send("nobody", "t", print)', 'raises: cannot send: cannot encode a function at payload 1'],
  ['process.spawn("app:missing", "app:worker")', 'returns: nil, NotFound: no entry app:missing in the registry'],
  ['uuid.version({})', 'returns: nil, Invalid: input must be a string'],
  ['ctx.get({})', "raises: bad argument #1 to 'get' (string expected, got table)"],
];

test(`every module call with wrong arguments (${CASES.length} cases in a function, ${WF_CASES.length} in a workflow): a Lua error at the calling line, or nil, err`, async () => {
  const dir = withRegistry({
    'registry.yaml': REGISTRY,
    'cases.lua': casesFile(CASES),
    // The workflow runs all its cases in one execution (each is one step or a raised error).
    'wcases.lua': casesFile(WF_CASES).replace(/return function\(k\)\n([\s\S]*)end\n$/, (_m, body) => `local function one(k)\n${body}end\nreturn function()\n  local out = {}\n  for k = 1, #cases do out[k] = one(k) end\n  return out\nend\n`),
    'echo.lua': 'return function(...) return ... end\n',
  });
  const rt = Runtime.load(dir, { output: { print: () => {}, log: () => {} } });
  try {
    const got: string[] = [];
    for (let k = 1; k <= CASES.length; k++) {
      const r = await rt.callFunction('app:cases', [String(k)]);
      got.push(r.error ? `call failed: ${r.error.message}` : JSON.parse(r.value!));
    }
    assert.deepEqual(got, CASES.map(([, o], i) => expected('cases.lua', i + 1, o)));
    for (const line of got) assert.doesNotMatch(line, /internal error|runtime binding|undefined|TypeError|PANIC/);

    const o = await rt.runWorkflow('app:wcases', []);
    assert.ok('result' in o && o.result.value, JSON.stringify(o));
    assert.deepEqual(JSON.parse(o.result.value!), WF_CASES.map(([, oc], i) => expected('wcases.lua', i + 1, oc)));
  } finally {
    rt.close();
  }
});

test('a 10 MB string crosses between states (argument and result of funcs.call) intact', async () => {
  const dir = withRegistry({
    'registry.yaml': 'namespace: app\nentries:\n  - {name: big, kind: function.lua, source: file://big.lua, modules: [funcs]}\n  - {name: echo, kind: function.lua, source: file://echo.lua}\n',
    'big.lua': 'local funcs = require("funcs")\nreturn function()\n  local s = string.rep("0123456789", 1048576)\n  local back = funcs.call("app:echo", s)\n  return {len = #back, same = back == s}\nend\n',
    'echo.lua': 'return function(v) return v end\n',
  });
  const rt = Runtime.load(dir, { output: { print: () => {}, log: () => {} } });
  const r = await rt.callFunction('app:big', []);
  rt.close();
  assert.deepEqual(JSON.parse(r.value!), { len: 10 * 1024 * 1024, same: true });
});

test('a sleep longer than setTimeout can take (~24.8 days, e.g. "720h") does not fire at once', async () => {
  // Node fires a longer setTimeout after 1 ms; the real clock waits in steps instead.
  let fired = false;
  const cancel = realClock.setTimer(720 * 3600 * 1000, () => { fired = true; });
  await new Promise((r) => setTimeout(r, 50));
  cancel();
  assert.equal(fired, false);
  let short = false;
  realClock.setTimer(5, () => { short = true; });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(short, true);
});
