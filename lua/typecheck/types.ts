/**
 * The checker's types: their shapes, how they print, and when a value of one may be used where
 * another is expected (`assignable`).
 *
 * Owns: the gradual rules. `any` flows everywhere and accepts everything (unannotated code is
 * `any`, so it is never refused); a mismatch is reported only between types that cannot share a
 * value (a string where a number is declared, nil where nil is not allowed, a table where a
 * boolean is). Where a rule would need knowledge the checker does not have (function parameter
 * variance, metatables, literal-to-primitive narrowing), it accepts: a false report would stop a
 * correct program from loading, a missed one only leaves it to run time.
 * Invariants: types are immutable once built; `union` flattens and drops duplicates, and a union
 * with `any` is `any`; every walk over a type is depth-bounded (recursive aliases are cut to `any`).
 */

export interface Field { t: Type; opt: boolean; ro: boolean }
export interface ParamT { name: string; t: Type; declared: boolean }

export type Type =
  | { k: 'any' } | { k: 'never' } | { k: 'nil' } | { k: 'boolean' } | { k: 'number' } | { k: 'integer' }
  | { k: 'string' } | { k: 'table' } | { k: 'function' } | { k: 'userdata' } | { k: 'thread' }
  | { k: 'lit'; v: string | number | boolean }
  /** A table type from an annotation; `open` when fields beyond these may exist (modules, libraries). */
  | { k: 'record'; fields: Map<string, Field>; indexer: { key: Type; val: Type } | null; open: boolean; alias?: string }
  | { k: 'array'; elem: Type; ro: boolean; alias?: string }
  | { k: 'map'; key: Type; val: Type; ro: boolean; alias?: string }
  /** A table constructor's own shape: named fields, positional items, and whether `[k] = v` entries exist. */
  | { k: 'tlit'; fields: Map<string, Type>; items: Type[]; keyed: boolean }
  | { k: 'union'; ts: Type[]; alias?: string }
  | { k: 'inter'; ts: Type[]; alias?: string }
  /**
   * A function. `typed`: it has at least one annotation (only typed functions get their argument
   * count checked). `returns` null: unknown (every result is `any`).
   */
  | { k: 'func'; params: ParamT[]; variadic: Type | null; returns: Type[] | null; retVariadic: Type | null; typed: boolean; name: string; method: boolean; alias?: string }
  /** The runtime value of a type (`Point` in `Point:is(v)`). */
  | { k: 'typevalue'; of: Type };

export const ANY: Type = { k: 'any' };
export const NEVER: Type = { k: 'never' };
export const NIL: Type = { k: 'nil' };
export const BOOLEAN: Type = { k: 'boolean' };
export const NUMBER: Type = { k: 'number' };
export const INTEGER: Type = { k: 'integer' };
export const STRING: Type = { k: 'string' };
export const TABLE: Type = { k: 'table' };
export const FUNCTION: Type = { k: 'function' };

const MAX_DEPTH = 12;

/** The union of `ts`, flattened, without duplicates; `any` absorbs it; one member is itself. */
export function union(ts: Type[]): Type {
  const out: Type[] = [];
  const seen = new Set<string>();
  const add = (t: Type): boolean => {
    if (t.k === 'any') return false;
    if (t.k === 'never') return true;
    if (t.k === 'union') { for (const m of t.ts) if (!add(m)) return false; return true; }
    const key = t.k === 'lit' ? `lit:${typeof t.v}:${String(t.v)}` : isSimple(t) ? t.k : '';
    if (key !== '') { if (seen.has(key)) return true; seen.add(key); }
    out.push(t);
    return true;
  };
  for (const t of ts) if (!add(t)) return ANY;
  if (out.length === 0) return NEVER;
  return out.length === 1 ? out[0] : { k: 'union', ts: out };
}

function isSimple(t: Type): boolean {
  return t.k === 'nil' || t.k === 'boolean' || t.k === 'number' || t.k === 'integer' || t.k === 'string'
    || t.k === 'table' || t.k === 'function' || t.k === 'userdata' || t.k === 'thread';
}

export const optional = (t: Type): Type => union([t, NIL]);

/** Can a value of `t` be nil? (`any` can.) */
export function acceptsNil(t: Type): boolean {
  if (t.k === 'any' || t.k === 'nil') return true;
  if (t.k === 'union') return t.ts.some(acceptsNil);
  return false;
}

