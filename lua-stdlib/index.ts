/**
 * The standard library index: the only place Lua modules are registered.
 *
 * Each module is one file in this folder exporting an `open*` function that pushes its table.
 * `global` modules are installed in every state without `require`; `workflowSafe` ones may be
 * listed by workflow.lua entries (deterministic, or intercepted by the workflow engine); `types`
 * is the signature the type checker gives `require` of it (lua/typecheck/; absent: `any`).
 */
import { type StdModule, lua, lstr } from '../lua/api';
import { openErrors } from './errors';
import { openJson, JSON_TYPES } from './json';
import { openUuid, UUID_TYPES } from './uuid';
import { openFuncs } from './funcs';
import { openTime } from './time/index';
import { openChannel } from './channel';
import { openProcess } from './process';
import { openWorkflow } from './workflow';
import { openCtx } from './ctx';
import { openBase64, BASE64_TYPES } from './base64';
import { openHash, HASH_TYPES } from './hash';
import { openYaml } from './yaml';
import { openPayload } from './payload';
import { openCrypto } from './crypto';
import { openText } from './text';
import { openEvents } from './events';
import { openSecurity } from './security';
import { openLogger } from './logger';
import { openRegistry } from './registry';
import { openHttp } from './http';
import { openHttpClient } from './http_client';
import { openEnv } from './env';
import { openSql } from './sql/index';
import { openStore } from './store';
import { openCompress } from './compress';
import { openMetrics } from './metrics';

export const STDLIB: readonly StdModule[] = [
  { name: 'errors', open: openErrors, global: true, workflowSafe: true },
  { name: 'channel', open: openChannel, global: true, workflowSafe: true },
  { name: 'process', open: openProcess, global: true, workflowSafe: true },
  { name: 'json', open: openJson, workflowSafe: true, types: JSON_TYPES },
  { name: 'uuid', open: openUuid, workflowSafe: true, types: UUID_TYPES },
  { name: 'time', open: openTime, workflowSafe: true },
  { name: 'funcs', open: openFuncs, workflowSafe: true },
  { name: 'workflow', open: openWorkflow, workflowSafe: true },
  { name: 'ctx', open: openCtx, workflowSafe: true },
  { name: 'base64', open: openBase64, workflowSafe: true, types: BASE64_TYPES },
  { name: 'hash', open: openHash, workflowSafe: true, types: HASH_TYPES },
  { name: 'yaml', open: openYaml, workflowSafe: true },
  { name: 'payload', open: openPayload, global: true, workflowSafe: true },
  { name: 'crypto', open: openCrypto, workflowSafe: true },
  { name: 'text', open: openText, workflowSafe: true },
  { name: 'events', open: openEvents, workflowSafe: false },
  { name: 'security', open: openSecurity, workflowSafe: false },
  { name: 'logger', open: openLogger, workflowSafe: true },
  { name: 'registry', open: openRegistry, workflowSafe: false },
  { name: 'http', open: openHttp, workflowSafe: false },
  { name: 'http_client', open: openHttpClient, workflowSafe: false },
  // The sandbox's global `os` (time, clock, date on the execution's clock): listing it in
  // `modules:` is allowed, as in Wippy, and `require("os")` gives that same table.
  { name: 'os', open: (L) => { lua.lua_getglobal(L, lstr('os')); }, workflowSafe: true },
  { name: 'env', open: openEnv, workflowSafe: false },
  { name: 'sql', open: openSql, workflowSafe: false },
  { name: 'store', open: openStore, workflowSafe: false },
  { name: 'compress', open: openCompress, workflowSafe: true },
  { name: 'metrics', open: openMetrics, workflowSafe: false },
];

const byName = new Map(STDLIB.map((m) => [m.name, m]));

export function stdModule(name: string): StdModule | undefined {
  return byName.get(name);
}

export const GLOBAL_MODULES: readonly StdModule[] = STDLIB.filter((m) => m.global);
export const MODULE_NAMES: ReadonlySet<string> = new Set(STDLIB.map((m) => m.name));
export const WORKFLOW_MODULE_NAMES: ReadonlySet<string> = new Set(STDLIB.filter((m) => m.workflowSafe).map((m) => m.name));
