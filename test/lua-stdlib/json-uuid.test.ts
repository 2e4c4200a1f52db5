// `json` and `uuid` from Lua.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

test('json.encode / json.decode round trip and keep int/float', async () => {
  const v = await evalLua(`
    local json = require("json")
    local s = json.encode({n = 1, f = 1.5, whole = 2.0, list = {1, 2, 3}, nested = {ok = true}})
    local back = json.decode(s)
    return {math.type(back.n), math.type(back.whole), back.f, #back.list, back.nested.ok, json.encode("é")}`, { modules: ['json'] });
  assert.deepEqual(v, ['integer', 'float', 1.5, 3, true, '"é"']);
});

test('json failures are returned as Invalid errors, never raised', async () => {
  const v = await evalLua(`
    local json = require("json")
    local s, e1 = json.encode({f = function() end})
    local d, e2 = json.decode("{bad")
    local d2, e3 = json.decode("\\xff")
    return {s == nil, e1:kind(), e1:message(), d == nil, e2:kind(), e2:message(), e3:message()}`, { modules: ['json'] });
  assert.deepEqual(v, [true, 'Invalid', 'json.encode: cannot encode a function at value.f', true, 'Invalid',
    "json.decode: invalid JSON: expected a string key at offset 1", 'json.decode: input is not valid UTF-8']);
});

test('uuid.v4 / v7 / validate / version', async () => {
  const v = await evalLua(`
    local uuid = require("uuid")
    local a, b = uuid.v4(), uuid.v7()
    local c = uuid.v7()
    local bad, err = uuid.version("nope")
    return {a, b, uuid.validate(a), uuid.validate("nope"), uuid.validate(5), uuid.version(a), uuid.version(b), b < c, bad == nil, err:kind()}`, { modules: ['uuid'] }) as unknown[];
  assert.match(v[0] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(v[1] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(v.slice(2), [true, false, false, 4, 7, true, true, 'Invalid']);
});
