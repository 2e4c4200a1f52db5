/**
 * Types as runtime values: what `type T = ...` makes at run time, and `T:is(v)`.
 *
 * Owns: the hidden global `__wt` (the constructors the transformed source calls, see
 * typevalue-emit.ts), the type value (a userdata of class `wippy.type` holding an `RType`), its
 * `:is(v)` and the same `is` on the primitive type values (`integer:is(v)`, `string:is(v)`...).
 * `T:is(v)` returns `v, nil` when v has type T and `nil, err` otherwise; err (kind Invalid) names
 * the path of the first mismatch (`meta.active: expected boolean, got string`,
 * `tags: length 0 is below the minimum length 1`, `y: missing required field, expected number`).
 * Checked: primitives, literals, records (missing optional fields pass, extra fields pass),
 * arrays, maps, unions, intersections, optionals, functions (any function passes a function
 * type), generic aliases (instantiated on first use), and the annotations `@min`, `@max`,
 * `@min_len`, `@max_len`, `@pattern`; others (`@doc(...)`) are ignored.
 * Invariants: `is` never raises for any value; a reference that cannot be resolved (a name
 * declared later in another block, a module without that type) is `any`; a type value never
 * crosses to another state (it refers to Lua functions of its own state).
 */
import { lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, typeName } from './vm';
import { pushError } from './errorvalue';
import { ErrorKind } from '../base/errors';

export type Prim = 'nil' | 'number' | 'integer' | 'string' | 'boolean' | 'table' | 'function' | 'userdata' | 'thread';

export type RType =
  | { k: 'any' } | { k: 'never' } | { k: 'prim'; name: Prim }
  | { k: 'lit'; v: string | number | boolean }
  | { k: 'arr'; t: RType } | { k: 'map'; key: RType; val: RType }
  | { k: 'rec'; fields: { name: string; opt: boolean; t: RType }[] }
  | { k: 'union'; ts: RType[] } | { k: 'inter'; ts: RType[] } | { k: 'fn' }
  | { k: 'ann'; t: RType; anns: { name: string; args: unknown[] }[] }
  | { k: 'gen'; fn: number }
  | { k: 'inst'; g: RType; args: RType[]; done?: RType }
  | { k: 'ref'; fn: number; done?: RType };

const TYPE_MT = 'wippy.type';
interface TypeBox { t: RType }

const ANY: RType = { k: 'any' };
const prim = (name: Prim): RType => ({ k: 'prim', name });

/** Push a type value for `t`. */
export function pushType(L: LuaState, t: RType): void {
  const box = lua.lua_newuserdata(L, 0) as TypeBox;
  box.t = t;
  if (lauxlib.luaL_newmetatable(L, lstr(TYPE_MT))) {
    lua.lua_createtable(L, 0, 1);
    setFuncs(L, { is: isMethod });
    lua.lua_setfield(L, -2, lstr('__index'));
    setFuncs(L, { __tostring: (L1) => { pushText(L1, describe(L1, toType(L1, 1))); return 1; } });
    pushText(L, 'type');
    lua.lua_setfield(L, -2, lstr('__name'));
  }
  lua.lua_setmetatable(L, -2);
}

/** The RType of the type value at idx; `any` for anything else (nil from an unresolved name). */
function toType(L: LuaState, idx: number): RType {
  const box = lauxlib.luaL_testudata(L, idx, lstr(TYPE_MT)) as TypeBox | null;
  return box ? box.t : ANY;
}

/** `T:is(v)`: `v, nil` or `nil, err`. */
const isMethod: LuaFn = (L) => isOf(L, toType(L, 1));

/** The `is` of a primitive type value (`integer:is(v)`, `string:is(v)`). */
export function primitiveIs(name: 'integer' | 'number' | 'boolean' | 'string'): LuaFn {
  const t = prim(name);
  return (L) => isOf(L, t);
}

function isOf(L: LuaState, t: RType): number {
  lua.lua_settop(L, 2);
  const err = check(L, t, 2, '');
  if (err === null) { lua.lua_pushvalue(L, 2); lua.lua_pushnil(L); return 2; }
  lua.lua_pushnil(L);
  pushError(L, { kind: ErrorKind.Invalid, message: err, retryable: false });
  return 2;
}

/** Lua's own `ref` of the function at idx (kept in the state's registry for the state's life). */
function refFunction(L: LuaState, idx: number): number {
  lauxlib.luaL_checktype(L, idx, lua.LUA_TFUNCTION);
  lua.lua_pushvalue(L, idx);
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
}

/** Call the registered function `fn` with the given types; its result as a type (any on failure). */
function callForType(L: LuaState, fn: number, args: RType[]): RType {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, fn);
  for (const a of args) pushType(L, a);
  if (lua.lua_pcall(L, args.length, 1, 0) !== lua.LUA_OK) { lua.lua_pop(L, 1); return ANY; }
  const t = toType(L, -1);
  lua.lua_pop(L, 1);
  return t;
}

