// The evaluation grid and the error metrics against exact solutions.

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
}

export interface Evaluation {
  grid: Grid;
  predicted: Float64Array[];
  exact: (Float64Array | null)[];
  /** Per unknown with an exact solution. */
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
  const predicted = maskOutside(predictUnknowns(problem, network, grid.points, outputScale), grid.inside);
  const exact = maskOutside(exactValues(problem, grid.points), grid.inside);
  const metrics: Record<string, Metrics> = {};
  problem.unknowns.forEach((u, k) => {
    const ex = exact[k];
    if (ex) metrics[u] = grid.inside === null ? errorMetrics(predicted[k]!, ex) : errorMetrics(insideOnly(predicted[k]!, grid.inside), insideOnly(ex, grid.inside));
  });
  return { grid, predicted, exact, metrics };
}

/** The values at grid points inside the domain. */
export function insideOnly(values: Float64Array, inside: Uint8Array): Float64Array {
  return values.filter((_, n) => inside[n] === 1);
}

function maskOutside<T extends Float64Array | null>(values: T[], inside: Uint8Array | null): T[] {
  if (inside !== null) for (const v of values) if (v !== null) v.forEach((_, n) => inside[n] === 0 && (v[n] = NaN));
  return values;
}
