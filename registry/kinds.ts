/**
 * Entry kinds: which kinds exist and how each raw entry becomes its typed `Entry`.
 *
 * Owns: the kind check (a Wippy kind not run here is a warning, an unknown one an error with a
 * "did you mean" for typos), the dispatch from kind to normaliser
 * (a mapped type over `EntryKind`, so a new kind does not compile until it is handled) and the
 * normalisers of the non-Lua kinds: process.host, process.service, temporal.client,
 * temporal.worker. Invariants: required fields are reported when missing; references are
 * resolved and kind-checked; every kind with a lifecycle gets a complete one (defaults filled);
 * unknown data keys are kept in `data` and otherwise ignored, as Wippy does.
 */

import {
  ENTRY_KINDS,
  LUA_KINDS,
  type ClientEntry,
  type Entry,
  type EntryKind,
  type ProcessHostEntry,
  type ServiceEntry,
  type WorkerEntry,
} from './types';
import type { EntryContext } from './fields';
import { readLifecycle } from './lifecycle';
import { readLuaEntry } from './lua-kinds';
import { readPolicy } from './policy-kind';
import { readHttpService, readHttpRouter, readHttpEndpoint } from './http-kinds';
import { readEnvStorage, readEnvVariable } from './env-kinds';
import type { ProblemSink } from './errors';
import type { RawEntry } from './load';
import { closest } from './suggest';
import { clientStorePath } from './project';
import { WIPPY_KINDS, unsupportedKindNote } from './wippy-names';

/** Defaults for `process.host` when `host:` leaves them out. */
export const DEFAULT_HOST = Object.freeze({ workers: 8, queueSize: 1024 });

export function isEntryKind(kind: string): kind is EntryKind {
  return (ENTRY_KINDS as readonly string[]).includes(kind);
}

/**
 * Check `raw.kind`: 'run' for a kind this runtime runs; 'inert' for a Wippy kind it does not run
 * yet (one warning, the entry is kept out of `entries`); 'bad' for anything else (a problem with
 * the closest kind, ours first, then Wippy's).
 */
export function checkKind(raw: RawEntry, sink: ProblemSink): 'run' | 'inert' | 'bad' {
  if (isEntryKind(raw.kind)) return 'run';
  const where = { file: raw.file, line: raw.lineOf(['kind']), entry: raw.id, field: 'kind' };
  if (WIPPY_KINDS.has(raw.kind)) {
    sink.warn({ ...where, message: unsupportedKindNote(raw.kind) });
    return 'inert';
  }
  const near = closest(raw.kind, ENTRY_KINDS) ?? closest(raw.kind, WIPPY_KINDS);
  const valid = `valid kinds: ${ENTRY_KINDS.join(', ')}`;
  sink.add({ ...where, message: `unknown kind ${raw.kind}${near !== undefined ? ` (did you mean ${near}?)` : ''}; ${valid}` });
  return 'bad';
}

type Normaliser<K extends EntryKind> = (ctx: EntryContext, kind: K) => Entry | undefined;
const NORMALISERS: { [K in EntryKind]: Normaliser<K> } = {
  'function.lua': readLuaEntry,
  'process.lua': readLuaEntry,
  'workflow.lua': readLuaEntry,
  'library.lua': readLuaEntry,
  'process.host': readHost,
  'process.service': readService,
  'temporal.client': readClient,
  'temporal.worker': readWorker,
  'security.policy': readPolicy,
  'http.service': readHttpService,
  'http.router': readHttpRouter,
  'http.endpoint': readHttpEndpoint,
  'env.storage.memory': readEnvStorage,
  'env.storage.os': readEnvStorage,
  'env.storage.static': readEnvStorage,
  'env.storage.router': readEnvStorage,
  'env.variable': readEnvVariable,
};

/** Normalise the entry in `ctx` (its kind already checked); undefined when it is unusable. */
export function normaliseEntry(ctx: EntryContext, kind: EntryKind): Entry | undefined {
  return (NORMALISERS[kind] as Normaliser<EntryKind>)(ctx, kind);
}

export function isLuaKind(kind: string): boolean {
  return (LUA_KINDS as readonly string[]).includes(kind);
}

function base(ctx: EntryContext) {
  const r = ctx.raw;
  return { id: r.id, namespace: r.namespace, name: r.name, meta: r.meta, data: r.data, origin: { file: r.file, line: r.line } };
}

/** A required reference field; the problem names an example. */
function requiredRef(ctx: EntryContext, key: string, kind: EntryKind, example: string): string | undefined {
  const v = ctx.raw.data[key];
  if (v === undefined || v === null) {
    ctx.missing([key], `${key}: ${example}`);
    return undefined;
  }
  return ctx.ref([key], v, [kind]);
}

function readHost(ctx: EntryContext): ProcessHostEntry {
  const host = ctx.map(['host'], ctx.raw.data.host, '{workers: 8, queue_size: 1024}') ?? {};
  const rule = { integer: true, min: 1, expected: 'a whole number >= 1' };
  return {
    ...base(ctx),
    kind: 'process.host',
    workers: ctx.num(['host', 'workers'], host.workers, DEFAULT_HOST.workers, rule),
    queueSize: ctx.num(['host', 'queue_size'], host.queue_size, DEFAULT_HOST.queueSize, rule),
    lifecycle: readLifecycle(ctx),
  };
}

function readService(ctx: EntryContext): ServiceEntry | undefined {
  const process = requiredRef(ctx, 'process', 'process.lua', 'app:worker_process');
  const host = requiredRef(ctx, 'host', 'process.host', 'app:processes');
  let input: unknown[] = [];
  const raw = ctx.raw.data.input;
  if (Array.isArray(raw)) input = raw;
  else if (raw !== undefined && raw !== null) {
    ctx.problem(['input'], `expected a list of arguments for main(...), e.g. input: [${JSON.stringify(raw)}]`);
  }
  const lifecycle = readLifecycle(ctx);
  if (process === undefined || host === undefined) return undefined;
  return { ...base(ctx), kind: 'process.service', process, host, input, lifecycle };
}

function readClient(ctx: EntryContext): ClientEntry {
  // Default and relative stores are anchored to the declaring file (registry/project.ts).
  const store = clientStorePath(ctx.raw.file, ctx.str(['store'], ctx.raw.data.store));
  // `address`, `namespace`, `auth`, `tls`: accepted for Wippy compatibility, unused (embedded engine).
  return { ...base(ctx), kind: 'temporal.client', store, lifecycle: readLifecycle(ctx) };
}

function readWorker(ctx: EntryContext): WorkerEntry | undefined {
  const client = requiredRef(ctx, 'client', 'temporal.client', 'app:temporal_client');
  const tq = ctx.raw.data.task_queue;
  let taskQueue: string | undefined;
  if (tq === undefined || tq === null) ctx.missing(['task_queue'], 'task_queue: orders');
  else taskQueue = ctx.str(['task_queue'], tq);
  const lifecycle = readLifecycle(ctx);
  if (client === undefined || taskQueue === undefined) return undefined;
  return { ...base(ctx), kind: 'temporal.worker', client, taskQueue, lifecycle };
}
