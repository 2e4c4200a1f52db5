/**
 * The Runtime: a loaded registry plus everything needed to run its entries.
 *
 * Owns: wiring the registry, the compiled chunks, the standard library and the function runner
 * together, and the public API used by the CLI and by tests (`Runtime.load`, `callFunction`).
 * Invariants: loading validates the whole registry (including compiling every Lua source) before
 * anything runs; a Runtime never writes to stdout/stderr itself except through `output`.
 */
import * as path from 'node:path';
import { loadRegistry, formatProblem, inertEntryNote } from '../registry';
import type { Registry, LuaEntry, LoadOptions, TypeCheckSetting } from '../registry/types';
import { checkSyntax, compile } from '../lua/chunks';
import { checkTypes } from '../lua/typecheck';
import { ModuleResolver, LuaHost } from '../lua/host';
import { FunctionRunner } from '../runtime/functions/runner';
import { createEntryHost, PoolContext } from '../runtime/functions/pool';
import { ProcessNode } from '../runtime/process/node';
import { mailboxCodec } from '../lua-stdlib/process';
import { WorkflowEngine, Outcome } from '../runtime/engine/engine';
import { openStore, storeAddress, isPostgresUrl, PgStore, startBackgroundCheck, damagedError, describeProblems, markChecked, clearChecked, newNodeId, type BackgroundCheck, type NodeOptions, type OpenedStore } from '../runtime/store';
import { VirtualClock, Clock, realClock } from '../base/clock';
import { schedulerBusy } from '../lua/scheduler';
import { routeToEngine } from './workflow-watches';
import { LiveRegistry } from './registry-api';
import { LiveServices, LiveDeps } from '../runtime/live-services';
import { RuntimeEventBus } from '../runtime/events/bus';
import { policiesOf } from '../runtime/policies';
import { NodeHttpClient } from '../runtime/http-client';
import { EnvRegistry } from '../runtime/env';
import { Resources } from '../runtime/resources';
import { GLOBAL_MODULES, MODULE_NAMES, WORKFLOW_MODULE_NAMES, stdModule } from '../lua-stdlib';
import { WippyError, ErrorCode, ErrorKind, type ErrorInfo } from '../base/errors';
import type { MailboxCodec, Services, WorkflowDescription } from '../lua/services';
import { workflowIdOfPid } from '../runtime/engine/addressing';
import type { CallRequest, CallResult, Payload } from '../base/payload';

import { consoleOutput, type Output } from './output';

export { consoleOutput, type Output } from './output';

export interface RuntimeOptions {
  /** Instructions one activation may run (default lua/host.ts DEFAULT_BUDGET). */
  budget?: number;
  output?: Output;
  clock?: Clock;
  /** `--virtual-time`: jump the clock to the next timer when everything else waits. */
  virtualTime?: boolean;
  /** `--db`: the workflow store (overrides temporal.client `store`). */
  db?: string;
  /** At most this many live workflow instances (default: a memory budget, runtime/engine/cache.ts). */
  cacheSize?: number;
  /** Heap growth (bytes) one activation of a script may cause before it is stopped. */
  memoryLimit?: number;
  /**
   * When set, the store gets SQLite's full integrity check in a worker thread once the engine has
   * started (beside the work, not before it), and this is called with the STORE_DAMAGED error if
   * the check fails. The CLI stops the node there; without it, no check runs.
   */
  onStoreDamaged?: (e: WippyError) => void;
  /** Type checking at load (bin/run.ts: `--type-check`, else `.wippy.yaml` `lua.type_system`); default: off. */
  typeCheck?: TypeCheckSetting;
  /** A PostgreSQL store's node: its id (`--node-id`, default random), lease and renewal in ms (`--lease`, `--lease-renew`). */
  node?: Partial<NodeOptions>;
  /** On a PostgreSQL store: workflows this node claims at most at start-up and per heartbeat (default: all, then 1000). */
  claimLimit?: number;
}

/** Waits between attempts to join a shared store again after losing it: doubling from the first, at most the last. */
const REJOIN_FIRST_MS = 500;
const REJOIN_MAX_MS = 10_000;

/** The load options every command uses: the compile check, the modules, and the type checker. */
export function loadOptions(typeCheck?: TypeCheckSetting): LoadOptions {
  return {
    checkLua: checkSyntax,
    knownModules: MODULE_NAMES,
    workflowModules: WORKFLOW_MODULE_NAMES,
    checkTypes: (units) => checkTypes(units, (name) => stdModule(name)?.types),
    typeCheck,
  };
}

