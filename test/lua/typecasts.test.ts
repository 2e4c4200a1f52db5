// Typed Lua's casts: `string(x)`, `integer(x)`, `number(x)`, `boolean(x)` convert without loss or
// raise "cannot cast"; `string` stays the string library and the type values print as their name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

test('casts return values of their type unchanged and convert without loss', async () => {
  const v = await evalLua(`return {
    string(5), string(0.5), string("a"), string(setmetatable({}, {__tostring = function() return "T" end})),
    integer(3), integer(3.0), math.type(integer(3.0)), integer("7"), math.type(integer("7")),
    number(2.5), number("2.5"), math.type(number("4")), boolean(false), boolean(true),
  }`);
  assert.deepEqual(v, ['5', '0.5', 'a', 'T', 3, 3, 'integer', 7, 'integer', 2.5, 2.5, 'integer', false, true]);
});

test('a cast that would lose or invent a value raises "cannot cast"', async () => {
  const v = await evalLua(`
    local out = {}
    for _, c in ipairs({
      function() return integer(3.5) end, function() return integer("x") end,
      function() return string(nil) end, function() return string({}) end,
      function() return number("12abc") end, function() return number(true) end,
      function() return boolean(1) end, function() return boolean(nil) end,
    }) do
      local ok, err = pcall(c)
      out[#out + 1] = ok and "accepted" or tostring(err):match("cannot cast %a+ to %a+")
    end
    return out`);
  assert.deepEqual(v, [
    'cannot cast number to integer', 'cannot cast string to integer',
    'cannot cast nil to string', 'cannot cast table to string',
    'cannot cast string to number', 'cannot cast boolean to number',
    'cannot cast number to boolean', 'cannot cast nil to boolean',
  ]);
});

test('string stays the string library; type values print as their name and can be shadowed', async () => {
  const v = await evalLua(`
    local number = 10
    return {string.upper("x"), ("ab"):rep(2), tostring(integer), tostring(boolean), number + 1, type(string)}`);
  assert.deepEqual(v, ['X', 'abab', 'integer', 'boolean', 11, 'table']);
});
