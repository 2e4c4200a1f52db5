/**
 * A short line diff of two JSON payloads, for golden-file reports.
 *
 * The report's `differs:` line already names the first differing path; this adds the picture when
 * the values are too big to read on one line: both payloads pretty-printed the way the golden file
 * shows them (rawjson.ts: key order and number text kept), compared line by line, with one line of
 * context around each change. Invariants: pure (no I/O); output is bounded (MAX_LINES, then "...");
 * returns nothing for values that fit on one line, for which the `differs:` line says it all.
 */
import { parseRaw, pretty, RawValue } from './rawjson';

const MAX_LINES = 14;
/** Above this many lines per side the quadratic LCS is skipped (the `differs:` line remains). */
const MAX_INPUT = 400;

function prettyLines(payload: string): string[] | null {
  let v: RawValue;
  try { v = parseRaw(payload); } catch { return null; }
  return pretty(v, '').split('\n');
}

type Op = { kind: ' ' | '-' | '+'; text: string };

/** Longest-common-subsequence edit script of two line lists. */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { ops.push({ kind: ' ', text: a[i] }); i++; j++; }
    else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) { ops.push({ kind: '-', text: a[i++] }); }
    else { ops.push({ kind: '+', text: b[j++] }); }
  }
  return ops;
}

/**
 * Diff lines (`- old`, `+ new`, `  context`) for two payloads, or [] when both fit on one line,
 * are equal, or cannot be parsed.
 */
export function payloadDiff(recorded: string | undefined, attempted: string | undefined): string[] {
  if (recorded === undefined || attempted === undefined || recorded === attempted) return [];
  const a = prettyLines(recorded);
  const b = prettyLines(attempted);
  if (!a || !b || (a.length === 1 && b.length === 1)) return [];
  if (a.length > MAX_INPUT || b.length > MAX_INPUT) return [];
  const ops = editScript(a, b);
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((op, k) => {
    if (op.kind === ' ') return;
    for (let c = Math.max(0, k - 1); c <= Math.min(ops.length - 1, k + 1); c++) keep[c] = true;
  });
  const out: string[] = [];
  let gap = false;
  for (let k = 0; k < ops.length; k++) {
    if (!keep[k]) { gap = true; continue; }
    if (gap && out.length) out.push('  ...');
    gap = false;
    out.push(`${ops[k].kind} ${ops[k].text}`);
  }
  if (out.length > MAX_LINES) return [...out.slice(0, MAX_LINES), `  ... (${out.length - MAX_LINES} more diff lines)`];
  return out;
}
