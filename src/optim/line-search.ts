// A line search that returns a step satisfying the strong Wolfe conditions
// (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 3.5 and 3.6):
//   sufficient decrease   φ(α) ≤ φ(0) + c₁·α·φ'(0)        (3.7a)
//   curvature             |φ'(α)| ≤ c₂·|φ'(0)|             (3.7b)
// with 0 < c₁ < c₂ < 1 and φ'(0) < 0. Trial steps come from cubic interpolation (eq. 3.59),
// safeguarded so that the bracket keeps shrinking (while zooming) or growing (while extrapolating).
// A trial whose value or derivative is not finite counts as a failed point: it closes the bracket
// from above and the next trial bisects towards the last good step.

/** φ(α) and φ'(α) at one step length. */
export interface LinePoint {
  value: number;
  derivative: number;
}

/** The 1-D objective along a search direction: φ(α) = f(x + α·d), φ'(α) = ∇f(x + α·d)ᵀd. */
export type LineFunction = (alpha: number) => LinePoint;

export interface StrongWolfeOptions {
  /** Sufficient-decrease constant (default 1e-4). */
  c1?: number;
  /** Curvature constant (default 0.9). */
  c2?: number;
  /** Most evaluations of φ (default 25). */
  maxEvals?: number;
  /** Largest step tried (default Infinity). */
  alphaMax?: number;
  /** Give up zooming when the bracket is narrower than this (default 0: only the floating-point limit). */
  minWidth?: number;
}

export interface StrongWolfeResult {
  /** The accepted step; on failure, the step with the lowest value seen (0 if none was below φ(0)). */
  alpha: number;
  value: number;
  derivative: number;
  evaluations: number;
  /** True when `alpha` satisfies both strong Wolfe conditions. */
  ok: boolean;
}

interface Trial extends LinePoint {
  alpha: number;
  /** Value or derivative not finite. */
  failed: boolean;
}

/**
 * Minimizer of the cubic that interpolates φ and φ' at a and b (N&W eq. 3.59):
 *   d₁ = φ'(a) + φ'(b) − 3(φ(a) − φ(b))/(a − b),   d₂ = sign(b − a)·√(d₁² − φ'(a)φ'(b)),
 *   α = b − (b − a)·(φ'(b) + d₂ − d₁)/(φ'(b) − φ'(a) + 2d₂).
 * NaN when the cubic has no local minimizer.
 */
export function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const t = b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
  return Number.isFinite(t) ? t : NaN;
}

/**
 * Find α > 0 along a descent direction (φ'(0) < 0) that satisfies the strong Wolfe conditions,
 * starting from the trial step `alpha0`. Never returns a step whose value is above φ(0):
 * when no Wolfe point is found within the budget, it returns the lowest point seen (`ok: false`).
 */