export class Runtime {
  readonly functions: FunctionRunner;
  readonly node: ProcessNode;
  readonly clock: Clock;
  /** How mailboxes turn messages and events into Lua values (the `process` module's). */
  readonly codec: MailboxCodec = mailboxCodec;
  engine: WorkflowEngine | null = null;
  private store: OpenedStore | null = null;
  private storeCheck: BackgroundCheck | null = null;
  /** The store this run's background check covers (its `.checked` mark is cleared at close). */
  private checkedPath: string | null = null;
  private poolCtx!: PoolContext;
  readonly resolver: ModuleResolver;
  private readonly deps: LiveDeps;
  /** The event bus of this runtime (`events` module; the supervisor's service.update events). */
  readonly events = new RuntimeEventBus();
  /** The registry's databases and key-value stores (`sql`, `store` modules; their lifecycle starters). */
  readonly resources: Resources;

  private constructor(readonly registry: Registry, readonly options: RuntimeOptions) {
    const output = options.output ?? consoleOutput;
    this.resolver = {
      stdlib: stdModule,
      globals: () => [...GLOBAL_MODULES],
      library: (id) => {
        const entry = registry.entries.get(id) as LuaEntry;
        return { entry, chunk: compile(entry.source, this.chunkName(entry)) };
      },
    };
    this.clock = options.clock ?? (options.virtualTime ? new VirtualClock() : realClock);
    const env = new EnvRegistry(registry);
    this.resources = new Resources(registry, {
      now: () => this.clock.now(),
      log: (l, m) => output.log(l, m),
      env: (name, callerId) => { const r = env.forCaller(callerId).get(name); return 'value' in r ? r.value : undefined; },
    });
    this.deps = {
      call: (req, done, depth) => this.functions.call(req, done, depth),
      clock: this.clock,
      print: (t) => output.print(t),
      log: (l, m, f) => output.log(l, m, f),
      events: this.events,
      resources: this.resources,
      policies: policiesOf(registry),
      httpClient: new NodeHttpClient(),
      describeWorkflow: (id) => this.describeWorkflow(id),
      env,
      registry: new LiveRegistry(registry, loadOptions(options.typeCheck)),
    };
    this.node = new ProcessNode({
      registry,
      makeHost: (entry, services) => createEntryHost(poolCtx, entry, services),
      servicesFor: (api, from) => new LiveServices(this.deps, { process: api, context: from.context, security: from.security }),
      codec: mailboxCodec,
      now: () => this.deps.clock.now(),
      log: (level, message) => output.log(level, message),
    });
    const poolCtx: PoolContext = this.poolCtx = {
      resolver: this.resolver,
      chunkName: (e) => this.chunkName(e),
      budget: options.budget,
      memoryLimit: options.memoryLimit,
      idleServices: new LiveServices(this.deps, { process: this.node.apiFor(null) }),
    };
    // Each call runs as a process, made only if the call uses it (runtime/process/api.ts).
    this.functions = new FunctionRunner(registry, poolCtx, (req, depth) => {
      const self = this.node.apiFor(null, req.id);
      return { services: new LiveServices(this.deps, { process: self, context: req.context, depth, security: req.security, http: req.http }), self };
    });
    this.functions.processCaller = (req, entry, done) => this.node.callProcess(req, entry, done);
    if (this.clock instanceof VirtualClock) {
      this.clock.addBusyProbe(schedulerBusy);
      this.clock.addBusyProbe(() => this.resources.busy);
    }
  }

  /** Load and validate a registry (file or folder). Throws RegistryError listing every mistake. */
  static load(registryPath: string, options: RuntimeOptions = {}): Runtime {
    const registry = loadRegistry(registryPath, loadOptions(options.typeCheck));
    for (const w of registry.warnings) process.stderr.write(`${formatProblem(w, true)}\n`);
    return new Runtime(registry, options);
  }

  chunkName(entry: LuaEntry): string {
    let name = this.chunkNames.get(entry);
    if (name === undefined) {
      // Code given inline through the registry module has no file: its messages name the entry.
      name = entry.sourcePath === '' ? entry.id : path.relative(this.registry.root, entry.sourcePath) || path.basename(entry.sourcePath);
      this.chunkNames.set(entry, name);
    }
    return name;
  }

  private readonly chunkNames = new WeakMap<LuaEntry, string>();

