/**
 * `wippy run PATH [-x ENTRY [ARG_JSON...]]`.
 *
 * Loads the registry (every mistake reported, nothing started), starts the `auto_start` entries in
 * dependency order (app/supervisor) and the workflow engine (resuming every unfinished
 * workflow in the store), then either
 * - runs one entry to completion (-x) beside them, stops them in reverse order and exits with the
 *   entry's status: its result is the last line of stdout, as JSON; an error result goes to
 *   stderr with exit status 1; a workflow that gets parked prints its report with status 3; or
 * - without -x, says which services are up and runs until SIGINT/SIGTERM, then stops them in
 *   reverse order (each within its stop_timeout) and exits 0. A second signal while stopping
 *   exits at once with status 130. With no auto_start entry it says so and exits 0; when every
 *   auto_start service failed to start (and none is waiting to restart) it says so and exits 1
 *   instead of waiting. The summary line counts only services that are up now.
 * Invariants: nothing starts before the -x entry is known to exist and be runnable, nor before
 * the store's lock is held when the run uses the store (a store in use fails the run before any
 * service has run; for a -x workflow the message names `wippy workflow start`), nor before every
 * auto-start http.service holds its address (a port in use fails the run with one line), nor
 * before the web UI of `--ui [PORT]` (app/ui, over this run's store) listens;
 * services are stopped before the -x result is printed, so the result stays the last line of
 * stdout; the store gets SQLite's full integrity check beside the work (never before
 * it: start-up on a large store is not held back), a -x result is printed only once that check
 * has passed, and a failed check or any corruption SQLite reports stops the node with one line
 * and exit status 4.
 *
 * Stopping while Lua runs. Node runs a signal handler only between two JS turns, and a Lua slice
 * (one activation) is one turn that nothing can interrupt; what bounds it is the instruction
 * budget: every slice ends within its budget (library work, errors and calls are charged too,
 * lua/budget.ts), about 2-5 s of CPU for the default 100M on a 2-core machine, and the
 * schedulers start no further slice in a turn once one has done heavy work. So the handler runs
 * after at most one slice. It then makes the workflow engine run no more workflow code (what did
 * not run resumes at the next start; records keep committing) and stops the services, each within
 * its stop_timeout, which the supervisor enforces by terminating the process. If the whole stop
 * is not over by the sum of those timeouts (10 s without services) plus a grace, a watchdog ends the
 * process with one line: a timer when the loop is free, and the budget hooks themselves while a
 * slice still runs (a huge --budget, a stop handler that spins), since a timer cannot fire then.
 * Nothing committed is lost by that exit: every commit is a SQLite transaction, and what was not
 * committed is what a crash would lose (the next start resumes from the store). No worker thread
 * is used: it could not hear the signal either (Node delivers signals to the main thread only).
 */
import * as fs from 'node:fs';
import { Runtime, type RuntimeOptions } from '../app/runtime';
import { isPostgresUrl, DEFAULT_LEASE_MS, DEFAULT_RENEW_MS } from '../runtime/store';
import { startOrder, readWippyConfig } from '../registry';
import { outputFor } from '../app/output';
import { exitCodeFor } from '../base/exit';
import { WippyError, ErrorCode, notJsonError, ErrorKind } from '../base/errors';
import { createLifecycle, type DownReason, type LifecycleManager, type StartReport } from '../app/supervisor';
import { reportErrorResult } from './report';
import type { CallResult } from '../base/payload';
import { commandLineTextProblem, parsedPayloadProblem } from '../lua/limits';
import { setStopDeadline } from '../lua/budget';
import { announce, startUiFor, DEFAULT_UI_HOST, DEFAULT_UI_PORT } from './ui';
import type { RunningUi } from '../app/ui';

/** The time a stop is given when no service says (the default stop_timeout), and the grace after. */
const DEFAULT_STOP_MS = 10_000;
const STOP_GRACE_MS = 2_000;

export interface RunOptions {
  exec?: string;
  db?: string;
  virtualTime?: boolean;
  budget?: number;
  maxMemory?: number;
  /** `--type-check`: type errors refuse the run (as `.wippy.yaml` `lua.type_system: {enabled: true, strict: true}`). */
  typeCheck?: boolean;
  /** `--ui [PORT]`: true without a port. */
  ui?: boolean | number;
  /** On a PostgreSQL store: `--node-id`, `--lease`, `--lease-renew` (ms). */
  nodeId?: string;
  lease?: number;
  leaseRenew?: number;
}

