/**
 * "Did you mean ...?" suggestions for misspelt kinds, ids, modules and keys.
 *
 * Owns: the edit distance and the rule for when a candidate is close enough to suggest.
 * Invariants: suggestions are deterministic (ties go to the candidate listed first after
 * sorting), and nothing is suggested when no candidate is reasonably close.
 */

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate closest to `word`, or undefined when none is close: within a third of the
 * word's length (at least 2 edits), compared case-insensitively.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of [...candidates].sort()) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return bestDist <= limit ? best : undefined;
}

/** ` (did you mean X?)` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean ${c}?)`;
}
