// The typed-Lua parser behind the checker and the runtime type values (lua/typecheck/parse*.ts):
// it reads every typed snippet of the stripper's corpus and every example, and the source with
// its type declarations made values runs like the hand-stripped version, on the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseChunk, ParseStop } from '../../lua/typecheck/parse';
import { prepareSource } from '../../lua/chunks';
import { openTypeConstructors } from '../../lua/typevalues';
import { lua, lauxlib, lualib, toLua, bytesToText } from '../../lua/vm';
import { loadCorpus } from '../typestrip/harness';
import { ROOT } from '../../testkit/wippy';

/** Run a chunk in a plain state that has `__wt`; its value through tostring. */
function run(src: string): { ok: boolean; value: string } {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  openTypeConstructors(L);
  lua.lua_setglobal(L, toLua('__wt'));
  if (lauxlib.luaL_loadstring(L, toLua(src)) !== lua.LUA_OK) return { ok: false, value: bytesToText(lua.lua_tolstring(L, -1)) };
  const st = lua.lua_pcall(L, 0, 1, 0);
  return { ok: st === lua.LUA_OK, value: bytesToText(lauxlib.luaL_tolstring(L, -1)) };
}

const corpus = loadCorpus();

test('every typed and plain snippet of the corpus parses', () => {
  assert.ok(corpus.length >= 15);
  for (const pair of corpus) {
    assert.doesNotThrow(() => parseChunk(pair.typed), pair.name);
    assert.doesNotThrow(() => parseChunk(pair.plain), `${pair.name} (plain)`);
  }
});

test('every Lua file of the examples parses', () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else if (e.name.endsWith('.lua')) files.push(p);
    }
  };
  walk(path.join(ROOT, 'examples'));
  assert.ok(files.length > 10);
  for (const f of files) assert.doesNotThrow(() => parseChunk(fs.readFileSync(f, 'utf8')), f);
});

test('with its type declarations made values, every snippet keeps its lines and runs like the hand-stripped one', () => {
  for (const pair of corpus) {
    const out = prepareSource(pair.typed, `${pair.name}.lua`);
    assert.equal(out.split('\n').length, pair.typed.split('\n').length, pair.name);
    const got = run(out), want = run(pair.plain);
    assert.ok(want.ok, `${pair.name}: hand-stripped failed: ${want.value}`);
    assert.ok(got.ok, `${pair.name}: ${got.value}`);
    assert.equal(got.value, want.value, pair.name);
  }
});

test('what is not Lua stops the parser with ParseStop, never another exception', () => {
  for (const bad of ['local x = = 1', 'local x = "open', 'if x then', 'local x: = 1', 'return (', 'x +', 'local function f(a: ) end', 'type = 1 2']) {
    assert.throws(() => parseChunk(bad), ParseStop, bad);
  }
  assert.throws(() => parseChunk(`return ${'('.repeat(2000)}1${')'.repeat(2000)}`), ParseStop);
});
