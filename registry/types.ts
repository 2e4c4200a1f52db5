/**
 * The registry's data model: what the loader produces and every other layer consumes.
 *
 * Owns: entry kinds and the normalised shape of each kind. Invariants: every id is `ns:name`;
 * every reference inside an entry (imports, service process/host, worker client, workflow worker,
 * lifecycle.requires) is already resolved to a full id that exists and has the right kind;
 * durations are numbers of milliseconds (floats allowed); paths are absolute.
 */

import type { Problem } from './errors';
import type { PolicyDef } from '../base/security';

export const ENTRY_KINDS = [
  'function.lua', 'process.lua', 'workflow.lua', 'library.lua',
  'process.host', 'process.service', 'temporal.client', 'temporal.worker', 'security.policy',
  'http.service', 'http.router', 'http.endpoint',
  'env.storage.memory', 'env.storage.os', 'env.storage.static', 'env.storage.router', 'env.variable',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const LUA_KINDS = ['function.lua', 'process.lua', 'workflow.lua', 'library.lua'] as const;
export type LuaKind = (typeof LUA_KINDS)[number];

/** Where an entry was declared: for messages that name file, entry and field. */
export interface Origin {
  /** Absolute path of the YAML file. */
  file: string;
  /** 1-based line of the entry in the YAML file, when known. */
  line?: number;
}

interface EntryBase {
  /** `namespace:name`. */
  id: string;
  namespace: string;
  name: string;
  kind: EntryKind;
  meta: Record<string, unknown>;
  /** Every key besides name/kind/meta, as written (references not rewritten). */
  data: Record<string, unknown>;
  origin: Origin;
}

export interface PoolConfig {
  /** Wippy's pool types; all are served by one bounded pool here (`inline` = size 1, no reuse). */
  type: 'inline' | 'lazy' | 'static' | 'adaptive';
  /** Most states kept alive for this entry. */
  size: number;
}

export interface LuaEntry extends EntryBase {
  kind: LuaKind;
  /** Absolute path of the Lua file. */
  sourcePath: string;
  /** The Lua source as read from disk (typed Lua not yet stripped). */
  source: string;
  /** `main` unless set. */
  method: string;
  /** Names `require()` may load from the standard library. */
  modules: string[];
  /** alias -> full id of a `library.lua` or `function.lua` entry (its chunk's value is the module). */
  imports: Record<string, string>;
  /** Wippy modules listed in `modules:` that this runtime does not provide: `require` of one fails. */
  unprovided?: string[];
  /** `function.lua` only. */
  pool?: PoolConfig;
  /** `workflow.lua` only: the worker from meta.temporal.workflow.worker, resolved. */
  worker?: string;
}

export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  backoffFactor: number;
  jitter: number;
  /** Runs in all; 0 = unlimited. */
  maxAttempts: number;
}

export interface Lifecycle {
  autoStart: boolean;
  /** Full ids this entry depends on; they start first and stop last. */
  requires: string[];
  startTimeoutMs: number;
  stopTimeoutMs: number;
  stableThresholdMs: number;
  restart: RestartPolicy;
}

export interface ProcessHostEntry extends EntryBase {
  kind: 'process.host';
  workers: number;
  queueSize: number;
  lifecycle: Lifecycle;
}

export interface ServiceEntry extends EntryBase {
  kind: 'process.service';
  /** Full id of a process.lua entry. */
  process: string;
  /** Full id of a process.host entry. */
  host: string;
  /** Arguments passed to main(...). */
  input: unknown[];
  lifecycle: Lifecycle;
}

export interface ClientEntry extends EntryBase {
  kind: 'temporal.client';
  /** Absolute path of the SQLite store, or `:memory:` (default: registry/project.ts). */
  store: string;
  lifecycle: Lifecycle;
}

export interface WorkerEntry extends EntryBase {
  kind: 'temporal.worker';
  /** Full id of a temporal.client entry. */
  client: string;
  taskQueue: string;
  lifecycle: Lifecycle;
}

