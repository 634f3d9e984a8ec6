// The evaluation grid and the error metrics against exact solutions.

import type { Problem } from "../problem/types.js";
import type { PinnNetwork } from "../residual/network.js";
import { exactValues, predictUnknowns } from "../residual/predict.js";
import { tensorGrid } from "../geometry/domain.js";

export interface Grid {
  /** Coordinates along each variable. */
  axes: Float64Array[];
  /** All grid points, row-major n × d, the first variable varying slowest. */
  points: Float64Array;
  count: number;
}

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
  return tensorGrid(bounds, perAxis);
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
  const grid = makeGrid(problem.bounds, problem.evaluate.points);
  const predicted = predictUnknowns(problem, network, grid.points, outputScale);
  const exact = exactValues(problem, grid.points);
  const metrics: Record<string, Metrics> = {};
  problem.unknowns.forEach((u, k) => {
    const ex = exact[k];
    if (ex) metrics[u] = errorMetrics(predicted[k]!, ex);
  });
  return { grid, predicted, exact, metrics };
}
