/**
 * Shared helpers for the typed-Lua transform tests: the corpus loader, a one-shot Fengari runner,
 * and the views of a text the tests compare (token texts with their lines, newline offsets).
 *
 * The corpus lives in test/typestrip/corpus as pairs `NN-name.typed.lua` / `NN-name.plain.lua`;
 * the plain file is the typed one stripped by hand, keeping every token on its line, and each
 * snippet returns one string summarising what it computed.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lua, lauxlib, lualib, to_luastring, to_jsstring } from 'fengari';
import { Tok, tokenize } from '../../lua/typestrip-lexer';

export interface CorpusPair {
  name: string;
  typed: string;
  plain: string;
}

/** The corpus directory in the source tree (tests run from dist/, which has no .lua files). */
export function corpusDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'test', 'typestrip', 'corpus');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`corpus not found above ${__dirname}`);
    dir = up;
  }
}

export function loadCorpus(): CorpusPair[] {
  const dir = corpusDir();
  const pairs: CorpusPair[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^(.*)\.typed\.lua$/.exec(file);
    if (!m) continue;
    const plainFile = join(dir, `${m[1]}.plain.lua`);
    if (!existsSync(plainFile)) throw new Error(`corpus: ${file} has no ${m[1]}.plain.lua`);
    pairs.push({ name: m[1], typed: readFileSync(join(dir, file), 'utf8'), plain: readFileSync(plainFile, 'utf8') });
  }
  return pairs;
}

export interface RunResult {
  /** False when the text did not compile or the chunk raised an error. */
  ok: boolean;
  /** The chunk's first result as text (tostring), or the error message. */
  value: string;
  compiled: boolean;
}

/**
 * Compile and run `src` in a fresh state with the standard libraries. Without a chunk name it
 * uses luaL_loadstring; with one, luaL_loadbuffer and `@name`, so messages read `name:line:`.
 */
export function runLua(src: string, chunkName?: string): RunResult {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const status = chunkName === undefined
    ? lauxlib.luaL_loadstring(L, to_luastring(src))
    : lauxlib.luaL_loadbuffer(L, to_luastring(src), null, to_luastring(`@${chunkName}`));
  if (status !== lua.LUA_OK) return { ok: false, compiled: false, value: to_jsstring(lua.lua_tolstring(L, -1)) };
  const st = lua.lua_pcall(L, 0, 1, 0);
  const value = to_jsstring(lauxlib.luaL_tolstring(L, -1));
  return { ok: st === lua.LUA_OK, compiled: true, value };
}

/** Does `src` compile in Fengari? (Loads only; nothing runs.) */
export function compilesInFengari(src: string): boolean {
  const L = lauxlib.luaL_newstate();
  return lauxlib.luaL_loadstring(L, to_luastring(src)) === lua.LUA_OK;
}

/** Each token as `line:text` (comments and whitespace are not tokens). */
export function tokenLines(src: string): string[] {
  const t = tokenize(src);
  const out: string[] = [];
  for (let i = 0; i < t.count; i++) {
    if (t.kind[i] === Tok.Eof) break;
    out.push(`${t.line[i]}:${src.slice(t.start[i], t.end[i])}`);
  }
  return out;
}

/** Offsets of every `\n` and `\r`. */
export function newlineOffsets(src: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 10 || c === 13) out.push(i);
  }
  return out;
}
