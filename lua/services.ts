/**
 * The narrow interface between the Lua modules and whatever runs them.
 *
 * A Lua module (lua-stdlib/*) never talks to the function pool, the scheduler, the store or the
 * clock directly: it asks the `Services` of the execution it runs in. A plain function call gets
 * live services (runtime/functions); a workflow gets services that record and replay
 * (runtime/engine). Invariants: values cross as JSON payload text (lua/codec.ts); every
 * asynchronous method takes a completion callback, calls it at most once and never synchronously
 * re-enters Lua (the task driver defers resumption); the returned `Cancel` is safe to call after
 * completion.
 */
import type { ErrorInfo } from '../base/errors';
import type { CallRequest, CallResult, Cancel, Payload } from '../base/payload';
import type { UuidVersion } from '../base/uuid';
import type { Channel, Item } from './channel';
import type { EventBus } from './events-bus';
import type { PolicyDef, SecurityContext } from '../base/security';
import type { HttpExchange } from '../base/http';

export interface Services {
  /** Call a function entry. */
  call(req: CallRequest, done: (r: CallResult) => void): Cancel;
  /** Wake after `ms` milliseconds of this execution's clock. */
  sleep(ms: number, done: () => void): Cancel;
  /** Wall clock of this execution, in ms since the epoch (a float; virtual or recorded in workflows). */
  now(): number;
  /** Seconds of CPU-ish time for os.clock (a workflow's is derived from its clock). */
  clock(): number;
  /** A new UUID string (recorded in workflows). */
  uuid(version: UuidVersion): string;
  /** `n` cryptographically random bytes for `fn` (`crypto.random.bytes`...; recorded in workflows). */
  random(n: number, fn: string): Uint8Array;
  /** Values of the execution's context (`ctx.get`). */
  context(): Record<string, unknown>;
  /** Where `print` and the logger write. */
  print(text: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  /** The process API of this execution (`process` global). */
  process(): ProcessApi;
  /** The workflow API (`workflow` module); null outside workflows. */
  workflow(): WorkflowApi | null;
  /** The runtime's event bus (`events` module); absent or null where events are not available (workflows). */
  events?(): EventBus | null;
  /** The security context of this execution and the registry's policies (`security` module); absent = none. */
  security?(): SecurityApi | null;
  /** The registry's environment variables (`env` module); absent or null where there are none (workflows). */
  env?(): EnvApi | null;
  /** The HTTP exchange an `http.endpoint` handler runs for (`http` module); absent or null elsewhere. */
  http?(): HttpExchange | null;
  /** Outgoing HTTP (`http_client` module); absent or null where it is not allowed (workflows). */
  httpClient?(): HttpClientApi | null;
  /** A workflow's committed state (`workflow.describe`, outside workflows); absent where there is no store. */
  describeWorkflow?(idOrPid: string): WorkflowDescription | ErrorInfo;
}

/** What `workflow.describe` tells about a workflow: its row as committed in the store. */
export interface WorkflowDescription {
  id: string;
  entry: string;
  /** running, completed, failed, canceled, terminated or parked. */
  status: string;
  result: Payload | null;
  error: ErrorInfo | null;
}

/** One outgoing HTTP request (`http_client`), as the module hands it to its execution. */
export interface HttpClientRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** 0 = none. */
  timeoutMs: number;
  /** 0 = the default limit. */
  maxResponseBody: number;
  /** Connect through this Unix socket instead of the URL's host. */
  unixSocket?: string;
}

export interface HttpClientResponse {
  status: number;
  /** The final URL (after redirects). */
  url: string;
  /** Name -> values as received (Go's canonical names). */
  headers: Record<string, string[]>;
  body: Uint8Array;
}

export interface HttpClientApi {
  /** Send one request; `done` gets the response or an error text (Wippy's http_client errors are strings). */
  request(req: HttpClientRequest, done: (r: { response: HttpClientResponse } | { error: string }) => void): Cancel;
}

/**
 * What `env` asks of its execution: Wippy's env registry (runtime/env.ts) as the running entry
 * sees it (a name without a namespace may name a variable of the entry's own namespace). Failures
 * are Wippy's error values (not retryable), never exceptions.
 */
export interface EnvApi {
  get(name: string): { value: string } | { error: ErrorInfo };
  set(name: string, value: string): ErrorInfo | null;
  /** Every storage's variables, name -> value. */
  all(): Record<string, string>;
}

