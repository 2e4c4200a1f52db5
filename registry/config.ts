/**
 * Wippy's configuration file, `.wippy.yaml`, in the folder a command runs from (SPEC section 5;
 * Wippy reads it from its working folder too).
 *
 * Owns: reading the settings this runtime honours from it; today `logger.encoding`, `console`
 * (the default) or `json`. Invariants: a missing file gives the defaults; a file that cannot be
 * read or parsed, or a value this runtime does not know, gives the default with one warning line
 * naming the file (Wippy's own preload falls back the same way, silently); the other sections
 * (profiler, otel, cluster...) are Wippy's and are ignored here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export const LOG_ENCODINGS = ['console', 'json'] as const;
export type LogEncoding = (typeof LOG_ENCODINGS)[number];

export interface WippyConfig {
  logger: { encoding: LogEncoding };
}

export const DEFAULT_CONFIG: WippyConfig = Object.freeze({ logger: Object.freeze({ encoding: 'console' }) }) as WippyConfig;

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
  return { config: { logger: { encoding } }, warnings };
}