/** The node options of a run, checked: they need a PostgreSQL store, and the renewal must come before the lease ends. */
function nodeOptions(opts: RunOptions, store: string | null): RuntimeOptions['node'] {
  const given = opts.nodeId !== undefined || opts.lease !== undefined || opts.leaseRenew !== undefined;
  if (!given) return undefined;
  if (store === null || !isPostgresUrl(store)) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, '--node-id, --lease and --lease-renew need a PostgreSQL store (--db postgres://...): a SQLite file has one node');
  }
  if (opts.nodeId !== undefined && !/^[A-Za-z0-9._:@-]{1,100}$/.test(opts.nodeId)) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `--node-id ${JSON.stringify(opts.nodeId)}: use 1-100 letters, digits and . _ : @ -`);
  }
  const lease = opts.lease ?? DEFAULT_LEASE_MS;
  const renew = opts.leaseRenew ?? Math.min(DEFAULT_RENEW_MS, lease / 2);
  if (renew >= lease) throw new WippyError(ErrorCode.BAD_ARGUMENT, `--lease-renew (${renew} ms) must be shorter than --lease (${lease} ms), or the lease runs out between renewals`);
  return { id: opts.nodeId, leaseMs: lease, renewMs: renew };
}

/** A node of a PostgreSQL store says who it is (once its store is claimed). */
function announceNode(rt: Runtime): void {
  if (rt.nodeId !== null) process.stderr.write(`wippy: node ${rt.nodeId} joined ${rt.storeLabel()}\n`);
}

export async function runCommand(registryPath: string, rawArgs: string[], opts: RunOptions): Promise<number> {
  if (!opts.exec && rawArgs.length > 0) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `arguments (${rawArgs.join(' ')}) are only used with -x ENTRY`);
  }
  const args = rawArgs.map(parseArg);
  // --db wins over WIPPY_DB, which wins over the temporal.client's store (SPEC section 5).
  const db = opts.db || process.env.WIPPY_DB || undefined;
  // Wippy's .wippy.yaml in the folder the command runs from: the log encoding and type checking (registry/config.ts).
  const { config, warnings } = readWippyConfig(process.cwd());
  for (const w of warnings) process.stderr.write(`${w}\n`);
  const rt = Runtime.load(registryPath, {
    budget: opts.budget, db, virtualTime: opts.virtualTime, output: outputFor(config.logger.encoding),
    memoryLimit: opts.maxMemory ? opts.maxMemory * 2 ** 20 : undefined,
    onStoreDamaged: stopOnDamage,
    typeCheck: opts.typeCheck ? { enabled: true, strict: true } : config.lua.typeSystem,
  });
  rt.options.node = nodeOptions(opts, rt.storePath());
  let ui: RunningUi | null = null;
  try {
    const { lifecycle } = createLifecycle(rt);
    if (!opts.exec) return await runServices(registryPath, rt, lifecycle, opts);

    const id = rt.resolveEntryId(opts.exec);
    const entry = rt.registry.entries.get(id)!;
    if (entry.kind !== 'function.lua' && entry.kind !== 'process.lua' && entry.kind !== 'workflow.lua') {
      throw new WippyError(ErrorCode.BAD_ARGUMENT, `-x ${id}: a ${entry.kind} entry cannot be run; -x runs function.lua, process.lua and workflow.lua entries`);
    }
    // The store (its lock) is taken for a workflow entry, when an auto-start temporal.worker or
    // client will start the engine, or when --db names the store, and before anything starts: a
    // store in use fails the run before any service has run. A plain function or process run
    // does not take it (two such runs on one registry do not collide).
    const engineStarts = startOrder(rt.registry, lifecycle.autoStartIds())
      .some((id) => { const k = rt.registry.entries.get(id)?.kind; return k === 'temporal.worker' || k === 'temporal.client'; });
    if (entry.kind === 'workflow.lua' || engineStarts || opts.db) {
      claimForExec(rt, id, entry.kind === 'workflow.lua', rawArgs, opts.db ? `--db ${opts.db}` : `--registry ${registryPath}`);
      announceNode(rt);
    }
    // Listening addresses are claimed before anything starts: a port in use fails the run here.
    await lifecycle.prepare();
    ui = await runUi(rt, registryPath, opts);
    if (lifecycle.autoStartIds().length > 0) await lifecycle.start();
    if (opts.db) rt.startWorkflows();
    let r: CallResult;
    if (entry.kind === 'workflow.lua') {
      // No deadlock detection here: a workflow waiting on its inbox is not stuck, a signal can come
      // from `wippy workflow signal` at any time (the engine polls the store for them).
      const keepAlive = setInterval(() => {}, 1 << 30);
      const o = await rt.runWorkflow(id, args).then((x) => ({ outcome: x })).finally(() => clearInterval(keepAlive));
      if ('parked' in o.outcome) {
        await lifecycle.stop();
        await rt.storeChecked();
        process.stderr.write(`error: ${o.outcome.parked}\n`);
        return exitCodeFor('parked');
      } else r = o.outcome.result;
    } else {
      r = await untilDeadlock(entry.kind === 'function.lua' ? rt.callFunction(id, args) : rt.execProcess(id, null, args), id);
    }
    await lifecycle.stop();
    // Nothing is reported from a store whose check has not passed (on a damaged one,
    // stopOnDamage ends the process here with its one line).
    await rt.storeChecked();
    if (r.error) {
      reportErrorResult(r.error);
      return exitCodeFor('failed');
    }
    process.stdout.write(`${r.value ?? 'null'}\n`);
    return exitCodeFor('ok');
  } finally {
    await ui?.close();
    rt.close();
  }
}