/** Follow refs and generic instances to the type they stand for. */
function resolve(L: LuaState, t: RType): RType {
  for (let n = 0; n < 50; n++) {
    if (t.k === 'ref') { t.done ??= callForType(L, t.fn, []); t = t.done; } else if (t.k === 'inst') {
      if (t.done === undefined) {
        const g = resolve(L, t.g);
        t.done = g.k === 'gen' ? callForType(L, g.fn, t.args) : g;
      }
      t = t.done;
    } else return t;
  }
  return ANY;
}

const typesFrom = (L: LuaState, from: number): RType[] => {
  const out: RType[] = [];
  for (let i = from, n = lua.lua_gettop(L); i <= n; i++) out.push(toType(L, i));
  return out;
};

/** A Lua constant argument of an annotation, as JS. */
function constArg(L: LuaState, idx: number): unknown {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNUMBER: return lua.lua_tonumber(L, idx);
    case lua.LUA_TSTRING: return lua.lua_tojsstring(L, idx);
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx);
    default: return null;
  }
}

const CONSTRUCTORS: Record<string, LuaFn> = {
  lit: (L) => { const v = constArg(L, 1); pushType(L, v === null ? prim('nil') : { k: 'lit', v: v as string | number | boolean }); return 1; },
  opt: (L) => { pushType(L, { k: 'union', ts: [toType(L, 1), prim('nil')] }); return 1; },
  arr: (L) => { pushType(L, { k: 'arr', t: toType(L, 1) }); return 1; },
  map: (L) => { pushType(L, { k: 'map', key: toType(L, 1), val: toType(L, 2) }); return 1; },
  union: (L) => { pushType(L, { k: 'union', ts: typesFrom(L, 1) }); return 1; },
  inter: (L) => { pushType(L, { k: 'inter', ts: typesFrom(L, 1) }); return 1; },
  fn: (L) => { pushType(L, { k: 'fn' }); return 1; },
  /** rec("x", T, "?y", U, ...): fields in order; a leading `?` marks an optional one. */
  rec: (L) => {
    const fields: { name: string; opt: boolean; t: RType }[] = [];
    for (let i = 1, n = lua.lua_gettop(L); i + 1 <= n; i += 2) {
      const raw = lua.lua_tojsstring(L, i);
      const opt = raw.startsWith('?');
      fields.push({ name: opt ? raw.slice(1) : raw, opt, t: toType(L, i + 1) });
    }
    pushType(L, { k: 'rec', fields });
    return 1;
  },
  /** ann(T, "min", 0, "max", 10): T with constraints (name, one argument each). */
  ann: (L) => {
    const anns: { name: string; args: unknown[] }[] = [];
    for (let i = 2, n = lua.lua_gettop(L); i <= n; i += 2) anns.push({ name: lua.lua_tojsstring(L, i), args: [constArg(L, i + 1)] });
    pushType(L, { k: 'ann', t: toType(L, 1), anns });
    return 1;
  },
  gen: (L) => { pushType(L, { k: 'gen', fn: refFunction(L, 1) }); return 1; },
  inst: (L) => { pushType(L, { k: 'inst', g: toType(L, 1), args: typesFrom(L, 2) }); return 1; },
  ref: (L) => { pushType(L, { k: 'ref', fn: refFunction(L, 1) }); return 1; },
};

/** Push the `__wt` table: the constructors and the primitive types. */
export function openTypeConstructors(L: LuaState): void {
  lua.lua_createtable(L, 0, 24);
  setFuncs(L, CONSTRUCTORS);
  const fixed: Record<string, RType> = {
    // `nil` is `null` here: `__wt.nil` would not parse (nil is a keyword).
    any: ANY, never: { k: 'never' }, null: prim('nil'), number: prim('number'), integer: prim('integer'),
    string: prim('string'), boolean: prim('boolean'), table: prim('table'), func: prim('function'),
    userdata: prim('userdata'), thread: prim('thread'),
  };
  for (const [name, t] of Object.entries(fixed)) {
    pushType(L, t);
    lua.lua_setfield(L, -2, lstr(name));
  }
}

