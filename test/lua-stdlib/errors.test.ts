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

test('wrap keeps the kind and prefixes the message; is() compares kinds', async () => {
  const v = await evalLua(`
    local e = errors.new{kind = "Unavailable", message = "db down", retryable = true}
    local w = errors.wrap(e, "loading user")
    local s = errors.wrap("raw text", "ctx")
    return {w:kind(), w:message(), w:retryable(), errors.is(w, "Unavailable"), errors.is(w, "NotFound"),
            errors.is("Unavailable", "Unavailable"), s:message(), errors.wrap(nil, "x") == nil}`);
  assert.deepEqual(v, ['Unavailable', 'loading user: db down', true, true, false, false, 'ctx: raw text', true]);
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
