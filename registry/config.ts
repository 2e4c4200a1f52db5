/**
 * Wippy's configuration file, `.wippy.yaml`, in the folder a command runs from (SPEC section 5;
 * Wippy reads it from its working folder too).
 *
 * Owns: reading the settings this runtime honours from it: `logger.encoding`, `console` (the
 * default) or `json`; and `lua.type_system.enabled` / `strict`, Wippy's switches for type checking
 * at load (off by default; `strict: true` makes every issue an error, otherwise a warning:
 * docs/typed-lua.md). Invariants: a missing file gives the defaults; a file that cannot be
 * read or parsed, or a value this runtime does not know, gives the default with one warning line
 * naming the file (Wippy's own preload falls back the same way, silently); the other sections
 * (profiler, otel, cluster...) are Wippy's and are ignored here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { TypeCheckSetting } from './types';

export const LOG_ENCODINGS = ['console', 'json'] as const;
export type LogEncoding = (typeof LOG_ENCODINGS)[number];

export interface WippyConfig {
  logger: { encoding: LogEncoding };
  lua: { typeSystem: TypeCheckSetting };
}

export const TYPE_CHECK_OFF: Readonly<TypeCheckSetting> = Object.freeze({ enabled: false, strict: false });

export const DEFAULT_CONFIG: WippyConfig = Object.freeze({
  logger: Object.freeze({ encoding: 'console' }),
  lua: Object.freeze({ typeSystem: TYPE_CHECK_OFF }),
}) as WippyConfig;

/** The settings of `<folder>/.wippy.yaml`, and one warning line per thing ignored in it. */
export function readWippyConfig(folder: string): { config: WippyConfig; warnings: string[] } {
  const file = path.join(folder, '.wippy.yaml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { config: DEFAULT_CONFIG, warnings: [] };
    return { config: DEFAULT_CONFIG, warnings: [`${file}: warning: cannot read it (${(e as Error).message}); using the default settings`] };
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    return { config: DEFAULT_CONFIG, warnings: [`${file}: warning: invalid YAML (${first}); using the default settings`] };
  }
  const warnings: string[] = [];
  const logger = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>).logger : undefined;
  const written = logger !== null && typeof logger === 'object' ? (logger as Record<string, unknown>).encoding : undefined;
  let encoding: LogEncoding = DEFAULT_CONFIG.logger.encoding;
  if (written !== undefined && written !== null) {
    if ((LOG_ENCODINGS as readonly unknown[]).includes(written)) encoding = written as LogEncoding;
    else warnings.push(`${file}: warning: logger.encoding ${JSON.stringify(written)} is not one of ${LOG_ENCODINGS.join(', ')}; using console`);
  }
  return { config: { logger: { encoding }, lua: { typeSystem: typeSystemOf(doc, file, warnings) } }, warnings };
}

/** `lua.type_system` of the parsed file: each switch a boolean (anything else is false, with a warning). */
function typeSystemOf(doc: unknown, file: string, warnings: string[]): TypeCheckSetting {
  const get = (v: unknown, k: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);
  const ts = get(get(doc, 'lua'), 'type_system');
  const flag = (key: 'enabled' | 'strict'): boolean => {
    const v = get(ts, key);
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    warnings.push(`${file}: warning: lua.type_system.${key} ${JSON.stringify(v)} is not true or false; taken as false`);
    return false;
  };
  return { enabled: flag('enabled'), strict: flag('strict') };
}