/** Does the value at idx have type t? null when it does, else the first mismatch with its path. */
function check(L: LuaState, t0: RType, idx: number, path: string): string | null {
  const t = resolve(L, t0);
  const at = path === '' ? '' : `${path}: `;
  const lt = lua.lua_type(L, idx);
  switch (t.k) {
    case 'any': case 'gen': return null;
    case 'never': return `${at}expected no value, got ${typeName(L, idx)}`;
    case 'prim': return primOk(L, t.name, idx, lt) ? null : `${at}expected ${t.name}, got ${found(L, idx)}`;
    case 'lit': return litOk(L, t.v, idx, lt) ? null : `${at}expected ${describe(L, t)}, got ${found(L, idx)}`;
    case 'fn': return lt === lua.LUA_TFUNCTION ? null : `${at}expected function, got ${found(L, idx)}`;
    case 'union': {
      for (const m of t.ts) if (check(L, m, idx, path) === null) return null;
      // One member of the value's own kind: its message is the precise one.
      const same = flatten(L, t.ts).filter((m) => sameKind(L, m, idx, lt));
      if (same.length === 1) return check(L, same[0], idx, path);
      return `${at}expected ${describe(L, t)}, got ${found(L, idx)}`;
    }
    case 'inter':
      for (const m of t.ts) { const e = check(L, m, idx, path); if (e !== null) return e; }
      return null;
    case 'ann': return check(L, t.t, idx, path) ?? constraints(L, t.anns, idx, lt, at);
    case 'arr': case 'map': case 'rec': {
      if (lt !== lua.LUA_TTABLE) return `${at}expected ${describe(L, t)}, got ${found(L, idx)}`;
      lua.lua_checkstack(L, 4);
      if (t.k === 'rec') return fieldsOk(L, t.fields, idx, path);
      if (t.k === 'arr') {
        const n = lua.lua_rawlen(L, idx);
        for (let i = 1; i <= n; i++) {
          lua.lua_rawgeti(L, idx, i);
          const e = check(L, t.t, lua.lua_gettop(L), `${path}[${i}]`);
          lua.lua_pop(L, 1);
          if (e !== null) return e;
        }
        return null;
      }
      return entriesOk(L, t.key, t.val, idx, path);
    }
    default: return null;
  }
}

function fieldsOk(L: LuaState, fields: { name: string; opt: boolean; t: RType }[], idx: number, path: string): string | null {
  for (const f of fields) {
    const fp = path === '' ? f.name : `${path}.${f.name}`;
    lua.lua_getfield(L, idx, lstr(f.name));
    const top = lua.lua_gettop(L);
    let e: string | null;
    if (lua.lua_type(L, top) === lua.LUA_TNIL && !f.opt && !acceptsNil(L, f.t)) e = `${fp}: missing required field, expected ${describe(L, f.t)}`;
    else e = lua.lua_type(L, top) === lua.LUA_TNIL && f.opt ? null : check(L, f.t, top, fp);
    lua.lua_pop(L, 1);
    if (e !== null) return e;
  }
  return null;
}

function entriesOk(L: LuaState, key: RType, val: RType, idx: number, path: string): string | null {
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    const top = lua.lua_gettop(L);
    const k = lua.lua_type(L, top - 1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, top - 1) : null;
    const kp = k !== null && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? (path === '' ? k : `${path}.${k}`) : `${path}[${k !== null ? JSON.stringify(k) : keyText(L, top - 1)}]`;
    const e = check(L, key, top - 1, `${kp} (key)`) ?? check(L, val, top, kp);
    lua.lua_pop(L, 1);
    if (e !== null) { lua.lua_pop(L, 1); return e; }
  }
  return null;
}

function keyText(L: LuaState, idx: number): string {
  if (lua.lua_type(L, idx) === lua.LUA_TNUMBER) return lua.lua_isinteger(L, idx) ? String(lua.lua_tointeger(L, idx)) : String(lua.lua_tonumber(L, idx));
  return typeName(L, idx);
}

function primOk(L: LuaState, name: Prim, idx: number, lt: number): boolean {
  switch (name) {
    case 'nil': return lt === lua.LUA_TNIL;
    case 'number': return lt === lua.LUA_TNUMBER;
    case 'integer': return lt === lua.LUA_TNUMBER && (lua.lua_isinteger(L, idx) || Number.isInteger(lua.lua_tonumber(L, idx)));
    case 'string': return lt === lua.LUA_TSTRING;
    case 'boolean': return lt === lua.LUA_TBOOLEAN;
    case 'table': return lt === lua.LUA_TTABLE;
    case 'function': return lt === lua.LUA_TFUNCTION;
    case 'userdata': return lt === lua.LUA_TUSERDATA || lt === lua.LUA_TLIGHTUSERDATA;
    case 'thread': return lt === lua.LUA_TTHREAD;
  }
}

function litOk(L: LuaState, v: string | number | boolean, idx: number, lt: number): boolean {
  if (typeof v === 'string') return lt === lua.LUA_TSTRING && lua.lua_tojsstring(L, idx) === v;
  if (typeof v === 'number') return lt === lua.LUA_TNUMBER && lua.lua_tonumber(L, idx) === v;
  return lt === lua.LUA_TBOOLEAN && lua.lua_toboolean(L, idx) === v;
}

