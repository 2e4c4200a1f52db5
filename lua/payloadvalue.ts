/**
 * Payload values as the host sees them: a userdata with the `payload` module's class.
 *
 * Owns: pushing a payload that holds a Lua value (format `lua/any`), for the modules that hand
 * out payloads they did not make with `payload.new`: a message's `msg:payload()` (process) and a
 * future's result (funcs). The `payload` module (lua-stdlib/payload.ts) owns the class: it
 * registers how the metatable is built (its methods), as the errors module does for error values.
 * Invariant: every payload userdata carries `{ format }` as data and, for a held format, the value
 * as its user value, so `p:data()`, `p:get_format()` and `p:transcode()` work on all of them.
 */
import { lua, LuaState, setClassMetatable } from './vm';
import { decode } from './decode';
import { registerEncodedAs } from './codec';
import type { Payload } from '../base/payload';

export const PAYLOAD_MT = 'wippy.payload';
export const HELD_FORMAT = 'lua/any';

let buildPayloadType: (L: LuaState) => void = () => { /* the payload module registers the class */ };

/**
 * lua-stdlib/payload.ts registers how the payload class's metatable is built, and how to push a
 * payload's data: the codec encodes a payload as its data (`process.send(pid, topic, msg:payload())`).
 */
export function registerPayloadType(build: (L: LuaState) => void, pushData: (L: LuaState, idx: number) => void): void {
  buildPayloadType = build;
  registerEncodedAs(PAYLOAD_MT, pushData);
}

/** Replace the value on top of the stack with a payload holding it (format `format`). */
export function pushHeldPayload(L: LuaState, format: string = HELD_FORMAT): void {
  const box = lua.lua_newuserdata(L, 0) as { format: string };
  box.format = format;
  setClassMetatable(L, PAYLOAD_MT, buildPayloadType);
  lua.lua_insert(L, -2);
  lua.lua_setuservalue(L, -2);
}

/** Push a payload holding the decoded value of wire payload text. Throws CodecError (stack unchanged). */
export function pushWirePayload(L: LuaState, p: Payload): void {
  decode(L, p);
  pushHeldPayload(L);
}