/** `t` without nil (and without `false` when `truthy`). */
export function withoutNil(t: Type, truthy = false): Type {
  if (t.k === 'nil') return NEVER;
  if (truthy && t.k === 'lit' && t.v === false) return NEVER;
  if (t.k === 'union') return union(t.ts.map((m) => withoutNil(m, truthy)));
  return t;
}

/** The part of `t` that is nil or false (what `a and b` yields when `a` is falsy). */
export function falsyPart(t: Type): Type {
  if (t.k === 'any') return ANY;
  if (t.k === 'nil' || (t.k === 'lit' && t.v === false)) return t;
  if (t.k === 'boolean') return { k: 'lit', v: false };
  if (t.k === 'union') return union(t.ts.map(falsyPart));
  return NEVER;
}

/** What kind of Lua value a type's values are (two different categories never share a value). */
function category(t: Type): string | null {
  switch (t.k) {
    case 'nil': return 'nil';
    case 'boolean': return 'boolean';
    case 'number': case 'integer': return 'number';
    case 'string': return 'string';
    case 'lit': return typeof t.v;
    case 'table': case 'record': case 'array': case 'map': case 'tlit': return 'table';
    case 'function': case 'func': return 'function';
    case 'userdata': return 'userdata';
    case 'thread': return 'thread';
    default: return null; // any, never, union, inter, typevalue
  }
}

/**
 * Why a value of `src` cannot be used as `dst`: null when it can, else a reason such as
 * `expected number, found string` or `field y: expected number, found nil`.
 */
export function assignable(src: Type, dst: Type, depth = 0): string | null {
  if (depth > MAX_DEPTH) return null;
  if (dst.k === 'any' || src.k === 'any' || src.k === 'never') return null;
  const mismatch = (): string => `expected ${display(dst)}, found ${found(src)}`;
  if (src.k === 'union') {
    for (const m of src.ts) if (assignable(m, dst, depth + 1) !== null) return mismatch();
    return null;
  }
  if (dst.k === 'union') return dst.ts.some((m) => assignable(src, m, depth + 1) === null) ? null : mismatch();
  if (dst.k === 'inter') {
    for (const m of dst.ts) { const r = assignable(src, m, depth + 1); if (r !== null) return r; }
    return null;
  }
  if (src.k === 'inter') return src.ts.some((m) => assignable(m, dst, depth + 1) === null) || category(dst) === 'table' ? null : mismatch();
  if (src.k === 'typevalue' || dst.k === 'typevalue') return null;
  const cs = category(src), cd = category(dst);
  if (cs === null || cd === null) return null;
  if (cs !== cd) return mismatch();
  switch (dst.k) {
    case 'lit':
      // A literal declared type accepts its own literal; an unknown value of the same primitive is let through.
      return src.k === 'lit' && src.v !== dst.v ? mismatch() : null;
    case 'integer':
      return src.k === 'lit' && typeof src.v === 'number' && !Number.isInteger(src.v) ? mismatch() : null;
    case 'record': return toRecord(src, dst, depth);
    case 'array': return toArray(src, dst, depth);
    case 'map': return toMap(src, dst, depth);
    default: return null;
  }
}

function toRecord(src: Type, dst: Extract<Type, { k: 'record' }>, depth: number): string | null {
  if (src.k === 'tlit') {
    for (const [name, f] of dst.fields) {
      const v = src.fields.get(name);
      if (v === undefined) {
        if (!f.opt && !acceptsNil(f.t) && !src.keyed) return `field ${name}: expected ${display(f.t)}, found nil (missing)`;
        continue;
      }
      const r = assignable(v, f.opt ? optional(f.t) : f.t, depth + 1);
      if (r !== null) return `field ${name}: ${r}`;
    }
    return null;
  }
  if (src.k === 'record') {
    for (const [name, f] of dst.fields) {
      const v = src.fields.get(name);
      if (v === undefined) {
        if (!f.opt && !acceptsNil(f.t) && !src.open && src.indexer === null) return `field ${name}: expected ${display(f.t)}, found nil (missing in ${display(src)})`;
        continue;
      }
      const r = assignable(v.opt ? optional(v.t) : v.t, f.opt ? optional(f.t) : f.t, depth + 1);
      if (r !== null) return `field ${name}: ${r}`;
    }
  }
  return null;
}

function toArray(src: Type, dst: Extract<Type, { k: 'array' }>, depth: number): string | null {
  if (src.k === 'tlit') {
    for (let i = 0; i < src.items.length; i++) {
      const r = assignable(src.items[i], dst.elem, depth + 1);
      if (r !== null) return `element ${i + 1}: ${r}`;
    }
    return null;
  }
  if (src.k === 'array') { const r = assignable(src.elem, dst.elem, depth + 1); return r === null ? null : `element: ${r}`; }
  return null;
}

