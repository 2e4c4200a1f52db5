/**
 * `crypto.jwt.encode(claims, key, alg?)` and `crypto.jwt.verify(token, key, alg?, require_exp?)`,
 * as Wippy's (golang-jwt v5): HS256 (default; also for an unknown `alg`), HS384, HS512 and
 * RS256 (PEM keys: PKCS#1 or PKCS#8 private, PKIX public or a certificate).
 *
 * Invariants: header and claims are JSON with sorted keys (Go's maps), base64url without
 * padding; `claims._header` adds header fields; verify accepts only the expected `alg`, compares
 * signatures in constant time, checks `exp` (required unless `require_exp` is false) and `nbf`
 * against the execution's clock (Services.now: a workflow's recorded clock, so replay agrees).
 * encode fails with Invalid (not a table, bad RSA key) or Internal; every verify failure is
 * Internal with golang-jwt's wording under `verify token: ...`. Signing is Node's crypto.
 */
import { createHmac, createSign, createVerify, createPrivateKey, createPublicKey, timingSafeEqual, X509Certificate, KeyObject } from 'node:crypto';
import {
  lua, lauxlib, LuaState, LuaFn, pushText, bytesToText, hostOf, decode, wippyEncode, fail, ok, chargeBytes
} from '../../lua/api';

const HMAC: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** JSON with object keys sorted at every level (Go's json.Marshal of maps). */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function privateKey(pem: string): KeyObject {
  const k = createPrivateKey(pem);
  if (k.asymmetricKeyType !== 'rsa') throw new Error('key is not an RSA private key');
  return k;
}

function publicKey(pem: string): KeyObject {
  let k: KeyObject;
  try { k = new X509Certificate(pem).publicKey; } catch { k = createPublicKey(pem); }
  if (k.asymmetricKeyType !== 'rsa') throw new Error('key is not an RSA public key');
  return k;
}

export const jwtEncode: LuaFn = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const key = lauxlib.luaL_checklstring(L, 2);
  const alg = lua.lua_type(L, 3) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, 3) : 'HS256';
  const method = alg === 'RS256' || HMAC[alg] ? alg : 'HS256';
  let claims: Record<string, unknown>;
  try {
    const v = JSON.parse(wippyEncode(L, 1));
    if (Array.isArray(v) && v.length > 0) throw new Error('not a map');
    claims = Array.isArray(v) ? {} : v;
  } catch {
    return fail(L, 'Invalid', 'failed to convert payload to map');
  }
  const header: Record<string, unknown> = { alg: method, typ: 'JWT' };
  const extra = claims._header;
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
    Object.assign(header, extra);
    delete claims._header;
  }
  const input = `${b64url(sortedJson(header))}.${b64url(sortedJson(claims))}`;
  chargeBytes(L, input.length + key.length);
  let sig: Buffer;
  if (method === 'RS256') {
    let k: KeyObject;
    try { k = privateKey(bytesToText(key)); } catch (e) { return fail(L, 'Invalid', `invalid RSA private key: ${(e as Error).message}`); }
    sig = createSign('RSA-SHA256').update(input).sign(k);
  } else {
    sig = createHmac(HMAC[method], key).update(input).digest();
  }
  pushText(L, `${input}.${b64url(sig)}`);
  return ok(L);
};

class JwtError extends Error {}

function part(s: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new JwtError(`token is malformed: could not base64 decode ${what}`);
  let v: unknown;
  try { v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')); } catch { throw new JwtError(`token is malformed: could not JSON decode ${what}`); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new JwtError(`token is malformed: could not JSON decode ${what}`);
  return v as Record<string, unknown>;
}

/** The claims of a valid token (golang-jwt's checks and messages), or a thrown JwtError. */
function verifyToken(token: string, key: Uint8Array, alg: string, requireExp: boolean, nowSec: number): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('token is malformed: token contains an invalid number of segments');
  const header = part(parts[0], 'header');
  const claims = part(parts[1], 'claims');
  if (header.alg !== alg) throw new JwtError(`token signature is invalid: signing method ${String(header.alg)} is invalid`);
  if (!/^[A-Za-z0-9_-]*$/.test(parts[2])) throw new JwtError('token is malformed: could not base64 decode signature');
  const sig = Buffer.from(parts[2], 'base64url');
  const input = `${parts[0]}.${parts[1]}`;
  let good: boolean;
  if (alg === 'RS256') {
    let k: KeyObject;
    try { k = publicKey(bytesToText(key)); } catch (e) { throw new JwtError(`token is unverifiable: error while executing keyfunc: failed to parse public key: ${(e as Error).message}`); }
    good = createVerify('RSA-SHA256').update(input).verify(k, sig);
  } else if (HMAC[alg]) {
    const want = createHmac(HMAC[alg], key).update(input).digest();
    good = want.length === sig.length && timingSafeEqual(want, sig);
  } else {
    throw new JwtError(`token is unverifiable: signing method ${alg} is invalid`);
  }
  if (!good) throw new JwtError('token signature is invalid: signature is invalid');
  const num = (name: string): number | null => {
    const v = claims[name];
    if (v === undefined) return null;
    if (typeof v !== 'number') throw new JwtError(`token has invalid claims: token is malformed: invalid type for claim: ${name} is invalid`);
    return v;
  };
  const exp = num('exp');
  if (exp === null && requireExp) throw new JwtError('token has invalid claims: token is missing required claim: exp claim is required');
  if (exp !== null && nowSec >= exp) throw new JwtError('token has invalid claims: token is expired');
  const nbf = num('nbf');
  if (nbf !== null && nowSec < nbf) throw new JwtError('token has invalid claims: token is not valid yet');
  return claims;
}

export const jwtVerify: LuaFn = (L) => {
  const token = bytesToText(lauxlib.luaL_checklstring(L, 1));
  const key = lauxlib.luaL_checklstring(L, 2);
  const alg = lua.lua_type(L, 3) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, 3) : 'HS256';
  const requireExp = lua.lua_type(L, 4) === lua.LUA_TBOOLEAN ? lua.lua_toboolean(L, 4) : true;
  chargeBytes(L, token.length + key.length);
  let claims: Record<string, unknown>;
  try {
    claims = verifyToken(token, key, alg, requireExp, Math.floor(hostOf(L).services.now() / 1000));
  } catch (e) {
    if (e instanceof JwtError) return fail(L, 'Internal', e.message, 'verify token');
    throw e;
  }
  decode(L, JSON.stringify(claims), 'json');
  return ok(L);
};
