/**
 * Wippy's env registry: the `env.storage.*` entries as storages and the `env.variable` entries
 * that name values in them, behind the `env` module (lua/services.ts `EnvApi`).
 *
 * Owns: one storage per storage entry, built once per Runtime (a memory storage's values live as
 * long as the Runtime; `os` reads the process environment when asked; `static` is its `values:`;
 * a router reads its storages in order, writes the first, and caches what it has read or written,
 * as Wippy's), and the lookup of a variable: by name (`variable:`, else its id), else, for a name
 * without a namespace, by the id `<caller's namespace>:name`, else by id. Invariants, Wippy's: only
 * declared variables can be read or set (`get_all` lists every storage's values); an empty value
 * counts as unset (the variable's `default`, else NotFound); `os` and `static` storages and
 * `readonly` variables refuse writes with PermissionDenied; every error is not retryable.
 */
import { ErrorKind, type ErrorInfo } from '../base/errors';
import type { EnvApi } from '../lua/services';
import type { EnvStorageEntry, EnvVariableEntry, Registry } from '../registry/types';

interface Storage {
  /** The value, or undefined when the storage has none. */
  get(name: string): string | undefined;
  set(name: string, value: string): ErrorInfo | null;
  list(): Record<string, string>;
}

const err = (kind: string, message: string): ErrorInfo => ({ kind, message, retryable: false });
const NOT_FOUND = err(ErrorKind.NotFound, 'environment variable not found');
const STORAGE_READ_ONLY = err(ErrorKind.PermissionDenied, 'storage is read-only');
const VARIABLE_READ_ONLY = err(ErrorKind.PermissionDenied, 'environment variable is read-only');

function memoryStorage(): Storage {
  const values = new Map<string, string>();
  return {
    get: (name) => values.get(name),
    set: (name, value) => { values.set(name, value); return null; },
    list: () => Object.fromEntries(values),
  };
}

function readOnlyStorage(read: () => Record<string, string | undefined>): Storage {
  return {
    get: (name) => (Object.prototype.hasOwnProperty.call(read(), name) ? read()[name] : undefined),
    set: () => STORAGE_READ_ONLY,
    list: () => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(read())) if (v !== undefined) out[k] = v;
      return out;
    },
  };
}

function routerStorage(storages: Storage[]): Storage {
  const cache = new Map<string, string>();
  return {
    get: (name) => {
      if (cache.has(name)) return cache.get(name);
      for (const s of storages) {
        const v = s.get(name);
        if (v !== undefined) { cache.set(name, v); return v; }
      }
      return undefined;
    },
    set: (name, value) => {
      const e = storages[0].set(name, value);
      if (e === null) cache.set(name, value);
      return e;
    },
    list: () => {
      const out: Record<string, string> = {};
      for (const s of storages) {
        for (const [k, v] of Object.entries(s.list())) {
          if (!Object.prototype.hasOwnProperty.call(out, k)) { out[k] = v; cache.set(k, v); }
        }
      }
      return out;
    },
  };
}

export class EnvRegistry {
  private readonly storages = new Map<string, Storage>();
  private readonly byName = new Map<string, EnvVariableEntry>();
  private readonly byId = new Map<string, EnvVariableEntry>();

  constructor(registry: Registry) {
    const entries = new Map<string, EnvStorageEntry>();
    for (const e of registry.entries.values()) {
      if (e.kind === 'env.variable') { this.byName.set(e.variable, e); this.byId.set(e.id, e); }
      else if (e.kind.startsWith('env.storage.')) entries.set(e.id, e as EnvStorageEntry);
    }
    // Routers are built after what they read (the registry refuses router cycles).
    const build = (e: EnvStorageEntry): Storage => {
      let s = this.storages.get(e.id);
      if (s !== undefined) return s;
      switch (e.kind) {
        case 'env.storage.memory': s = memoryStorage(); break;
        case 'env.storage.os': s = readOnlyStorage(() => process.env); break;
        case 'env.storage.static': { const values = { ...e.values }; s = readOnlyStorage(() => values); break; }
        case 'env.storage.router': s = routerStorage(e.storages.map((id) => build(entries.get(id)!))); break;
      }
      this.storages.set(e.id, s);
      return s;
    };
    for (const e of entries.values()) build(e);
  }

  /** The registry as an entry of `callerId` sees it (null: no namespace to try). */
  forCaller(callerId: string | null): EnvApi {
    const ns = callerId !== null && callerId.includes(':') ? callerId.slice(0, callerId.indexOf(':')) : '';
    return {
      get: (name) => this.get(name, ns),
      set: (name, value) => this.set(name, value, ns),
      all: () => this.all(),
    };
  }

  private find(name: string, ns: string): EnvVariableEntry | undefined {
    return this.byName.get(name) ?? (!name.includes(':') && ns !== '' ? this.byId.get(`${ns}:${name}`) : undefined) ?? this.byId.get(name);
  }

  private get(name: string, ns: string): { value: string } | { error: ErrorInfo } {
    const v = this.find(name, ns);
    if (v === undefined) return { error: NOT_FOUND };
    const value = this.storages.get(v.storage)!.get(v.variable);
    if (value !== undefined && value !== '') return { value };
    return v.default !== '' ? { value: v.default } : { error: NOT_FOUND };
  }

  private set(name: string, value: string, ns: string): ErrorInfo | null {
    const v = this.find(name, ns);
    if (v === undefined) return NOT_FOUND;
    if (v.readonly) return VARIABLE_READ_ONLY;
    return this.storages.get(v.storage)!.set(v.variable, value);
  }

  private all(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.storages.values()) Object.assign(out, s.list());
    return out;
  }
}
