/**
 * Services for code that is not a workflow: real clock, real timers, fresh UUIDs, direct calls.
 *
 * Owns: the live implementation of the Services contract (lua/services.ts) for function and
 * process executions. Invariant: it holds only the per-execution bits (context, call depth); the
 * shared parts (function runner, output, clock) come from the Runtime.
 */
import { randomBytes } from 'node:crypto';
import { uuidV1, uuidV4, uuidV7, type UuidVersion } from '../base/uuid';
import type { ProcessApi, Services } from '../lua/services';
import type { CallRequest, CallResult, Cancel } from '../base/payload';
import type { Clock } from '../base/clock';

export interface LiveDeps {
  call(req: CallRequest, done: (r: CallResult) => void, depth: number): Cancel;
  clock: Clock;
  print(text: string): void;
  log(level: string, message: string, fields?: Record<string, unknown>): void;
}

const started = performance.now();

export interface LiveScope {
  /** The `process` API of this execution (a process's own, or the anonymous one of a function). */
  process: ProcessApi;
  context?: Record<string, unknown>;
  /** funcs.call nesting depth (guards runaway recursion). */
  depth?: number;
}

export class LiveServices implements Services {
  private readonly ctx: Record<string, unknown>;
  private readonly depth: number;
  constructor(private readonly deps: LiveDeps, private readonly scope: LiveScope) {
    this.ctx = scope.context ?? {};
    this.depth = scope.depth ?? 0;
  }

  process(): ProcessApi {
    return this.scope.process;
  }

  workflow(): null {
    return null;
  }

  call(req: CallRequest, done: (r: CallResult) => void): Cancel {
    return this.deps.call(req, done, this.depth + 1);
  }
  sleep(ms: number, done: () => void): Cancel {
    return this.deps.clock.setTimer(ms, done);
  }
  now(): number {
    return this.deps.clock.now();
  }
  clock(): number {
    return (performance.now() - started) / 1000;
  }
  uuid(version: UuidVersion): string {
    return version === 7 ? uuidV7(this.deps.clock.now()) : version === 1 ? uuidV1(this.deps.clock.now()) : uuidV4();
  }
  random(n: number): Uint8Array {
    return new Uint8Array(randomBytes(n));
  }
  context(): Record<string, unknown> {
    return this.ctx;
  }
  print(text: string): void {
    this.deps.print(text);
  }
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.deps.log(level, message, fields);
  }
}