/**
 * `--ui [PORT]`: the web UI over this run's store, with its registry (after the store is claimed
 * and before anything starts, like every listening address of the run); null without --ui.
 */
async function runUi(rt: Runtime, registryPath: string, opts: RunOptions): Promise<RunningUi | null> {
  if (opts.ui === undefined || opts.ui === false) return null;
  const storePath = rt.storePath();
  if (storePath === null || storePath === ':memory:') {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `--ui: ${storePath === null ? 'this registry has no temporal.client, so no workflow store' : 'the workflow store is in memory (store: ":memory:")'}; the web UI shows a store file`);
  }
  const ui = await startUiFor({
    choice: { db: storePath, registry: registryPath }, registryPath, storePath,
    loaded: { registry: rt.registry, chunkName: (e) => rt.chunkName(e) },
    host: DEFAULT_UI_HOST, port: opts.ui === true ? DEFAULT_UI_PORT : opts.ui,
  });
  announce(ui, `serving ${storePath}`);
  return ui;
}

/**
 * Take the store for `-x`; a store in use by another `wippy run` is refused (one writer per
 * store), and for a workflow the message says how to start it there instead.
 */
function claimForExec(rt: Runtime, id: string, isWorkflow: boolean, rawArgs: string[], storeFlag: string): void {
  try {
    rt.claimStore();
  } catch (e) {
    if (!isWorkflow || !(e instanceof WippyError) || e.code !== ErrorCode.STORE_LOCKED) throw e;
    const args = rawArgs.map((a) => ` '${a.replace(/'/g, "'\\''")}'`).join('');
    throw new WippyError(ErrorCode.STORE_LOCKED,
      `${e.message.replace(/; stop it first.*$/, '')}; to start workflow ${id} in the running one: wippy workflow start ${id}${args} ${storeFlag}`);
  }
}

/**
 * The store's background integrity check failed: one line, exit status 4, at once. Every commit
 * is one synchronous transaction, so exiting between them loses nothing that was committed.
 */
function stopOnDamage(e: WippyError): void {
  // Synchronously: no continuation (a -x result waiting to be printed) may run after this.
  try { fs.writeSync(2, `error: ${e.message}\n`); } catch { /* stderr is gone: the status still says it */ }
  process.exit(exitCodeFor(e));
}

/** Long-running mode: start, report, wait for a signal, stop. */
async function runServices(registryPath: string, rt: Runtime, lifecycle: LifecycleManager, opts: RunOptions): Promise<number> {
  // Listen first: a Ctrl-C while unfinished workflows are being resumed must stop cleanly (Node's
  // default would kill the process mid-commit).
  const signal = nextSignal();
  // Services blocked on their inboxes leave Node nothing to do; keep it alive until told to stop.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let ui: RunningUi | null = null;
  try {
    // The store's lock first, then the listening addresses, before anything starts (a store in use
    // or a port in use fails the run with one line, and nothing has run).
    rt.claimStore();
    announceNode(rt);
    await lifecycle.prepare();
    ui = await runUi(rt, registryPath, opts);
    const engine = rt.startWorkflows();
    if (engine && engine.active > 0) process.stderr.write(`wippy: resumed ${engine.active} unfinished workflow${engine.active === 1 ? '' : 's'}\n`);
    if (lifecycle.autoStartIds().length === 0 && !engine) {
      process.stderr.write(`wippy: nothing to run in ${registryPath}: no entry has lifecycle.auto_start: true (use -x ENTRY to run one)\n`);
      return exitCodeFor('ok');
    }
    const report = await lifecycle.start();
    const up = lifecycle.running();
    const down = lifecycle.notRunning();
    if (up.length === 0 && report.failed.length > 0 && !down.some((d) => d.restarting)) {
      // Nothing came up: say so and stop rather than wait for a Ctrl-C with nothing running.
      process.stderr.write(`${summary(report, up, down).replace(/ \(Ctrl-C to stop\)$/, '')}\n`);
      await lifecycle.stop();
      return exitCodeFor('failed');
    }
    process.stderr.write(`${summary(report, up, down)}\n`);
    const sig = await signal.received;
    process.stderr.write(`wippy: ${sig} received; stopping\n`);
    engine?.quiesce();
    armStopWatchdog((lifecycle.stopTimeoutMs() || DEFAULT_STOP_MS) + STOP_GRACE_MS);
    signal.onAgain((again) => {
      process.stderr.write(`wippy: ${again} received again; exiting without waiting\n`);
      process.exit(exitCodeFor('interrupted'));
    });
    await ui?.close();
    await lifecycle.stop();
    process.stderr.write('wippy: stopped\n');
    return exitCodeFor('ok');
  } finally {
    await ui?.close();
    clearInterval(keepAlive);
    signal.dispose();
  }
}

