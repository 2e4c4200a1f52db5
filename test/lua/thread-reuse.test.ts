// Thread reuse (lua/task.ts finish + host.ts recycleThread): a finished task's coroutine
// may serve the host's next task, but never one the script holds (coroutine.running()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

test('a finished coroutine.spawn thread stays dead; holding it does not reach the next spawned task', async () => {
  const v = await evalLua(`
    local time = require("time")
    local saved
    local log = {}
    coroutine.spawn(function() saved = coroutine.running() end)
    time.sleep("5ms")                   -- A runs and returns: its thread is recycled
    coroutine.spawn(function()
      time.sleep("100ms")               -- B waits on the host, on A's old thread
      log[#log + 1] = "B resumed"
    end)
    time.sleep("5ms")
    local status = coroutine.status(saved)
    local ok = coroutine.resume(saved, "forged")  -- stock Lua: cannot resume dead coroutine
    return { status, ok, log[1] or "none" }`);
  assert.deepEqual(v, ['dead', false, 'none']);
});
