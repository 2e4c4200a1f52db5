// The `yaml` module as Wippy documents it: encode (keys sorted, 4-space indent as Go's yaml.v3;
// field_order/sort_unordered options), decode (YAML 1.2 core schema, first document, merge keys),
// and errors by kind: a non-table to encode and a non-string or "" to decode are Invalid; cycles,
// over-deep tables and malformed YAML are Internal. Nothing raises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

const M = { modules: ['yaml'] };

test('encode: keys sorted, nested maps indented by 4, lists under their key, empty list []', async () => {
  const v = await evalLua(`
    local yaml = require("yaml")
    return {yaml.encode({name = "svc", port = 8080, tags = {"a", "b"}, db = {user = "u", host = "h"}, empty = {}, on = true, ratio = 0.5})}`, M);
  assert.deepEqual(v, ['db:\n    host: h\n    user: u\nempty: []\nname: svc\non: true\nport: 8080\nratio: 0.5\ntags:\n    - a\n    - b\n']);
});

test('encode with field_order (listed keys first, then the rest sorted with sort_unordered)', async () => {
  const v = await evalLua(`
    local yaml = require("yaml")
    return {yaml.encode({z = 1, a = 2, m = 3, b = 4}, {field_order = {"m", "z"}, sort_unordered = true})}`, M);
  assert.deepEqual(v, ['m: 3\nz: 1\na: 2\nb: 4\n']);
});

test('decode: core schema scalars, nested values, merge keys, only the first document; round trip', async () => {
  const v = await evalLua(`
    local yaml = require("yaml")
    local d = yaml.decode("base: &b {x: 1}\\nobj:\\n  <<: *b\\n  y: [1, 2.5, 0x10]\\nflags: [true, false, null, ~]\\nstr: 'yes'\\n---\\nsecond: 1\\n")
    local back = yaml.decode(yaml.encode({list = {1, 2}, m = {k = "v"}}))
    return {d.obj.x, d.obj.y[1], d.obj.y[2], d.obj.y[3], math.type(d.obj.y[1]), d.flags[1], d.flags[2], #d.flags, d.str, d.second == nil,
            back.list[2], back.m.k}`, M);
  assert.deepEqual(v, [1, 1, 2.5, 16, 'integer', true, false, 2, 'yes', true, 2, 'v']);
});

test('errors: Invalid for wrong argument types and "", Internal for cycles, depth and malformed YAML; never raised', async () => {
  const v = await evalLua(`
    local yaml = require("yaml")
    local cyc = {} cyc.self = cyc
    local deep = {} local t = deep for i = 1, 140 do t.n = {} t = t.n end
    local out = {}
    for _, f in ipairs({function() return yaml.encode("str") end, function() return yaml.decode(5) end, function() return yaml.decode("") end,
                        function() return yaml.encode(cyc) end, function() return yaml.encode(deep) end,
                        function() return yaml.decode("a: [1, 2") end, function() return yaml.decode("a: b: c") end}) do
      local r, e = f()
      out[#out + 1] = {r == nil, e:kind(), e:retryable()}
    end
    local _, ce = yaml.encode(cyc)
    return {out, ce:message(), tostring(ce)}`, M);
  assert.deepEqual(v, [[[true, 'Invalid', false], [true, 'Invalid', false], [true, 'Invalid', false], [true, 'Internal', false],
    [true, 'Internal', false], [true, 'Internal', false], [true, 'Internal', false]],
  'cannot encode recursively nested tables to YAML', 'encode failed: cannot encode recursively nested tables to YAML']);
});