/** Is `t` (resolved) of the same Lua kind as the value, so that its message is the one to give? */
function sameKind(L: LuaState, t0: RType, idx: number, lt: number): boolean {
  const t = resolve(L, t0);
  switch (t.k) {
    case 'prim': return primOk(L, t.name, idx, lt) || (t.name === 'integer' && lt === lua.LUA_TNUMBER);
    case 'lit': return false;
    case 'arr': case 'map': case 'rec': return lt === lua.LUA_TTABLE;
    case 'fn': return lt === lua.LUA_TFUNCTION;
    case 'ann': return sameKind(L, t.t, idx, lt);
    default: return false;
  }
}

function flatten(L: LuaState, ts: RType[]): RType[] {
  const out: RType[] = [];
  for (const m of ts) { const r = resolve(L, m); if (r.k === 'union') out.push(...flatten(L, r.ts)); else out.push(r); }
  return out;
}

function acceptsNil(L: LuaState, t0: RType): boolean {
  const t = resolve(L, t0);
  if (t.k === 'any' || (t.k === 'prim' && t.name === 'nil')) return true;
  if (t.k === 'union') return t.ts.some((m) => acceptsNil(L, m));
  if (t.k === 'ann') return acceptsNil(L, t.t);
  return false;
}

const patterns = new Map<string, RegExp | null>();

function constraints(L: LuaState, anns: { name: string; args: unknown[] }[], idx: number, lt: number, at: string): string | null {
  for (const a of anns) {
    const arg = a.args[0];
    if ((a.name === 'min' || a.name === 'max') && typeof arg === 'number' && lt === lua.LUA_TNUMBER) {
      const v = lua.lua_tonumber(L, idx);
      if (a.name === 'min' && v < arg) return `${at}value ${fmt(v)} is below the minimum ${fmt(arg)}`;
      if (a.name === 'max' && v > arg) return `${at}value ${fmt(v)} is above the maximum ${fmt(arg)}`;
    } else if ((a.name === 'min_len' || a.name === 'max_len') && typeof arg === 'number' && (lt === lua.LUA_TSTRING || lt === lua.LUA_TTABLE)) {
      const n = lt === lua.LUA_TSTRING ? lua.lua_tolstring(L, idx).length : lua.lua_rawlen(L, idx);
      if (a.name === 'min_len' && n < arg) return `${at}length ${n} is below the minimum length ${fmt(arg)}`;
      if (a.name === 'max_len' && n > arg) return `${at}length ${n} is above the maximum length ${fmt(arg)}`;
    } else if (a.name === 'pattern' && typeof arg === 'string' && lt === lua.LUA_TSTRING) {
      let re = patterns.get(arg);
      if (re === undefined) {
        try { re = new RegExp(arg, 'u'); } catch { re = null; }
        patterns.set(arg, re);
      }
      const s = lua.lua_tojsstring(L, idx);
      if (re !== null && !re.test(s)) return `${at}${JSON.stringify(s)} does not match the pattern ${JSON.stringify(arg)}`;
    }
  }
  return null;
}

const fmt = (n: number): string => String(n);

/** What the value at idx is, for messages: its type, and its value when short (literals). */
function found(L: LuaState, idx: number): string {
  const lt = lua.lua_type(L, idx);
  if (lt === lua.LUA_TSTRING) {
    const s = lua.lua_tojsstring(L, idx);
    return s.length <= 40 ? `string ${JSON.stringify(s)}` : 'string';
  }
  if (lt === lua.LUA_TNUMBER) return `number ${keyText(L, idx)}`;
  if (lt === lua.LUA_TBOOLEAN) return String(lua.lua_toboolean(L, idx));
  return typeName(L, idx);
}

/** A type as written in typed Lua (`{x: number, y: number}`, `"a" | "b"`). */
export function describe(L: LuaState, t0: RType, depth = 0): string {
  if (depth > 4) return '...';
  const t = resolve(L, t0);
  const d = (x: RType): string => describe(L, x, depth + 1);
  switch (t.k) {
    case 'any': return 'any';
    case 'never': return 'never';
    case 'prim': return t.name;
    case 'lit': return typeof t.v === 'string' ? JSON.stringify(t.v) : String(t.v);
    case 'fn': return 'function';
    case 'arr': return `{${d(t.t)}}`;
    case 'map': return `{[${d(t.key)}]: ${d(t.val)}}`;
    case 'rec': return `{${t.fields.map((f) => `${f.name}${f.opt ? '?' : ''}: ${d(f.t)}`).join(', ')}}`;
    case 'union': return t.ts.map(d).join(' | ');
    case 'inter': return t.ts.map(d).join(' & ');
    case 'ann': return d(t.t);
    default: return 'any';
  }
}
