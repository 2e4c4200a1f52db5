/**
 * Limits on values that cross into Lua, as plain functions without Fengari, so that commands that
 * never run Lua (`wippy workflow signal`) can check payloads from outside cheaply.
 *
 * Owns: the nesting limit (codec.ts and decode.ts enforce it on Lua values and JSON text) and the
 * check of a parsed JSON value against what the decoder accepts. Invariant: a value this check
 * passes decodes into Lua.
 */

/** Deepest nesting of tables / JSON arrays and objects that crosses into or out of Lua. */
export const MAX_DEPTH = 200;

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Why a value parsed from JSON text (JSON.parse) cannot cross into Lua, or null when it can:
 * nesting deeper than MAX_DEPTH, or a number outside the double range (JSON.parse reads `1e400` as
 * Infinity). For payloads from outside (`wippy run -x` arguments, `wippy workflow signal`
 * payloads): checked before anything is started or stored, so a workflow never gets an input or a
 * signal it cannot decode.
 */
export function parsedPayloadProblem(v: unknown, path = 'value', depth = 0): string | null {
  if (depth > MAX_DEPTH) return `it is nested deeper than ${MAX_DEPTH} levels (the limit for values that cross into Lua)`;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `the number at ${path} is too large (JSON numbers must fit a 64-bit float)`;
  if (v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = parsedPayloadProblem(v[i], `${path}[${i + 1}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = parsedPayloadProblem(x, keyPath(path, k), depth + 1);
    if (p) return p;
  }
  return null;
}