  /** Resolve an entry id as the user typed it (`app:fn`, or `fn` when unambiguous). */
  resolveEntryId(id: string): string {
    if (this.registry.entries.has(id)) return id;
    if (!id.includes(':')) {
      const matches = [...this.registry.entries.keys()].filter((k) => k.endsWith(`:${id}`));
      if (matches.length === 1) return matches[0];
    }
    const inert = inertEntryNote(this.registry, id);
    if (inert !== undefined) throw new WippyError(ErrorCode.ENTRY_NOT_FOUND, inert);
    const near = [...this.registry.entries.keys()].filter((k) => k.includes(id.split(':').pop() ?? id));
    throw new WippyError(ErrorCode.ENTRY_NOT_FOUND, `no entry ${id} in the registry${near.length ? ` (did you mean ${near.slice(0, 3).join(', ')}?)` : ''}`);
  }

  /** Call a function entry with JSON payload arguments. */
  callFunction(id: string, args: Payload[], context: Record<string, unknown> = {}): Promise<CallResult> {
    const req: CallRequest = { id, args, context };
    return new Promise((resolve) => { this.functions.call(req, resolve, 0); });
  }

  /** A host for a Lua entry (chunk loaded, entry function resolved) with the given Services. */
  makeEntryHost(entry: LuaEntry, services: Services, seed?: number): { host: LuaHost; fnRef: number } {
    return createEntryHost(this.poolCtx, entry, services, seed);
  }

  /** Path of the workflow store: --db, else the temporal.client's `store`. Null: no workflows. */
  storePath(): string | null {
    if (this.options.db) return storeAddress(this.options.db, `--db ${this.options.db}`);
    for (const e of this.registry.entries.values()) if (e.kind === 'temporal.client') return e.store;
    return null;
  }

  /**
   * Open the workflow store and take its process lock, without starting the engine; false when
   * the registry runs no workflows. Idempotent. A run calls this before it starts anything, so a
   * store in use by another `wippy run` fails it before any service has run.
   */
  claimStore(): boolean {
    if (this.store) return true;
    const p = this.storePath();
    const hasWorkflows = [...this.registry.entries.values()].some((e) => e.kind === 'workflow.lua' || e.kind === 'temporal.worker');
    if (!p || !hasWorkflows) return false;
    // A node keeps its id when it joins again after losing the store (rejoin).
    if (isPostgresUrl(p)) this.nodeId ??= this.options.node?.id ?? newNodeId();
    // Rows written on a virtual clock are marked so: their times ran ahead of the machine's.
    this.store = openStore(p, { lock: true, virtualTime: this.options.virtualTime === true || this.clock instanceof VirtualClock, node: { ...this.options.node, id: this.nodeId ?? undefined } });
    return true;
  }

  /** How messages name the open store (its URL without a password, or its file). */
  storeLabel(): string {
    return this.store?.label.replace(/^store /, '') ?? '(no store)';
  }

  /** This run's node id on a PostgreSQL store (null on SQLite, or before the store is claimed). */
  nodeId: string | null = null;
  /** `close` was called: a rejoin in progress gives up. */
  private closing = false;

  /**
   * The shared store was lost to this node (its lease ran out, a commit was refused, the
   * connection broke): its engine has stopped and holds nothing. Join again, retrying with
   * backoff, and resume from the store what no live node owns; whoever waited for a workflow's
   * end waits on the new engine (or on the node that took the workflow over).
   */
  private rejoin(err: Error): void {
    const output = this.options.output ?? consoleOutput;
    const watchers = this.engine?.watchersLeft() ?? [];
    const label = this.store?.label ?? '';
    this.engine = null;
    // Not a clean close: the server may not answer (what we held is released by our lease or our closed connection).
    if (this.store instanceof PgStore) this.store.abandon();
    this.store = null;
    const why = label && err.message.startsWith(`${label}: `) ? err.message.slice(label.length + 2) : err.message;
    output.log('error', `${why}; node ${this.nodeId} dropped its workflows (the store keeps them; live nodes take them over) and joins again`);
    let wait = REJOIN_FIRST_MS;
    const attempt = (): void => {
      if (this.closing) return;
      try {
        const engine = this.startWorkflows();
        if (!engine) return;
        for (const [id, fn] of watchers) engine.watch(id, fn);
        output.log('info', `node ${this.nodeId} joined ${this.store!.label.replace(/^store /, '')} again (${engine.active} workflows resumed)`);
      } catch (e) {
        this.engine?.abandon();
        this.engine = null;
        if (this.store instanceof PgStore) this.store.abandon();
        this.store = null;
        output.log('warn', `node ${this.nodeId}: joining again failed (${(e as Error).message}); retrying in ${wait / 1000}s`);
        setTimeout(attempt, wait);
        wait = Math.min(wait * 2, REJOIN_MAX_MS);
      }
    };
    setTimeout(attempt, wait);
  }

