/**
 * The project's `.wippy.yaml`, as far as this runtime reads it: `lua.type_system`.
 *
 * Owns: finding the file (at the project root, registry/project.ts) and reading
 * `lua.type_system.enabled` / `lua.type_system.strict`, Wippy's switches for type checking at
 * load (off by default; `strict: true` makes every issue an error, otherwise a warning).
 * Invariants: every other key of the file is Wippy's and ignored here; a file that cannot be read
 * or parsed leaves checking off and says so as a warning (the registry still loads); a value that
 * is not a boolean is a warning too, never guessed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { isPlainMap } from './load';
import { projectRoot } from './project';
import type { ProblemSink } from './errors';
import type { TypeCheckSetting } from './types';

export const TYPE_CHECK_OFF: Readonly<TypeCheckSetting> = Object.freeze({ enabled: false, strict: false });

/** The `lua.type_system` of the project holding `dir` (off when there is none). */
export function projectTypeCheck(dir: string, sink: ProblemSink): TypeCheckSetting {
  const root = projectRoot(dir);
  if (root === null) return { ...TYPE_CHECK_OFF };
  const file = path.join(root, '.wippy.yaml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { ...TYPE_CHECK_OFF }; // a wippy.lock project without .wippy.yaml
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    sink.warn({ file, message: `cannot read .wippy.yaml (${doc.errors[0].message.split('\n')[0]}); lua.type_system is taken as off` });
    return { ...TYPE_CHECK_OFF };
  }
  const top = doc.toJS() as unknown;
  const lua = isPlainMap(top) ? top.lua : undefined;
  const ts = isPlainMap(lua) ? lua.type_system : undefined;
  if (!isPlainMap(ts)) return { ...TYPE_CHECK_OFF };
  const flag = (key: 'enabled' | 'strict'): boolean => {
    const v = ts[key];
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    sink.warn({ file, field: `lua.type_system.${key}`, message: `expected true or false, got ${JSON.stringify(v)}; taken as false` });
    return false;
  };
  return { enabled: flag('enabled'), strict: flag('strict') };
}
