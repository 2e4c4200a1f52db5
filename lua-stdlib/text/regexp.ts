/**
 * `text.regexp.compile(pattern) -> Regexp | nil, err`: RE2 syntax and semantics (re2js, a port of
 * RE2: linear-time matching, so no pattern can run away), as Wippy's Go regexp.
 *
 * Invariants: matching works on the Lua string's bytes (UTF-8), so indices are byte offsets as
 * in Go (`find_string_index` gives 1-based inclusive `{start, end}` for `string.sub`); the
 * `find_all_*` methods skip an empty match right after a previous match, as Go does;
 * `replace_all_string` expands `$1`, `$name`, `${name}` and `$$` as Go's Expand. A bad pattern
 * is `nil, err` of kind Invalid with Go's message (`regex compile error: error parsing regexp:
 * ...`). Work is charged per byte searched.
 */
import { RE2JS } from 're2js';
import {
  lua, lauxlib, LuaState, LuaFn, pushText, setClassMetatable, fail, ok, pushBytes, chargeBytes, checkBox, methodsClass
} from '../../lua/api';

const REGEXP_MT = 'wippy.text.Regexp';

interface RegexpBox { re: RE2JS; source: string }

/** [start, end] byte offsets of the whole match and each group (-1 when a group did not take part). */
type Match = number[];

const check = (L: LuaState): RegexpBox => checkBox<RegexpBox>(L, REGEXP_MT, 'text.Regexp');

/** Go's allMatches: up to `n` matches (-1: all), empty matches abutting a previous one skipped. */
function allMatches(box: RegexpBox, input: Uint8Array, n: number): Match[] {
  const m = box.re.matcher(input);
  const groups = box.re.groupCount();
  const out: Match[] = [];
  let prevEnd = -1;
  for (let pos = 0; (n < 0 || out.length < n) && pos <= input.length;) {
    if (!m.find(pos)) break;
    const s = m.start();
    const e = m.end();
    let accept = true;
    if (e === s) {
      if (s === prevEnd) accept = false;
      pos = s < input.length ? s + runeWidth(input, s) : input.length + 1;
    } else pos = e;
    prevEnd = e;
    if (accept) {
      const match: Match = [s, e];
      for (let g = 1; g <= groups; g++) match.push(m.start(g), m.end(g));
      out.push(match);
    }
  }
  return out;
}

