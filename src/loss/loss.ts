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
  /**
   * Where the gradient in the weights is known already (the threads' evaluation: training/parallel.ts),
   * writes it into the weights' `.grad` as `total.backward()` would, with the same values, without a
   * pass through the graph. The trainer calls it through `backwardOf`.
   */
  writeGrads?: () => void;
}

/** `loss.total.backward()`, or the known gradient written straight into `.grad` (Loss.writeGrads). */
export function backwardOf(loss: Loss): void {
  if (loss.writeGrads !== undefined) loss.writeGrads();
  else loss.total.backward();
}

/** A term's loss: mean_i r_i². (Generated kernels write the same definition from MEAN_SQUARE_CODE.) */
export function meanSquare(residual: Tensor): Tensor {
  return ops.mean(ops.square(residual));
}

/**
 * The mean of squares as generated code (expressions/kernel.ts): mean_i r_i² = (Σ_i r_i·r_i)/n,
 * and its gradient ∂/∂r_i = 2·g·r_i/n for an upstream gradient g. Arguments are code (identifiers).
 */
export const MEAN_SQUARE_CODE = {
  /** Add r_i² to the accumulator. */
  accumulate: (acc: string, r: string): string => `${acc} += ${r} * ${r};`,
  /** The mean from the accumulated sum. */
  finish: (acc: string, n: string): string => `${acc} / ${n}`,
  /** The factor of r_i in the gradient: 2·g/n. */
  gradientFactor: (g: string, n: string): string => `2 * ${g} / ${n}`,
} as const;

/** Σ_t w_t · perTerm_t. */
export function weightedLoss(perTerm: Tensor, weights: readonly number[]): Loss {
  const w = new Tensor(Float64Array.from(weights), [weights.length]);
  return { total: ops.sum(ops.mul(perTerm, w)), perTerm, terms: Array.from(perTerm.data) };
}

/** Term t's loss as a scalar tensor (for per-term gradients). */
export function termLoss(perTerm: Tensor, t: number): Tensor {
  return ops.reshape(ops.slice(perTerm, [[t, t + 1]]), []);
}
