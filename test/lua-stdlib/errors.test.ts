// The `errors` module: objects, constants, new/wrap/is, and how errors cross funcs.call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua, runLua } from '../helpers/lua';

test('errors.new from a string and from a table; methods and tostring', async () => {
  const v = await evalLua(`
    local a = errors.new("plain")
    local b = errors.new{kind = errors.NOT_FOUND, message = "no user 7", retryable = false, details = {id = 7}}
    return {a:message(), a:kind(), a:retryable() == nil, tostring(a),
            b:kind(), b:message(), b:retryable(), b:details().id, tostring(b), type(b)}`);
  assert.deepEqual(v, ['plain', '', true, 'plain', 'NotFound', 'no user 7', false, 7, 'no user 7', 'userdata']);
});

test('constants are Wippy kind strings', async () => {
  const v = await evalLua('return {errors.NOT_FOUND, errors.INVALID, errors.INTERNAL, errors.ALREADY_EXISTS, errors.UNAVAILABLE, errors.CANCELED, errors.TIMEOUT, errors.PERMISSION_DENIED, errors.CONFLICT, errors.RATE_LIMITED, errors.UNKNOWN}');
  assert.deepEqual(v, ['NotFound', 'Invalid', 'Internal', 'AlreadyExists', 'Unavailable', 'Canceled', 'Timeout', 'PermissionDenied', 'Conflict', 'RateLimited', '']);
});

test('wrap keeps the kind, retryable and message (as Wippy); tostring shows the context; is() compares kinds', async () => {
  const v = await evalLua(`
    local e = errors.new{kind = "Unavailable", message = "db down", retryable = true}
    local w = errors.wrap(e, "loading user")
    local s = errors.wrap("raw text", "ctx")
    return {w:kind(), w:message(), w:retryable(), errors.is(w, "Unavailable"), errors.is(w, "NotFound"),
            errors.is("Unavailable", "Unavailable"), s:message(), errors.wrap(nil, "x") == nil,
            tostring(w), tostring(errors.wrap(w, "request")), "got: " .. w}`);
  assert.deepEqual(v, ['Unavailable', 'db down', true, true, false, false, 'raw text', true,
    'loading user: db down', 'request: loading user: db down', 'got: loading user: db down']);
});

test('errors is also require()-able and wrong arguments raise clear errors', async () => {
  const r = await runLua('local e = require("errors") return e.new(42)');
  assert.match(r.error!.message, /bad argument #1 to 'new' \(table expected, got number\)/);
  const r2 = await runLua('return errors.new{message = 5}');
  assert.match(r2.error!.message, /field 'message' must be a string/);
  const r3 = await runLua('local e = errors.new("x") return e.kind(5)');
  assert.match(r3.error!.message, /error expected/);
});

test('an error raised with error(errors.new{...}) keeps its kind at the top', async () => {
  const r = await runLua('error(errors.new{kind = "Conflict", message = "version mismatch"})');
  assert.equal(r.error?.kind, 'Conflict');
  assert.equal(r.error?.message, 'version mismatch');
});

test('error values print and concatenate as Wippy\'s: tostring is the message (with wrap contexts), .. works on either side', async () => {
  const v = await evalLua(`
    local e = errors.new{kind = errors.NOT_FOUND, message = "no user"}
    local w = errors.wrap(errors.wrap(e, "load"), "handler")
    return {tostring(e), "err: " .. e, e .. "!", 5 .. e, e .. w, tostring(w), w:message(), w:kind(), string.format("%s", e)}`);
  assert.deepEqual(v, ['no user', 'err: no user', 'no user!', '5no user', 'no userhandler: load: no user', 'handler: load: no user', 'no user', 'NotFound', 'no user']);
});

test('details: a table reads back as a table, empty details and no details are nil; wrap keeps details', async () => {
  const v = await evalLua(`
    local a = errors.new{message = "m", details = {field = "name", n = 3}}
    local b = errors.new{message = "m", details = {}}
    local c = errors.new("m")
    local w = errors.wrap(a, "ctx")
    return {a:details().field, a:details().n, b:details() == nil, c:details() == nil, w:details().field}`);
  assert.deepEqual(v, ['name', 3, true, true, 'name']);
});

test('stack: a Lua traceback of where the error was made; call_stack lists its frames (source, line, name)', async () => {
  const v = await evalLua(`
    local function make() return errors.new("deep") end
    local e = make()
    local cs = errors.call_stack(e)
    local top = cs.frames[1]
    return {type(e:stack()), e:stack():match("^stack traceback:") ~= nil, e:stack():find("snippet.lua:", 1, true) ~= nil,
            top.source, top.line, top.name, errors.call_stack("not an error") == nil}`);
  assert.deepEqual(v, ['string', true, true, 'snippet.lua', 3, 'make', true]); // line 3: the body starts on snippet.lua's third line
});
