/**
 * The crash soak's workload (testkit/soak/run.ts drives it, testkit/soak/verify.ts checks it): a generated
 * registry with a root workflow that starts N `order` workflows as its children.
 *
 * Each order mixes every kind of durable step: an activity (failing its first attempt for every
 * 5th order, retried after 50ms), for every 3rd order an activity that RETRIES WITH A LONG
 * BACKOFF (400ms, then 600ms; maximum_attempts 3) so that kills land during backoffs (every 6th
 * order succeeds at attempt 3, the others in between give up after 3), a timer (50-300ms), a child
 * workflow (`leaf`: an activity and a timer), rounds of an activity and a 20ms timer, a signal from
 * a process (it asks the `pinger` service, which answers with `process.send`; messages to
 * processes are not durable, so it asks again after 1s without an answer) and a signal from
 * outside, then a last activity. Every activity execution prints an `EXEC` line (its activity id,
 * workflow, step, order and attempt number), the pinger a `PONG` line per accepted send.
 *
 * Invariant: `expectedOrder(i, rounds)` is exactly what order i returns when nothing is lost.
 */
import { tempDir } from '../temp';
import { withRegistry, registryYaml, temporalEntries, functionEntry, processEntry, workflowEntry } from '../registry';

/** The retry policy of the long-backoff step (verify.ts reads policies from the history). */
export const SLOW_RETRY = { initial: '400ms', coefficient: 1.5, maximumAttempts: 3 };

const REGISTRY = registryYaml('soak', [
  ...temporalEntries('soak', 'soak'),
  { name: 'procs', kind: 'process.host' },
  functionEntry('act', 'act.lua', ['ctx']),
  processEntry('pinger', 'pinger.lua'),
  { name: 'pinger_service', kind: 'process.service', more: ['process: soak:pinger', 'host: soak:procs', 'lifecycle: {auto_start: true, restart: {initial_delay: "20ms", max_attempts: 0}}'] },
  workflowEntry('soak', 'root', 'root.lua'),
  workflowEntry('soak', 'order', 'order.lua', ['funcs', 'time', 'workflow']),
  workflowEntry('soak', 'leaf', 'leaf.lua', ['funcs', 'time']),
], { version: '1.0' });

// Every execution prints its idempotency key, its workflow, what it was asked and its attempt
// number; the first attempt of step "a" of every 5th order fails with a retryable error (retries
// keep the key); step "retry" fails before attempt 3, and always for odd multiples of 3.
const ACT = `local ctx = require("ctx")
return function(step, i)
  local attempt = ctx.get("attempt")
  print("EXEC " .. ctx.get("activity_id") .. " " .. ctx.get("workflow_id") .. " " .. step .. " " .. i .. " " .. attempt)
  if step == "a" and i % 5 == 0 and attempt == 1 then
    return nil, errors.new({message = "flaky", kind = errors.UNAVAILABLE, retryable = true})
  end
  if step == "retry" and (i % 6 == 3 or attempt < 3) then
    return nil, errors.new({message = "down at " .. attempt, kind = errors.UNAVAILABLE, retryable = true})
  end
  return step .. ":" .. i
end
`;

// Answers every hello with a pong sent to the workflow (a durable signal once send returns true);
// stops when `wippy run` stops it (SIGINT).
const PINGER = `return function()
  process.registry.register("pinger")
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select({inbox:case_receive(), events:case_receive()})
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return "stopped" end
    else
      local d = r.value:payload():data()
      if process.send(d.wf, "pong", {n = d.n}) then print("PONG " .. d.wf .. " " .. d.n) end
    end
  end
end
`;

const ROOT = `return function(n)
  for i = 1, n do
    local pid, err = process.spawn_monitored("soak:order", "soak:worker", i)
    if not pid then error(err) end
  end
  local events, done, sum = process.events(), 0, 0
  while done < n do
    local e = events:receive()
    if e.kind == process.event.EXIT then
      done = done + 1
      if e.result and e.result.value then sum = sum + e.result.value.i end
    end
  end
  return {count = done, sum = sum}
end
`;

const order = (rounds: number) => `local funcs, time, workflow = require("funcs"), require("time"), require("workflow")
local flaky = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = "50ms", maximum_attempts = 5}})
local slow = funcs.new():with_options({["activity.retry_policy"] = {
  initial_interval = "${SLOW_RETRY.initial}", backoff_coefficient = ${SLOW_RETRY.coefficient}, maximum_attempts = ${SLOW_RETRY.maximumAttempts}}})
return function(i)
  local exts = process.listen("ext")
  local pongs = process.listen("pong")
  local a = assert(flaky:call("soak:act", "a", i))
  local retry = "none"
  if i % 3 == 0 then
    local v, err = slow:call("soak:act", "retry", i)
    retry = v or ("gave up: " .. err:message())
  end
  time.sleep(tostring(50 + (i * 37) % 250) .. "ms")
  local leaf = assert(workflow.exec("soak:leaf", i))
  local rounds = {}
  for r = 1, ${rounds} do
    rounds[r] = assert(funcs.call("soak:act", "r" .. r, i))
    time.sleep("20ms")
  end
  local pong
  for attempt = 1, 100 do
    process.send("pinger", "hello", {wf = process.pid(), n = attempt})
    local r = channel.select({pongs:case_receive(), time.after("1s"):case_receive()})
    if r.channel == pongs then pong = r.value.n break end
  end
  local ext = exts:receive()
  local b = assert(funcs.call("soak:act", "b", i))
  return {i = i, a = a, retry = retry, leaf = leaf, rounds = rounds, pong = pong ~= nil, ext = ext, b = b}
end
`;

const LEAF = `local funcs, time = require("funcs"), require("time")
return function(i)
  local c = assert(funcs.call("soak:act", "leaf", i))
  time.sleep("100ms")
  return c .. "!"
end
`;

export function expectedOrder(i: number, rounds: number): unknown {
  const retry = i % 3 !== 0 ? 'none' : i % 6 === 0 ? `retry:${i}` : `gave up: down at ${SLOW_RETRY.maximumAttempts}`;
  return { i, a: `a:${i}`, retry, leaf: `leaf:${i}!`, rounds: Array.from({ length: rounds }, (_, r) => `r${r + 1}:${i}`), pong: true, ext: i, b: `b:${i}` };
}

/** Write the soak registry into `dir` (default: a new temp folder `wippy-soak-*`); returns the folder. */
export function writeSoakRegistry(rounds: number, dir = tempDir('wippy-soak-')): string {
  return withRegistry({
    'registry.yaml': REGISTRY, 'act.lua': ACT, 'pinger.lua': PINGER, 'root.lua': ROOT, 'order.lua': order(rounds), 'leaf.lua': LEAF,
  }, dir);
}
