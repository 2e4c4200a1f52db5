// The `base64` module as Wippy documents it: RFC 4648 standard alphabet with padding, bytes in and
// out, malformed input and non-strings returned as `nil, err` of kind Invalid (never raised).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

const M = { modules: ['base64'] };

test('encode gives the RFC 4648 section 10 vectors and decode reverses them', async () => {
  const v = await evalLua(`
    local base64 = require("base64")
    local out = {}
    for _, s in ipairs({"", "f", "fo", "foo", "foob", "fooba", "foobar"}) do
      local e, err = base64.encode(s)
      local d = base64.decode(e)
      out[#out + 1] = e .. "|" .. d .. "|" .. tostring(err)
    end
    return out`, M);
  assert.deepEqual(v, ['|' + '|nil', 'Zg==|f|nil', 'Zm8=|fo|nil', 'Zm9v|foo|nil', 'Zm9vYg==|foob|nil', 'Zm9vYmE=|fooba|nil', 'Zm9vYmFy|foobar|nil']);
});

test('binary strings (every byte value) round-trip unchanged', async () => {
  const v = await evalLua(`
    local base64 = require("base64")
    local t = {}
    for i = 0, 255 do t[#t + 1] = string.char(i) end
    local all = table.concat(t)
    local e = base64.encode(all)
    local back = base64.decode(e)
    return {#e, back == all, e:sub(1, 8)}`, M);
  assert.deepEqual(v, [344, true, 'AAECAwQF']);
});

test('malformed input and non-strings: nil, Invalid error naming the offending byte, never raised', async () => {
  const v = await evalLua(`
    local base64 = require("base64")
    local out = {}
    for _, s in ipairs({"Zm9v!", "Zg", "Zg=", "QR==", "Zm9v====", "Zm 9v"}) do
      local d, err = base64.decode(s)
      out[#out + 1] = {d == nil, err:kind(), err:message(), err:retryable(), tostring(err)}
    end
    local d, err = base64.decode(42)
    out[#out + 1] = {d == nil, err:kind(), err:message()}
    local e, err2 = base64.encode({})
    out[#out + 1] = {e == nil, err2:kind(), err2:message()}
    return out`, M);
  assert.deepEqual(v, [
    [true, 'Invalid', 'illegal base64 data at input byte 4', false, 'decode failed: illegal base64 data at input byte 4'],
    [true, 'Invalid', 'illegal base64 data at input byte 2', false, 'decode failed: illegal base64 data at input byte 2'],
    [true, 'Invalid', 'illegal base64 data at input byte 3', false, 'decode failed: illegal base64 data at input byte 3'],
    [true, 'Invalid', 'illegal base64 data at input byte 1', false, 'decode failed: illegal base64 data at input byte 1'],
    [true, 'Invalid', 'illegal base64 data at input byte 4', false, 'decode failed: illegal base64 data at input byte 4'],
    [true, 'Invalid', 'illegal base64 data at input byte 2', false, 'decode failed: illegal base64 data at input byte 2'],
    [true, 'Invalid', 'string expected'],
    [true, 'Invalid', 'string expected'],
  ]);
});
