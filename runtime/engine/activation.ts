/**
 * Running workflow code: building a workflow's live instance (its Lua state, replayed from its
 * history) when the cache admits it, activating it with the records committed since its last
 * activation, and acting on what the activation hands back (hooks.ts Activation): appending its
 * commands, carrying out their effects (commands.ts), recording its outcome (lifecycle.ts), and
 * keeping or giving back its state (cache.ts).
 *
 * Owns: the order of those steps. Invariants (engine.ts says why): a workflow is activated only
 * when all its records are committed; an activation's commands are appended, in order, before
 * anything else reaches its history; a new workflow runs only once its `started` record is
 * committed; a state is built only when the cache admits it.
 */
import { WorkflowInstance, workflowSeed } from './instance';
import { WorkflowServices } from './wf-services';
import type { Activation, EngineHooks } from './hooks';
import type { GroupCommit } from './commit';
import type { InstanceCache } from './cache';
import type { CommandEffects } from './commands';
import type { Lifecycle, WfState } from './lifecycle';
import type { HistoryRecord, RecordOf } from '../store/events';
import type { LuaEntry, Registry } from '../../registry/types';
import type { Services } from '../../lua/services';
import type { LuaHost } from '../../lua/host';

export interface ActivationDeps {
  registry: Registry;
  /** What instances and their Services ask while the code runs (the engine). */
  hooks: EngineHooks;
  states: Map<string, WfState>;
  lifecycle: Lifecycle;
  commit: GroupCommit;
  cache: InstanceCache;
  commands: CommandEffects;
  makeHost(entry: LuaEntry, services: Services, seed: number): { host: LuaHost; fnRef: number };
  /** The workflow's history as committed. */
  history(id: string): HistoryRecord[];
  /** Append a record at the workflow's next index (engine.ts, the one place indices are given). */
  append(st: WfState, rec: HistoryRecord): void;
  now(): number;
}

export class Activations {
  constructor(private readonly deps: ActivationDeps) {}

  /** Act on what an activation handed back (hooks.ts Activation). */
  private conclude(st: WfState, act: Activation): void {
    // Its records first, in order: the instance's history already has them at these indices.
    for (const c of act.commands) this.deps.append(st, c.rec);
    if (act.commands.length) this.deps.commit.schedule();
    for (const c of act.commands) this.deps.commands.carryOut(st, c);
    if (act.reopened) this.deps.commands.reopen(st, act.reopened);
    const o = act.outcome;
    if (!o) { this.touch(st); return; }
    if ('parked' in o) this.deps.lifecycle.park(st, o.parked);
    else this.deps.lifecycle.finish(st, o.result);
  }

  /** A commit woke workflow `id`: run it with what was appended since, building its state first if it has none. */
  activateWhenCommitted(id: string): void {
    const st = this.deps.states.get(id);
    if (!st || st.status !== 'running') return;
    if (st.committed < st.length) { this.deps.commit.wake(id); return; }
    if (st.instance) {
      const records = st.inbox;
      st.inbox = [];
      this.conclude(st, st.instance.activate(records));
      return;
    }
    if (this.deferInstantiation(st)) return;
    this.instantiate(st, st.fresh ?? this.deps.history(id));
  }

  /**
   * True when the workflow may not have a state now (cache.ts): this turn has made its share of
   * states (it runs in the next), or there is no room (it waits, and the cache retries it).
   */
  private deferInstantiation(st: WfState): boolean {
    const a = this.deps.cache.admit(st.id, st.length);
    if (a === 'now') return false;
    if (a === 'turn') this.deps.commit.wake(st.id);
    return true;
  }

  /**
   * A new workflow starts once its `started` record is committed: it must exist before anything
   * it does (an activity may run before its own command is committed, see commit.ts) can
   * happen, or a crash could leave a side effect with no workflow to resume or compensate it.
   */
  activateNew(st: WfState): void {
    if (st.status !== 'running' || st.instance || this.deps.commit.closing) return;
    // Records may have been appended after `started` (a cancel or signal in the same turn as the
    // start): wait until they are committed too, then start from the whole history.
    if (st.committed < st.length) { this.deps.commit.wake(st.id); return; }
    if (this.deferInstantiation(st)) return;
    this.instantiate(st, st.fresh ?? this.deps.history(st.id));
  }

  /** Build a live instance from a history and replay it (a new workflow is a 1-record history). */
  private instantiate(st: WfState, history: HistoryRecord[]): void {
    const entry = this.deps.registry.entries.get(st.entry) as LuaEntry | undefined;
    if (!entry || entry.kind !== 'workflow.lua') {
      this.deps.lifecycle.park(st, `workflow ${st.id}: its entry ${st.entry} is no longer a workflow.lua in the registry; restore it and restart`);
      return;
    }
    const inst = new WorkflowInstance(this.deps.hooks, st.id, entry, history[0] as RecordOf<'started'>);
    try {
      const { host, fnRef } = this.deps.makeHost(entry, new WorkflowServices(this.deps.hooks, inst), workflowSeed(st.id));
      inst.attach(host, fnRef);
    } catch (e) {
      this.deps.lifecycle.park(st, `workflow ${st.id} (${st.entry}) cannot load its code: ${(e as Error).message}`);
      return;
    }
    st.instance = inst;
    st.inbox = [];
    st.fresh = null;
    this.deps.cache.built(st.built === true, history.length);
    st.built = true;
    this.conclude(st, inst.activate(history.slice(1)));
  }

  /** Cache bookkeeping after the workflow ran (cache.ts): keep its state, or give it back. */
  private touch(st: WfState): void {
    if (!st.instance || st.status !== 'running') return;
    if (!this.deps.cache.touch(st.id, st.instance, this.deps.now())) this.deps.lifecycle.dropInstance(st);
  }
}
