/**
 * `registry`, as Wippy's module: read the running registry and change it with checked changesets.
 *
 * `get(id) -> entry, err`, `find(filter) -> {entry}, err` (filter: `kind`, `type` = meta.type,
 * `meta = {...}`, any other key a meta field), `parse_id(id) -> {ns, name}`, `snapshot() ->
 * Snapshot, err`, `current_version() -> Version, err`. A Snapshot has `entries()`, `get(id)`,
 * `namespace(ns)`, `find(filter)`, `version()` and `changes()`; a Changes has `create(entry)`,
 * `update(entry)`, `delete(id | {ns, name})` (each returns the Changes), `ops()` and `apply() ->
 * Version, err`; a Version has `id()`, `string()`, `previous()`. An entry is `{id, kind, meta,
 * data}`; a Lua entry's `data.source` may be the code itself.
 * Invariants: `apply` runs the checks of loading (app/registry-api.ts, registry/apply.ts: kinds,
 * fields, Lua syntax, and types when the registry was loaded with type checking on) and returns
 * `nil, err` (kind Invalid, one line per problem) with nothing changed when any fails; a snapshot
 * is a copy (later changes do not show in it); not allowed in workflows (not deterministic).
 */
import {
  lua, LuaState, LuaFn, setFuncs, checkText, fail, hostOf, pushJs, pushText, encode, setClassMetatable, methodsClass,
  checkBox, typeError, type RegistryApi, type RegistryEntryView, type ChangeOp,
} from '../lua/api';
import { ErrorKind } from '../base/errors';

const SNAPSHOT_MT = 'wippy.registry.snapshot';
const CHANGES_MT = 'wippy.registry.changes';
const VERSION_MT = 'wippy.registry.version';

interface SnapshotBox { version: number; entries: RegistryEntryView[] }
interface ChangesBox { ops: ChangeOp[] }
interface VersionBox { id: number }

function api(L: LuaState): RegistryApi | null {
  const s = hostOf(L).services;
  return s.registry ? s.registry() : null;
}

function unavailable(L: LuaState): number {
  return fail(L, ErrorKind.Internal, 'the registry is not available here (workflows cannot use the registry module)');
}

function pushVersion(L: LuaState, id: number): void {
  const box = lua.lua_newuserdata(L, 0) as VersionBox;
  box.id = id;
  setClassMetatable(L, VERSION_MT, methodsClass('Version', VERSION_METHODS, { __tostring: (L1) => { pushText(L1, `v${checkBox<VersionBox>(L1, VERSION_MT, 'Version').id}`); return 1; } }));
}

function pushSnapshot(L: LuaState, r: RegistryApi): void {
  const box = lua.lua_newuserdata(L, 0) as SnapshotBox;
  box.version = r.version();
  box.entries = r.entries();
  setClassMetatable(L, SNAPSHOT_MT, methodsClass('Snapshot', SNAPSHOT_METHODS));
}

/** Entries matching a Wippy filter table at `idx` (kind, type, meta, other keys as meta fields). */
function filtered(L: LuaState, entries: RegistryEntryView[], idx: number): RegistryEntryView[] {
  if (lua.lua_isnoneornil(L, idx)) return entries;
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) typeError(L, idx, 'table');
  const f = JSON.parse(encode(L, idx)) as Record<string, unknown>;
  const meta: Record<string, unknown> = { ...(typeof f.meta === 'object' && f.meta !== null ? f.meta as Record<string, unknown> : {}) };
  for (const [k, v] of Object.entries(f)) if (k !== 'kind' && k !== 'meta' && k !== 'type') meta[k] = v;
  if (f.type !== undefined) meta.type = f.type;
  return entries.filter((e) => (f.kind === undefined || e.kind === f.kind)
    && Object.entries(meta).every(([k, v]) => JSON.stringify(e.meta[k]) === JSON.stringify(v)));
}

function pushEntries(L: LuaState, entries: RegistryEntryView[]): void {
  pushJs(L, entries);
}

/** The entry table at `idx` as `{id, kind, meta, data}` (raises when it is not one). */
function entryArg(L: LuaState, idx: number): { id: string; kind: string; meta?: Record<string, unknown>; data?: Record<string, unknown> } {
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) typeError(L, idx, 'entry table {id, kind, meta, data}');
  let v: Record<string, unknown>;
  try { v = JSON.parse(encode(L, idx, 'payload', 'entry')) as Record<string, unknown>; } catch (e) {
    return typeError(L, idx, `entry table that can be encoded (${(e as Error).message})`);
  }
  if (typeof v.id !== 'string' || typeof v.kind !== 'string') typeError(L, idx, 'entry table with string id and kind');
  return v as { id: string; kind: string };
}

const VERSION_METHODS: Record<string, LuaFn> = {
  id: (L) => { lua.lua_pushinteger(L, checkBox<VersionBox>(L, VERSION_MT, 'Version').id); return 1; },
  string: (L) => { pushText(L, `v${checkBox<VersionBox>(L, VERSION_MT, 'Version').id}`); return 1; },
  previous: (L) => {
    const v = checkBox<VersionBox>(L, VERSION_MT, 'Version');
    if (v.id <= 1) lua.lua_pushnil(L); else pushVersion(L, v.id - 1);
    return 1;
  },
};