  /** Open the store and start the workflow engine (resuming unfinished workflows). Idempotent. */
  startWorkflows(): WorkflowEngine | null {
    if (this.engine) return this.engine;
    if (!this.claimStore()) return null;
    const store = this.store!;
    const output = this.options.output ?? consoleOutput;
    const engine = new WorkflowEngine({
      registry: this.registry,
      store,
      clock: this.clock,
      call: (req, done) => this.functions.call(req, done, 0),
      node: this.node,
      output,
      codec: mailboxCodec,
      makeHost: (entry, services, seed) => this.makeEntryHost(entry, services, seed),
      cacheSize: this.options.cacheSize,
      onStoreLost: (err) => this.rejoin(err),
      claimLimit: this.options.claimLimit,
    });
    this.engine = engine;
    if (!this.wired) this.wireEngine();
    engine.resumeAll();
    engine.pollSignals();
    const onDamaged = this.options.onStoreDamaged;
    const p = this.storePath()!;
    if (onDamaged && p !== ':memory:' && !isPostgresUrl(p)) {
      clearChecked(p, true); // a mark left by an earlier holder (perhaps of this same pid) vouches for nothing now
      const check = startBackgroundCheck(p);
      this.storeCheck = check;
      this.checkedPath = p;
      void check.result.then((r) => {
        if (this.storeCheck !== check) return;
        if (r.problems.length > 0) onDamaged(damagedError(store.label, p, describeProblems(r.problems)));
        else if (r.error === undefined) markChecked(p);
      });
    }
    return engine;
  }

  private wired = false;

  /** Route processes to the engine of the moment, once (a node that lost its shared store gets another: rejoin). */
  private wireEngine(): void {
    this.wired = true;
    const current = (): WorkflowEngine | null => this.engine;
    if (this.clock instanceof VirtualClock) this.clock.addBusyProbe(() => current()?.busy ?? false);
    routeToEngine(this.node, current, () => this.clock.now(), outcomeResult);
  }

  /** Resolves once the store's background integrity check has ended (at once when none runs). */
  async storeChecked(): Promise<void> {
    const check = this.storeCheck;
    if (!check) return;
    check.hold();
    await check.result;
  }

  /** Start a workflow and wait for it to finish or be parked. */
  runWorkflow(id: string, args: Payload[]): Promise<Outcome> {
    const engine = this.startWorkflows();
    if (!engine) throw new WippyError(ErrorCode.BAD_ARGUMENT, `cannot run workflow ${id}: the registry has no temporal.worker (and temporal.client) to run it on`);
    const r = engine.start(id, args);
    if ('error' in r) return Promise.resolve({ result: { error: r.error } });
    return new Promise((resolve) => engine.watch(r.id, resolve));
  }

  /** A workflow's row as committed (`workflow.describe`): by id or PID; NotFound / Unavailable errors. */
  describeWorkflow(idOrPid: string): WorkflowDescription | ErrorInfo {
    if (!this.store) return { kind: ErrorKind.Unavailable, message: 'no workflow store is open in this run (the registry runs no temporal.worker)', retryable: false };
    const id = workflowIdOfPid(idOrPid) ?? idOrPid;
    const row = this.store.getWorkflow(id);
    if (!row) return { kind: ErrorKind.NotFound, message: `no workflow ${idOrPid}`, retryable: false };
    return { id: row.id, entry: row.entry, status: row.status, result: row.result, error: row.error };
  }

  /** Resolves once everything the engine has recorded so far is committed (at once without one). */
  durable(): Promise<void> {
    const engine = this.engine;
    if (!engine || engine.closed) return Promise.resolve();
    return new Promise((resolve) => engine.afterCommit(resolve));
  }

  /** Commit pending work and release the store. */
  close(): void {
    this.closing = true;
    this.storeCheck?.stop();
    this.storeCheck = null;
    if (this.checkedPath !== null) clearChecked(this.checkedPath);
    this.checkedPath = null;
    this.engine?.close();
    this.store?.close();
    this.resources.close();
    this.engine = null;
    this.store = null;
  }

  /** Run a process entry to completion (its result, like a function's). */
  execProcess(id: string, hostId: string | null, args: Payload[]): Promise<CallResult> {
    return new Promise((resolve) => { this.node.exec(id, hostId, args, null, resolve); });
  }

}

/** A workflow outcome as a call result (a parked workflow is an error to process callers). */
export function outcomeResult(o: Outcome): CallResult {
  return 'result' in o ? o.result : { error: { kind: ErrorKind.Internal, message: `workflow parked: ${o.parked.split('\n')[0]}` } };
}
