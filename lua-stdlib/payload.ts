/**
 * `payload` (a global, as in Wippy): `payload.new(value)`, the `payload.format` constants, and
 * payload values with `get_format()`, `data()`, `unmarshal()`, `transcode(format)` and tostring
 * `payload{format=...}`.
 *
 * Owns: the payload userdata. A payload made by `new` holds its Lua value (format `lua/any`, or
 * `golang/error` for an error object) as the userdata's user value, so `data()` gives back the
 * very value; a transcoded one holds text: `json/plain` (Wippy's json rules,
 * runtime/lua/wippyjson.ts), `yaml/plain` (keys sorted, 4-space indent, as the yaml module),
 * `text/plain` and `application/octet-stream` (a string, or a number's text). `data()` of a text
 * payload decodes it back to Lua (JSON, YAML; text as a string). Transcoding to
 * `application/msgpack` or `golang/any`, or a value a format cannot hold, is `nil, err` of kind
 * Internal (`transcode failed: ...`); nothing raises for a user's value. A payload userdata stays
 * inside the Lua state that made it: sent or returned, the codec carries its data (so a
 * forwarded `msg:payload()` arrives as the value it holds).
 */
import YAML from 'yaml';
import {
  lua, lauxlib, lstr, LuaState, LuaFn, setFuncs, pushText, setClassMetatable, bytesToText, decode, testError, wippyEncode, fail, ok, chargeBytes, pushBytes, checkBox, methodsClass,
  PAYLOAD_MT, registerPayloadType
} from '../lua/api';

export const FORMATS: Record<string, string> = {
  JSON: 'json/plain', YAML: 'yaml/plain', STRING: 'text/plain', BYTES: 'application/octet-stream',
  MSGPACK: 'application/msgpack', LUA: 'lua/any', GOLANG: 'golang/any', ERROR: 'golang/error',
};
const HELD = new Set([FORMATS.LUA, FORMATS.ERROR]);
const TEXT = new Set([FORMATS.JSON, FORMATS.YAML, FORMATS.STRING, FORMATS.BYTES]);

interface PayloadBox { format: string; bytes?: Uint8Array }

class TranscodeError extends Error {}

const check = (L: LuaState): PayloadBox => checkBox<PayloadBox>(L, PAYLOAD_MT, 'payload');

/** Push a payload; for held formats the value on top of the stack is taken as its user value. */
function pushPayload(L: LuaState, format: string, bytes?: Uint8Array): void {
  const box = lua.lua_newuserdata(L, 0) as PayloadBox;
  box.format = format;
  if (bytes) box.bytes = bytes;
  setClassMetatable(L, PAYLOAD_MT, buildClass);
  if (HELD.has(format)) {
    lua.lua_insert(L, -2);
    lua.lua_setuservalue(L, -2);
  }
}

/** Push the Lua value of a payload (decoding its text). Throws TranscodeError. */
function pushData(L: LuaState, box: PayloadBox, idx = 1): void {
  if (HELD.has(box.format)) { lua.lua_getuservalue(L, idx); return; }
  const bytes = box.bytes ?? new Uint8Array();
  chargeBytes(L, bytes.length);
  if (box.format === FORMATS.STRING || box.format === FORMATS.BYTES) { pushBytes(L, bytes); return; }
  const text = bytesToText(bytes);
  if (box.format === FORMATS.JSON) {
    try { decode(L, text, 'json'); } catch (e) { throw new TranscodeError((e as Error).message); }
    return;
  }
  let v: unknown;
  try { v = YAML.parse(text, { schema: 'core' }); } catch (e) { throw new TranscodeError((e as Error).message.split('\n')[0]); }
  decode(L, JSON.stringify(v ?? null), 'json');
}

/** The text of the value at the top of the stack in `format` (popped). Throws TranscodeError. */
function textOf(L: LuaState, format: string): Uint8Array {
  try {
    const t = lua.lua_type(L, -1);
    if (format === FORMATS.STRING || format === FORMATS.BYTES) {
      if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) throw new TranscodeError(`cannot transcode a ${bytesToText(lua.lua_typename(L, t))} to ${format}`);
      return lua.lua_tolstring(L, -1);
    }
    if (t === lua.LUA_TUSERDATA && testError(L, -1)) throw new TranscodeError(`cannot transcode an error to ${format}`);
    const json = wippyEncode(L, -1);
    const text = format === FORMATS.JSON ? json : YAML.stringify(JSON.parse(json), { indent: 4, sortMapEntries: true, lineWidth: 0 });
    return new TextEncoder().encode(text);
  } catch (e) {
    throw e instanceof TranscodeError ? e : new TranscodeError((e as Error).message);
  } finally {
    lua.lua_pop(L, 1);
  }
}

const getFormat: LuaFn = (L) => { pushText(L, check(L).format); return 1; };

function dataFn(context: string): LuaFn {
  return (L) => {
    const box = check(L);
    try { pushData(L, box); } catch (e) {
      if (e instanceof TranscodeError) return fail(L, 'Internal', e.message, context);
      throw e;
    }
    return 1;
  };
}

const transcode: LuaFn = (L) => {
  const box = check(L);
  const to = bytesToText(lauxlib.luaL_checklstring(L, 2));
  try {
    if (to === FORMATS.LUA) {
      pushData(L, box);
      pushPayload(L, testError(L, -1) ? FORMATS.ERROR : FORMATS.LUA);
    } else if (TEXT.has(to)) {
      if (box.format === to) pushPayload(L, to, box.bytes);
      else { pushData(L, box); pushPayload(L, to, textOf(L, to)); }
    } else throw new TranscodeError(`no transcoder from ${box.format} to ${to}`);
  } catch (e) {
    if (e instanceof TranscodeError) return fail(L, 'Internal', e.message, 'transcode failed');
    throw e;
  }
  return ok(L);
};

const buildClass = methodsClass('payload', { get_format: getFormat, data: dataFn('transcode failed'), unmarshal: dataFn('unmarshal failed'), transcode },
  { __tostring: (L1: LuaState) => { pushText(L1, `payload{format=${check(L1).format}}`); return 1; } });

registerPayloadType(buildClass, (L1, idx) => pushData(L1, lua.lua_touserdata(L1, idx) as PayloadBox, idx));

const newPayload: LuaFn = (L) => {
  lua.lua_settop(L, 1);
  pushPayload(L, testError(L, 1) ? FORMATS.ERROR : FORMATS.LUA);
  return 1;
};

export function openPayload(L: LuaState): void {
  lua.lua_createtable(L, 0, 2);
  setFuncs(L, { new: newPayload });
  lua.lua_createtable(L, 0, 8);
  for (const [k, v] of Object.entries(FORMATS)) { pushText(L, v); lua.lua_setfield(L, -2, lstr(k)); }
  lua.lua_setfield(L, -2, lstr('format'));
}
