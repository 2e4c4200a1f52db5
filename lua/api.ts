/**
 * The one door of the Lua modules (lua-stdlib/) into the host: everything a module may use.
 *
 * Owns: nothing of its own; it names what lua/ offers to modules, so that a module reads like
 * one of Fengari's own libraries (the Lua C API, plus a few helpers) and the rest of lua/ can
 * change behind it. tools/check-layers.ts fails on a module that imports any other lua/ file,
 * or another module. Invariants: only re-exports; what a module needs that is not here is added
 * here (from lua/, or moved down into lua/ when two modules share it), never imported around it.
 */

// The Lua C API (Fengari) and the small helpers over it.
export {
  lua, lauxlib, lstr, type LuaState, type LuaFn, setFuncs, raise, pushText, checkText, optText, bytesToText,
  bytesToUtf8OrNull, typeError, typeName, describe, setClassMetatable, pushLazyModule, toLua,
} from './vm';

// The host of the execution (its Services), and how a binding waits without blocking others.
export { hostOf, type StdModule } from './host';
export { suspend, waitFor, type Pusher } from './task';
export type { BusEvent, EventBus } from './events-bus';
export type { Services, ProcessApi, SpawnOptions, StartupMessage, WorkflowApi, MailboxApi, MailboxCodec, Message, ProcessEvent, HttpClientRequest, HttpClientResponse, WorkflowDescription } from './services';

// Values: JSON payloads both ways, error values, channels.
export { encode, CodecError, WORK_VALUE, PAYLOAD_OF } from './codec';
export { decode, pushJs, pushNumber, pushCallResult } from './decode';
export { ERROR_MT, pushError, testError, toErrorInfo, registerErrorType, ensureErrorType, errorExtras, type ErrorFrame } from './errorvalue';

// Wippy's result conventions (`value, nil` / `nil, err`), byte arguments, classes; Wippy's JSON encoder.
export { fail, failFalse, ok, bytesArg, pushBytes, charge, chargeBytes, checkBox, methodsClass, setSubtable } from './results';
export { wippyEncode, EncodeError } from './wippyjson';
export { PAYLOAD_MT, HELD_FORMAT, registerPayloadType, pushHeldPayload, pushWirePayload } from './payloadvalue';
export { Channel, type Item, type SelectCase, type SelectOutcome, trySelect, waitSelect } from './channel';
export { pushActor, pushScope, pushPolicy, testActor, testScope, testPolicy, securityMetaArg } from './security-values';
export type { SecurityApi, EnvApi } from './services';
export { pushChannel, checkChannel, pushNil, testCase, ensureChannelType } from './channelvalue';
