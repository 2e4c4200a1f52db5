// The `registry` module: snapshots, checked changesets applied to the running registry (all or
// nothing, with the checks of loading: Lua syntax, and types when checking is on), and reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

const STRICT = { typeCheck: { enabled: true, strict: true }, modules: ['registry', 'funcs'] };

/** Lua that applies one create of a function entry with `source`, returning {version or false, err text}. */
const create = (id: string, source: string): string => `(function()
    local snap = registry.snapshot()
    local changes = snap:changes()
    changes:create({ id = "${id}", kind = "function.lua", data = { source = ${JSON.stringify(source)}, method = "main" } })
    local v, err = changes:apply()
    return { v and v:id() or false, err and tostring(err) or false }
  end)()`;

test('a created function entry is checked, applied, and callable at once; versions count up', async () => {
  const v = await evalLua(`
    local registry = require("registry")
    local funcs = require("funcs")
    local before = registry.current_version():id()
    local r = ${create('test:added', 'local function main(n: number): number return n * 2 end\nreturn { main = main }')}
    local got = funcs.call("test:added", 21)
    local e = registry.get("test:added")
    return { before, r[1], r[2], got, e.kind, registry.parse_id("test:added").name }`, STRICT);
  assert.deepEqual(v, [1, 2, false, 42, 'function.lua', 'added']);
});

test('a changeset with a type error is refused with the error, and nothing changes', async () => {
  const v = await evalLua(`
    local registry = require("registry")
    local r = ${create('test:bad', 'local function main(): boolean\n    local x: number = "hello"\n    return true\nend\nreturn { main = main }')}
    local e, gerr = registry.get("test:bad")
    return { r[1], r[2], e == nil, tostring(gerr), registry.current_version():id() }`, STRICT);
  assert.deepEqual(v, [false,
    'test:bad:2:23: entry test:bad: type error: local x: expected number, found string "hello"',
    true, 'entry not found: test:bad', 1]);
});

test('syntax errors, duplicates and missing ids are refused, all problems at once', async () => {
  const v = await evalLua(`
    local registry = require("registry")
    local changes = registry.snapshot():changes()
    changes:create({ id = "test:one", kind = "function.lua", data = { source = "local x = 1 @@ 2" } })
    changes:create({ id = "test:snippet", kind = "function.lua", data = { source = "return {}" } })
    changes:delete("test:nothing")
    changes:create({ id = "test:fine", kind = "function.lua", data = { source = "return { main = function() end }" } })
    local v, err = changes:apply()
    return { v == nil, tostring(err), registry.get("test:fine") == nil }`, STRICT) as [boolean, string, boolean];
  assert.equal(v[0], true);
  assert.equal(v[2], true);
  const lines = v[1].split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /\(registry changeset\): entry test:snippet, field op 2 \(create\): entry test:snippet already exists; update it instead$/);
  assert.match(lines[1], /\(registry changeset\): entry test:nothing, field op 3 \(delete\): no entry test:nothing in the registry$/);
  assert.match(lines[2], /\(registry changeset\): entry test:one, field source: Lua syntax error: test:one:1: unexpected symbol near '@'$/);
});

test('without type checking a typed mistake is applied (gradual, off by default)', async () => {
  const v = await evalLua(`
    local registry = require("registry")
    local r = ${create('test:loose', 'local function main(): boolean\n    local x: number = "hello"\n    return true\nend\nreturn { main = main }')}
    return r`, { modules: ['registry'] });
  assert.deepEqual(v, [2, false]);
});

test('a created entry may name a file:// source, relative to the registry root', async () => {
  const v = await evalLua(`
    local registry = require("registry")
    local funcs = require("funcs")
    local changes = registry.snapshot():changes()
    changes:create({ id = "test:from_file", kind = "function.lua", data = { source = "file://extra.lua" } })
    local ver, err = changes:apply()
    return { ver ~= nil, tostring(err), funcs.call("test:from_file") }`, { ...STRICT, extraFiles: { 'extra.lua': 'return function() return "from the file" end' } });
  assert.deepEqual(v, [true, 'nil', 'from the file']);
});

test('update replaces an entry\'s code, delete removes it; ops and snapshots read what they should', async () => {
  const v = await evalLua(`
    local registry = require("registry")
    local funcs = require("funcs")
    ${create('test:f', 'return { main = function() return 1 end }').replace('(function()', 'local _ = (function()')}
    local snap = registry.snapshot()
    local changes = snap:changes()
    changes:update({ id = "test:f", kind = "function.lua", data = { source = "return { main = function() return 2 end }", method = "main" } })
    local ops = changes:ops()
    local v2 = changes:apply()
    local after = funcs.call("test:f")
    local del = registry.snapshot():changes():delete({ ns = "test", name = "f" })
    local v3 = del:apply()
    local gone = registry.get("test:f") == nil
    return { #ops, ops[1].kind, v2:id(), after, v3:id(), v3:previous():id(), gone,
      snap:version():id(), snap:get("test:f").kind, #snap:namespace("test") >= 2, #registry.find({ kind = "function.lua" }) >= 1 }`,
  { modules: ['registry', 'funcs'] });
  assert.deepEqual(v, [1, 'entry.update', 3, 2, 4, 3, true, 2, 'function.lua', true, true]);
});