function toMap(src: Type, dst: Extract<Type, { k: 'map' }>, depth: number): string | null {
  if (src.k === 'tlit') {
    if (src.fields.size > 0) {
      const r = assignable(STRING, dst.key, depth + 1);
      if (r !== null) return `key: ${r}`;
    }
    for (const [name, v] of src.fields) {
      const r = assignable(v, dst.val, depth + 1);
      if (r !== null) return `field ${name}: ${r}`;
    }
    if (src.items.length > 0) {
      const r = assignable(INTEGER, dst.key, depth + 1);
      if (r !== null) return `key: ${r}`;
    }
    for (let i = 0; i < src.items.length; i++) {
      const r = assignable(src.items[i], dst.val, depth + 1);
      if (r !== null) return `element ${i + 1}: ${r}`;
    }
    return null;
  }
  if (src.k === 'map') {
    const r = assignable(src.val, dst.val, depth + 1);
    return r === null ? null : `value: ${r}`;
  }
  return null;
}

/**
 * Can a value of `t` take part in arithmetic? False only when no value of it can: nil, booleans,
 * strings that are not numerals, functions, and table constructors (a declared table type may
 * have a metatable with arithmetic, so it may).
 */
export function mayBeNumber(t: Type): boolean {
  switch (t.k) {
    case 'nil': case 'boolean': case 'string': case 'function': case 'func': case 'thread': case 'tlit':
      return false;
    case 'lit': return typeof t.v === 'number' || (typeof t.v === 'string' && t.v.trim() !== '' && !Number.isNaN(Number(t.v)));
    case 'union': return t.ts.some(mayBeNumber);
    default: return true;
  }
}

/** Can a value of `t` be concatenated (`..`)? False for nil alone, booleans, functions and table constructors. */
export function mayConcat(t: Type): boolean {
  switch (t.k) {
    case 'nil': case 'boolean': case 'function': case 'func': case 'thread': case 'tlit': return false;
    case 'lit': return typeof t.v !== 'boolean';
    case 'union': return t.ts.some(mayConcat);
    default: return true;
  }
}

/** A found type for messages: a literal with its type (`string "oops"`, `number 42`). */
export function found(t: Type): string {
  return t.k === 'lit' ? `${typeof t.v} ${display(t)}` : display(t);
}

/** The type as typed Lua writes it (an alias by its name). */
export function display(t: Type, depth = 0): string {
  if (depth > 3) return '...';
  const d = (x: Type): string => display(x, depth + 1);
  if ('alias' in t && t.alias !== undefined) return t.alias;
  switch (t.k) {
    case 'lit': return typeof t.v === 'string' ? JSON.stringify(t.v) : String(t.v);
    case 'record': {
      const fs = [...t.fields].slice(0, 6).map(([n, f]) => `${f.ro ? 'readonly ' : ''}${n}${f.opt ? '?' : ''}: ${d(f.t)}`);
      if (t.fields.size > 6) fs.push('...');
      if (t.indexer) fs.push(`[${d(t.indexer.key)}]: ${d(t.indexer.val)}`);
      return `{${fs.join(', ')}}`;
    }
    case 'array': return `${t.ro ? 'readonly ' : ''}{${d(t.elem)}}`;
    case 'map': return `${t.ro ? 'readonly ' : ''}{[${d(t.key)}]: ${d(t.val)}}`;
    case 'tlit': return 'table';
    case 'union': {
      const nonNil = t.ts.filter((m) => m.k !== 'nil');
      if (nonNil.length === 1 && nonNil.length < t.ts.length) {
        const inner = d(nonNil[0]);
        return /[|&]|->/.test(inner) ? `(${inner})?` : `${inner}?`;
      }
      return t.ts.map(d).join(' | ');
    }
    case 'inter': return t.ts.map(d).join(' & ');
    case 'func': {
      const ps = t.params.map((p) => d(p.t));
      if (t.variadic) ps.push(`...${d(t.variadic)}`);
      const rs = t.returns === null ? 'any' : t.returns.length === 1 ? d(t.returns[0]) : `(${t.returns.map(d).join(', ')})`;
      return `(${ps.join(', ')}) -> ${rs}`;
    }
    case 'typevalue': return `type ${d(t.of)}`;
    default: return t.k;
  }
}
