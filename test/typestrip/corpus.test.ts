/**
 * The corpus: every typed snippet, stripped, must keep its shape (same length, same newlines,
 * only spaces introduced), match its hand-stripped twin token for token and line for line,
 * compile in Fengari, and compute the same result as the twin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasTypeSyntax, stripTypes } from '../../lua/typestrip';
import { loadCorpus, newlineOffsets, runLua, tokenLines } from './harness';

const corpus = loadCorpus();
/** Snippets that hold no type syntax at all (typed and plain are the same file). */
const UNTYPED = new Set(['16-untyped']);

test('the corpus is present', () => {
  assert.ok(corpus.length >= 15, `only ${corpus.length} corpus pairs found`);
});

for (const pair of corpus) {
  test(`corpus ${pair.name}: shape is kept and only type syntax is blanked`, () => {
    const out = stripTypes(pair.typed, `${pair.name}.lua`);
    assert.equal(out.length, pair.typed.length);
    assert.deepEqual(newlineOffsets(out), newlineOffsets(pair.typed));
    assert.equal(out.split('\n').length, pair.typed.split('\n').length);
    for (let i = 0; i < out.length; i++) {
      if (out[i] !== pair.typed[i]) assert.equal(out[i], ' ', `offset ${i} became ${JSON.stringify(out[i])}`);
    }
    if (UNTYPED.has(pair.name)) assert.equal(out, pair.typed);
    else {
      assert.notEqual(out, pair.typed);
      assert.ok(hasTypeSyntax(pair.typed));
    }
  });

  test(`corpus ${pair.name}: matches the hand-stripped version token for token, line for line`, () => {
    const out = stripTypes(pair.typed, `${pair.name}.lua`);
    assert.deepEqual(tokenLines(out), tokenLines(pair.plain));
  });

  test(`corpus ${pair.name}: the hand-stripped version passes through unchanged`, () => {
    assert.equal(stripTypes(pair.plain, `${pair.name}.plain.lua`), pair.plain);
  });

  test(`corpus ${pair.name}: compiles and runs like the hand-stripped version`, () => {
    const out = stripTypes(pair.typed, `${pair.name}.lua`);
    const got = runLua(out);
    const want = runLua(pair.plain);
    assert.ok(want.ok, `hand-stripped version failed: ${want.value}`);
    assert.ok(got.compiled, `stripped output does not compile: ${got.value}`);
    assert.ok(got.ok, `stripped output failed: ${got.value}`);
    assert.equal(got.value, want.value);
  });

  test(`corpus ${pair.name}: CRLF and CR line endings are kept and counted like Lua`, () => {
    for (const eol of ['\r\n', '\r']) {
      const typed = pair.typed.replace(/\n/g, eol);
      const out = stripTypes(typed, `${pair.name}.lua`);
      assert.deepEqual(newlineOffsets(out), newlineOffsets(typed));
      const got = runLua(out);
      const want = runLua(pair.plain);
      assert.ok(got.ok, got.value);
      // Long strings normalise their newlines to \n in Lua, so the results still agree.
      assert.equal(got.value, want.value);
    }
  });
}

test('a typed snippet left unstripped does not compile (the corpus really is typed)', () => {
  for (const pair of corpus) {
    if (UNTYPED.has(pair.name)) continue;
    assert.equal(runLua(pair.typed).compiled, false, `${pair.name} compiles without stripping`);
  }
});
