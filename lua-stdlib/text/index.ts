/**
 * `text`, as Wippy's module: `text.regexp.compile` (regexp.ts), `text.diff.new` (diff.ts) and
 * `text.splitter.recursive/markdown` (splitter.ts). Deterministic, allowed in workflows.
 */
import {
  lua, LuaState, setSubtable
} from '../../lua/api';
import { compile } from './regexp';
import { newDiffer } from './diff';
import { recursiveSplitter, markdownSplitter } from './splitter';

export function openText(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  setSubtable(L, 'regexp', { compile });
  setSubtable(L, 'diff', { new: newDiffer });
  setSubtable(L, 'splitter', { recursive: recursiveSplitter, markdown: markdownSplitter });
}
