/**
 * The threads of one host's state: the spare thread a finished task leaves for the next one, and
 * the coroutines a script starts with `coroutine.spawn`.
 *
 * Owns: the one spare thread, the set of threads the script holds (`coroutine.running`), the
 * set of spawned tasks still running. Invariants: a thread is reused only when its task returned
 * normally and the script never held it (it would see, and could resume, the next task); a
 * reused thread's hook is rearmed first (a budget stop a pcall caught may have left it firing on
 * every instruction); a spawned coroutine starts on a later scheduler turn (its spawner keeps
 * running first), and every spawned coroutine ends when its execution ends.
 */
import { lua, LuaState } from './vm';
import { Task, TaskHost, LuaError } from './task';
import type { Services } from './services';
import { ErrorKind } from '../base/errors';

/**
 * What the threads need of their host, declared here where it is used (lua/host.ts's LuaHost is
 * the one implementation; this keeps this file from importing host.ts).
 */
export interface ThreadsHost extends TaskHost {
  readonly label: string;
  readonly services: Services;
  readonly meter: { rearm(thread: LuaState): void };
  /** Who hears about an error in a spawned coroutine (null: it is logged). */
  readonly onSpawnedError: ((e: LuaError) => void) | null;
}

export class HostThreads {
  /** A finished task's thread (and its registry ref), kept for the next task on this host. */
  private spareThread: { thread: LuaState; ref: number } | null = null;
  /**
   * Threads the script holds (coroutine.running): a later task must not run on one of them.
   * Made on first use: few scripts ask, and a weak set per state costs every minor collection.
   */
  private exposed: WeakSet<LuaState> | null = null;
  /** Tasks started by coroutine.spawn that are still running. */
  private readonly spawned = new Set<Task>();

  constructor(private readonly host: ThreadsHost) {}

  takeSpare(): { thread: LuaState; ref: number } | null {
    const s = this.spareThread;
    this.spareThread = null;
    return s;
  }

  /** The script holds `thread` (coroutine.running): never reuse it. */
  expose(thread: LuaState): void {
    (this.exposed ??= new WeakSet()).add(thread);
  }

  /**
   * Keep a thread whose task returned normally for the next task; false when one is kept already
   * or when the script may still hold it (it would see, and could resume, the next task).
   */
  recycle(thread: LuaState, ref: number): boolean {
    if (this.spareThread || this.exposed?.has(thread)) return false;
    // Its hook may have been set to fire on every instruction by a budget stop a pcall caught.
    this.host.meter.rearm(thread);
    this.spareThread = { thread, ref };
    return true;
  }

  /**
   * coroutine.spawn: the function and its `nargs` arguments are on top of L. They start in a new
   * task on the next scheduler turn (the spawner keeps running first).
   */
  spawn(L: LuaState, nargs: number): void {
    const host = this.host;
    const task = new Task(host, (outcome) => {
      this.spawned.delete(task);
      if (outcome.ok) return;
      if (host.onSpawnedError) host.onSpawnedError(outcome.error);
      else host.services.log('error', `coroutine in ${host.label} failed: ${outcome.error.message}`);
    });
    this.spawned.add(task);
    lua.lua_xmove(L, task.thread, nargs + 1);
    host.defer(() => { if (!task.done) task.start(nargs); });
  }

  /** End every spawned coroutine (their execution is over). */
  killSpawned(): void {
    for (const t of [...this.spawned]) t.kill({ kind: ErrorKind.Canceled, message: 'the execution that spawned this coroutine has ended' });
    this.spawned.clear();
  }
}
