/**
 * `text`, as Wippy's module: `text.regexp.compile` (regexp.ts), `text.diff.new` (diff.ts) and
 * `text.splitter.recursive/markdown` (splitter.ts). Deterministic, allowed in workflows.
 */
import { lua, lstr, LuaState, LuaFn, setFuncs } from '../../runtime/lua/vm';
import { compile } from './regexp';
import { newDiffer } from './diff';
import { recursiveSplitter, markdownSplitter } from './splitter';

function sub(L: LuaState, name: string, fns: Record<string, LuaFn>): void {
  lua.lua_createtable(L, 0, Object.keys(fns).length);
  setFuncs(L, fns);
  lua.lua_setfield(L, -2, lstr(name));
}

export function openText(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  sub(L, 'regexp', { compile });
  sub(L, 'diff', { new: newDiffer });
  sub(L, 'splitter', { recursive: recursiveSplitter, markdown: markdownSplitter });
}
