/**
 * `base64`: `encode(s) -> string` and `decode(s) -> string | nil, err`, RFC 4648 standard alphabet
 * with padding, as Wippy's module (deterministic, allowed in workflows).
 *
 * Invariants: bytes in, bytes out (binary strings round-trip); a non-string argument or malformed
 * input (wrong alphabet, missing padding, bad length, non-zero trailing bits) returns
 * `nil, err` of kind Invalid, never raises. Work is charged per byte.
 */
import {
  lua, LuaState, LuaFn, setFuncs, fail, ok, bytesArg, pushBytes, chargeBytes
} from '../lua/api';

const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TAIL_BITS: Record<number, number> = { 2: 0x0f, 3: 0x03 };

/** The first offset where `s` stops being strict padded base64 (as Go's "illegal base64 data at input byte N"). */
function illegalAt(s: string): number {
  const alpha = /[A-Za-z0-9+/]/;
  let i = 0;
  while (i < s.length && alpha.test(s[i])) i++;
  if (i === s.length) return s.length % 4 === 0 ? -1 : s.length - (s.length % 4 === 1 ? 1 : 0);
  if (s[i] !== '=') return i;
  const rest = i % 4;
  if (rest < 2) return i;
  const pad = 4 - rest;
  for (let k = 0; k < pad; k++) if (s[i + k] !== '=') return i + k;
  return i + pad < s.length ? i + pad : -1;
}

const encode: LuaFn = (L) => {
  const b = bytesArg(L, 1);
  if (b === null) return fail(L, 'Invalid', 'string expected');
  chargeBytes(L, b.length);
  lua.lua_pushstring(L, new Uint8Array(Buffer.from(Buffer.from(b).toString('base64'), 'latin1')));
  return ok(L);
};

const decode: LuaFn = (L) => {
  const b = bytesArg(L, 1);
  if (b === null) return fail(L, 'Invalid', 'string expected');
  chargeBytes(L, b.length);
  const s = Buffer.from(b).toString('latin1');
  let bad = STRICT.test(s) ? -1 : Math.max(0, illegalAt(s));
  if (bad < 0 && s.length > 0) {
    // Go refuses non-zero bits after the last full byte (e.g. "QR==").
    const tail = s.replace(/=+$/, '');
    const mask = TAIL_BITS[tail.length % 4];
    if (mask !== undefined) {
      const v = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(tail[tail.length - 1]);
      if ((v & mask) !== 0) bad = tail.length - 1;
    }
  }
  if (bad >= 0) return fail(L, 'Invalid', `illegal base64 data at input byte ${bad}`, 'decode failed');
  pushBytes(L, new Uint8Array(Buffer.from(s, 'base64')));
  return ok(L);
};

/** The module's signature for the type checker (Wippy's: a failure is `nil, err`). */
export const BASE64_TYPES = '{encode: (data: string) -> (string, error?), decode: (data: string) -> (string, error?)}';

export function openBase64(L: LuaState): void {
  lua.lua_createtable(L, 0, 2);
  setFuncs(L, { encode, decode });
}