/**
 * What `security` asks of its execution. The context comes from the caller: `funcs.new():
 * with_actor/with_scope` sets `CallRequest.security`; a spawner sets `SpawnOptions.security` (the
 * process node hands it to the process's services, `LiveScope.security`); without one a spawned
 * process inherits its parent's (Wippy's rule).
 */
export interface SecurityApi {
  context(): SecurityContext;
  /** A `security.policy` entry's definition, or null when there is no such policy. */
  policy(id: string): PolicyDef | null;
  /** The policies of a group (named scope), or null when no policy joins that group. */
  group(id: string): PolicyDef[] | null;
}

export interface WorkflowInfo {
  workflow_id: string;
  run_id: string;
  workflow_type: string;
  task_queue: string;
  namespace: string;
  attempt: number;
  history_length: number;
  /** Bytes of the history records consumed so far (their JSON text). */
  history_size: number;
}

export interface WorkflowApi {
  info(): WorkflowInfo;
  /** The version for `change`: recorded on replay, `max` for new runs, `min` for runs started before the change. */
  version(change: string, min: number, max: number): number;
  /** Start a child workflow and wait for its result. */
  exec(id: string, args: Payload[], done: (r: CallResult) => void): Cancel;
}

export interface SpawnOptions {
  /** EXIT of the child reaches this execution's events. */
  monitor?: boolean;
  /** An error exit of either side reaches the other as pid.link.down (or terminates it). */
  link?: boolean;
  /** A Spawner's (lua-stdlib/process-spawner.ts): start options (`workflow.id`...), context values, name, startup messages. */
  options?: Record<string, unknown>;
  context?: Record<string, unknown>;
  name?: string;
  messages?: StartupMessage[];
  /** The actor and scope the child runs with (`with_actor`/`with_scope`); default: the parent's. */
  security?: SecurityContext;
}

/** A message a Spawner delivers to what it starts before its first step (Wippy's `with_message`). */
export interface StartupMessage { topic: string; payloads: Payload[] }

/** What the `process` global asks of its execution (a function call is a process too: runtime/process/api.ts). */
export interface ProcessApi {
  /** Null only where the execution has no PID (a workflow's golden replay may say so). */
  pid(): string | null;
  /** The registry id of the running entry (`process.id()`); absent where not known. */
  id?(): string | null;
  /** Null where the execution has no mailbox. */
  mailbox(): MailboxApi | null;
  spawn(id: string, host: string | null, args: Payload[], opts: SpawnOptions): { pid: string } | { error: ErrorInfo };
  /** Run to completion: the child's result. */
  exec(id: string, host: string | null, args: Payload[], done: (r: CallResult) => void): Cancel;
  send(to: string, topic: string, payloads: Payload[]): ErrorInfo | null;
  cancel(pid: string, reason?: string): ErrorInfo | null;
  terminate(pid: string): ErrorInfo | null;
  monitor(pid: string, on: boolean): ErrorInfo | null;
  link(pid: string, on: boolean): ErrorInfo | null;
  register(name: string, pid?: string): ErrorInfo | null;
  lookup(name: string): string | null;
  unregister(name: string): boolean;
  options(): { trap_links: boolean };
  setOptions(o: { trap_links?: boolean }): void;
}

export interface Message {
  topic: string;
  /** Sender PID, or '' when unknown. */
  from: string;
  payloads: Payload[];
}

export interface ProcessEvent {
  kind: 'pid.exit' | 'pid.cancel' | 'pid.link.down';
  from: string;
  /** RFC 3339 time of the event. */
  at: string;
  result?: { value?: Payload; error?: ErrorInfo };
  reason?: string;
}

/** How messages and events become Lua values (provided by lua-stdlib/process.ts). */
export interface MailboxCodec {
  message(m: Message): Item;
  event(e: ProcessEvent): Item;
  /** A message for a `listen` channel without {message=true}: its payload value(s). */
  payloadOnly(m: Message): Item;
}

/** A mailbox as its execution sees it (runtime/process/mailbox.ts is the one implementation). */
export interface MailboxApi {
  inbox(): Channel;
  events(): Channel;
  /** Subscribe a topic (glob: `*` matches any run of characters). */
  listen(pattern: string, asMessage: boolean): Channel;
  unlisten(channel: Channel): boolean;
  /** True when a message with this topic would wake a waiting receiver (golden recording asks). */
  waitingFor(topic: string): boolean;
}
