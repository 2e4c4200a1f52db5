/**
 * Lua entry kinds (function.lua, process.lua, workflow.lua, library.lua): source files, method,
 * modules, imports (of library.lua and function.lua entries), function pools and a workflow's
 * worker.
 *
 * Owns: reading a Lua entry's source from disk, the compile check through `opts.checkLua`, the
 * module allowlists and the pool defaults. Invariants: `source` is a `file://` URL; a relative
 * one is resolved against the YAML file's folder; whatever the form (relative, `file:///abs`, or
 * through symlinks), the file it really is must lie inside the registry root (checked on real
 * paths before it is read; Wippy itself allows any `file:///abs`); the chunk name given to
 * `checkLua` is the source path relative to the root with `/` separators (the absolute path when
 * an absolute URL reaches the root through another path), so Lua messages read
 * `src/charge.lua:3: ...` (code given inline through the registry module, registry/apply.ts, is
 * named by its entry id); a workflow may only list modules in `opts.workflowModules`, because
 * anything else could not be replayed deterministically; a Wippy module this runtime does not
 * provide is a warning (kept in `unprovided`), not a problem.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LuaEntry, LuaKind, PoolConfig } from './types';
import type { EntryContext } from './fields';
import { describeValue } from './errors';
import { isInside, isPlainMap, realPathOf } from './load';
import { didYouMean } from './suggest';
import { WIPPY_MODULES, unprovidedModulesNote } from './wippy-names';

/** Kinds an `imports:` alias may name. */
export const IMPORTABLE_KINDS = ['library.lua', 'function.lua'] as const;

export const POOL_TYPES: readonly PoolConfig['type'][] = ['inline', 'lazy', 'static', 'adaptive'];
export const DEFAULT_POOL: Readonly<PoolConfig> = Object.freeze({ type: 'lazy', size: 8 });

/** Normalise one Lua entry; undefined when its source could not be read. */
export function readLuaEntry(ctx: EntryContext, kind: LuaKind): LuaEntry | undefined {
  const { raw } = ctx;
  const data = raw.data;
  const src = readSource(ctx);
  const method = ctx.str(['method'], data.method, 'main') ?? 'main';
  const { ok: modules, unprovided } = readModules(ctx, kind);
  const imports = readImports(ctx);
  const entry: LuaEntry = {
    id: raw.id,
    namespace: raw.namespace,
    name: raw.name,
    kind,
    meta: raw.meta,
    data,
    origin: { file: raw.file, line: raw.line },
    sourcePath: src?.sourcePath ?? '',
    source: src?.source ?? '',
    method,
    modules,
    imports,
  };
  if (unprovided.length > 0) entry.unprovided = unprovided;
  if (kind === 'function.lua') entry.pool = readPool(ctx);
  if (kind === 'workflow.lua') {
    const worker = readWorker(ctx);
    if (worker !== undefined) entry.worker = worker;
  }
  if (src !== undefined) checkCompiles(ctx, src.source, src.chunkName);
  return src === undefined ? undefined : entry;
}

interface Source {
  sourcePath: string;
  source: string;
  chunkName: string;
}

function readSource(ctx: EntryContext): Source | undefined {
  const v = ctx.raw.data.source;
  if (v === undefined || v === null) {
    ctx.missing(['source'], `source: file://${ctx.raw.name}.lua`);
    return undefined;
  }
  if (typeof v !== 'string' || v === '') {
    ctx.problem(['source'], `expected a file URL like file://${ctx.raw.name}.lua, got ${describeValue(v)}`);
    return undefined;
  }
  if (!v.startsWith('file://') && ctx.raw.inlineSource === true) {
    // Code given through the registry module: it has no file; messages name the entry.
    return { sourcePath: '', source: v, chunkName: ctx.raw.id };
  }
  if (!v.startsWith('file://')) {
    const hint = /^[^\s]+\.lua$/.test(v) ? `; write source: file://${v}` : '';
    ctx.problem(['source'], `expected a file URL like file://${ctx.raw.name}.lua, got ${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v)}${hint}`);
    return undefined;
  }
  const written = v.slice('file://'.length);
  if (written === '') {
    ctx.problem(['source'], 'file:// URL has no path; write e.g. file://main.lua');
    return undefined;
  }
  let abs: string;
  if (path.isAbsolute(written)) {
    abs = path.resolve(written);
  } else {
    abs = path.resolve(path.dirname(ctx.raw.file), written);
    const rel = path.relative(ctx.root, abs);
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      ctx.problem(['source'], `${written} escapes the registry root ${ctx.root} (resolved to ${abs}); keep sources inside the registry folder`);
      return undefined;
    }
  }
  // Where the file really is, links followed, before anything is read (an absolute URL or a link
  // could name /dev/zero, or a secret the runtime would then load as code).
  const real = realPathOf(abs);
  if (!isInside(realPathOf(ctx.root), real)) {
    ctx.problem(['source'], `${v} resolves to ${real}, outside the registry root ${ctx.root}; keep sources inside the registry folder (symlinks are followed)`);
    return undefined;
  }
  let source: string;
  try {
    source = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'file not found'
      : code === 'EISDIR' ? 'this is a folder, not a file'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : `cannot read (${code ?? (e as Error).message})`;
    ctx.problem(['source'], `${why}: ${written} (resolved to ${abs})`);
    return undefined;
  }
  const rel = path.relative(ctx.root, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  const chunkName = inside ? rel.split(path.sep).join('/') : abs;
  return { sourcePath: abs, source, chunkName };
}