export function strongWolfe(
  phi: LineFunction,
  phi0: number,
  dphi0: number,
  alpha0: number,
  options: StrongWolfeOptions = {},
): StrongWolfeResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEvals = options.maxEvals ?? 25;
  const alphaMax = options.alphaMax ?? Infinity;
  const minWidth = options.minWidth ?? 0;
  if (!(c1 > 0 && c1 < c2 && c2 < 1)) throw new Error(`strongWolfe: need 0 < c1 < c2 < 1, got c1=${c1}, c2=${c2}`);
  if (!Number.isFinite(phi0)) throw new Error(`strongWolfe: phi(0) must be finite, got ${phi0}`);
  if (!(dphi0 < 0) || !Number.isFinite(dphi0)) {
    throw new Error(`strongWolfe: phi'(0) must be finite and negative (a descent direction), got ${dphi0}`);
  }
  if (!(alpha0 > 0) || !Number.isFinite(alpha0)) throw new Error(`strongWolfe: alpha0 must be finite and positive, got ${alpha0}`);
  if (!(alphaMax >= alpha0)) throw new Error(`strongWolfe: alphaMax (${alphaMax}) must be at least alpha0 (${alpha0})`);
  if (!Number.isInteger(maxEvals) || maxEvals < 1) throw new Error(`strongWolfe: maxEvals must be a positive integer, got ${maxEvals}`);
  if (!(minWidth >= 0)) throw new Error(`strongWolfe: minWidth must be non-negative, got ${minWidth}`);

  let evaluations = 0;
  let best: Trial = { alpha: 0, value: phi0, derivative: dphi0, failed: false };
  const evaluate = (alpha: number): Trial => {
    const { value, derivative } = phi(alpha);
    evaluations++;
    const failed = !Number.isFinite(value) || !Number.isFinite(derivative);
    const t: Trial = { alpha, value, derivative, failed };
    if (!failed && value < best.value) best = t;
    return t;
  };
  const done = (t: Trial, ok: boolean): StrongWolfeResult => ({
    alpha: t.alpha, value: t.value, derivative: t.derivative, evaluations, ok,
  });
  const armijoFails = (t: Trial): boolean => t.value > phi0 + c1 * t.alpha * dphi0; // violates (3.7a)
  const curvatureHolds = (t: Trial): boolean => Math.abs(t.derivative) <= -c2 * dphi0; // (3.7b)

  // Algorithm 3.6: shrink the bracket [lo, hi] (either order) that contains a Wolfe point.
  // Invariants: lo satisfies (3.7a) and has the lowest value of such points; φ'(lo)(hi − lo) < 0.
  const zoom = (lo: Trial, hi: Trial): StrongWolfeResult => {
    let stalled = false;
    for (;;) {
      if (evaluations >= maxEvals) return done(best, false);
      const left = Math.min(lo.alpha, hi.alpha);
      const right = Math.max(lo.alpha, hi.alpha);
      const width = right - left;
      if (width <= Math.max(minWidth, 4 * Number.EPSILON * right)) return done(best, false);

      let alpha: number;
      if (hi.failed) {
        alpha = 0.5 * (lo.alpha + hi.alpha);
      } else {
        alpha = cubicMinimizer(lo.alpha, lo.value, lo.derivative, hi.alpha, hi.value, hi.derivative);
        if (Number.isNaN(alpha)) alpha = 0.5 * (left + right);
        alpha = Math.min(Math.max(alpha, left), right);
        // Safeguard: a trial within 10% of an end is accepted once; if it happens again (or the
        // trial sits on an end) move it 10% inside, so the bracket shrinks geometrically.
        const margin = 0.1 * width;
        if (Math.min(right - alpha, alpha - left) < margin) {
          if (stalled || alpha <= left || alpha >= right) {
            alpha = right - alpha < alpha - left ? right - margin : left + margin;
            stalled = false;
          } else {
            stalled = true;
          }
        } else {
          stalled = false;
        }
      }

      const trial = evaluate(alpha);
      if (trial.failed || armijoFails(trial) || trial.value >= lo.value) {
        hi = trial;
      } else {
        if (curvatureHolds(trial)) return done(trial, true);
        if (trial.derivative * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = trial;
      }
    }
  };

  // Algorithm 3.5: increase α until the bracket [previous, current] is known to hold a Wolfe point.
  let prev: Trial = best;
  let alpha = alpha0;
  for (let i = 1; ; i++) {
    if (evaluations >= maxEvals) return done(best, false);
    const cur = evaluate(alpha);
    if (cur.failed || armijoFails(cur) || (i > 1 && cur.value >= prev.value)) return zoom(prev, cur);
    if (curvatureHolds(cur)) return done(cur, true);
    if (cur.derivative >= 0) return zoom(cur, prev);
    if (alpha >= alphaMax) return done(best, false);
    // Extrapolate: the cubic's minimizer, kept in [α + 1.1Δ, α + 4Δ] with Δ = α − α_prev.
    const delta = alpha - prev.alpha;
    const low = alpha + 1.1 * delta;
    const high = alpha + 4 * delta;
    let next = cubicMinimizer(prev.alpha, prev.value, prev.derivative, cur.alpha, cur.value, cur.derivative);
    if (Number.isNaN(next) || next > high) next = high;
    else if (next < low) next = low;
    prev = cur;
    alpha = Math.min(next, alphaMax);
  }
}
