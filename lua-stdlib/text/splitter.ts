/**
 * `text.splitter.recursive(options?)` and `text.splitter.markdown(options?) -> Splitter` with
 * `split_text(text) -> {chunk...}` and `split_batch({{content, metadata}...}) -> {{content,
 * metadata}...}`, as Wippy's (langchaingo's text splitters).
 *
 * Recursive: the first separator (default "\n\n", "\n", " ", "") found in the text splits it;
 * pieces shorter than `chunk_size` (default 4000, counted in characters) are merged back up to
 * that size with `chunk_overlap` (default 200) characters carried into the next chunk, longer
 * ones are split again with the next separators; chunks are trimmed and never empty;
 * `keep_separator` keeps each separator at the end of its piece. Markdown: the text is first cut
 * into sections at headings (never inside a ``` fence), each section split as above with
 * separators for markdown blocks; `heading_hierarchy` prefixes a section's chunks with the
 * headings above it. This is a simpler reading of langchaingo's markdown splitter (which renders
 * tokens): chunk boundaries may differ from Wippy's, sizes and overlap follow the same options.
 * `split_batch` keeps each page's metadata table (the same table) on each of its chunks.
 */
import {
  lua, lauxlib, lstr, LuaState, LuaFn, pushText, setClassMetatable, bytesToText, ok, chargeBytes, checkBox, methodsClass
} from '../../lua/api';

const SPLITTER_MT = 'wippy.text.Splitter';
const DEFAULT_SEPARATORS = ['\n\n', '\n', ' ', ''];
const MARKDOWN_SEPARATORS = ['\n\n', '\n', '. ', ' ', ''];

interface Options { chunkSize: number; overlap: number; keepSeparator: boolean; separators: string[]; markdown: boolean; hierarchy: boolean }
interface SplitterBox { o: Options }

const len = (s: string) => [...s].length;

function shouldPop(o: Options, total: number, splitLen: number, sepLen: number, docs: number): boolean {
  const sep = docs < 2 ? 0 : sepLen;
  return docs > 0 && (total > o.overlap || (total + splitLen + sep > o.chunkSize && total > 0));
}

/** Merge small pieces into chunks of at most chunkSize, carrying the overlap (langchain's mergeSplits). */
function merge(o: Options, splits: string[], separator: string): string[] {
  const docs: string[] = [];
  let current: string[] = [];
  let total = 0;
  const sepLen = len(separator);
  const emit = () => { const d = current.join(separator).trim(); if (d) docs.push(d); };
  for (const split of splits) {
    const l = len(split);
    if (total + l + (current.length ? sepLen : 0) > o.chunkSize && current.length > 0) {
      emit();
      while (shouldPop(o, total, l, sepLen, current.length)) {
        total -= len(current[0]) + (current.length > 1 ? sepLen : 0);
        current = current.slice(1);
      }
    }
    current.push(split);
    total += l + (current.length > 1 ? sepLen : 0);
  }
  emit();
  return docs;
}

function splitOn(text: string, sep: string, keep: boolean): string[] {
  if (sep === '') return [...text];
  const parts = text.split(sep);
  return keep ? parts.map((p, i) => (i < parts.length - 1 ? p + sep : p)).filter((p) => p !== '') : parts;
}

function recursive(o: Options, text: string, separators: string[]): string[] {
  let separator = separators[separators.length - 1];
  let rest: string[] = [];
  for (let i = 0; i < separators.length; i++) {
    if (separators[i] === '' || text.includes(separators[i])) { separator = separators[i]; rest = separators.slice(i + 1); break; }
  }
  const out: string[] = [];
  let good: string[] = [];
  const mergeSep = o.keepSeparator ? '' : separator;
  for (const piece of splitOn(text, separator, o.keepSeparator)) {
    if (len(piece) < o.chunkSize) { good.push(piece); continue; }
    if (good.length) { out.push(...merge(o, good, mergeSep)); good = []; }
    if (rest.length === 0) out.push(piece); else out.push(...recursive(o, piece, rest));
  }
  if (good.length) out.push(...merge(o, good, mergeSep));
  return out;
}

/** Markdown sections: [heading path, body], cut at headings outside code fences. */
function sections(text: string): [string[], string][] {
  const out: [string[], string][] = [];
  const path: string[] = [];
  let body: string[] = [];
  let fenced = false;
  const flush = () => { const b = body.join('\n'); if (b.trim()) out.push([[...path], b]); body = []; };
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const h = fenced ? null : /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      flush();
      path.length = Math.min(path.length, h[1].length - 1);
      path.push(line.trim());
    }
    body.push(line);
  }
  flush();
  return out;
}

