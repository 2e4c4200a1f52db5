/**
 * A golden-testing session: one loaded registry used to replay and to record golden files.
 *
 * Owns: loading the Runtime the golden commands run on, with a clock that can be pointed at a
 * fresh VirtualClock for each recording (functions called by a recorded workflow read the same
 * virtual time as the workflow), and the two views the golden modules need: a ReplayEnv for
 * replay.ts and a RecordHost for record.ts. Invariants: nothing here opens a store or writes a
 * file; output printed by Lua during tests goes nowhere (test output stays one line per file).
 */
import { Runtime } from '../runtime';
import { realClock, type Clock } from '../../base/clock';
import type { Cancel } from '../../base/payload';
import type { ReplayEnv } from './replay';
import type { RecordHost } from './record';

/** A Clock that forwards to whichever clock is current (one VirtualClock per recording). */
export class ClockSlot implements Clock {
  constructor(public current: Clock = realClock) {}
  now(): number { return this.current.now(); }
  setTimer(ms: number, fn: () => void): Cancel { return this.current.setTimer(ms, fn); }
}

const silent = { print: () => {}, log: () => {} };

export class GoldenSession {
  private constructor(readonly rt: Runtime, private readonly slot: ClockSlot) {}

  /** Load the registry at `registryPath` (throws RegistryError listing every mistake). */
  static load(registryPath: string): GoldenSession {
    const slot = new ClockSlot();
    return new GoldenSession(Runtime.load(registryPath, { clock: slot, output: silent }), slot);
  }

  get replayEnv(): ReplayEnv {
    return { registry: this.rt.registry, codec: this.rt.codec, makeHost: (e, s, seed) => this.rt.makeEntryHost(e, s, seed) };
  }

  get recordHost(): RecordHost {
    const rt = this.rt;
    return {
      registry: rt.registry,
      node: rt.node,
      codec: rt.codec,
      callFunction: (req, done) => rt.functions.call(req, done, 0),
      makeHost: (e, s, seed) => rt.makeEntryHost(e, s, seed),
      useClock: (clock) => { this.slot.current = clock; },
    };
  }
}
