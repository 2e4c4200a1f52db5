/**
 * The values that cross between executions: payloads, call requests and results, cancellers.
 *
 * Owns: the shapes only. Invariants: a payload is JSON text (lua/codec.ts writes it, and it is
 * what the store keeps), never a parsed value, so a value crosses Lua states, processes and the
 * history unchanged; a CallResult has exactly one of `value` / `error`; a Cancel may be called at
 * any time, also after completion, and then does nothing.
 */
import type { SecurityContext } from './security';
import type { ErrorInfo } from './errors';
import type { HttpExchange } from './http';

export type Cancel = () => void;

/** A JSON payload produced by lua/codec.ts. */
export type Payload = string;

export interface CallRequest {
  /** Full id `ns:name` of a function entry. */
  id: string;
  args: Payload[];
  /** Values from `funcs.new():with_context{...}`, readable by the callee with `ctx.get`. */
  context?: Record<string, unknown>;
  /** From `:with_options{...}` (e.g. `activity.retry_policy` inside workflows). */
  options?: Record<string, unknown>;
  /** Actor and scope from `:with_actor`/`:with_scope` (`security.actor()`/`scope()` in the callee). */
  security?: SecurityContext;
  /** The HTTP exchange of an `http.endpoint` handler (`http.request()`/`response()`); never passed on to nested calls. */
  http?: HttpExchange;
}

/** Exactly one of value / error. `value` is a payload (`null` for nil). */
export interface CallResult {
  value?: Payload;
  error?: ErrorInfo;
}
