/**
 * Pools of ready Lua states for function entries.
 *
 * Owns: creating a host for a `function.lua` entry (state, sandbox, chunk loaded from its shared prototype,
 * entry function resolved) and keeping up to `pool.size` idle ones for reuse, so a call pays
 * neither for a new state nor for compiling. Invariants: a leased host serves one call at a time;
 * the pool never blocks: when no idle host exists a new one is made (a cap on live states could
 * deadlock a function that calls itself through funcs.call); only idle hosts are capped.
 */
import { LuaHost, ModuleResolver, uncharged } from '../../lua/host';
import { compile } from '../../lua/chunks';
import type { LuaEntry } from '../../registry/types';
import type { Services } from '../../lua/services';

export interface Lease {
  host: LuaHost;
  /** Registry ref of the entry function in host.L. */
  fnRef: number;
}

export interface PoolContext {
  resolver: ModuleResolver;
  chunkName(entry: LuaEntry): string;
  budget?: number;
  /** Heap growth one activation may cause (bytes). */
  memoryLimit?: number;
  /** Services installed until the first call replaces them (load-time print/log). */
  idleServices: Services;
}

export class HostPool {
  private readonly idle: Lease[] = [];
  private readonly max: number;

  constructor(readonly entry: LuaEntry, private readonly ctx: PoolContext) {
    this.max = entry.pool ? (entry.pool.type === 'inline' ? 0 : entry.pool.size) : 8;
  }

  /** An idle host, or a new one. Throws LuaError/CompileError if the entry cannot load. */
  acquire(): Lease {
    return this.idle.pop() ?? this.create();
  }

  release(lease: Lease): void {
    lease.host.services = this.ctx.idleServices;
    if (this.idle.length < this.max) this.idle.push(lease);
  }

  get idleCount(): number {
    return this.idle.length;
  }

  private create(): Lease {
    return createEntryHost(this.ctx, this.entry, this.ctx.idleServices);
  }
}

/** A new host for a Lua entry with its chunk loaded and its entry function resolved. */
export function createEntryHost(ctx: PoolContext, entry: LuaEntry, services: Services, randomSeed?: number): Lease {
  // A new state is the runtime's memory, not the calling script's (a process spawning 10,000
  // children would otherwise hit its own memory limit).
  return uncharged(() => {
    const host = new LuaHost({ label: entry.id, resolver: ctx.resolver, services, budget: ctx.budget, memoryLimit: ctx.memoryLimit, randomSeed });
    const chunk = compile(entry.source, ctx.chunkName(entry));
    const fnRef = host.loadEntry(entry, chunk);
    return { host, fnRef };
  });
}
