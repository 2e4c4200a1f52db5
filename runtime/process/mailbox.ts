/**
 * A process's mailbox: where messages and lifecycle events land until Lua reads them.
 *
 * Owns: routing an arriving message to the channel of a matching `process.listen(topic)` or to
 * the inbox, queueing what arrives before `process.inbox()` / `process.events()` is first called,
 * and the conversion of messages and events into Lua values when they are received.
 * Invariants: nothing delivered is dropped (messages without a subscriber or inbox wait in
 * order); listeners are matched in subscription order and the first match wins; delivery never
 * blocks (the channels are unbounded).
 */
import { Channel } from '../../lua/channel';
import type { MailboxApi, MailboxCodec, Message, ProcessEvent } from '../../lua/services';

export type { MailboxCodec, Message, ProcessEvent } from '../../lua/services';

interface Listener { pattern: string; re: RegExp; channel: Channel; asMessage: boolean }

export class Mailbox implements MailboxApi {
  private inboxCh: Channel | null = null;
  private eventsCh: Channel | null = null;
  private pending: Message[] = [];
  private readonly pendingEvents: ProcessEvent[] = [];
  private readonly listeners: Listener[] = [];
  closed = false;

  constructor(private readonly codec: MailboxCodec) {}

  deliver(m: Message): void {
    if (this.closed) return;
    const l = this.listeners.find((x) => x.re.test(m.topic));
    if (l) { l.channel.trySend(l.asMessage ? this.codec.message(m) : this.codec.payloadOnly(m)); return; }
    if (this.inboxCh) this.inboxCh.trySend(this.codec.message(m));
    else this.pending.push(m);
  }

  deliverEvent(e: ProcessEvent): void {
    if (this.closed) return;
    if (this.eventsCh) this.eventsCh.trySend(this.codec.event(e));
    else this.pendingEvents.push(e);
  }

  inbox(): Channel {
    if (!this.inboxCh) {
      this.inboxCh = new Channel(Infinity);
      for (const m of this.pending.splice(0)) this.inboxCh.trySend(this.codec.message(m));
    }
    return this.inboxCh;
  }

  events(): Channel {
    if (!this.eventsCh) {
      this.eventsCh = new Channel(Infinity);
      for (const e of this.pendingEvents.splice(0)) this.eventsCh.trySend(this.codec.event(e));
    }
    return this.eventsCh;
  }

  /** True when a message with this topic would wake a waiting receiver (its listen channel, else the inbox). */
  waitingFor(topic: string): boolean {
    const l = this.listeners.find((x) => x.re.test(topic));
    if (l) return l.channel.hasReceiver;
    return this.inboxCh?.hasReceiver ?? false;
  }

  /**
   * Subscribe a topic (glob: `*` matches any run of characters). Queued matches move over. The
   * same topic (and form) gives the same channel on every call, as in Wippy.
   */
  listen(pattern: string, asMessage: boolean): Channel {
    const same = this.listeners.find((x) => x.pattern === pattern && x.asMessage === asMessage);
    if (same) return same.channel;
    const channel = new Channel(Infinity);
    const re = new RegExp(`^${pattern.split('*').map(escapeRe).join('.*')}$`);
    this.listeners.push({ pattern, re, channel, asMessage });
    // One pass (splicing each match out would be O(n) per message).
    const keep: Message[] = [];
    for (const m of this.pending) {
      if (re.test(m.topic)) channel.trySend(asMessage ? this.codec.message(m) : this.codec.payloadOnly(m));
      else keep.push(m);
    }
    this.pending = keep;
    return channel;
  }

  unlisten(channel: Channel): boolean {
    const i = this.listeners.findIndex((l) => l.channel === channel);
    if (i < 0) return false;
    this.listeners.splice(i, 1);
    channel.close();
    return true;
  }

  /** The process ended: close every channel (waiting coroutines see nil, false). */
  close(): void {
    this.closed = true;
    this.inboxCh?.close();
    this.eventsCh?.close();
    for (const l of this.listeners) l.channel.close();
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