function checkCompiles(ctx: EntryContext, source: string, chunkName: string): void {
  const check = ctx.opts.checkLua;
  if (check === undefined) return;
  let msg: string | null;
  try {
    msg = check(source, chunkName);
  } catch (e) {
    msg = `${chunkName}: could not be checked: ${(e as Error)?.message ?? String(e)}`;
  }
  if (msg !== null && msg !== undefined && msg !== '') ctx.problem(['source'], `Lua syntax error: ${msg}`);
}

/**
 * `modules:`: the names this runtime provides (`ok`), and Wippy's names it does not provide yet
 * (`unprovided`: one warning for the entry; `require` of one fails when it runs). Anything else is
 * a problem with its did-you-mean.
 */
function readModules(ctx: EntryContext, kind: LuaKind): { ok: string[]; unprovided: string[] } {
  const modules = ctx.strList(['modules'], ctx.raw.data.modules);
  const known = ctx.opts.knownModules;
  const forWorkflow = ctx.opts.workflowModules;
  const list = (s: ReadonlySet<string>): string => [...s].sort().join(', ');
  const written = Array.isArray(ctx.raw.data.modules) ? (ctx.raw.data.modules as unknown[]) : [];
  const at = (m: string): (string | number)[] => ['modules', written.indexOf(m)];
  const ok: string[] = [];
  const unprovided: string[] = [];
  for (const m of modules) {
    if (known !== undefined && !known.has(m) && WIPPY_MODULES.has(m)) {
      unprovided.push(m);
      continue;
    }
    if (known !== undefined && !known.has(m)) {
      const hint = didYouMean(m, known) || didYouMean(m, WIPPY_MODULES);
      ctx.problem(at(m), `unknown module ${m}${hint}; known modules: ${list(known)}`);
      continue;
    }
    if (kind === 'workflow.lua' && forWorkflow !== undefined && !forWorkflow.has(m)) {
      ctx.problem(
        at(m),
        `module ${m} is not allowed in a workflow: a workflow is replayed from its history after a restart, ` +
          `so it may only use deterministic or workflow-aware modules (${list(forWorkflow)}); ` +
          `do this work in a function.lua activity and call it with funcs.call`,
      );
      continue;
    }
    ok.push(m);
  }
  if (unprovided.length > 0) ctx.warning(at(unprovided[0]), unprovidedModulesNote(unprovided));
  return { ok, unprovided };
}

function readImports(ctx: EntryContext): Record<string, string> {
  const out: Record<string, string> = {};
  const map = ctx.map(['imports'], ctx.raw.data.imports, '{util: app.lib:util}');
  if (map === undefined) return out;
  for (const [alias, ref] of Object.entries(map)) {
    // As in Wippy, an import names another entry's code: `require(alias)` returns what its chunk
    // returns (a library's table, a function entry's `main` or its table of methods).
    const id = ctx.ref(['imports', alias], ref, IMPORTABLE_KINDS);
    if (id !== undefined) out[alias] = id;
  }
  return out;
}

function readPool(ctx: EntryContext): PoolConfig {
  const v = ctx.raw.data.pool;
  const sizeRule = { integer: true, min: 1, expected: 'a whole number >= 1' };
  if (v === undefined || v === null) return { ...DEFAULT_POOL };
  if (typeof v === 'number') return { type: DEFAULT_POOL.type, size: ctx.num(['pool'], v, DEFAULT_POOL.size, sizeRule) };
  if (!isPlainMap(v)) {
    ctx.problem(['pool'], `expected a map like {type: lazy, size: 8} or a number (the size), got ${describeValue(v)}`);
    return { ...DEFAULT_POOL };
  }
  let type: PoolConfig['type'] = DEFAULT_POOL.type;
  if (v.type !== undefined && v.type !== null) {
    if (typeof v.type === 'string' && (POOL_TYPES as readonly string[]).includes(v.type)) type = v.type as PoolConfig['type'];
    else {
      const hint = typeof v.type === 'string' ? didYouMean(v.type, POOL_TYPES) : '';
      ctx.problem(['pool', 'type'], `unknown pool type ${JSON.stringify(v.type)}${hint}; expected one of ${POOL_TYPES.join(', ')}`);
    }
  }
  const size = ctx.num(['pool', 'size'], v.size, DEFAULT_POOL.size, sizeRule);
  return { type, size: type === 'inline' ? 1 : size };
}

/** `meta.temporal.workflow.worker`, resolved; absent is fine (spawn can name the worker). */
function readWorker(ctx: EntryContext): string | undefined {
  const temporal = ctx.raw.meta.temporal;
  const wf = isPlainMap(temporal) ? temporal.workflow : undefined;
  const worker = isPlainMap(wf) ? wf.worker : undefined;
  if (worker === undefined || worker === null) return undefined;
  return ctx.ref(['meta', 'temporal', 'workflow', 'worker'], worker, ['temporal.worker']);
}
