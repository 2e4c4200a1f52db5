/**
 * What Wippy has that this runtime may not: the names of Wippy's Lua modules and entry kinds.
 *
 * Owns: the rule that tells a Wippy registry's legitimate use of something not provided here
 * from a mistake. A name on these lists that the runtime does not provide loads with one warning
 * (the entry is inert, or the module fails at `require`); any other unknown name stays an error
 * with its did-you-mean, so typos are still caught. Invariants: the lists are Wippy's own names
 * as its runtime registers them (module `Name:`s and `registry.Kind` constants of the snapshot
 * read for issue 15, wippyai/runtime a70f270), exact strings, no patterns; a name the runtime
 * provides is never treated as missing, whether or not it is listed here.
 */

/** Modules a Wippy entry may list in `modules:`. */
export const WIPPY_MODULES: ReadonlySet<string> = new Set([
  'base64', 'cdc', 'channel', 'cloudstorage', 'compress', 'contract', 'crypto', 'ctx', 'env',
  'eval_runner', 'events', 'excel', 'exec', 'expr', 'fs', 'funcs', 'hash', 'html', 'http',
  'http_client', 'hub', 'io', 'json', 'logger', 'metrics', 'os', 'payload', 'pg', 'print',
  'process', 'pubsub', 'queue', 'registry', 'security', 'sql', 'store', 'stream', 'system',
  'templates', 'text', 'time', 'treesitter', 'tty', 'uuid', 'websocket', 'workflow', 'yaml',
]);

/** Entry kinds a Wippy registry may declare. */
export const WIPPY_KINDS: ReadonlySet<string> = new Set([
  'cloudstorage.s3', 'config.aws', 'contract.binding', 'contract.definition', 'db.cdc.postgres',
  'db.sql.mysql', 'db.sql.postgres', 'db.sql.sqlite', 'env.storage.file', 'exec.docker',
  'exec.native', 'fs.directory', 'fs.embed', 'function.lua', 'function.lua.bc', 'function.wasm',
  'function.wat', 'http.endpoint', 'http.router', 'http.service', 'http.static', 'library.lua',
  'library.lua.bc', 'module.lua', 'network', 'network.i2p', 'network.socks5', 'network.tailscale',
  'ns.definition', 'ns.dependency', 'ns.requirement', 'pg.scope', 'process.host', 'process.lua',
  'process.lua.bc', 'process.service', 'process.wasm', 'queue.consumer', 'queue.driver.amqp',
  'queue.driver.memory', 'queue.driver.sqs', 'queue.queue', 'registry.entry',
  'security.policy.expr', 'security.token_store', 'store.kv.crdt', 'store.kv.raft', 'store.memory',
  'store.sql', 'template.jet', 'template.set', 'temporal.client', 'temporal.worker',
  'terminal.host', 'workflow.lua', 'workflow.lua.bc',
]);

/** The warning's tail for an entry of a Wippy kind this runtime does not run. */
export function unsupportedKindNote(kind: string): string {
  return `kind ${kind} is Wippy's but not supported by wippy-ts yet; the entry is loaded inert (nothing runs it, and using it fails)`;
}

/** The warning's tail for Wippy modules this runtime does not provide. */
export function unprovidedModulesNote(names: readonly string[]): string {
  const list = names.join(', ');
  const calls = names.map((n) => `require("${n}")`).join(', ');
  return `module${names.length > 1 ? 's' : ''} ${list} ${names.length > 1 ? 'are' : 'is'} Wippy's but not provided by wippy-ts yet; ${calls} in this entry will fail`;
}
