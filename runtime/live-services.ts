/**
 * Services for code that is not a workflow: real clock, real timers, fresh UUIDs, direct calls.
 *
 * Owns: the live implementation of the Services contract (lua/services.ts) for function and
 * process executions. Invariant: it holds only the per-execution bits (context, call depth); the
 * shared parts (function runner, output, clock) come from the Runtime.
 */
import { randomBytes } from 'node:crypto';
import { uuidV1, uuidV4, uuidV7, type UuidVersion } from '../base/uuid';
import type { HttpClientApi, ProcessApi, Services, WorkflowDescription } from '../lua/services';
import { ErrorKind, type ErrorInfo } from '../base/errors';
import type { CallRequest, CallResult, Cancel } from '../base/payload';
import type { Clock } from '../base/clock';
import type { EventBus } from '../lua/events-bus';
import type { EnvApi, SecurityApi } from '../lua/services';
import type { PolicyDef, SecurityContext } from '../base/security';
import type { HttpExchange } from '../base/http';

export interface LiveDeps {
  call(req: CallRequest, done: (r: CallResult) => void, depth: number): Cancel;
  clock: Clock;
  print(text: string): void;
  log(level: string, message: string, fields?: Record<string, unknown>): void;
  /** The runtime's event bus (absent: `events` returns an error). */
  events?: EventBus;
  /** Outgoing HTTP (`http_client`); absent: the module returns an error. */
  httpClient?: HttpClientApi;
  /** A workflow's committed row (`workflow.describe`); absent: no store. */
  describeWorkflow?(idOrPid: string): WorkflowDescription | ErrorInfo;
  /** The registry's security.policy entries: by id, and by group. */
  policies?: { policy(id: string): PolicyDef | null; group(id: string): PolicyDef[] | null };
  /** The registry's env storages and variables (runtime/env.ts); absent: `env` returns an error. */
  env?: { forCaller(callerId: string | null): EnvApi };
}

const started = performance.now();

export interface LiveScope {
  /** The `process` API of this execution (a process's own, or the anonymous one of a function). */
  process: ProcessApi;
  context?: Record<string, unknown>;
  /** funcs.call nesting depth (guards runaway recursion). */
  depth?: number;
  /** Actor and scope of this execution (a call's `CallRequest.security`, a spawn's `SpawnOptions.security`). */
  security?: SecurityContext;
  /** The HTTP exchange of an http.endpoint handler (its own; nested calls get none). */
  http?: HttpExchange;
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

  security(): SecurityApi {
    const sc = this.scope.security ?? {};
    const p = this.deps.policies;
    return { context: () => sc, policy: (id) => p?.policy(id) ?? null, group: (id) => p?.group(id) ?? null };
  }

  describeWorkflow(idOrPid: string): WorkflowDescription | ErrorInfo {
    return this.deps.describeWorkflow?.(idOrPid) ?? { kind: ErrorKind.Unavailable, message: 'this registry runs no workflows (no temporal.client and temporal.worker)', retryable: false };
  }

  httpClient(): HttpClientApi | null {
    return this.deps.httpClient ?? null;
  }

  http(): HttpExchange | null {
    return this.scope.http ?? null;
  }

  env(): EnvApi | null {
    return this.deps.env?.forCaller(this.scope.process.id?.() ?? null) ?? null;
  }

  events(): EventBus | null {
    return this.deps.events ?? null;
  }

  call(req: CallRequest, done: (r: CallResult) => void): Cancel {
    // Wippy's context flows down: the callee sees this execution's values (the caller's own
    // `with_context` values win) and, unless the caller set one, its actor and scope.
    const inherited: CallRequest = { ...req };
    if (Object.keys(this.ctx).length) inherited.context = { ...this.ctx, ...req.context };
    const sc = this.scope.security;
    if (sc && (sc.actor || sc.scope)) inherited.security = { ...sc, ...req.security };
    return this.deps.call(inherited, done, this.depth + 1);
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
