// The training loss: a weighted sum of mean squared residuals, one term per equation and condition.
//   L = Σ_t w_t · mean_i r_t(x_i)²

import { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";

export interface Loss {
  /** The weighted total, differentiable with respect to the network weights. */
  total: Tensor;
  /** Each term's mean squared residual (unweighted) as one [T] tensor (differentiable). */
  perTerm: Tensor;
  /** The same as plain numbers. */
  terms: number[];
}

export function meanSquare(residual: Tensor): Tensor {
  return ops.mean(ops.square(residual));
}

/** Σ_t w_t · perTerm_t. */
export function weightedLoss(perTerm: Tensor, weights: readonly number[]): Loss {
  const w = new Tensor(Float64Array.from(weights), [weights.length]);
  return { total: ops.sum(ops.mul(perTerm, w)), perTerm, terms: Array.from(perTerm.data) };
}

/** Term t's loss as a scalar tensor (for per-term gradients). */
export function termLoss(perTerm: Tensor, t: number): Tensor {
  return ops.reshape(ops.slice(perTerm, [[t, t + 1]]), []);
}
