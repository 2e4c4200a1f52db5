// The Lua `json` module as Wippy documents it: encode rules (empty table `[]`, arrays vs objects,
// sparse and mixed tables refused, integral floats without `.0`, NaN as null, Go's escaping),
// decode (integers vs floats, errors by kind), validate/validate_string against a JSON Schema.
// (The payload codec of histories keeps its own rules: test/lua/codec.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

const M = { modules: ['json'] };

test('encode: empty table is [], 1..n is an array, string keys an object; nil and NaN are null; 2.0 is 2; floats as Go writes them (top level as json.Marshal, nested plain)', async () => {
  const v = await evalLua(`
    local json = require("json")
    return {json.encode({}), json.encode({10, 20, 30}), json.encode({a = {}, b = {x = 1}}), json.encode(nil),
            json.encode(0/0), json.encode(math.huge), json.encode(2.0), json.encode(1.5), json.encode(1e21), json.encode({1e21}), json.encode(true),
            json.encode("<a&b>\\n\\"q\\""), json.encode("é"), json.encode({[1] = "a", [2] = {}}), select(2, json.encode({})) == nil}`, M);
  assert.deepEqual(v, ['[]', '[10,20,30]', '{"a":[],"b":{"x":1}}', 'null', 'null', 'null', '2', '1.5', '1e+21', '[1000000000000000000000]', 'true',
    '"\\u003ca\\u0026b\\u003e\\n\\"q\\""', '"é"', '["a",[]]', true]);
});

test('encode refuses sparse arrays, mixed keys, cycles and nesting past 128: nil, Internal error, not retryable', async () => {
  const v = await evalLua(`
    local json = require("json")
    local cyc = {} cyc.me = cyc
    local deep = {} local t = deep for i = 1, 140 do t[1] = {} t = t[1] end
    local out = {}
    for _, val in ipairs({{[1] = "a", [3] = "c"}, {1, 2, x = 3}, cyc, deep}) do
      local s, err = json.encode(val)
      out[#out + 1] = {s == nil, err:kind(), err:message(), err:retryable(), tostring(err)}
    end
    return out`, M);
  const e = (m: string) => [true, 'Internal', m, false, `encode failed: ${m}`];
  assert.deepEqual(v, [e('cannot encode sparse array: non-contiguous numeric keys found'),
    e('cannot encode mixed-key table: table has both numeric and non-numeric keys'),
    e('cannot encode recursively nested tables to JSON'), e('exceeded maximum nesting depth for JSON encoding')]);
});

test('decode: integers stay integers, numbers with a point or exponent are floats; null is nil; round trip', async () => {
  const v = await evalLua(`
    local json = require("json")
    local d = json.decode('{"i": 1, "f": 1.5, "w": 2.0, "e": 1e2, "n": null, "list": [1, "two", true], "o": {"k": "v"}}')
    local back = json.decode(json.encode({n = 1, f = 1.5, list = {1, 2, 3}, nested = {ok = true}}))
    return {math.type(d.i), math.type(d.f), math.type(d.w), math.type(d.e), d.n == nil, #d.list, d.list[2], d.o.k,
            math.type(back.n), back.f, #back.list, back.nested.ok}`, M);
  assert.deepEqual(v, ['integer', 'float', 'float', 'float', true, 3, 'two', 'v', 'integer', 1.5, 3, true]);
});

test('decode errors: non-string and "" are Invalid, bad JSON and bad UTF-8 are Internal; none retryable, none raised', async () => {
  const v = await evalLua(`
    local json = require("json")
    local out = {}
    for _, s in ipairs({{}, "", "{bad", "[1,", "\\255"}) do
      local d, err = json.decode(s)
      out[#out + 1] = {d == nil, err:kind(), err:retryable()}
    end
    local _, e1 = json.decode(5)
    local _, e2 = json.decode("")
    local _, e3 = json.decode("{bad")
    return {out, e1:message(), e2:message(), tostring(e3):sub(1, 15)}`, M);
  assert.deepEqual(v, [[[true, 'Invalid', false], [true, 'Invalid', false], [true, 'Internal', false], [true, 'Internal', false], [true, 'Internal', false]],
    'string expected', 'empty string is not valid JSON', 'decode failed: ']);
});

test('validate and validate_string: true for valid data, false with an Invalid error naming the rule otherwise', async () => {
  const v = await evalLua(`
    local json = require("json")
    local schema = {type = "object", properties = {name = {type = "string"}, age = {type = "number", minimum = 0}}, required = {"name"}}
    local ok1 = json.validate(schema, {name = "John", age = 30})
    local ok2, e2 = json.validate(schema, {age = -1})
    local ok3 = json.validate_string(schema, '{"name":"Jane","age":25}')
    local ok4, e4 = json.validate_string(json.encode(schema), '{"name": 5}')
    local ok5, e5 = json.validate(nil, {})
    local ok6, e6 = json.validate(schema, nil)
    local ok7, e7 = json.validate_string(schema, {})
    local ok8, e8 = json.validate(42, {})
    return {ok1, ok2, e2:kind(), e2:retryable(), ok3, ok4, e4:kind(), ok5, e5:message(), ok6, e6:message(), ok7, e7:message(),
            ok8, e8:kind(), e2:message(), e4:message()}`, M) as unknown[];
  assert.deepEqual(v.slice(0, 15), [true, false, 'Invalid', false, true, false, 'Invalid', false, 'schema is required', false,
    'data is required', false, 'data must be a JSON string', false, 'Invalid']);
  assert.match(v[15] as string, /name/); // the missing required property
  assert.match(v[15] as string, /minimum|0/);
  assert.match(v[16] as string, /\/name/);
});
