// The evaluation grid and the error metrics against exact solutions, or, for an unknown without one,
// against the problem's reference data (contract v2, "Reference data").

import type { Problem } from "../problem/types.js";
import type { PinnNetwork } from "../residual/network.js";
import { exactValues, predictUnknowns } from "../residual/predict.js";
import { BoxDomain, tensorGrid, type Grid } from "../geometry/domain.js";

export type { Grid } from "../geometry/domain.js";

export interface Metrics {
  /** ‖pred − exact‖₂ / ‖exact‖₂ on the grid (null when the exact solution is zero everywhere). */
  rel_l2: number | null;
  max_abs: number;
  /** Root mean square error. */
  rms: number;
  /** What the prediction was compared with: the exact expression, or the reference values at their points. */
  against?: "exact" | "reference";
}

export interface Evaluation {
  grid: Grid;
  predicted: Float64Array[];
  /**
   * Per unknown, the values the prediction is compared with on the grid: the exact solution, or the
   * reference interpolated onto the grid (see `against`); null when there is neither.
   */
  exact: (Float64Array | null)[];
  /** Per unknown: what `exact` holds. */
  against: ("exact" | "reference" | null)[];
  /** Per unknown with an exact solution or reference values. */
  metrics: Record<string, Metrics>;
}

/** A tensor grid with `perAxis[i]` points on variable i's closed interval (ends included). */
export function makeGrid(bounds: readonly (readonly [number, number])[], perAxis: readonly number[]): Grid {
  return { ...tensorGrid(bounds, perAxis), inside: null };
}

export function errorMetrics(predicted: Float64Array, exact: Float64Array): Metrics {
  let err2 = 0;
  let ref2 = 0;
  let maxAbs = 0;
  for (let i = 0; i < exact.length; i++) {
    const e = predicted[i]! - exact[i]!;
    err2 += e * e;
    ref2 += exact[i]! * exact[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(e));
  }
  if (!Number.isFinite(err2)) maxAbs = NaN;
  return { rel_l2: ref2 > 0 ? Math.sqrt(err2 / ref2) : null, max_abs: maxAbs, rms: Math.sqrt(err2 / exact.length) };
}

export function evaluateSolution(problem: Problem, network: PinnNetwork, outputScale?: readonly number[]): Evaluation {
  // In a region the grid covers its bounding box; points outside are NaN (blank in plots, left
  // out of solution.csv) and the metrics use the points inside only.
  const grid = (problem.domain ?? new BoxDomain(problem.bounds)).grid(problem.evaluate.points);
  const predicted = maskOutside(predictUnknowns(problem, network, grid.points, outputScale), grid.inside ?? null);
  const exact = maskOutside(exactValues(problem, grid.points), grid.inside ?? null);
  const against: Evaluation["against"] = exact.map((e) => (e ? "exact" : null));
  const metrics: Record<string, Metrics> = {};
  problem.unknowns.forEach((u, k) => {
    const ex = exact[k];
    if (ex) metrics[u] = { ...(!grid.inside ? errorMetrics(predicted[k]!, ex) : errorMetrics(insideOnly(predicted[k]!, grid.inside), insideOnly(ex, grid.inside))), against: "exact" };
  });
  const ref = problem.reference;
  if (ref && ref.values.some((v, k) => v !== null && exact[k] === null)) {
    // Metrics at the reference points themselves; the grid gets the reference interpolated (for plots).
    const atReference = predictUnknowns(problem, network, ref.points, outputScale);
    const onGrid = interpolateReference(ref.points, ref.count, problem.bounds.length, ref.values, grid.points);
    problem.unknowns.forEach((u, k) => {
      const values = ref.values[k];
      if (!values || exact[k]) return;
      metrics[u] = { ...errorMetrics(atReference[k]!, values), against: "reference" };
      if (onGrid?.[k]) {
        exact[k] = onGrid[k];
        against[k] = "reference";
      }
    });
  }
  return { grid, predicted, exact, against, metrics };
}

/**
 * Slots of a tensor grid that may be missing from a reference given on it: a region's reference on
 * the grid points inside the region lacks the nodes in its holes and corners (a square with four
 * holes keeps 87 % of them, an L-shape 75 %). Fewer than this fraction present reads as scattered
 * points, which also bounds the slot table by 1/fraction times the reference's size.
 */
export const REFERENCE_GRID_MIN_FILL = 0.25;

/**
 * Multilinear interpolation of reference values given on a tensor grid (in any row order) onto
 * `at`; null when the reference points are scattered (then only the metrics use them). The grid may
 * lack nodes (a region's reference has none outside the region, see REFERENCE_GRID_MIN_FILL): a
 * point whose interpolation needs a missing node gets NaN (blank in plots, "nan" in solution.csv).
 */
export function interpolateReference(points: Float64Array, count: number, d: number, values: (Float64Array | null)[], at: Float64Array): (Float64Array | null)[] | null {
  const axes: number[][] = [];
  for (let i = 0; i < d; i++) {
    const set = new Set<number>();
    for (let n = 0; n < count; n++) set.add(points[n * d + i]!);
    axes.push([...set].sort((a, b) => a - b));
  }
  const total = axes.reduce((p, a) => p * a.length, 1);
  if (total * REFERENCE_GRID_MIN_FILL > count || axes.some((a) => a.length < 2)) return null;
  // Index of each reference point in the tensor grid (last axis fastest).
  const index = axes.map((a) => new Map(a.map((v, j) => [v, j])));
  const slot = new Int32Array(total).fill(-1);
  for (let n = 0; n < count; n++) {
    let flat = 0;
    for (let i = 0; i < d; i++) flat = flat * axes[i]!.length + index[i]!.get(points[n * d + i]!)!;
    if (slot[flat] !== -1) return null;
    slot[flat] = n;
  }
  const m = at.length / d;
  const out = values.map((v) => (v ? new Float64Array(m) : null));
  const lo = new Int32Array(d);
  const frac = new Float64Array(d);
  for (let p = 0; p < m; p++) {
    for (let i = 0; i < d; i++) {
      const a = axes[i]!;
      const x = Math.min(a[a.length - 1]!, Math.max(a[0]!, at[p * d + i]!));
      let j = 0;
      let k = a.length - 1;
      while (k - j > 1) {
        const mid = (j + k) >> 1;
        if (a[mid]! <= x) j = mid;
        else k = mid;
      }
      lo[i] = j;
      frac[i] = (x - a[j]!) / (a[j + 1]! - a[j]!);
    }
    for (let corner = 0; corner < 1 << d; corner++) {
      let w = 1;
      let flat = 0;
      for (let i = 0; i < d; i++) {
        const up = (corner >> i) & 1;
        w *= up ? frac[i]! : 1 - frac[i]!;
        flat = flat * axes[i]!.length + lo[i]! + up;
      }
      if (w === 0) continue;
      const n = slot[flat]!;
      out.forEach((o, k) => {
        if (o) o[p] = n === -1 ? NaN : o[p]! + w * values[k]![n]!;
      });
    }
  }
  return out;
}

/** The values at grid points inside the domain. */
export function insideOnly(values: Float64Array, inside: Uint8Array): Float64Array {
  return values.filter((_, n) => inside[n] === 1);
}

function maskOutside<T extends Float64Array | null>(values: T[], inside: Uint8Array | null): T[] {
  if (inside !== null) for (const v of values) if (v !== null) v.forEach((_, n) => inside[n] === 0 && (v[n] = NaN));
  return values;
}