/**
 * End the process with one line if the stop is not over in `ms` (see the header): a timer, and the
 * budget hooks' deadline for the case where Lua is running when it passes.
 */
function armStopWatchdog(ms: number): void {
  const exit = (what: string): never => {
    process.stderr.write(`wippy: could not stop within ${ms / 1000}s: ${what}; exiting now (everything committed is kept; the rest resumes at the next start)\n`);
    process.exit(exitCodeFor('failed'));
  };
  setStopDeadline(Date.now() + ms, (label) => exit(`${label} is still running Lua`));
  setTimeout(() => exit('services are still stopping'), ms).unref();
}

/**
 * `wippy: 3 services running: app:db, app:worker, app:api (Ctrl-C to stop)`, plus those that
 * started but are not up now (failing and restarting, exited) and what did not start.
 */
function summary(report: StartReport, running: string[], down: Array<{ id: string } & DownReason>): string {
  const n = running.length;
  let line = `wippy: ${n} service${n === 1 ? '' : 's'} running${n ? `: ${running.join(', ')}` : ''}`;
  if (down.length) line += `; not running: ${down.map((d) => `${d.id} (${d.why})`).join(', ')}`;
  const notStarted = [
    ...report.failed.map((f) => `${f.id} (failed)`),
    ...report.skipped.map((s) => `${s.id} (${s.dependency ? `needs ${s.dependency}` : 'stop requested'})`),
  ];
  if (notStarted.length) line += `; not started: ${notStarted.join(', ')}`;
  return `${line} (Ctrl-C to stop)`;
}

interface SignalWait {
  received: Promise<string>;
  onAgain(fn: (sig: string) => void): void;
  dispose(): void;
}

/** The first SIGINT/SIGTERM resolves `received`; later ones go to `onAgain`. */
function nextSignal(): SignalWait {
  let resolve!: (s: string) => void;
  const received = new Promise<string>((r) => { resolve = r; });
  let first = true;
  let again: ((sig: string) => void) | null = null;
  const handler = (sig: NodeJS.Signals): void => {
    if (first) { first = false; resolve(sig); } else again?.(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    received,
    onAgain: (fn) => { again = fn; },
    dispose: () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); },
  };
}

/**
 * Resolve with the entry's result, or with a deadlock error when Node runs out of work while
 * the entry still waits (a receive that nothing will ever answer). With services running, timers
 * may keep Node busy, so a deadlock beside them may go unnoticed; that is accepted.
 */
function untilDeadlock<T>(p: Promise<T>, id: string): Promise<T | CallResult> {
  return new Promise((resolve) => {
    const onIdle = () => resolve({ error: { kind: ErrorKind.Internal, message: `deadlock: ${id} is waiting for a message, channel or event that nothing will ever send` } });
    process.once('beforeExit', onIdle);
    p.then((r) => { process.off('beforeExit', onIdle); resolve(r); });
  });
}

function parseArg(raw: string, i: number): string {
  const text = commandLineTextProblem(raw);
  if (text) throw new WippyError(ErrorCode.BAD_ARGUMENT, `argument ${i + 1} ${text}`);
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw notJsonError(`argument ${i + 1}`, raw, 'each argument is one JSON value');
  }
  // Valid JSON that Lua cannot hold would otherwise start (and record) a workflow that fails to decode it.
  const problem = parsedPayloadProblem(v, 'value');
  if (problem) throw new WippyError(ErrorCode.BAD_ARGUMENT, `argument ${i + 1} cannot be passed to Lua: ${problem}`);
  return raw;
}
