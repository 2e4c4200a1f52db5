/**
 * Wippy's environment entry kinds: `env.storage.memory`, `env.storage.os`, `env.storage.static`,
 * `env.storage.router` and `env.variable` (what the `env` module reads and writes; runtime/env.ts
 * runs them).
 *
 * ```yaml
 * - { name: memory, kind: env.storage.memory }
 * - { name: os, kind: env.storage.os }                     # the process's environment, read-only
 * - { name: fixed, kind: env.storage.static, values: {REGION: eu} }   # read-only
 * - { name: router, kind: env.storage.router, storages: [memory, os] }  # read in order, write the first
 * - { name: db_url, kind: env.variable, variable: DATABASE_URL, storage: router, default: "sqlite://", readonly: true }
 * ```
 * Invariants, as Wippy validates (its rejections are logged at run time; here they are load-time
 * problems): a router lists at least one storage and its storages form no cycle; a variable's
 * `variable:` has only letters, digits and underscores, and names one variable registry-wide (the
 * name is `variable:`, else the entry's id), because `env.get` finds variables by that name.
 */
import type { EntryContext } from './fields';
import { displayPath, type ProblemSink } from './errors';
import type { RawEntry } from './load';
import { findCycles, formatCycle, type DependencyEdge } from './refs';
import { ENV_STORAGE_KINDS, type Entry, type EnvStorageEntry, type EnvStorageKind, type EnvVariableEntry } from './types';

function base(ctx: EntryContext) {
  const r = ctx.raw;
  return { id: r.id, namespace: r.namespace, name: r.name, meta: r.meta, data: r.data, origin: { file: r.file, line: r.line } };
}

function staticValues(ctx: EntryContext): Record<string, string> {
  const map = ctx.map(['values'], ctx.raw.data.values, '{REGION: eu}') ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else ctx.problem(['values', k], `expected a string value for ${k}, got ${v === null ? 'null' : typeof v}`);
  }
  return out;
}

function routerStorages(ctx: EntryContext): string[] {
  const written = ctx.raw.data.storages;
  if (written === undefined || written === null || (Array.isArray(written) && written.length === 0)) {
    ctx.problem(['storages'], 'router storage must have at least one storage (e.g. storages: [app:memory, app:os]); reads try them in order, writes go to the first');
    return [];
  }
  const out: string[] = [];
  ctx.strList(['storages'], written).forEach((ref, i) => {
    const id = ctx.ref(['storages', i], ref, ENV_STORAGE_KINDS);
    if (id !== undefined) out.push(id);
  });
  return out;
}

export function readEnvStorage(ctx: EntryContext, kind: EnvStorageKind): EnvStorageEntry {
  return {
    ...base(ctx),
    kind,
    values: kind === 'env.storage.static' ? staticValues(ctx) : {},
    storages: kind === 'env.storage.router' ? routerStorages(ctx) : [],
  };
}

const VARIABLE_NAME = /^[A-Za-z0-9_]*$/;

export function readEnvVariable(ctx: EntryContext): EnvVariableEntry | undefined {
  const d = ctx.raw.data;
  const variable = ctx.str(['variable'], d.variable);
  if (variable !== undefined && !VARIABLE_NAME.test(variable)) {
    ctx.problem(['variable'], `invalid environment variable name ${JSON.stringify(variable)}: must only contain alphanumeric characters (a-z, A-Z, 0-9) and underscores`);
  }
  let storage: string | undefined;
  if (d.storage === undefined || d.storage === null) ctx.missing(['storage'], 'storage: app:env_storage');
  else storage = ctx.ref(['storage'], d.storage, ENV_STORAGE_KINDS);
  const def = d.default === undefined || d.default === null ? '' : typeof d.default === 'object' ? undefined : String(d.default);
  if (def === undefined) ctx.problem(['default'], 'expected a string default value');
  const readonly = ctx.bool(['readonly'], d.readonly, false);
  if (storage === undefined) return undefined;
  return { ...base(ctx), kind: 'env.variable', variable: variable ?? ctx.raw.id, storage, default: def ?? '', readonly };
}

/** A router's storages, as dependency edges (for its cycle check). */
function routerEdges(e: Entry): DependencyEdge[] {
  if (e.kind !== 'env.storage.router') return [];
  return e.storages.map((to, i) => ({ from: e.id, to, field: ['storages', i], implicit: false }));
}

/** The checks across env entries: router cycles, and variable names used twice. */
export function checkEnvEntries(entries: ReadonlyMap<string, Entry>, first: ReadonlyMap<string, RawEntry>, sink: ProblemSink): void {
  for (const cycle of findCycles(entries, routerEdges)) {
    const raw = first.get(cycle[0].from)!;
    sink.add({
      file: raw.file, line: raw.lineOf(cycle[0].field), entry: raw.id, field: 'storages',
      message: `router storage cycle: ${formatCycle(cycle)}; a router cannot read through itself, directly or through other routers`,
    });
  }
  const byName = new Map<string, EnvVariableEntry>();
  for (const e of entries.values()) {
    if (e.kind !== 'env.variable') continue;
    const prev = byName.get(e.variable);
    if (prev === undefined) { byName.set(e.variable, e); continue; }
    const raw = first.get(e.id)!;
    const where = `${displayPath(prev.origin.file)}${prev.origin.line !== undefined ? `:${prev.origin.line}` : ''}`;
    sink.add({
      file: raw.file, line: raw.lineOf(['variable']), entry: e.id, field: 'variable',
      message: `variable name ${e.variable} is already used by ${prev.id} (${where}); env.get finds variables by name, so each name may be declared once`,
    });
  }
}