function runeWidth(b: Uint8Array, i: number): number {
  const c = b[i];
  return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

const slice = (b: Uint8Array, s: number, e: number) => (s < 0 ? new Uint8Array() : b.subarray(s, e));

function input(L: LuaState, idx = 2): Uint8Array {
  const b = lauxlib.luaL_checklstring(L, idx);
  chargeBytes(L, b.length * 4);
  return b;
}

function pushList<T>(L: LuaState, items: T[], push: (x: T) => void): void {
  lua.lua_createtable(L, items.length, 0);
  items.forEach((x, i) => { push(x); lua.lua_rawseti(L, -2, i + 1); });
}

/** {whole match, group 1, ...} as strings ("" for a group that did not take part). */
function pushGroups(L: LuaState, s: Uint8Array, m: Match): void {
  const parts: Uint8Array[] = [];
  for (let g = 0; g < m.length; g += 2) parts.push(slice(s, m[g], m[g + 1]));
  pushList(L, parts, (p) => pushBytes(L, p));
}

/** Go's Regexp.Expand of `template` for one match. */
function expand(box: RegexpBox, template: Uint8Array, src: Uint8Array, m: Match, out: number[]): void {
  const names = box.re.namedGroups() as Record<string, number>;
  const group = (name: string): number => (/^\d+$/.test(name) ? Number(name) : names[name] ?? -1);
  const t = Buffer.from(template).toString('latin1');
  let i = 0;
  while (i < t.length) {
    const d = t.indexOf('$', i);
    if (d < 0) { for (let k = i; k < t.length; k++) out.push(template[k]); break; }
    for (let k = i; k < d; k++) out.push(template[k]);
    i = d + 1;
    if (t[i] === '$') { out.push(0x24); i++; continue; }
    const braced = t[i] === '{';
    const re = braced ? /^\{([A-Za-z0-9_]+)\}/ : /^([A-Za-z0-9_]+)/;
    const mm = re.exec(t.slice(i));
    if (!mm) { out.push(0x24); continue; }
    i += mm[0].length;
    const g = group(mm[1]);
    if (g >= 0 && 2 * g + 1 < m.length && m[2 * g] >= 0) for (const byte of src.subarray(m[2 * g], m[2 * g + 1])) out.push(byte);
  }
}

const methods: Record<string, LuaFn> = {
  match_string: (L) => { const b = check(L); lua.lua_pushboolean(L, b.re.matcher(input(L)).find(0)); return 1; },
  find_string: (L) => {
    const b = check(L);
    const s = input(L);
    const m = allMatches(b, s, 1)[0];
    if (!m || m[0] === m[1]) lua.lua_pushnil(L); else pushBytes(L, slice(s, m[0], m[1]));
    return 1;
  },
  find_all_string: (L) => {
    const s = input(L);
    pushList(L, allMatches(check(L), s, -1), (m) => pushBytes(L, slice(s, m[0], m[1])));
    return 1;
  },
  find_string_submatch: (L) => {
    const s = input(L);
    const m = allMatches(check(L), s, 1)[0];
    if (!m) { lua.lua_pushnil(L); return 1; }
    pushGroups(L, s, m);
    return 1;
  },
  find_all_string_submatch: (L) => {
    const s = input(L);
    pushList(L, allMatches(check(L), s, -1), (m) => pushGroups(L, s, m));
    return 1;
  },
  find_string_index: (L) => {
    const m = allMatches(check(L), input(L), 1)[0];
    if (!m) { lua.lua_pushnil(L); return 1; }
    pushList(L, [m[0] + 1, m[1]], (x) => lua.lua_pushinteger(L, x));
    return 1;
  },
  find_all_string_index: (L) => {
    const ms = allMatches(check(L), input(L), -1);
    if (ms.length === 0) { lua.lua_pushnil(L); return 1; }
    pushList(L, ms, (m) => pushList(L, [m[0] + 1, m[1]], (x) => lua.lua_pushinteger(L, x)));
    return 1;
  },
  replace_all_string: (L) => {
    const b = check(L);
    const s = input(L);
    const repl = lauxlib.luaL_checklstring(L, 3);
    const out: number[] = [];
    let last = 0;
    for (const m of allMatches(b, s, -1)) {
      for (let k = last; k < m[0]; k++) out.push(s[k]);
      expand(b, repl, s, m, out);
      last = m[1];
    }
    for (let k = last; k < s.length; k++) out.push(s[k]);
    pushBytes(L, Uint8Array.from(out));
    return 1;
  },
  split: (L) => {
    const b = check(L);
    const s = input(L);
    const n = lua.lua_isnoneornil(L, 3) ? -1 : Math.trunc(lauxlib.luaL_checknumber(L, 3));
    const parts: Uint8Array[] = [];
    if (n !== 0) {
      if (b.source.length > 0 && s.length === 0) parts.push(s);
      else {
        let beg = 0;
        let end = 0;
        for (const m of allMatches(b, s, n)) {
          if (n > 0 && parts.length === n - 1) break;
          end = m[0];
          if (m[1] !== 0) parts.push(s.subarray(beg, end));
          beg = m[1];
        }
        if (end !== s.length) parts.push(s.subarray(beg));
      }
    }
    pushList(L, parts, (p) => pushBytes(L, p));
    return 1;
  },
  num_subexp: (L) => { lua.lua_pushinteger(L, check(L).re.groupCount()); return 1; },
  subexp_names: (L) => {
    const b = check(L);
    const names: string[] = new Array(b.re.groupCount() + 1).fill('');
    for (const [name, i] of Object.entries(b.re.namedGroups() as Record<string, number>)) names[i] = name;
    pushList(L, names, (x) => pushText(L, x));
    return 1;
  },
  string: (L) => { pushText(L, check(L).source); return 1; },
};

const buildClass = methodsClass('text.Regexp', methods);

export const compile: LuaFn = (L) => {
  const pattern = lauxlib.luaL_checklstring(L, 1);
  const source = Buffer.from(pattern).toString('utf8');
  chargeBytes(L, pattern.length * 16);
  let re: RE2JS;
  try { re = RE2JS.compile(source); } catch (e) { return fail(L, 'Invalid', (e as Error).message, 'regex compile error'); }
  const box = lua.lua_newuserdata(L, 0) as RegexpBox;
  box.re = re;
  box.source = source;
  setClassMetatable(L, REGEXP_MT, buildClass);
  return ok(L);
};
