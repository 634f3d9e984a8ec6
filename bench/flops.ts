// Floating-point operations of one training epoch of the fused forward-Taylor scheme, counted
// analytically from the layer sizes, the number of points and the derivative streams.
//
// With S streams (value + each multi-index of the downward-closed derivative set), n points and
// layer sizes d = w₀, w₁, …, w_L = K:
//   matrix products, forward:   2·n·d·w₁ (first layer: value rows only; its derivative rows are
//                               constants) + Σ_{l≥2} 2·S·n·w_{l−1}·w_l
//   matrix products, backward:  the weight gradients Ḡᵀ·H (same count as the forward products) and
//                               the input gradients Ḡ·W for layers l ≥ 2 (Σ_{l≥2} 2·S·n·w_{l−1}·w_l)
//   activation steps:           per hidden element and stream, the Faà di Bruno polynomial
//                               (one multiply per factor and σ-derivative, one add per term), about
//                               twice that for its backward, and the σ-derivatives themselves
//                               (counted as 8 flops per element and pass for the transcendental).
// The residual expression, the loss and Adam are O(n + parameters) and left out.

import { faaDiBruno, downwardClosure } from "../src/jets/taylor.js";

export interface FlopCount {
  /** Matrix-product flops per epoch (forward + backward). */
  matmul: number;
  /** Activation-step flops per epoch (forward + backward), approximate. */
  activation: number;
  total: number;
  streams: number;
}

export function epochFlops(sizes: readonly number[], points: number, requested: readonly number[][]): FlopCount {
  const d = sizes[0]!;
  const set = downwardClosure(requested, d);
  const S = set.length;
  const L = sizes.length - 1;
  let forward = 2 * points * d * sizes[1]!;
  let inputGrads = 0;
  for (let l = 2; l <= L; l++) {
    const f = 2 * S * points * sizes[l - 1]! * sizes[l]!;
    forward += f;
    inputGrads += f;
  }
  const matmul = 2 * forward + inputGrads;
  // Faà di Bruno work per element (all streams): Σ_terms (factors + 2).
  let perElement = 0;
  for (const beta of set) {
    if (beta.every((c) => c === 0)) continue;
    for (const t of faaDiBruno(beta, d)) perElement += t.factors.length + 2;
  }
  let hiddenElements = 0;
  for (let l = 1; l < L; l++) hiddenElements += points * sizes[l]!;
  const activation = hiddenElements * (3 * perElement + 2 * 8);
  return { matmul, activation, total: matmul + activation, streams: S };
}
