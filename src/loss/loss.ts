// The training loss: a weighted sum of mean squared residuals, one term per equation and condition.
//   L = Σ_t w_t · mean_i r_t(x_i)²

import type { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";

export interface Loss {
  /** The weighted total, differentiable with respect to the network weights. */
  total: Tensor;
  /** Each term's mean squared residual as a tensor (still differentiable). */
  squares: Tensor[];
  /** Each term's mean squared residual (unweighted), as plain numbers. */
  terms: number[];
}

export function meanSquare(residual: Tensor): Tensor {
  return ops.mean(ops.square(residual));
}

export function weightedLoss(residuals: readonly Tensor[], weights: readonly number[]): Loss {
  return combine(residuals.map(meanSquare), weights);
}

/** Σ_t w_t · squares_t. */
export function combine(squares: Tensor[], weights: readonly number[]): Loss {
  let total: Tensor | null = null;
  squares.forEach((s, i) => {
    const w = weights[i]!;
    const term = w === 1 ? s : ops.mulScalar(s, w);
    total = total === null ? term : ops.add(total, term);
  });
  return { total: total!, squares, terms: squares.map((s) => s.item()) };
}
