/**
 * Generated pairs: random type expressions (nested unions, optionals, generics, table and
 * function types, literals, variadics, typeof) dropped into every annotation site, built
 * together with the plain Lua they must reduce to. Seeded, so a failure always reproduces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasTypeSyntax, stripTypes } from '../../lua/typestrip';
import { newlineOffsets, runLua, tokenLines } from './harness';
import { seededRandom } from '../../testkit/random';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const NAMES = ['number', 'string', 'boolean', 'any', 'nil', 'integer', 'unknown', 'never', 'User', 'mod.Type', 'a.b.C'];
const LITERALS = ['"lit"', "'q'", '42', '0x1F', 'true', 'false', '[[long]]'];

/** A random type, at most `depth` levels deep. Newlines may appear where a type may span lines. */
function genType(r: Rand, depth: number): string {
  const nl = (): string => (r() < 0.15 ? '\n  ' : ' ');
  if (depth <= 0) return r() < 0.8 ? pick(r, NAMES) : pick(r, LITERALS);
  const sub = (): string => genType(r, depth - 1);
  switch (Math.floor(r() * 13)) {
    case 0: return `${sub()}?`;
    case 1: return `${sub()} |${nl()}${sub()}`;
    case 2: return `${sub()} & ${sub()}`;
    case 3: return `Array<${sub()}>`;
    case 4: return `Map<${sub()},${nl()}${sub()}>`;
    case 5: return `{${nl()}x: ${sub()},${nl()}y?: ${sub()},${nl()}[string]: ${sub()}${r() < 0.5 ? ',' : ''}${nl()}}`;
    case 6: return `{${sub()}}`;
    case 7: return `(a: ${sub()}, ${sub()}, ...${sub()}) -> ${sub()}`;
    case 8: return `(${sub()}) -> (${sub()}, ${sub()}?)`;
    case 9: return `() -> ()`;
    case 10: return `(${sub()})`;
    case 11: return `typeof(x.y)`;
    default: return `${pick(r, NAMES)}[]`;
  }
}

interface Site { typed: (t: string) => string; plain: string }
/** Each site once; `x` is a table in scope, every site must leave the program valid. */
const SITES: Site[] = [
  { typed: (t) => `local v: ${t} = 1`, plain: 'local v = 1' },
  { typed: (t) => `local v1: ${t}, v2: ${t} = 1, 2`, plain: 'local v1, v2 = 1, 2' },
  { typed: (t) => `local function f(a: ${t}, ...: ${t}): ${t} return a end`, plain: 'local function f(a, ...) return a end' },
  { typed: (t) => `local g = function<T>(a: ${t}): (${t}, ${t}) return a, a end`, plain: 'local g = function(a) return a, a end' },
  { typed: (t) => `function x.m(self: ${t}): ${t} return self end`, plain: 'function x.m(self) return self end' },
  { typed: (t) => `function x:n(a: ${t}) return a end`, plain: 'function x:n(a) return a end' },
  { typed: (t) => `type Alias<T> = ${t}`, plain: '' },
  { typed: (t) => `export type Alias2 = ${t}`, plain: '' },
  { typed: (t) => `for i: ${t} = 1, 2 do end`, plain: 'for i = 1, 2 do end' },
  { typed: (t) => `for k: ${t}, v: ${t} in pairs(x) do end`, plain: 'for k, v in pairs(x) do end' },
  { typed: (t) => `local c = (x as ${t})`, plain: 'local c = (x)' },
  { typed: (t) => `local d = x :: ${t}`, plain: 'local d = x' },
  { typed: (t) => `local e = {x as ${t}, k = x :: ${t}}`, plain: 'local e = {x, k = x}' },
  { typed: (t) => `local h = f and f(x as ${t}, 1)`, plain: 'local h = f and f(x, 1)' },
];

test('generated types in every site strip to the plain program', () => {
  const r = seededRandom(0x5eed);
  let cases = 0;
  for (let round = 0; round < 60; round++) {
    for (const site of SITES) {
      const t = genType(r, 1 + Math.floor(r() * 4));
      const typed = `local x = {y = 1}\nlocal f\n${site.typed(t)}\nreturn "ok"\n`;
      const plain = `local x = {y = 1}\nlocal f\n${site.plain}\nreturn "ok"\n`;
      const out = stripTypes(typed, 'gen.lua');
      const label = `case ${cases}:\n${typed}`;
      assert.ok(hasTypeSyntax(typed), label);
      assert.deepEqual(newlineOffsets(out), newlineOffsets(typed), label);
      assert.deepEqual(tokenLines(out).map(stripLine), tokenLines(plain).map(stripLine), label);
      const run = runLua(out);
      assert.ok(run.ok && run.value === 'ok', `${label}\n=> ${run.value}`);
      cases++;
    }
  }
  assert.equal(cases, 60 * SITES.length);
});

/** Token text without its line (generated types may span lines that the plain twin does not have). */
function stripLine(tokenLine: string): string {
  return tokenLine.slice(tokenLine.indexOf(':') + 1);
}
