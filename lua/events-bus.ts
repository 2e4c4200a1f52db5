/**
 * The event bus contract (`events` module): what a module asks of the runtime's bus.
 *
 * Owns: the shape of a bus event and of a subscription, and Wippy's pattern rule. The bus
 * itself lives in runtime/events/bus.ts (one per Runtime); the module reaches it through
 * `Services.events()`. Invariants: an event's `data` crosses as JSON payload text (values never
 * cross states any other way); a pattern matches as Wippy's event dispatcher does: `""` or `"*"`
 * matches everything, a trailing `*` is a prefix match, anything else is an exact match.
 */

export interface BusEvent {
  system: string;
  kind: string;
  path: string;
  /** Payload text of the event's data (lua/codec.ts 'payload' mode), absent when none was sent. */
  data?: string;
}

export interface EventBus {
  /** Deliver every matching event to `deliver` until the returned function is called. */
  subscribe(system: string, kind: string, deliver: (e: BusEvent) => void): () => void;
  send(e: BusEvent): void;
}

/** Wippy's glob: `*`/empty matches all, `prefix*` matches by prefix, else equality. */
export function matchEventPattern(pattern: string, value: string): boolean {
  if (pattern === '' || pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}
