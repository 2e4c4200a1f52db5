/**
 * Benchmark: 10,000 processes exchanging 100,000 messages.
 *
 * A coordinator spawns N echo processes, sends each M pings (N*M messages in), every echo
 * answers each ping (N*M messages out), and the coordinator counts the answers. Reported with a
 * same-run baseline: the same number of channel send/receive pairs inside one Lua state, so the
 * ratio shows what processes (own Lua state, PIDs, mailboxes, message copies) cost.
 */
import { withRegistry, registryYaml, processEntry, functionEntry } from '../testkit/registry';
import { Runtime } from '../app/runtime';

export interface ProcessBenchResult {
  processes: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  baselineChannelOpsPerSecond: number;
  ratioToBaseline: number;
}

export async function benchProcesses(processes = 10_000, perProcess = 5): Promise<ProcessBenchResult> {
  const dir = withRegistry({
    'r.yaml': registryYaml('b', [
      { name: 'procs', kind: 'process.host' },
      processEntry('echo', 'echo.lua'),
      processEntry('coord', 'coord.lua'),
      functionEntry('chan', 'chan.lua'),
    ]),
    'echo.lua': `return function(n)
      local inbox = process.inbox()
      for i = 1, n do
        local m = inbox:receive()
        process.send(m:from(), "pong", i)
      end
    end`,
    'coord.lua': `return function(procs, per)
      local pids = {}
      for i = 1, procs do pids[i] = process.spawn("b:echo", "b:procs", per) end
      for r = 1, per do
        for i = 1, procs do process.send(pids[i], "ping", r) end
      end
      local inbox = process.inbox()
      local got = 0
      for i = 1, procs * per do inbox:receive() got = got + 1 end
      return got
    end`,
    'chan.lua': `return function(n)
      local ch = channel.new()
      local done = channel.new()
      coroutine.spawn(function() for i = 1, n do ch:send(i) end end)
      coroutine.spawn(function() local s = 0 for i = 1, n do s = s + ch:receive() end done:send(s) end)
      return done:receive()
    end`,
  });
  const rt = Runtime.load(dir, { output: { print: () => {}, log: () => {} } });
  const total = processes * perProcess * 2;
  const t0 = process.hrtime.bigint();
  const r = await rt.execProcess('b:coord', 'b:procs', [String(processes), String(perProcess)]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error || JSON.parse(r.value!) !== processes * perProcess) throw new Error(`process bench failed: ${JSON.stringify(r)}`);
  const b0 = process.hrtime.bigint();
  const rb = await rt.callFunction('b:chan', [String(total)]);
  const bs = Number(process.hrtime.bigint() - b0) / 1e9;
  if (rb.error) throw new Error(`baseline failed: ${rb.error.message}`);
  const mps = total / seconds;
  const base = total / bs;
  return { processes, messages: total, seconds, messagesPerSecond: mps, baselineChannelOpsPerSecond: base, ratioToBaseline: mps / base };
}