const SNAPSHOT_METHODS: Record<string, LuaFn> = {
  entries: (L) => { pushEntries(L, checkBox<SnapshotBox>(L, SNAPSHOT_MT, 'Snapshot').entries); lua.lua_pushnil(L); return 2; },
  get: (L) => {
    const s = checkBox<SnapshotBox>(L, SNAPSHOT_MT, 'Snapshot');
    const id = checkText(L, 2);
    const e = s.entries.find((x) => x.id === id);
    if (e === undefined) return fail(L, ErrorKind.NotFound, `entry not found: ${id}`);
    pushJs(L, e);
    lua.lua_pushnil(L);
    return 2;
  },
  namespace: (L) => {
    const s = checkBox<SnapshotBox>(L, SNAPSHOT_MT, 'Snapshot');
    const ns = checkText(L, 2);
    pushEntries(L, s.entries.filter((e) => e.id.slice(0, e.id.indexOf(':')) === ns));
    return 1;
  },
  find: (L) => { pushEntries(L, filtered(L, checkBox<SnapshotBox>(L, SNAPSHOT_MT, 'Snapshot').entries, 2)); return 1; },
  version: (L) => { pushVersion(L, checkBox<SnapshotBox>(L, SNAPSHOT_MT, 'Snapshot').version); return 1; },
  changes: (L) => {
    checkBox<SnapshotBox>(L, SNAPSHOT_MT, 'Snapshot');
    const box = lua.lua_newuserdata(L, 0) as ChangesBox;
    box.ops = [];
    setClassMetatable(L, CHANGES_MT, methodsClass('Changes', CHANGES_METHODS));
    return 1;
  },
};

const addOp = (op: 'create' | 'update'): LuaFn => (L) => {
  const c = checkBox<ChangesBox>(L, CHANGES_MT, 'Changes');
  c.ops.push({ op, entry: entryArg(L, 2) });
  lua.lua_settop(L, 1);
  return 1;
};

const CHANGES_METHODS: Record<string, LuaFn> = {
  create: addOp('create'),
  update: addOp('update'),
  delete: (L) => {
    const c = checkBox<ChangesBox>(L, CHANGES_MT, 'Changes');
    let id: string;
    if (lua.lua_type(L, 2) === lua.LUA_TTABLE) {
      const t = JSON.parse(encode(L, 2)) as { ns?: unknown; name?: unknown };
      if (typeof t.ns !== 'string' || typeof t.name !== 'string') return typeError(L, 2, 'id string or {ns, name}');
      id = `${t.ns}:${t.name}`;
    } else id = checkText(L, 2);
    c.ops.push({ op: 'delete', id });
    lua.lua_settop(L, 1);
    return 1;
  },
  ops: (L) => {
    const c = checkBox<ChangesBox>(L, CHANGES_MT, 'Changes');
    pushJs(L, c.ops.map((o) => ({ kind: `entry.${o.op}`, entry: o.op === 'delete' ? { id: o.id } : o.entry })));
    return 1;
  },
  apply: (L) => {
    const c = checkBox<ChangesBox>(L, CHANGES_MT, 'Changes');
    const r = api(L);
    if (r === null) return unavailable(L);
    const res = r.apply(c.ops);
    if ('error' in res) return fail(L, ErrorKind.Invalid, res.error);
    c.ops = [];
    pushVersion(L, res.version);
    lua.lua_pushnil(L);
    return 2;
  },
};

export function openRegistry(L: LuaState): void {
  lua.lua_createtable(L, 0, 6);
  setFuncs(L, {
    get: (L1) => {
      const id = checkText(L1, 1);
      const r = api(L1);
      if (r === null) return unavailable(L1);
      const e = r.get(id);
      if (e === null) return fail(L1, ErrorKind.NotFound, `entry not found: ${id}`);
      pushJs(L1, e);
      lua.lua_pushnil(L1);
      return 2;
    },
    find: (L1) => {
      const r = api(L1);
      if (r === null) return unavailable(L1);
      pushEntries(L1, filtered(L1, r.entries(), 1));
      lua.lua_pushnil(L1);
      return 2;
    },
    parse_id: (L1) => {
      const s = checkText(L1, 1);
      const i = s.indexOf(':');
      pushJs(L1, i < 0 ? { ns: '', name: s } : { ns: s.slice(0, i), name: s.slice(i + 1) });
      return 1;
    },
    snapshot: (L1) => {
      const r = api(L1);
      if (r === null) return unavailable(L1);
      pushSnapshot(L1, r);
      lua.lua_pushnil(L1);
      return 2;
    },
    current_version: (L1) => {
      const r = api(L1);
      if (r === null) return unavailable(L1);
      pushVersion(L1, r.version());
      lua.lua_pushnil(L1);
      return 2;
    },
  });
}
