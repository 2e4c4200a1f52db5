// The `payload` global as Wippy documents it: payload.new(value) keeps the Lua value (format
// lua/any, golang/error for an error), get_format, data, transcode between lua/any, json/plain,
// yaml/plain, text/plain and bytes, the format constants, tostring; an impossible transcode is
// nil, Internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

const M = { modules: [] as string[] };

test('format constants and payload.new keeps the very value (lua/any), an error as golang/error', async () => {
  const v = await evalLua(`
    local t = {a = 1}
    local p = payload.new(t)
    local pe = payload.new(errors.new("boom"))
    return {payload.format.JSON, payload.format.YAML, payload.format.STRING, payload.format.BYTES, payload.format.MSGPACK,
            payload.format.LUA, payload.format.GOLANG, payload.format.ERROR,
            p:get_format(), p:data() == t, pe:get_format(), pe:data():message(), tostring(p), payload.new(nil):data() == nil}`, M);
  assert.deepEqual(v, ['json/plain', 'yaml/plain', 'text/plain', 'application/octet-stream', 'application/msgpack', 'lua/any', 'golang/any',
    'golang/error', 'lua/any', true, 'golang/error', 'boom', 'payload{format=lua/any}', true]);
});

test('transcode to json/plain and yaml/plain (Wippy rules) and back to Lua; text/plain of a string or number', async () => {
  const v = await evalLua(`
    local p = payload.new({name = "x", list = {1, 2}, empty = {}})
    local j = p:transcode(payload.format.JSON)
    local y = p:transcode(payload.format.YAML)
    local back = j:transcode(payload.format.LUA)
    local s = payload.new("hello"):transcode(payload.format.STRING)
    local n = payload.new(42):transcode(payload.format.BYTES)
    return {j:get_format(), j:data().name, #j:data().list, y:get_format(), y:data().list[2], back:get_format(), back:data().name,
            s:data(), n:data(), j:unmarshal().name}`, M);
  assert.deepEqual(v, ['json/plain', 'x', 2, 'yaml/plain', 2, 'lua/any', 'x', 'hello', '42', 'x']);
});

test('impossible transcodes are nil, Internal error (msgpack, a table to text, an error to JSON); never raised', async () => {
  const v = await evalLua(`
    local out = {}
    for _, f in ipairs({function() return payload.new({1}):transcode(payload.format.MSGPACK) end,
                        function() return payload.new({1}):transcode(payload.format.STRING) end,
                        function() return payload.new(errors.new("x")):transcode(payload.format.JSON) end,
                        function() local c = {} c.c = c return payload.new(c):transcode(payload.format.JSON) end}) do
      local r, e = f()
      out[#out + 1] = {r == nil, e:kind(), tostring(e):sub(1, 18)}
    end
    return out`, M);
  assert.deepEqual(v, Array(4).fill([true, 'Internal', 'transcode failed: ']));
});
