// The `compress` module as Wippy documents it: gzip, raw deflate, zlib and brotli round-trips of
// binary strings with levels, Invalid errors for empty input, bad levels and corrupt data,
// Internal past max_size, and zstd present but refusing (Node 20 has no zstd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { evalLua } from '../helpers/lua';

const M = { modules: ['compress'] };

test('each codec round-trips every byte value and shrinks repetitive data', async () => {
  const v = await evalLua(`
    local compress = require("compress")
    local t = {}
    for i = 0, 255 do t[#t + 1] = string.char(i) end
    local all = table.concat(t)
    local big = string.rep("abcdefghij", 1000)
    local out = {}
    for _, name in ipairs({"gzip", "deflate", "zlib", "brotli"}) do
      local c = compress[name]
      local e, err = c.encode(all)
      local d, err2 = c.decode(e)
      local eb = c.encode(big)
      out[#out + 1] = {name, d == all, err == nil and err2 == nil, #eb < #big, c.decode(eb) == big}
    end
    return out`, M);
  assert.deepEqual(v, ['gzip', 'deflate', 'zlib', 'brotli'].map((n) => [n, true, true, true, true]));
});

test('the formats are the standard ones: Node decodes what Lua encoded', async () => {
  const v = await evalLua(`
    local compress = require("compress")
    local b64 = require("base64")
    return {b64.encode(compress.gzip.encode("hello gzip")), b64.encode(compress.deflate.encode("hello raw")),
            b64.encode(compress.zlib.encode("hello zlib")), b64.encode(compress.brotli.encode("hello br"))}`,
    { modules: ['compress', 'base64'] }) as string[];
  const b = v.map((s) => Buffer.from(s, 'base64'));
  assert.equal(zlib.gunzipSync(b[0]).toString(), 'hello gzip');
  assert.equal(zlib.inflateRawSync(b[1]).toString(), 'hello raw');
  assert.equal(zlib.inflateSync(b[2]).toString(), 'hello zlib');
  assert.equal(zlib.brotliDecompressSync(b[3]).toString(), 'hello br');
});

test('levels: in range accepted, higher gzip level no larger, out of range Invalid', async () => {
  const v = await evalLua(`
    local compress = require("compress")
    local s = string.rep("Hello, World! ", 100)
    local lo = compress.gzip.encode(s, {level = 1})
    local hi = compress.gzip.encode(s, {level = 9})
    local out = {#hi <= #lo, compress.brotli.encode(s, {level = 0}) ~= nil, compress.brotli.encode(s, {level = 11}) ~= nil}
    for _, c in ipairs({{"gzip", 0}, {"gzip", 10}, {"zlib", 1.5}, {"deflate", "x"}, {"brotli", 12}}) do
      local r, err = compress[c[1]].encode(s, {level = c[2]})
      out[#out + 1] = {r == nil, err:kind()}
    end
    return out`, M);
  assert.deepEqual(v, [true, true, true, [true, 'Invalid'], [true, 'Invalid'], [true, 'Invalid'], [true, 'Invalid'], [true, 'Invalid']]);
});

test('empty, non-string and corrupt input: nil and an Invalid, non-retryable error', async () => {
  const v = await evalLua(`
    local compress = require("compress")
    local out = {}
    local r, err = compress.gzip.encode("")
    out[#out + 1] = {r == nil, err:kind(), err:retryable(), tostring(err):find("empty") ~= nil}
    r, err = compress.zlib.encode({})
    out[#out + 1] = {r == nil, err:kind()}
    for _, name in ipairs({"gzip", "deflate", "zlib", "brotli"}) do
      r, err = compress[name].decode("not valid " .. name .. " data")
      out[#out + 1] = {r == nil, err:kind()}
    end
    return out`, M);
  assert.deepEqual(v, [[true, 'Invalid', false, true], [true, 'Invalid'], [true, 'Invalid'], [true, 'Invalid'], [true, 'Invalid'], [true, 'Invalid']]);
});

test('decode past max_size is Internal; a max_size beyond 1 GiB is Invalid', async () => {
  const v = await evalLua(`
    local compress = require("compress")
    local e = compress.gzip.encode(string.rep("a", 10000))
    local r1, e1 = compress.gzip.decode(e, {max_size = 100})
    local r2 = compress.gzip.decode(e, {max_size = 10000})
    local r3, e3 = compress.gzip.decode(e, {max_size = 2 * 1024 * 1024 * 1024})
    return {r1 == nil, e1:kind(), #r2, r3 == nil, e3:kind()}`, M);
  assert.deepEqual(v, [true, 'Internal', 10000, true, 'Invalid']);
});

test('zstd is present but every call returns an Internal error naming the gap', async () => {
  const v = await evalLua(`
    local compress = require("compress")
    local r, err = compress.zstd.encode("abc")
    local r2, err2 = compress.zstd.decode("not valid zstd data")
    return {r == nil, err:kind(), tostring(err):find("zstd") ~= nil, r2 == nil, err2:kind()}`, M);
  assert.deepEqual(v, [true, 'Internal', true, true, 'Internal']);
});
