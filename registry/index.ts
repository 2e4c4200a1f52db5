/**
 * The registry's public surface: load a registry, look entries up, order them for start-up.
 *
 * Owns: nothing but the list of what other layers may use; everything else in this folder is
 * internal. Invariants: a `Registry` handed out by `loadRegistry` is fully validated (see
 * `types.ts` for what that guarantees).
 */

export * from './types';
export { loadRegistry } from './loader';
export { RegistryError, formatProblem, type Problem } from './errors';
export { getEntry, entriesOfKind, startOrder, inertEntryNote, type EntryOfKind } from './query';
export { resolveRef, dependenciesOf, LIFECYCLE_KINDS } from './refs';
export { DEFAULT_LIFECYCLE, DEFAULT_RESTART } from './lifecycle';
export { DEFAULT_POOL, POOL_TYPES, IMPORTABLE_KINDS } from './lua-kinds';
export { WIPPY_MODULES, WIPPY_KINDS } from './wippy-names';
export { DEFAULT_HOST } from './kinds';
export { projectRoot, defaultStorePath, clientStorePath, PROJECT_FILES } from './project';
export { findClients, findEntries, type FoundClient, type FoundEntry, type ClientSearch } from './clients';
export { readWippyConfig, DEFAULT_CONFIG, LOG_ENCODINGS, type WippyConfig, type LogEncoding } from './config';
