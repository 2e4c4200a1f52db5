/**
 * Plain Lua must pass through untouched, and the cheap gate (`hasTypeSyntax`, which lets
 * `stripTypes` skip the parser) must never say "no types" where the parser would strip or
 * reject something. Checked against the parser run without the gate, over the corpus, slices and
 * token-deletion mutants of it, and the Lua 5.3 test suite shipped inside the fengari package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hasTypeSyntax, stripTypes, TypeSyntaxError } from '../../lua/typestrip';
import { Tok, tokenize } from '../../lua/typestrip-lexer';
import { StripParser } from '../../lua/typestrip-parser';
import { LuaSyntaxStop } from '../../lua/typestrip-types';
import { compilesInFengari, loadCorpus } from './harness';

interface Ungated { ranges: number; typeError: boolean; stopped: boolean }

/** The parser's verdict with no gate in front of it. */
function ungated(src: string): Ungated {
  const parser = new StripParser(tokenize(src), 'x.lua');
  try {
    parser.chunk();
  } catch (e) {
    if (e instanceof TypeSyntaxError) return { ranges: parser.ranges.length, typeError: true, stopped: false };
    if (e instanceof LuaSyntaxStop) return { ranges: parser.ranges.length, typeError: false, stopped: true };
    throw e;
  }
  return { ranges: parser.ranges.length, typeError: false, stopped: false };
}

function assertGateSound(src: string, label: string): void {
  const u = ungated(src);
  if (u.ranges > 0 || u.typeError) assert.ok(hasTypeSyntax(src), `gate says no types but the parser disagrees: ${label}\n${src}`);
}

/** Lua snippets of the official 5.3 test suite, as embedded in fengari's own tests (if installed). */
function luaTestSuite(): string[] {
  let dir: string;
  try { dir = join(dirname(require.resolve('fengari/package.json')), 'test', 'test-suite'); } catch { return []; }
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (f.endsWith('.lua')) { out.push(text); continue; }
    if (!f.endsWith('.js')) continue;
    const re = /=\s*`((?:[^`\\]|\\[\s\S])*)`/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[1].includes('${')) continue;
      // Unescape the template literal: only \\, \` and \$ occur in these Lua sources' JS quoting.
      out.push(m[1].replace(/\\([\\`$])/g, '$1'));
    }
  }
  return out;
}

const corpus = loadCorpus();

test('gate: sound on every corpus file, line, 3-line window and prefix', () => {
  for (const pair of corpus) {
    for (const src of [pair.typed, pair.plain]) {
      assertGateSound(src, pair.name);
      const lines = src.split('\n');
      for (let i = 0; i < lines.length; i++) {
        assertGateSound(lines[i], `${pair.name} line ${i + 1}`);
        assertGateSound(lines.slice(i, i + 3).join('\n'), `${pair.name} lines ${i + 1}-${i + 3}`);
        assertGateSound(lines.slice(0, i + 1).join('\n'), `${pair.name} prefix ${i + 1}`);
      }
    }
  }
});

test('gate: sound on every single-token deletion of the typed corpus', () => {
  let mutants = 0;
  for (const pair of corpus) {
    const t = tokenize(pair.typed);
    for (let i = 0; i < t.count && t.kind[i] !== Tok.Eof; i++) {
      const src = pair.typed.slice(0, t.start[i]) + pair.typed.slice(t.end[i]);
      assertGateSound(src, `${pair.name} without token ${i}`);
      mutants++;
    }
  }
  assert.ok(mutants > 1000, `only ${mutants} mutants`);
});

test('gate: hasTypeSyntax finds each kind of type syntax on its own', () => {
  const typed = [
    'local x: number', 'function f(a: T) end', 'function f(): T end', 'function f<T>() end',
    'local function f(...: any) end', 'for i: integer = 1, 2 do end', 'type T = number',
    'export type T = number', 'interface I end', 'local y = x as T', 'local y = x :: T',
    'local y = x!', 'local f = function(): T\n(g)() end', 'local x: T\n(g)()',
    'function a.b:c<T>() end', 'local f = function<T>() end',
  ];
  for (const src of typed) assert.ok(hasTypeSyntax(src), src);
  const plain = [
    'local x = obj:method(1)', 'print(("x"):rep(2))', '::top:: goto top', 'local as = 1 f(as)',
    'local t = {type = type(x)}', 'if a < b then end', 's:gsub("%s", "")', 'x = t.as',
  ];
  for (const src of plain) assert.equal(hasTypeSyntax(src), false, src);
});

const suite = luaTestSuite();

test('the Lua 5.3 test suite passes through byte-for-byte', { skip: suite.length === 0 && 'fengari test suite not installed' }, () => {
  let checked = 0;
  for (const src of suite) {
    if (!compilesInFengari(src)) {
      // A snippet Fengari refuses is not plain Lua; it only has to leave the gate sound.
      assertGateSound(src, 'suite (invalid)');
      continue;
    }
    const u = ungated(src);
    assert.equal(u.stopped, false, `parser refused valid Lua:\n${src.slice(0, 300)}`);
    assert.equal(u.ranges, 0, `parser found types in plain Lua:\n${src.slice(0, 300)}`);
    assert.equal(stripTypes(src, 'suite.lua'), src);
    checked++;
  }
  assert.ok(checked > 100, `only ${checked} suite snippets checked`);
});
