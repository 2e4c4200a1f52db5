// The `uuid` module as Wippy documents it: v1/v4/v7 generation, name-based v3/v5 (RFC 4122
// appendix vectors), validate/version/variant/parse/format over every form Go's uuid.Parse reads,
// and Invalid errors (never raised) for non-strings and malformed UUIDs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

const M = { modules: ['uuid'] };
const CANON = (v: number) => new RegExp(`^[0-9a-f]{8}-[0-9a-f]{4}-${v}[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`);

test('v3 and v5 give the RFC 4122 / Python uuid vectors for the DNS and URL namespaces', async () => {
  const v = await evalLua(`
    local uuid = require("uuid")
    local DNS, URL = "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b811-9dad-11d1-80b4-00c04fd430c8"
    return {uuid.v3(DNS, "www.example.com"), uuid.v5(DNS, "www.example.com"), uuid.v3(DNS, "python.org"),
            uuid.v5(URL, "http://python.org/"), uuid.v5(string.upper(DNS), "www.example.com")}`, M);
  assert.deepEqual(v, ['5df41881-3aed-3515-88a7-2f4a814cf09e', '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    '6fa459ea-ee8a-3ca4-894e-db77e160355e', '4c565f0d-3f5a-5890-b41b-20cf47701c5e', '2ed6657d-e927-568b-95e1-2665a8aea6a2']);
});

test('v1, v4, v7: canonical lowercase text of their version; v1 and v7 carry the time, v1 a node; no repeats', async () => {
  const before = Math.floor(Date.now() / 1000);
  const v = await evalLua(`
    local uuid = require("uuid")
    local seen, dup = {}, false
    for i = 1, 200 do local id = uuid.v1() if seen[id] then dup = true end seen[id] = true end
    local a, b, c = uuid.v1(), uuid.v4(), uuid.v7()
    local pa, pc = uuid.parse(a), uuid.parse(c)
    return {a, b, c, pa.version, pa.variant, pa.timestamp, #pa.node, pc.version, pc.timestamp, pc.node == nil,
            uuid.parse(b).timestamp == nil, dup, uuid.v7() > c}`, M) as unknown[];
  const after = Math.ceil(Date.now() / 1000);
  assert.match(v[0] as string, CANON(1));
  assert.match(v[1] as string, CANON(4));
  assert.match(v[2] as string, CANON(7));
  assert.deepEqual([v[3], v[4], v[6], v[7], v[9], v[10], v[11], v[12]], [1, 'RFC4122', 12, 7, true, true, false, true]);
  for (const t of [v[5], v[8]] as number[]) assert.ok(t >= before && t <= after, `timestamp ${t} within [${before}, ${after}]`);
});

test('validate/version/variant/parse read the forms Go accepts: canonical, upper case, {braces}, urn:uuid:, 32 hex digits', async () => {
  const v = await evalLua(`
    local uuid = require("uuid")
    local forms = {"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8",
      "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b8109dad11d180b400c04fd430c8"}
    local out = {}
    for _, f in ipairs(forms) do out[#out + 1] = {uuid.validate(f), uuid.version(f), uuid.variant(f), uuid.format(f)} end
    local bad = {"", "nope", "6ba7b810-9dad-11d1-80b4-00c04fd430c", "6ba7b810x9dad-11d1-80b4-00c04fd430c8", "6ba7b810-9dad-11d1-80b4-00c04fd430cg"}
    local valid = {}
    for _, b in ipairs(bad) do valid[#valid + 1] = uuid.validate(b) end
    out[#out + 1] = valid
    out[#out + 1] = {uuid.validate(nil), uuid.validate(5), uuid.validate({})}
    out[#out + 1] = {uuid.variant("6ba7b810-9dad-11d1-c0b4-00c04fd430c8"), uuid.variant("6ba7b810-9dad-11d1-e0b4-00c04fd430c8"),
                     uuid.variant("6ba7b810-9dad-11d1-00b4-00c04fd430c8")}
    return out`, M) as unknown[];
  for (let i = 0; i < 5; i++) assert.deepEqual(v[i], [true, 1, 'RFC4122', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'], `form ${i}`);
  assert.deepEqual(v.slice(5), [[false, false, false, false, false], [false, false, false], ['Microsoft', 'Future', 'Reserved']]);
});

test('parse of a v1 gives its Unix time and node; format as standard, simple and urn', async () => {
  // RFC 4122's example v1 (DNS namespace id): 1998-02-04 22:13:53 UTC, node 00c04fd430c8.
  const v = await evalLua(`
    local uuid = require("uuid")
    local id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    local p = uuid.parse(id)
    return {p.version, p.variant, p.timestamp, p.node, uuid.format(id, "standard"), uuid.format(id, "simple"), uuid.format(id, "urn"),
            uuid.parse("01890a5d-ac96-774b-bcce-b302099a8057").timestamp}`, M);
  assert.deepEqual(v, [1, 'RFC4122', 886630433, '00c04fd430c8', '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    '6ba7b8109dad11d180b400c04fd430c8', 'urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8', 1688096058]);
});

test('errors are Wippy values: nil, Invalid, not retryable; never raised', async () => {
  const v = await evalLua(`
    local uuid = require("uuid")
    local DNS = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    local calls = {
      function() return uuid.version({}) end, function() return uuid.version("zzz") end,
      function() return uuid.parse(5) end, function() return uuid.variant("x") end,
      function() return uuid.format(DNS, "base32") end, function() return uuid.format(nil) end,
      function() return uuid.v3(DNS) end, function() return uuid.v5(DNS, 7) end, function() return uuid.v5("not-a-uuid", "x") end,
    }
    local out = {}
    for _, f in ipairs(calls) do local r, err = f() out[#out + 1] = {r == nil, err:kind(), err:message(), err:retryable()} end
    return out`, M);
  const inv = (m: string) => [true, 'Invalid', m, false];
  assert.deepEqual(v, [inv('input must be a string'), inv('invalid UUID format'), inv('input must be a string'), inv('invalid UUID format'),
    inv('unsupported format'), inv('input must be a string'), inv('namespace and name must be strings'),
    inv('namespace and name must be strings'), inv('invalid namespace UUID')]);
});