function split(o: Options, text: string): string[] {
  if (!o.markdown) return recursive(o, text, o.separators);
  const out: string[] = [];
  for (const [path, body] of sections(text)) {
    const prefix = o.hierarchy && path.length > 1 ? `${path.slice(0, -1).join('\n')}\n` : '';
    for (const chunk of recursive(o, body, o.separators)) out.push(prefix + chunk);
  }
  return out;
}

const check = (L: LuaState): Options => checkBox<SplitterBox>(L, SPLITTER_MT, 'text.Splitter').o;

function textArg(L: LuaState, idx: number): string {
  const b = lauxlib.luaL_checklstring(L, idx);
  chargeBytes(L, b.length * 16);
  return bytesToText(b);
}

function pushStrings(L: LuaState, list: string[]): void {
  lua.lua_createtable(L, list.length, 0);
  list.forEach((s, i) => { pushText(L, s); lua.lua_rawseti(L, -2, i + 1); });
}

const methods: Record<string, LuaFn> = {
  split_text: (L) => { pushStrings(L, split(check(L), textArg(L, 2))); return ok(L); },
  split_batch: (L) => {
    const o = check(L);
    lauxlib.luaL_checktype(L, 2, lua.LUA_TTABLE);
    lua.lua_createtable(L, 0, 0);
    const result = lua.lua_gettop(L);
    let n = 0;
    for (let i = 1; lua.lua_rawgeti(L, 2, i) !== lua.LUA_TNIL; i++) {
      const page = lua.lua_gettop(L);
      lua.lua_getfield(L, page, lstr('content'));
      const content = lua.lua_type(L, -1) === lua.LUA_TSTRING ? textArg(L, -1) : '';
      lua.lua_getfield(L, page, lstr('metadata'));
      if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) { lua.lua_pop(L, 1); lua.lua_createtable(L, 0, 0); }
      const meta = lua.lua_gettop(L);
      if (content !== '') {
        for (const chunk of split(o, content)) {
          lua.lua_createtable(L, 0, 2);
          pushText(L, chunk);
          lua.lua_setfield(L, -2, lstr('content'));
          lua.lua_pushvalue(L, meta);
          lua.lua_setfield(L, -2, lstr('metadata'));
          lua.lua_rawseti(L, result, ++n);
        }
      }
      lua.lua_settop(L, result);
    }
    lua.lua_settop(L, result);
    return ok(L);
  },
};

const buildClass = methodsClass('text.Splitter', methods);

function options(L: LuaState, markdown: boolean): Options {
  const o: Options = { chunkSize: 4000, overlap: 200, keepSeparator: false, separators: markdown ? MARKDOWN_SEPARATORS : DEFAULT_SEPARATORS, markdown, hierarchy: false };
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return o;
  const num = (k: string): number | null => { lua.lua_getfield(L, 1, lstr(k)); const v = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? Math.trunc(lua.lua_tonumber(L, -1)) : null; lua.lua_pop(L, 1); return v; };
  const bool = (k: string): boolean | null => { lua.lua_getfield(L, 1, lstr(k)); const v = lua.lua_type(L, -1) === lua.LUA_TBOOLEAN ? lua.lua_toboolean(L, -1) : null; lua.lua_pop(L, 1); return v; };
  o.chunkSize = Math.max(1, num('chunk_size') ?? o.chunkSize);
  o.overlap = Math.max(0, Math.min(num('chunk_overlap') ?? o.overlap, o.chunkSize - 1));
  o.keepSeparator = bool('keep_separator') ?? false;
  o.hierarchy = bool('heading_hierarchy') ?? false;
  lua.lua_getfield(L, 1, lstr('separators'));
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const seps: string[] = [];
    for (let i = 1; lua.lua_rawgeti(L, -1, i) !== lua.LUA_TNIL; i++) {
      if (lua.lua_type(L, -1) === lua.LUA_TSTRING) seps.push(bytesToText(lua.lua_tolstring(L, -1)));
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    if (seps.length) o.separators = seps;
  }
  lua.lua_pop(L, 1);
  return o;
}

function constructor(markdown: boolean): LuaFn {
  return (L) => {
    const o = options(L, markdown);
    const box = lua.lua_newuserdata(L, 0) as SplitterBox;
    box.o = o;
    setClassMetatable(L, SPLITTER_MT, buildClass);
    return ok(L);
  };
}

export const recursiveSplitter = constructor(false);
export const markdownSplitter = constructor(true);
