// The `hash` module as Wippy documents it: md5/sha1/sha256/sha512 (hex, or raw bytes), HMACs
// (data, secret) checked against RFC 4231, FNV-1 32/64 (Go's hash/fnv New32/New64), and non-string
// arguments returned as `nil, err` of kind Invalid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

const M = { modules: ['hash'] };

test('digests of "abc" and "" are the published test vectors (FIPS 180, RFC 1321)', async () => {
  const v = await evalLua(`
    local hash = require("hash")
    return {hash.md5(""), hash.md5("abc"), hash.sha1("abc"), hash.sha256("abc"), hash.sha512("abc"), hash.sha256("")}`, M);
  assert.deepEqual(v, [
    'd41d8cd98f00b204e9800998ecf8427e',
    '900150983cd24fb0d6963f7d28e17f72',
    'a9993e364706816aba3e25717850c26c9cd0d89d',
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ]);
});

test('raw = true gives the digest bytes (the hex digest of the same bytes)', async () => {
  const v = await evalLua(`
    local hash = require("hash")
    local raw = hash.sha256("abc", true)
    local hex = raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)
    local mac = hash.hmac_sha256("Hi There", string.rep("\\11", 20), true)
    return {#raw, hex, #hash.md5("abc", true), #hash.sha512("abc", true), #mac}`, M);
  assert.deepEqual(v, [32, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 16, 64, 32]);
});

test('hmac_sha256 and hmac_sha512 give the RFC 4231 test cases 1 and 2; md5/sha1 HMACs of RFC 2202 case 2', async () => {
  const v = await evalLua(`
    local hash = require("hash")
    local key1 = string.rep("\\11", 20)
    return {hash.hmac_sha256("Hi There", key1), hash.hmac_sha512("Hi There", key1),
            hash.hmac_sha256("what do ya want for nothing?", "Jefe"), hash.hmac_sha512("what do ya want for nothing?", "Jefe"),
            hash.hmac_md5("what do ya want for nothing?", "Jefe"), hash.hmac_sha1("what do ya want for nothing?", "Jefe")}`, M);
  assert.deepEqual(v, [
    'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    '750c783e6ab0b503eaa86e310a5db738',
    'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
  ]);
});

test('fnv32 and fnv64 are FNV-1 (offset basis for ""; a 64-bit value past 2^53 is a float as Wippy numbers are)', async () => {
  const v = await evalLua(`
    local hash = require("hash")
    return {hash.fnv32(""), hash.fnv32("a"), hash.fnv32("hello"), math.type(hash.fnv32("a")), hash.fnv64("a")}`, M) as number[];
  assert.deepEqual(v.slice(0, 4), [2166136261, 84696446, 3069866343, 'integer']);
  assert.equal(v[4], 12638153115695167422); // 0xaf63bd4c8601b7be, as a double
});

test('non-string data or secret: nil, Invalid error, never raised', async () => {
  const v = await evalLua(`
    local hash = require("hash")
    local out = {}
    for _, f in ipairs({function() return hash.md5(5) end, function() return hash.sha256({}) end,
                        function() return hash.hmac_sha256("x", nil) end, function() return hash.hmac_sha1(nil, "k") end,
                        function() return hash.fnv64(true) end}) do
      local r, err = f()
      out[#out + 1] = {r == nil, err:kind(), err:message(), err:retryable()}
    end
    return out`, M);
  assert.deepEqual(v, [
    [true, 'Invalid', 'data must be a string', false],
    [true, 'Invalid', 'data must be a string', false],
    [true, 'Invalid', 'secret must be a string', false],
    [true, 'Invalid', 'data must be a string', false],
    [true, 'Invalid', 'data must be a string', false],
  ]);
});
