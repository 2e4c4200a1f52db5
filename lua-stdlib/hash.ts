/**
 * `hash`: md5, sha1, sha256, sha512 (hex, or raw bytes with `raw = true`), fnv32/fnv64 (numbers)
 * and hmac_md5/sha1/sha256/sha512(data, secret, raw?), as Wippy's module (deterministic, allowed
 * in workflows). Digests come from Node's crypto.
 *
 * Invariants: every function returns `value, nil`, or `nil, err` of kind Invalid for a non-string
 * data or secret (never raises). fnv32/fnv64 are Go's hash/fnv New32/New64 (FNV-1, the function
 * Wippy's code uses; its spec says FNV-1a); fnv64 is a float when it exceeds 2^53, as Wippy's
 * numbers are. Work is charged per byte hashed.
 */
import { createHash, createHmac } from 'node:crypto';
import {
  lua, LuaState, LuaFn, setFuncs, pushText, fail, ok, bytesArg, pushBytes, chargeBytes
} from '../lua/api';

function digestFn(alg: string): LuaFn {
  return (L) => {
    const data = bytesArg(L, 1);
    if (data === null) return fail(L, 'Invalid', 'data must be a string');
    chargeBytes(L, data.length);
    const d = createHash(alg).update(data).digest();
    if (lua.lua_gettop(L) >= 2 && lua.lua_toboolean(L, 2)) pushBytes(L, new Uint8Array(d)); else pushText(L, d.toString('hex'));
    return ok(L);
  };
}

function hmacFn(alg: string): LuaFn {
  return (L) => {
    const data = bytesArg(L, 1);
    if (data === null) return fail(L, 'Invalid', 'data must be a string');
    const secret = bytesArg(L, 2);
    if (secret === null) return fail(L, 'Invalid', 'secret must be a string');
    chargeBytes(L, data.length + secret.length);
    const d = createHmac(alg, secret).update(data).digest();
    if (lua.lua_gettop(L) >= 3 && lua.lua_toboolean(L, 3)) pushBytes(L, new Uint8Array(d)); else pushText(L, d.toString('hex'));
    return ok(L);
  };
}

/** FNV-1 (multiply, then xor) over `data` with BigInt arithmetic modulo 2^bits. */
export function fnv1(data: Uint8Array, bits: 32 | 64): bigint {
  const prime = bits === 32 ? 16777619n : 1099511628211n;
  const mask = (1n << BigInt(bits)) - 1n;
  let h = bits === 32 ? 2166136261n : 14695981039346656037n;
  for (const byte of data) h = ((h * prime) & mask) ^ BigInt(byte);
  return h;
}

function fnvFn(bits: 32 | 64): LuaFn {
  return (L) => {
    const data = bytesArg(L, 1);
    if (data === null) return fail(L, 'Invalid', 'data must be a string');
    lua.lua_chargelater(L, data.length);
    const h = fnv1(data, bits);
    // Fengari's integers are 32-bit: a value past 2^31 is a float, as every Wippy number is.
    if (h <= 0x7fffffffn) lua.lua_pushinteger(L, Number(h)); else lua.lua_pushnumber(L, Number(h));
    return ok(L);
  };
}

/** The module's signature for the type checker (Wippy's: digests, FNV numbers, HMACs with the secret second). */
export const HASH_TYPES = `{
  md5: (data: string, raw: boolean?) -> (string, error?), sha1: (data: string, raw: boolean?) -> (string, error?),
  sha256: (data: string, raw: boolean?) -> (string, error?), sha512: (data: string, raw: boolean?) -> (string, error?),
  fnv32: (data: string) -> (number, error?), fnv64: (data: string) -> (number, error?),
  hmac_md5: (data: string, secret: string, raw: boolean?) -> (string, error?),
  hmac_sha1: (data: string, secret: string, raw: boolean?) -> (string, error?),
  hmac_sha256: (data: string, secret: string, raw: boolean?) -> (string, error?),
  hmac_sha512: (data: string, secret: string, raw: boolean?) -> (string, error?),
}`;

export function openHash(L: LuaState): void {
  lua.lua_createtable(L, 0, 10);
  setFuncs(L, {
    md5: digestFn('md5'), sha1: digestFn('sha1'), sha256: digestFn('sha256'), sha512: digestFn('sha512'),
    fnv32: fnvFn(32), fnv64: fnvFn(64),
    hmac_md5: hmacFn('md5'), hmac_sha1: hmacFn('sha1'), hmac_sha256: hmacFn('sha256'), hmac_sha512: hmacFn('sha512'),
  });
}
