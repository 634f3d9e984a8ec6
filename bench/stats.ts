// Timing statistics shared by the bench scripts.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Warm-up epochs not timed: min(20, epochs/4), at least 1 (as the reference implementations). */
export function warmupEpochs(epochs: number): number {
  return Math.min(20, Math.max(1, Math.floor(epochs / 4)));
}

/**
 * Milliseconds per epoch after the warm-up, from the trainer's per-iteration timestamps
 * (elapsedMs[i] = time at the end of iteration i): the time of the timed epochs over their count,
 * like the reference implementations measure.
 */
export function msPerEpoch(elapsedMs: readonly number[]): number {
  const E = elapsedMs.length;
  const warm = warmupEpochs(E);
  if (E - warm < 1) return NaN;
  return (elapsedMs[E - 1]! - elapsedMs[warm - 1]!) / (E - warm);
}
