// "Did you mean …?" suggestions by edit distance.

/** Levenshtein distance (insertions, deletions, substitutions), plus adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // Three rolling rows (i − 2, i − 1, i): linear memory, no allocation per cell.
  let before = new Int32Array(n + 1);
  let prev = Int32Array.from({ length: n + 1 }, (_, j) => j);
  let row = new Int32Array(n + 1);
  for (let i = 1; i <= m; i++) {
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2]! + 1);
      row[j] = v;
    }
    [before, prev, row] = [prev, row, before];
  }
  return prev[n]!;
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  for (const c of candidates) {
    // The distance is at least the difference in length: skip candidates that cannot be close.
    if (Math.abs(c.length - word.length) > limit) continue;
    const dist = c.toLowerCase() === lower ? 0.5 : editDistance(lower, c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  // A one-letter name is a plausible typo of nothing in particular.
  return bestDistance <= limit && bestDistance < word.length ? best : undefined;
}

/** " (did you mean x?)" or "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? "" : ` (did you mean "${c}"?)`;
}
