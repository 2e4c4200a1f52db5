/**
 * Limits on values that cross into Lua, as plain functions without Fengari, so that commands that
 * never run Lua (`wippy workflow signal`) can check payloads from outside cheaply.
 *
 * Owns: the nesting limit (codec.ts and decode.ts enforce it on Lua values and JSON text) and the
 * check of a parsed JSON value against what the decoder accepts. Invariant: a value this check
 * passes decodes into Lua.
 */

import * as fs from 'node:fs';

/** Deepest nesting of tables / JSON arrays and objects that crosses into or out of Lua. */
export const MAX_DEPTH = 200;

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Why a value parsed from JSON text (JSON.parse) cannot cross into Lua, or null when it can:
 * nesting deeper than MAX_DEPTH, a number outside the double range (JSON.parse reads `1e400` as
 * Infinity), or a string (or key) holding a lone UTF-16 surrogate (`"\ud800"` parses, but is no
 * character and has no UTF-8 form, so Lua could never hand it back). For payloads from outside (`wippy run -x` arguments, `wippy workflow signal`
 * payloads): checked before anything is started or stored, so a workflow never gets an input or a
 * signal it cannot decode.
 */
export function parsedPayloadProblem(v: unknown, path = 'value', depth = 0): string | null {
  if (depth > MAX_DEPTH) return `it is nested deeper than ${MAX_DEPTH} levels (the limit for values that cross into Lua)`;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `the number at ${path} is too large (JSON numbers must fit a 64-bit float)`;
  if (typeof v === 'string') return surrogateProblem(v, `the string at ${path}`);
  if (v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = parsedPayloadProblem(v[i], `${path}[${i + 1}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = surrogateProblem(k, `a key in ${path}`) ?? parsedPayloadProblem(x, keyPath(path, k), depth + 1);
    if (p) return p;
  }
  return null;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A lone surrogate in `s`, named as the JSON escape the user wrote. */
function surrogateProblem(s: string, what: string): string | null {
  const m = LONE_SURROGATE.exec(s);
  if (m === null) return null;
  const code = m[0].charCodeAt(0).toString(16);
  return `${what} holds the lone surrogate \\u${code}, which is not a character and has no UTF-8 form; write a whole character (a surrogate pair like \\ud83d\\ude00, or the character itself)`;
}

let argvUtf8: boolean | null | undefined;

/**
 * Whether this process's command line was valid UTF-8: true, false, or null when it cannot be
 * told (no /proc). Node decodes argv as UTF-8 and turns every invalid byte into U+FFFD, so a
 * U+FFFD in an argument is either typed or the trace of bytes that were lost.
 */
function argvIsUtf8(): boolean | null {
  if (argvUtf8 !== undefined) return argvUtf8;
  let raw: Buffer;
  try { raw = fs.readFileSync('/proc/self/cmdline'); } catch { return (argvUtf8 = null); }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(raw);
    argvUtf8 = true;
  } catch {
    argvUtf8 = false;
  }
  return argvUtf8;
}

/**
 * Why command-line text (a JSON argument or payload, a topic) cannot be used as given, or null
 * (the reason reads after the text's name: `argument 1 is not valid UTF-8: ...`):
 * bytes that are not UTF-8 arrive as U+FFFD and would be stored in their place without a word.
 * A U+FFFD typed on a command line that is valid UTF-8 is accepted.
 */
export function commandLineTextProblem(raw: string): string | null {
  if (!raw.includes('\ufffd') || argvIsUtf8() === true) return null;
  return 'is not valid UTF-8: the bytes that are not arrive as U+FFFD and would be stored in their place; pass UTF-8 text, or write \\ufffd in the JSON if you mean that character';
}
