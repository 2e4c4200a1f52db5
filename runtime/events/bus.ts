/**
 * The runtime's event bus: one per Runtime, shared by every function, process and service.
 *
 * Owns: the subscription table and delivery. `send` delivers synchronously to every matching
 * subscriber, in subscription order (a subscriber only queues into a channel, so no Lua runs
 * here). Invariants: a subscriber never delays another; the `events` module holds its channel
 * weakly and unsubscribes once it is collected, so a function that subscribes and returns without
 * `sub:close()` leaks nothing for long; events emitted by the runtime
 * itself (`supervisor` / `service.update`, as Wippy's supervisor sends them) use the same path.
 */
import { matchEventPattern, type BusEvent, type EventBus } from '../../lua/events-bus';

interface Sub { system: string; kind: string; deliver: (e: BusEvent) => void }

export class RuntimeEventBus implements EventBus {
  private readonly subs = new Set<Sub>();

  subscribe(system: string, kind: string, deliver: (e: BusEvent) => void): () => void {
    const sub: Sub = { system, kind, deliver };
    this.subs.add(sub);
    return () => { this.subs.delete(sub); };
  }

  send(e: BusEvent): void {
    for (const s of [...this.subs]) {
      if (!matchEventPattern(s.system, e.system)) continue;
      if (s.kind !== '' && s.kind !== '*' && !matchEventPattern(s.kind, e.kind)) continue;
      s.deliver(e);
    }
  }

  /** Subscribers alive (tests count them). */
  get size(): number {
    return this.subs.size;
  }
}
