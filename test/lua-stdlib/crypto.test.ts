// The `crypto` module as Wippy documents it: random bytes/strings/uuids, HMAC (RFC 4231 vectors),
// AES-GCM and ChaCha20-Poly1305 (round trip, AAD, tamper detection, key sizes), JWT (HS256 round
// trip, the jwt.io vector, tampered/expired/wrong-alg tokens refused, RS256 with PEM keys),
// PBKDF2-HMAC-SHA256 vectors and constant_time_compare. (Recording in workflows:
// workflow-random.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { evalLua } from '../helpers/lua';

const M = { modules: ['crypto'] };
const HEX = 'local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end\n';

test('random.bytes/string/uuid: sizes, charsets, v4 uuids, no repeats; bad lengths are Invalid', async () => {
  const v = await evalLua(`${HEX}
    local crypto = require("crypto")
    local a, b = crypto.random.bytes(32), crypto.random.bytes(32)
    local s = crypto.random.string(64)
    local d = crypto.random.string(200, "01")
    local _, e1 = crypto.random.bytes(0)
    local _, e2 = crypto.random.bytes(2 * 1024 * 1024)
    local _, e3 = crypto.random.string(5, "")
    return {#a, a ~= b, #s, s:match("^[A-Za-z0-9]+$") ~= nil, d:match("^[01]+$") ~= nil, d:find("0") ~= nil and d:find("1") ~= nil,
            crypto.random.uuid(), e1:kind(), e1:message(), e2:kind(), e3:kind(), e3:message()}`, M) as unknown[];
  assert.deepEqual(v.slice(0, 6), [32, true, 64, true, true, true]);
  assert.match(v[6] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(v.slice(7), ['Invalid', 'length must be a positive integer', 'Invalid', 'Invalid', 'charset cannot be empty']);
});

test('hmac.sha256/sha512(key, data) give RFC 4231 test cases 1 and 2; an empty key is Invalid', async () => {
  const v = await evalLua(`
    local crypto = require("crypto")
    local k1 = string.rep("\\11", 20)
    local _, e = crypto.hmac.sha256("", "data")
    return {crypto.hmac.sha256(k1, "Hi There"), crypto.hmac.sha512(k1, "Hi There"),
            crypto.hmac.sha256("Jefe", "what do ya want for nothing?"), e:kind(), e:message()}`, M);
  assert.deepEqual(v, [
    'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'Invalid', 'key cannot be empty']);
});

test('AES-GCM (16/24/32-byte keys) and ChaCha20-Poly1305: round trip, nonce ++ ciphertext ++ tag, fresh nonces, AAD', async () => {
  const v = await evalLua(`
    local crypto = require("crypto")
    local out = {}
    for _, c in ipairs({{"aes", 16}, {"aes", 24}, {"aes", 32}, {"chacha20", 32}}) do
      local key = string.rep("k", c[2])
      local enc = crypto.encrypt[c[1]]("attack at dawn", key)
      local enc2 = crypto.encrypt[c[1]]("attack at dawn", key)
      local withAad = crypto.encrypt[c[1]]("attack at dawn", key, "header")
      local plain = crypto.decrypt[c[1]](enc, key)
      local aadOk = crypto.decrypt[c[1]](withAad, key, "header")
      local aadBad, e = crypto.decrypt[c[1]](withAad, key, "other")
      out[#out + 1] = {#enc, enc ~= enc2, plain, aadOk, aadBad == nil, e:kind()}
    end
    return out`, M);
  assert.deepEqual(v, Array(4).fill([12 + 14 + 16, true, 'attack at dawn', 'attack at dawn', true, 'Internal']));
});

test('a tampered ciphertext, tag or nonce, or the wrong key, is refused: nil, Internal "message authentication failed"', async () => {
  const v = await evalLua(`
    local crypto = require("crypto")
    local key = string.rep("k", 32)
    local enc = crypto.encrypt.aes("attack at dawn", key)
    local function flip(s, i) return s:sub(1, i - 1) .. string.char(s:byte(i) ~ 1) .. s:sub(i + 1) end
    local out = {}
    for _, bad in ipairs({flip(enc, 1), flip(enc, 15), flip(enc, #enc)}) do
      local p, e = crypto.decrypt.aes(bad, key)
      out[#out + 1] = {p == nil, e:kind(), e:message(), tostring(e)}
    end
    local p, e = crypto.decrypt.aes(enc, string.rep("x", 32))
    out[#out + 1] = {p == nil, e:kind(), e:message(), tostring(e)}
    local p2, e2 = crypto.decrypt.chacha20(crypto.encrypt.chacha20("x", key), string.rep("y", 32))
    out[#out + 1] = {p2 == nil, e2:kind(), e2:message(), tostring(e2)}
    return out`, M);
  assert.deepEqual(v, Array(5).fill([true, 'Internal', 'message authentication failed', 'decrypt: message authentication failed']));
});

test('wrong key sizes and short data are Invalid; wrong argument types raise a Lua error', async () => {
  const v = await evalLua(`
    local crypto = require("crypto")
    local out = {}
    for _, f in ipairs({function() return crypto.encrypt.aes("x", "short") end, function() return crypto.encrypt.chacha20("x", string.rep("k", 16)) end,
                        function() return crypto.decrypt.aes("abc", string.rep("k", 16)) end}) do
      local r, e = f()
      out[#out + 1] = {r == nil, e:kind(), e:message(), e:retryable()}
    end
    local ok, msg = pcall(crypto.encrypt.aes, {}, "k")
    out[#out + 1] = {ok, msg:match("bad argument #1") ~= nil}
    return out`, M);
  assert.deepEqual(v, [[true, 'Invalid', 'key must be 16, 24, or 32 bytes', false], [true, 'Invalid', 'key must be 32 bytes', false],
    [true, 'Invalid', 'encrypted data too short', false], [false, true]]);
});

test('jwt HS256: encode/verify round trip, the jwt.io token verifies, tampered/expired/wrong-alg/wrong-key tokens are refused', async () => {
  const jwtIo = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  const v = await evalLua(`
    local crypto, jwt_io = require("crypto"), ...
    local tok = crypto.jwt.encode({sub = "u1", role = "admin", exp = os.time() + 3600}, "secret")
    local claims, err = crypto.jwt.verify(tok, "secret")
    local io_claims = crypto.jwt.verify(jwt_io, "your-256-bit-secret", "HS256", false)
    local parts = {} for p in tok:gmatch("[^.]+") do parts[#parts + 1] = p end
    local forged = parts[1] .. "." .. parts[2]:sub(1, -3) .. (parts[2]:sub(-2, -2) == "A" and "B" or "A") .. parts[2]:sub(-1) .. "." .. parts[3]
    local expired = crypto.jwt.encode({sub = "u1", exp = os.time() - 10}, "secret")
    local out = {}
    for _, case in ipairs({{forged, "secret"}, {tok, "other"}, {expired, "secret"}, {tok, "secret", "HS512"}, {"not.a.jwt", "secret"},
                           {crypto.jwt.encode({sub = "x"}, "secret"), "secret"}}) do
      local c, e = crypto.jwt.verify(case[1], case[2], case[3])
      out[#out + 1] = {c == nil, e:kind(), tostring(e):sub(1, 14)}
    end
    return {#parts, claims.sub, claims.role, err == nil, io_claims.name, io_claims.iat, tok, out}`, { ...M, args: [JSON.stringify(jwtIo)] }) as unknown[];
  assert.deepEqual(v.slice(0, 6), [3, 'u1', 'admin', true, 'John Doe', 1516239022]);
  // The signature is HMAC-SHA256 over header.claims (checked with Node's crypto, not the module).
  const [h, c, sig] = (v[6] as string).split('.');
  assert.equal(createHmac('sha256', 'secret').update(`${h}.${c}`).digest('base64url'), sig);
  assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
  assert.deepEqual(v[7], Array(6).fill([true, 'Internal', 'verify token: ']));
});

test('jwt RS256 with PEM keys: signed with the private key, verified with the public key, refused with another key', async () => {
  const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const a = pair();
  const b = pair();
  const v = await evalLua(`
    local crypto, priv, pub, other = require("crypto"), ...
    local tok = crypto.jwt.encode({sub = "svc", exp = os.time() + 60}, priv, "RS256")
    local claims = crypto.jwt.verify(tok, pub, "RS256")
    local c2, e2 = crypto.jwt.verify(tok, other, "RS256")
    local c3, e3 = crypto.jwt.encode({sub = "x"}, "not a pem", "RS256")
    return {claims.sub, c2 == nil, e2:kind(), c3 == nil, e3:kind()}`, { ...M, args: [a.privateKey, a.publicKey, b.publicKey].map((s) => JSON.stringify(s)) });
  assert.deepEqual(v, ['svc', true, 'Internal', true, 'Invalid']);
});

test('pbkdf2 gives the PBKDF2-HMAC-SHA256 vectors; bad parameters are Invalid; constant_time_compare', async () => {
  const v = await evalLua(`${HEX}
    local crypto = require("crypto")
    local out = {hex(crypto.pbkdf2("password", "salt", 1, 32)), hex(crypto.pbkdf2("password", "salt", 4096, 32)),
                 #crypto.pbkdf2("password", "salt", 2, 64, "sha512")}
    for _, args in ipairs({{"", "salt", 1, 32}, {"pw", "", 1, 32}, {"pw", "salt", 0, 32}, {"pw", "salt", 1, 0}, {"pw", "salt", 1, 32, "md4"}}) do
      local r, e = crypto.pbkdf2(table.unpack(args))
      out[#out + 1] = e:kind() .. ": " .. e:message()
    end
    out[#out + 1] = {crypto.constant_time_compare("abc", "abc"), crypto.constant_time_compare("abc", "abd"), crypto.constant_time_compare("abc", "ab")}
    return out`, M);
  assert.deepEqual(v, ['120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b',
    'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a', 64,
    'Invalid: password cannot be empty', 'Invalid: salt cannot be empty', 'Invalid: iterations must be positive',
    'Invalid: key length must be positive', 'Invalid: unsupported hash function: md4', [true, false, false]]);
});
