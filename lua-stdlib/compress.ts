/**
 * `compress`: `gzip`, `deflate` (raw, RFC 1951), `zlib` and `brotli` subtables, each with
 * `encode(data, {level}?)` and `decode(data, {max_size}?)`, as Wippy's module (deterministic,
 * allowed in workflows). `zstd` is present with the same shape but every call returns an Internal
 * error: Node 20's zlib has no zstd (docs/wippy-differences.md).
 *
 * Invariants: bytes in, bytes out; a non-string or empty input, a level out of range (gzip,
 * deflate, zlib 1-9; brotli 0-11) and corrupt compressed data return `nil, err` of kind Invalid;
 * output past `max_size` (default 128 MiB, at most 1 GiB) returns Internal; never raises.
 * Work is charged per input byte and per output byte.
 */
import * as zlib from 'node:zlib';
import { lua, lstr, LuaState, LuaFn, fail, ok, bytesArg, pushBytes, chargeBytes, setSubtable } from '../lua/api';

const DEFAULT_MAX = 128 * 1024 * 1024;
const HARD_MAX = 1024 * 1024 * 1024;

interface Codec {
  levels: [number, number];
  encode(b: Uint8Array, level: number | undefined): Buffer;
  decode(b: Uint8Array, max: number): Buffer;
}

const CODECS: Record<string, Codec> = {
  gzip: {
    levels: [1, 9],
    encode: (b, level) => zlib.gzipSync(b, { level: level ?? 6 }),
    decode: (b, max) => zlib.gunzipSync(b, { maxOutputLength: max }),
  },
  deflate: {
    levels: [1, 9],
    encode: (b, level) => zlib.deflateRawSync(b, { level: level ?? 6 }),
    decode: (b, max) => zlib.inflateRawSync(b, { maxOutputLength: max }),
  },
  zlib: {
    levels: [1, 9],
    encode: (b, level) => zlib.deflateSync(b, { level: level ?? 6 }),
    decode: (b, max) => zlib.inflateSync(b, { maxOutputLength: max }),
  },
  brotli: {
    levels: [0, 11],
    encode: (b, level) => zlib.brotliCompressSync(b, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: level ?? 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length },
    }),
    decode: (b, max) => zlib.brotliDecompressSync(b, { maxOutputLength: max }),
  },
};

/** Reads integer option `name` of the table at index 2: undefined when absent, null when not an integer. */
function intOption(L: LuaState, name: string): number | undefined | null {
  if (lua.lua_type(L, 2) !== lua.LUA_TTABLE) return undefined;
  lua.lua_getfield(L, 2, lstr(name));
  let v: number | undefined | null;
  if (lua.lua_isnil(L, -1)) v = undefined;
  else if (lua.lua_isinteger(L, -1)) v = lua.lua_tointeger(L, -1);
  else if (lua.lua_type(L, -1) === lua.LUA_TNUMBER && Number.isInteger(lua.lua_tonumber(L, -1))) v = lua.lua_tonumber(L, -1);
  else v = null;
  lua.lua_pop(L, 1);
  return v;
}

/** The input string at index 1, or the Invalid failure already pushed (a number of results). */
function input(L: LuaState, op: string): Uint8Array | number {
  const b = bytesArg(L, 1);
  if (b === null) return fail(L, 'Invalid', `${op}: data must be a string`);
  if (b.length === 0) return fail(L, 'Invalid', `${op}: input is empty`);
  chargeBytes(L, b.length);
  return b;
}

function encoder(name: string, c: Codec): LuaFn {
  return (L) => {
    const b = input(L, `${name} encode`);
    if (typeof b === 'number') return b;
    const level = intOption(L, 'level');
    const [lo, hi] = c.levels;
    if (level === null || (level !== undefined && (level < lo || level > hi))) {
      return fail(L, 'Invalid', `${name} encode: level must be an integer from ${lo} to ${hi}`);
    }
    let out: Buffer;
    try { out = c.encode(b, level); } catch (e) {
      return fail(L, 'Internal', `${name} encode failed: ${(e as Error).message}`);
    }
    chargeBytes(L, out.length);
    pushBytes(L, new Uint8Array(out.buffer, out.byteOffset, out.length));
    return ok(L);
  };
}

function decoder(name: string, c: Codec): LuaFn {
  return (L) => {
    const b = input(L, `${name} decode`);
    if (typeof b === 'number') return b;
    const max = intOption(L, 'max_size');
    if (max === null || (max !== undefined && (max < 1 || max > HARD_MAX))) {
      return fail(L, 'Invalid', `${name} decode: max_size must be an integer from 1 to ${HARD_MAX}`);
    }
    let out: Buffer;
    try { out = c.decode(b, max ?? DEFAULT_MAX); } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        return fail(L, 'Internal', `${name} decode: decompressed size exceeds max_size ${max ?? DEFAULT_MAX}`);
      }
      return fail(L, 'Invalid', `${name} decode: invalid ${name} data (${err.message})`);
    }
    chargeBytes(L, out.length);
    pushBytes(L, new Uint8Array(out.buffer, out.byteOffset, out.length));
    return ok(L);
  };
}

const zstdMissing: LuaFn = (L) => fail(L, 'Internal', 'zstd is not available in this runtime (Node 20 zlib has no zstd); use gzip, zlib, deflate or brotli');

export function openCompress(L: LuaState): void {
  lua.lua_createtable(L, 0, 5);
  for (const [name, c] of Object.entries(CODECS)) {
    setSubtable(L, name, { encode: encoder(name, c), decode: decoder(name, c) });
  }
  setSubtable(L, 'zstd', { encode: zstdMissing, decode: zstdMissing, train_dict: zstdMissing, inspect_dict: zstdMissing });
}