/** A `security.policy` entry: its definition (base/security.ts) and the groups (named scopes) it joins, as `ns:name`. */
export interface PolicyEntry extends EntryBase {
  kind: 'security.policy';
  policy: PolicyDef;
  groups: string[];
}

/** An HTTP server (`addr: "host:port"`, host empty = every interface); registry/http-kinds.ts. */
export interface HttpServiceEntry extends EntryBase {
  kind: 'http.service';
  /** As written, e.g. `:8085`, `127.0.0.1:0`. */
  addr: string;
  /** '' = every interface. */
  host: string;
  port: number;
  /** `timeouts: {read, write, idle}` in ms; 0 = none (as in Go). */
  timeouts: { readMs: number; writeMs: number; idleMs: number };
  lifecycle: Lifecycle;
}

/** A group of endpoints under `prefix`, served by the http.service in `meta.server`. */
export interface HttpRouterEntry extends EntryBase {
  kind: 'http.router';
  server: string;
  prefix: string;
  /** Wippy's middleware names: not run here (a warning at load). */
  middleware: string[];
}

/** `method path` -> a function.lua handler (`func`), on the router in `meta.router`. */
export interface HttpEndpointEntry extends EntryBase {
  kind: 'http.endpoint';
  router: string;
  /** Upper case. */
  method: string;
  /** Starts with `/`; parameters as `{name}` (`:name` is rewritten), `{name...}` for the rest. */
  path: string;
  func: string;
}

/** The storage kinds of Wippy's environment variables (runtime/env.ts runs them). */
export const ENV_STORAGE_KINDS = ['env.storage.memory', 'env.storage.os', 'env.storage.static', 'env.storage.router'] as const;
export type EnvStorageKind = (typeof ENV_STORAGE_KINDS)[number];

/** An `env.storage.*` entry: `values` for static, `storages` (full ids, in order) for router. */
export interface EnvStorageEntry extends EntryBase {
  kind: EnvStorageKind;
  values: Record<string, string>;
  storages: string[];
}

/** An `env.variable` entry: the name `env.get` finds it by, and where its value is kept. */
export interface EnvVariableEntry extends EntryBase {
  kind: 'env.variable';
  /** `variable:`, else the entry's id (Wippy's rule). */
  variable: string;
  /** Full id of an env.storage.* entry. */
  storage: string;
  /** Returned when the storage has no value (or an empty one); '' = none. */
  default: string;
  readonly: boolean;
}

export type Entry = LuaEntry | ProcessHostEntry | ServiceEntry | ClientEntry | WorkerEntry | PolicyEntry
  | HttpServiceEntry | HttpRouterEntry | HttpEndpointEntry | EnvStorageEntry | EnvVariableEntry;

export interface Registry {
  /** Absolute folder the registry was loaded from (the YAML file's folder, or the folder given). */
  root: string;
  /** Every YAML file read, absolute. */
  files: string[];
  entries: Map<string, Entry>;
  /** Entries of a Wippy kind this runtime does not run yet (loaded inert): id -> kind. */
  unsupported: Map<string, string>;
  /** What loaded with a warning (Wippy kinds and modules not provided here), one line each. */
  warnings: Problem[];
}

/** Hooks the loader calls so that it need not know the Lua host. */
export interface LoadOptions {
  /**
   * Compile-check one Lua source. Return null when it compiles, else a message that starts with
   * `chunkName:line:` as Lua reports it. Called once per Lua entry, at load time.
   */
  checkLua?: (source: string, chunkName: string) => string | null;
  /** Names of standard-library modules that `modules:` may list. Unchecked when absent. */
  knownModules?: ReadonlySet<string>;
  /** Modules a `workflow.lua` entry may list (deterministic or workflow-aware ones). */
  workflowModules?: ReadonlySet<string>;
}
