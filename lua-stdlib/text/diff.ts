/**
 * `text.diff.new(options?) -> Differ`: Google's diff-match-patch (the algorithm of Wippy's
 * go-diff) with `compare`, `summarize`, `pretty_text`, `pretty_html`, `patch_make` and
 * `patch_apply`, as Wippy's.
 *
 * Invariants: diffs are `{operation = "equal"|"delete"|"insert", text = ...}` tables; summarize
 * counts bytes (Go's len); pretty_text colours inserts green and deletes red with ANSI codes and
 * pretty_html escapes as Go's html.EscapeString with `&para;<br>` for newlines, as go-diff does;
 * a patch is `{text = <patch text>}` and patch_apply returns the text and whether every patch
 * applied. The diff timeout (`diff_timeout`, default 1 s) is a wall-clock bound, so inside a
 * workflow it is off: a replay must compute the same diff. Work is charged per byte compared.
 */
import DiffMatchPatch from 'diff-match-patch';
import {
  lua, lauxlib, lstr, LuaState, LuaFn, pushText, setClassMetatable, bytesToText, hostOf, ok, chargeBytes, checkBox, methodsClass
} from '../../lua/api';

const DIFFER_MT = 'wippy.text.Differ';
const OPS: Record<number, string> = { [DiffMatchPatch.DIFF_EQUAL]: 'equal', [DiffMatchPatch.DIFF_DELETE]: 'delete', [DiffMatchPatch.DIFF_INSERT]: 'insert' };
const CODES: Record<string, number> = { equal: DiffMatchPatch.DIFF_EQUAL, delete: DiffMatchPatch.DIFF_DELETE, insert: DiffMatchPatch.DIFF_INSERT };

interface DifferBox { dmp: DiffMatchPatch }

const check = (L: LuaState): DiffMatchPatch => checkBox<DifferBox>(L, DIFFER_MT, 'text.Differ').dmp;

function text(L: LuaState, idx: number): string {
  const b = lauxlib.luaL_checklstring(L, idx);
  chargeBytes(L, b.length * 8);
  return bytesToText(b);
}

/** The string field `name` of each table in the list at idx (other entries skipped). */
function fields(L: LuaState, idx: number, names: string[]): string[][] {
  lauxlib.luaL_checktype(L, idx, lua.LUA_TTABLE);
  const out: string[][] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      out.push(names.map((n) => {
        lua.lua_getfield(L, -1, lstr(n));
        const v = lua.lua_type(L, -1) === lua.LUA_TSTRING ? bytesToText(lua.lua_tolstring(L, -1)) : '';
        lua.lua_pop(L, 1);
        return v;
      }));
    }
    lua.lua_pop(L, 1);
  }
  return out;
}

function diffsArg(L: LuaState): [number, string][] {
  return fields(L, 2, ['operation', 'text']).map(([op, t]) => [CODES[op] ?? DiffMatchPatch.DIFF_EQUAL, t]);
}

function pushRecords(L: LuaState, rows: Record<string, string>[]): void {
  lua.lua_createtable(L, rows.length, 0);
  rows.forEach((r, i) => {
    lua.lua_createtable(L, 0, 2);
    for (const [k, v] of Object.entries(r)) { pushText(L, v); lua.lua_setfield(L, -2, lstr(k)); }
    lua.lua_rawseti(L, -2, i + 1);
  });
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;');

const methods: Record<string, LuaFn> = {
  compare: (L) => {
    const dmp = check(L);
    const diffs = dmp.diff_main(text(L, 2), text(L, 3), false);
    pushRecords(L, diffs.map((d) => ({ operation: OPS[d[0]], text: d[1] })));
    return ok(L);
  },
  summarize: (L) => {
    check(L);
    const sums: Record<string, number> = { insertions: 0, deletions: 0, equals: 0 };
    const key: Record<string, string> = { insert: 'insertions', delete: 'deletions', equal: 'equals' };
    for (const [op, t] of fields(L, 2, ['operation', 'text'])) if (key[op]) sums[key[op]] += Buffer.byteLength(t);
    lua.lua_createtable(L, 0, 3);
    for (const [k, v] of Object.entries(sums)) { lua.lua_pushinteger(L, v); lua.lua_setfield(L, -2, lstr(k)); }
    return 1;
  },
  pretty_text: (L) => {
    check(L);
    const parts = diffsArg(L).map((d) => (d[0] === DiffMatchPatch.DIFF_INSERT ? `\x1b[32m${d[1]}\x1b[0m` : d[0] === DiffMatchPatch.DIFF_DELETE ? `\x1b[31m${d[1]}\x1b[0m` : d[1]));
    pushText(L, parts.join(''));
    return ok(L);
  },
  pretty_html: (L) => {
    check(L);
    const parts = diffsArg(L).map((d) => {
      const t = escapeHtml(d[1]).replace(/\n/g, '&para;<br>');
      return d[0] === DiffMatchPatch.DIFF_INSERT ? `<ins style="background:#e6ffe6;">${t}</ins>`
        : d[0] === DiffMatchPatch.DIFF_DELETE ? `<del style="background:#ffe6e6;">${t}</del>` : `<span>${t}</span>`;
    });
    pushText(L, parts.join(''));
    return ok(L);
  },
  patch_make: (L) => {
    const dmp = check(L);
    const patches = dmp.patch_make(text(L, 2), text(L, 3));
    pushRecords(L, patches.map((p) => ({ text: p.toString() })));
    return ok(L);
  },
  patch_apply: (L) => {
    const dmp = check(L);
    const source = text(L, 3);
    const patches: ReturnType<DiffMatchPatch['patch_fromText']> = [];
    for (const [t] of fields(L, 2, ['text'])) {
      try { patches.push(...dmp.patch_fromText(t)); } catch { /* an unreadable patch is skipped, as Wippy does */ }
    }
    const [result, applied] = dmp.patch_apply(patches, source);
    pushText(L, result);
    lua.lua_pushboolean(L, applied.every(Boolean));
    return 2;
  },
};

const buildClass = methodsClass('text.Differ', methods);

const OPTIONS: Record<string, keyof DiffMatchPatch> = {
  diff_timeout: 'Diff_Timeout', diff_edit_cost: 'Diff_EditCost', match_threshold: 'Match_Threshold',
  match_distance: 'Match_Distance', patch_delete_threshold: 'Patch_DeleteThreshold', patch_margin: 'Patch_Margin',
};

export const newDiffer: LuaFn = (L) => {
  const dmp = new DiffMatchPatch();
  if (lua.lua_type(L, 1) === lua.LUA_TTABLE) {
    for (const [opt, field] of Object.entries(OPTIONS)) {
      lua.lua_getfield(L, 1, lstr(opt));
      if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
        const v = lua.lua_tonumber(L, -1);
        // Wippy's rules: timeouts and thresholds from 0, costs, distances and margins above 0.
        if (/Timeout|Threshold/.test(field) ? v >= 0 : v > 0) (dmp as unknown as Record<string, number>)[field] = v;
      }
      lua.lua_pop(L, 1);
    }
  }
  if (hostOf(L).services.workflow() !== null) dmp.Diff_Timeout = 0;
  const box = lua.lua_newuserdata(L, 0) as DifferBox;
  box.dmp = dmp;
  setClassMetatable(L, DIFFER_MT, buildClass);
  return ok(L);
};
