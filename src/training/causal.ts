// Causal residual weights (Wang, Sankaran & Perdikaris, "Respecting causality is all you need for
// training physics-informed neural networks", 2022; jaxpi's `causal_weights`): the interior
// points are split into M slices along the evolution variable t, slice i's mean squared residual
// L_i is weighted by
//     w_i = exp(−ε Σ_{k<i} L_k)      (constants: no gradient flows through the weights),
// and the equation loss is (1/M) Σ_i w_i L_i. A slice is trained only once the slices before it
// have small residuals, so the solution is learned in the order of time. ε is annealed: it starts
// at ε_max/100 and grows tenfold whenever every weight exceeds 0.99 (the paper's schedule, cut to
// the last three of its values), then stays at ε_max.

import { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import type { PointBatch } from "../terms/term.js";

/** Slices along time (jaxpi's num_chunks is 32; 16 keeps 16 points per slice at the default 256). */
export const CAUSAL_SLICES = 16;
/** Every weight above this: the current ε is satisfied, the next one starts. */
export const CAUSAL_TOLERANCE = 0.99;
/** ε starts at ε_max / CAUSAL_RANGE. */
const CAUSAL_RANGE = 100;

export class CausalWeights {
  epsilon: number;
  /** The weights of the last evaluation (slice order). */
  weights: number[] = [];

  constructor(
    /** The evolution variable and its interval. */
    readonly variable: number,
    readonly lo: number,
    readonly hi: number,
    readonly maxEpsilon: number,
    readonly slices = CAUSAL_SLICES,
  ) {
    this.epsilon = maxEpsilon / CAUSAL_RANGE;
  }

  /** After an optimizer step: the next ε once every weight exceeds the tolerance. */
  anneal(): void {
    if (this.weights.length === 0 || this.epsilon >= this.maxEpsilon) return;
    if (Math.min(...this.weights) > CAUSAL_TOLERANCE) this.epsilon = Math.min(this.maxEpsilon, this.epsilon * 10);
  }

  /**
   * The causally weighted mean squares ([E], one per expression) from `meanSquares` (mean squared
   * residuals of E expressions on a set of points, as a [E] tensor). The points (row-major, `dims`
   * columns) are stratified: point p goes to slice p mod M, its time coordinate mapped from the
   * whole interval into that slice, so every slice gets the same number of uniformly spread points.
   */
  weightedMeanSquares(meanSquares: (batch: PointBatch) => Tensor, batch: PointBatch, dims: number): Tensor {
    const points = batch.x;
    const n = points.length / dims;
    const A = batch.attrs === null ? 0 : batch.attrs.length / n;
    const M = Math.max(1, Math.min(this.slices, n));
    const { variable: v, lo, hi } = this;
    const width = (hi - lo) / M;
    const parts: Tensor[] = [];
    for (let i = 0; i < M; i++) {
      const count = Math.floor((n - 1 - i) / M) + 1;
      const slice = new Float64Array(count * dims);
      const attrs = batch.attrs === null ? null : new Float64Array(count * A);
      for (let q = 0, p = i; p < n; p += M, q++) {
        slice.set(points.subarray(p * dims, (p + 1) * dims), q * dims);
        attrs?.set(batch.attrs!.subarray(p * A, (p + 1) * A), q * A);
        const u = (points[p * dims + v]! - lo) / (hi - lo);
        slice[q * dims + v] = lo + (i + u) * width;
      }
      parts.push(meanSquares({ x: slice, attrs }));
    }
    const weights: number[] = [];
    let before = 0;
    for (const part of parts) {
      weights.push(Math.exp(-this.epsilon * before));
      for (const x of part.data) before += x;
    }
    this.weights = weights;
    // Σ_i (w_i/M)·L_i: one [M, E] stack and a weighted sum over slices.
    const stacked = ops.stack(parts);
    const w = new Tensor(Float64Array.from(weights, (x) => x / M), [M, 1]);
    return ops.sum(ops.mul(stacked, w), 0);
  }
}
