// The `security` module as Wippy's: actors, scopes, security.policy entries (actions, resources,
// conditions, groups), can(), and the actor/scope travelling with funcs.new():with_actor/with_scope
// into the callee and on into the calls it makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua, runLua } from '../helpers/lua';

const POLICIES = `
  - name: allow_read
    kind: security.policy
    policy: { actions: [read, "list.*"], resources: "docs:*", effect: allow }
    groups: [readers]
  - name: deny_secret
    kind: security.policy
    policy: { actions: "*", resources: "docs:secret", effect: deny }
    groups: [readers]
  - name: admins
    kind: security.policy
    policy:
      actions: "*"
      resources: "*"
      effect: allow
      conditions: [{ field: actor.meta.role, operator: eq, value: admin }]
  - name: whoami
    kind: function.lua
    source: file://whoami.lua
    modules: [security, funcs]
  - name: inner
    kind: function.lua
    source: file://inner.lua
    modules: [security]
`;
const FILES = {
  'whoami.lua': `local security = require("security")
local funcs = require("funcs")
return { main = function()
  local a, s = security.actor(), security.scope()
  return { actor = a and a:id(), meta = a and a:meta(), scoped = s ~= nil,
           read = security.can("read", "docs:x"), secret = security.can("read", "docs:secret"),
           nested = funcs.call("test:inner") }
end }`,
  'inner.lua': `local security = require("security")
return { main = function() local a = security.actor(); return a and a:id() end }`,
};
const M = { modules: ['security', 'funcs'], extraEntries: POLICIES, extraFiles: FILES };

test('policies from the registry evaluate as Wippy: filters, prefix patterns, conditions, deny wins in a scope', async () => {
  const v = await evalLua(`
    local security = require("security")
    local read = security.policy("test:allow_read")
    local admins = security.policy("test:admins")
    local bob = security.new_actor("bob", {role = "viewer"})
    local root = security.new_actor("root", {role = "admin"})
    local group = security.named_scope("test:readers")
    return {
      read:id(), read:evaluate(bob, "read", "docs:1"), read:evaluate(bob, "list.all", "docs:1"),
      read:evaluate(bob, "write", "docs:1"), admins:evaluate(root, "x", "y"), admins:evaluate(bob, "x", "y"),
      #group:policies(), group:contains("test:deny_secret"), group:evaluate(bob, "read", "docs:secret"),
      group:evaluate(bob, "read", "docs:1"), #group:without("test:deny_secret"):policies(),
      security.new_scope():evaluate(bob, "read", "docs:1"), #security.new_scope({read, read}):policies(),
    }`, M);
  assert.deepEqual(v, ['test:allow_read', 'allow', 'allow', 'undefined', 'allow', 'undefined', 2, true, 'deny', 'allow', 1, 'undefined', 1]);
});

test('unknown policy or group: nil and an Internal error; can() is false without an actor and a scope', async () => {
  const v = await evalLua(`
    local security = require("security")
    local p, e1 = security.policy("test:nope")
    local g, e2 = security.named_scope("test:nope")
    return {p == nil, e1:kind(), g == nil, e2:kind(), security.can("read", "docs:x"), security.actor() == nil, security.scope() == nil}`, M);
  assert.deepEqual(v, [true, 'Internal', true, 'Internal', false, true, true]);
});

test('with_actor/with_scope reach the callee and the calls it makes; can() uses them', async () => {
  const v = await evalLua(`
    local security = require("security")
    local funcs = require("funcs")
    local alice = security.new_actor("alice", {team = "docs"})
    local r, err = funcs.new():with_actor(alice):with_scope(security.named_scope("test:readers")):call("test:whoami")
    assert(err == nil, tostring(err))
    local none = funcs.call("test:whoami")
    return {r, none.scoped, none.read}`, M);
  assert.deepEqual(v, [{ actor: 'alice', meta: { team: 'docs' }, scoped: true, read: true, secret: false, nested: 'alice' }, false, false]);
});

test('a spawned process inherits its starter\'s actor, scope and context values; a Spawner\'s own win', async () => {
  const entries = `${POLICIES}
  - name: procs
    kind: process.host
  - name: spy
    kind: process.lua
    source: file://spy.lua
    modules: [security, ctx]
  - name: starter
    kind: function.lua
    source: file://starter.lua
    modules: [security]
`;
  const files = {
    ...FILES,
    'spy.lua': `local security = require("security")
local ctx = require("ctx")
return { main = function(reply)
  local a = security.actor()
  process.send(reply, "seen", { actor = a and a:id(), order = ctx.get("order"), note = ctx.get("note"), read = security.can("read", "docs:x") })
end }`,
    'starter.lua': `local security = require("security")
return { main = function()
  local inbox = process.inbox()
  process.spawn("test:spy", "test:procs", process.pid())
  local plain = inbox:receive():payload():data()
  process.with_context({ note = "mine" }):with_actor(security.new_actor("bob")):spawn("test:spy", "test:procs", process.pid())
  local own = inbox:receive():payload():data()
  return { plain = plain, own = own }
end }`,
  };
  const v = await evalLua(`
    local security = require("security")
    local funcs = require("funcs")
    local r, err = funcs.new():with_context({ order = "o-1" }):with_actor(security.new_actor("alice"))
      :with_scope(security.named_scope("test:readers")):call("test:starter")
    assert(err == nil, tostring(err))
    return r`, { ...M, extraEntries: entries, extraFiles: files });
  assert.deepEqual(v, {
    plain: { actor: 'alice', order: 'o-1', read: true },
    own: { actor: 'bob', order: 'o-1', note: 'mine', read: true },
  });
});

test('a security.policy entry with a bad effect or empty actions is a registry problem', async () => {
  await assert.rejects(runLua('return 1', { modules: [], extraEntries: `
  - name: bad
    kind: security.policy
    policy: { actions: [], resources: "*", effect: maybe }
` }), /policy\.effect must be allow or deny[\s\S]*policy\.actions must be a non-empty/);
});
