/**
 * Where a runtime's `print` and log entries go: stdout for `print`, one line per log entry on
 * stderr, in the encoding `.wippy.yaml` `logger.encoding` chooses (registry/config.ts).
 *
 * Owns: the two encodings. `console` (the default): `[level] message {fields}`. `json`: one JSON
 * object per entry, keys in zap's order as Wippy writes them (`level`, `ts` as ISO 8601 UTC with
 * milliseconds, `logger` when the entry has a name, `msg`, then the fields; a field named like one
 * of these keys is left out). Invariants: one entry
 * is exactly one line (a message's newlines stay inside the JSON string, or are printed as they
 * are in console mode, as Wippy's console encoder does); the runtime's own entries (services
 * starting, failing...) and the Lua `logger` module's share the encoding.
 */
import type { LogEncoding } from '../registry';

export interface Output {
  print(text: string): void;
  log(level: string, message: string, fields?: Record<string, unknown>): void;
}

const print = (text: string): void => { process.stdout.write(`${text}\n`); };

export const consoleOutput: Output = {
  print,
  log: (level, message, fields) => {
    const f = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    process.stderr.write(`[${level}] ${message}${f}\n`);
  },
};

/** One log entry as Wippy's JSON encoding writes it. */
export function jsonLogLine(level: string, message: string, fields: Record<string, unknown> | undefined, now: Date): string {
  const { logger, ...rest } = fields ?? {};
  const head: Record<string, unknown> = { level, ts: now.toISOString() };
  if (logger !== undefined) head.logger = logger;
  head.msg = message;
  for (const [k, v] of Object.entries(rest)) if (!(k in head)) head[k] = v;
  return JSON.stringify(head);
}

export const jsonOutput: Output = {
  print,
  log: (level, message, fields) => { process.stderr.write(`${jsonLogLine(level, message, fields, new Date())}\n`); },
};

export function outputFor(encoding: LogEncoding): Output {
  return encoding === 'json' ? jsonOutput : consoleOutput;
}
