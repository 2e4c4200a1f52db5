/**
 * `crypto`, as Wippy's module: `random.bytes/string/uuid`, `hmac.sha256/sha512`,
 * `encrypt.aes/chacha20` and `decrypt.aes/chacha20` (AES-GCM and ChaCha20-Poly1305, the 12-byte
 * nonce prepended to ciphertext and tag), `jwt.encode/verify` (jwt.ts here),
 * `pbkdf2` and `constant_time_compare`. All cryptography is Node's crypto.
 *
 * Randomness comes from the execution's Services (`random(n, fn)`): in a workflow every draw
 * (random bytes, a random string's bytes, a random uuid's bytes, a cipher's nonce) is recorded
 * in the history as a `random` command and the recorded bytes come back on replay, so the
 * workflow sees the same values after a crash; keys and plaintexts are never recorded (a cipher
 * is recomputed from the recorded nonce). Errors as Wippy's: `nil, err` of kind Invalid for bad
 * lengths, sizes, empty keys/passwords/salts and unknown hashes, Internal for failed decryption
 * (`decrypt: message authentication failed`); wrong argument types raise Lua's usual
 * "bad argument" error, as Wippy's Check* do. Work is charged per byte and per PBKDF2 round.
 */
import { createHmac, createCipheriv, createDecipheriv, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import {
  lua, lauxlib, LuaState, LuaFn, setFuncs, pushText, hostOf, fail, ok, pushBytes, chargeBytes, charge, setSubtable
} from '../../lua/api';
import { formatUuid } from '../../base/uuid';
import { jwtEncode, jwtVerify } from './jwt';

const MAX_RANDOM = 1024 * 1024;
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NONCE = 12;
const TAG = 16;
/** Budget units for one PBKDF2 round (two hash compressions; ~1 us). */
const WORK_PBKDF2_ROUND = 30;

function random(L: LuaState, n: number, fn: string): Buffer {
  return Buffer.from(hostOf(L).services.random(n, fn));
}

/** The length argument (luaL_checkinteger), or the `nil, err` pushed (as a negative count). */
function lengthArg(L: LuaState): number | null {
  const n = lauxlib.luaL_checkinteger(L, 1);
  if (n <= 0) { fail(L, 'Invalid', 'length must be a positive integer'); return null; }
  if (n > MAX_RANDOM) { fail(L, 'Invalid', 'length exceeds maximum allowed size (1MB)'); return null; }
  return n;
}

const randomBytesFn: LuaFn = (L) => {
  const n = lengthArg(L);
  if (n === null) return 2;
  chargeBytes(L, n);
  pushBytes(L, random(L, n, 'crypto.random.bytes'));
  return ok(L);
};

const randomString: LuaFn = (L) => {
  const n = lengthArg(L);
  if (n === null) return 2;
  let charset = Buffer.from(ALPHANUMERIC, 'latin1');
  if (lua.lua_type(L, 2) === lua.LUA_TSTRING) {
    charset = Buffer.from(lua.lua_tolstring(L, 2));
    if (charset.length === 0) return fail(L, 'Invalid', 'charset cannot be empty');
  }
  chargeBytes(L, n * 2);
  const buf = random(L, n, 'crypto.random.string');
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = charset[buf[i] % charset.length];
  pushBytes(L, out);
  return ok(L);
};

const randomUuid: LuaFn = (L) => {
  const b = random(L, 16, 'crypto.random.uuid');
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  pushText(L, formatUuid(b));
  return ok(L);
};

function hmacFn(alg: string): LuaFn {
  return (L) => {
    const key = lauxlib.luaL_checklstring(L, 1);
    const data = lauxlib.luaL_checklstring(L, 2);
    if (key.length === 0) return fail(L, 'Invalid', 'key cannot be empty');
    chargeBytes(L, key.length + data.length);
    pushText(L, createHmac(alg, key).update(data).digest('hex'));
    return ok(L);
  };
}

interface Cipher { fn: string; name: (keyLen: number) => string | null; keyError: string }
const AES: Cipher = { fn: 'aes', name: (n) => ([16, 24, 32].includes(n) ? `aes-${n * 8}-gcm` : null), keyError: 'key must be 16, 24, or 32 bytes' };
const CHACHA: Cipher = { fn: 'chacha20', name: (n) => (n === 32 ? 'chacha20-poly1305' : null), keyError: 'key must be 32 bytes' };

/** data, key, aad? -> [data, key, aad, cipher name] or the `nil, err` pushed (null). */
function cipherArgs(L: LuaState, c: Cipher): [Uint8Array, Uint8Array, Uint8Array | null, string] | null {
  const data = lauxlib.luaL_checklstring(L, 1);
  const key = lauxlib.luaL_checklstring(L, 2);
  const aad = lua.lua_type(L, 3) === lua.LUA_TSTRING ? lua.lua_tolstring(L, 3) : null;
  const name = c.name(key.length);
  if (!name) { fail(L, 'Invalid', c.keyError); return null; }
  chargeBytes(L, data.length * 2);
  return [data, key, aad, name];
}

function encryptFn(c: Cipher): LuaFn {
  return (L) => {
    const a = cipherArgs(L, c);
    if (!a) return 2;
    const [data, key, aad, name] = a;
    const nonce = random(L, NONCE, `crypto.encrypt.${c.fn}`);
    const cipher = createCipheriv(name as 'aes-256-gcm', key, nonce, { authTagLength: TAG });
    if (aad) cipher.setAAD(aad, { plaintextLength: data.length });
    const body = Buffer.concat([cipher.update(data), cipher.final()]);
    pushBytes(L, Buffer.concat([nonce, body, cipher.getAuthTag()]));
    return ok(L);
  };
}

function decryptFn(c: Cipher): LuaFn {
  return (L) => {
    const a = cipherArgs(L, c);
    if (!a) return 2;
    const [data, key, aad, name] = a;
    if (data.length < NONCE) return fail(L, 'Invalid', 'encrypted data too short');
    if (data.length < NONCE + TAG) return fail(L, 'Internal', 'message authentication failed', 'decrypt');
    const body = data.subarray(NONCE, data.length - TAG);
    try {
      const d = createDecipheriv(name as 'aes-256-gcm', key, data.subarray(0, NONCE), { authTagLength: TAG });
      d.setAuthTag(data.subarray(data.length - TAG));
      if (aad) d.setAAD(aad, { plaintextLength: body.length });
      pushBytes(L, Buffer.concat([d.update(body), d.final()]));
    } catch {
      return fail(L, 'Internal', 'message authentication failed', 'decrypt');
    }
    return ok(L);
  };
}

const pbkdf2: LuaFn = (L) => {
  const password = lauxlib.luaL_checklstring(L, 1);
  const salt = lauxlib.luaL_checklstring(L, 2);
  const iterations = lauxlib.luaL_checkinteger(L, 3);
  const keyLength = lauxlib.luaL_checkinteger(L, 4);
  if (password.length === 0) return fail(L, 'Invalid', 'password cannot be empty');
  if (salt.length === 0) return fail(L, 'Invalid', 'salt cannot be empty');
  if (iterations <= 0) return fail(L, 'Invalid', 'iterations must be positive');
  if (iterations > MAX_PBKDF2_ITERATIONS) return fail(L, 'Invalid', `iterations exceeds maximum (${MAX_PBKDF2_ITERATIONS})`);
  if (keyLength <= 0) return fail(L, 'Invalid', 'key length must be positive');
  if (keyLength > MAX_RANDOM) return fail(L, 'Invalid', 'key length exceeds maximum allowed size (1MB)');
  const hash = lua.lua_gettop(L) >= 5 && lua.lua_type(L, 5) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, 5) : 'sha256';
  if (hash !== 'sha256' && hash !== 'sha512') return fail(L, 'Invalid', `unsupported hash function: ${hash}`);
  const blocks = Math.ceil(keyLength / (hash === 'sha256' ? 32 : 64));
  charge(L, iterations * blocks * WORK_PBKDF2_ROUND);
  pushBytes(L, pbkdf2Sync(password, salt, iterations, keyLength, hash));
  return ok(L);
};

const constantTimeCompare: LuaFn = (L) => {
  const a = lauxlib.luaL_checklstring(L, 1);
  const b = lauxlib.luaL_checklstring(L, 2);
  chargeBytes(L, a.length);
  lua.lua_pushboolean(L, a.length === b.length && timingSafeEqual(a, b));
  return 1;
};

export function openCrypto(L: LuaState): void {
  lua.lua_createtable(L, 0, 7);
  setSubtable(L, 'random', { bytes: randomBytesFn, string: randomString, uuid: randomUuid });
  setSubtable(L, 'hmac', { sha256: hmacFn('sha256'), sha512: hmacFn('sha512') });
  setSubtable(L, 'encrypt', { aes: encryptFn(AES), chacha20: encryptFn(CHACHA) });
  setSubtable(L, 'decrypt', { aes: decryptFn(AES), chacha20: decryptFn(CHACHA) });
  setSubtable(L, 'jwt', { encode: jwtEncode, verify: jwtVerify });
  setFuncs(L, { pbkdf2, constant_time_compare: constantTimeCompare });
}
