/**
 * What the checker knows of Lua's own globals: the result types of the base functions and of the
 * `string`, `math`, `table` and `os` libraries, and the methods a string value has.
 *
 * Owns: these signatures. Invariants: only what is certain is stated (a result whose type
 * depends on the arguments, or may be nil, is `any`); every library table is open (a name not
 * listed is `any`, never "unknown field"), and no built-in function has its arguments counted
 * (`typed: false`): Lua's library functions take optional and variadic arguments freely.
 */
import { ANY, BOOLEAN, INTEGER, NEVER, NUMBER, STRING, type Field, type Type } from './types';

/** A built-in function returning `returns` (its arguments are not checked). */
export function builtin(name: string, returns: Type[] | null): Type {
  return { k: 'func', params: [], variadic: ANY, returns, retVariadic: null, typed: false, name, method: false };
}

function library(fns: Record<string, Type[] | null>, prefix: string): Type {
  const fields = new Map<string, Field>();
  for (const [n, r] of Object.entries(fns)) fields.set(n, { t: builtin(`${prefix}${n}`, r), opt: false, ro: false });
  return { k: 'record', fields, indexer: null, open: true };
}

/** string library functions: name -> result types (null: unknown). */
export const STRING_FUNCTIONS: Record<string, Type[] | null> = {
  upper: [STRING], lower: [STRING], rep: [STRING], reverse: [STRING], sub: [STRING], format: [STRING],
  char: [STRING], len: [INTEGER], byte: null, find: null, match: null, gmatch: null, gsub: [STRING, INTEGER],
};

const MATH: Record<string, Type[] | null> = {
  floor: [NUMBER], ceil: [NUMBER], abs: [NUMBER], sqrt: [NUMBER], max: [NUMBER], min: [NUMBER], exp: [NUMBER],
  log: [NUMBER], sin: [NUMBER], cos: [NUMBER], tan: [NUMBER], fmod: [NUMBER], random: [NUMBER],
  tointeger: null, type: null, modf: [NUMBER, NUMBER],
};

const TABLE_FNS: Record<string, Type[] | null> = {
  concat: [STRING], insert: [], remove: null, sort: [], unpack: null, pack: null, move: null, create: null,
};

const OS: Record<string, Type[] | null> = { time: [INTEGER], clock: [NUMBER], date: null, difftime: [NUMBER] };

/** The globals with known types; every other global is `any`. */
export function globalTypes(): Map<string, Type> {
  const m = new Map<string, Type>();
  m.set('type', builtin('type', [STRING]));
  m.set('tostring', builtin('tostring', [STRING]));
  m.set('error', builtin('error', [NEVER]));
  m.set('rawequal', builtin('rawequal', [BOOLEAN]));
  m.set('rawlen', builtin('rawlen', [INTEGER]));
  m.set('print', builtin('print', []));
  m.set('string', library(STRING_FUNCTIONS, 'string.'));
  m.set('math', library(MATH, 'math.'));
  m.set('table', library(TABLE_FNS, 'table.'));
  m.set('os', library(OS, 'os.'));
  return m;
}
