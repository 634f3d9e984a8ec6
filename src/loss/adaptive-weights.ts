// Adaptive loss weights from gradient statistics. Two published rules:
//  - "annealing" (Wang, Teng & Perdikaris 2021, SIAM J. Sci. Comput. 43(5), Algorithm 1):
//      λ̂_i = max_θ |∇_θ L_r| / mean_θ |∇_θ L_i|   (L_r: the weighted equation loss)
//  - "gradnorm" (Wang, Sankaran, Wang & Perdikaris 2023, "An expert's guide to training PINNs",
//    Algorithm 1):  λ̂_i = Σ_j ‖∇_θ L_j‖ / ‖∇_θ L_i‖   over all terms
// with the running average λ_i ← α·λ_i + (1 − α)·λ̂_i (α = 0.9), so that no term's gradient is
// swamped by another's. The loss is Σ w_i·λ_i·L_i: the file's weights w_i still multiply λ_i.

import type { Tensor } from "../engine/tensor.js";
import { gradients } from "../engine/autograd.js";
import { noGrad } from "../engine/state.js";

export type AdaptiveRule = "annealing" | "gradnorm";

export interface AdaptiveOptions {
  /** Weight of the old value in the running average (default 0.9). */
  alpha?: number;
  /** Update every this many steps (default 10 for annealing, 100 for gradnorm). */
  every?: number;
}

export class AdaptiveWeights {
  /** Current adaptive factor per term. */
  readonly factors: number[];
  private readonly alpha: number;
  private readonly every: number;

  constructor(private readonly rule: AdaptiveRule, private readonly isEquation: readonly boolean[], options: AdaptiveOptions = {}) {
    this.factors = isEquation.map(() => 1);
    this.alpha = options.alpha ?? 0.9;
    this.every = options.every ?? (rule === "annealing" ? 10 : 100);
  }

  /** Whether step `step` updates the weights (only when there is more than one term). */
  due(step: number): boolean {
    return step % this.every === 0 && this.factors.length > 1;
  }

  /**
   * Update the factors from the unweighted per-term losses; `termLoss(t)` computes term t with a
   * graph of its own (a fused forward pass supports one backward pass); `weights` are the file's.
   */
  update(termLoss: (term: number) => Tensor, params: Tensor[], weights: readonly number[]): void {
    const grads = this.factors.map((_, t) => {
      const l = termLoss(t);
      return l.requiresGrad ? gradients(l, params, { allowUnused: true }) : null;
    });
    noGrad(() => {
      const targets = this.rule === "annealing" ? this.annealingTargets(grads, weights) : gradNormTargets(grads);
      targets.forEach((t, i) => {
        if (t !== null && Number.isFinite(t) && t > 0) this.factors[i] = this.alpha * this.factors[i]! + (1 - this.alpha) * t;
      });
    });
  }

  private annealingTargets(grads: (Tensor[] | null)[], weights: readonly number[]): (number | null)[] {
    // max |Σ_eq w_i ∇L_i| over all parameters
    let maxResidual = 0;
    const first = grads.find((g) => g !== null);
    if (!first) return grads.map(() => null);
    first.forEach((p, j) => {
      for (let e = 0; e < p.size; e++) {
        let s = 0;
        grads.forEach((g, i) => {
          if (this.isEquation[i] && g) s += weights[i]! * g[j]!.data[e]!;
        });
        maxResidual = Math.max(maxResidual, Math.abs(s));
      }
    });
    return grads.map((g, i) => {
      if (this.isEquation[i] || g === null) return null;
      let sum = 0;
      let count = 0;
      for (const t of g) {
        for (let e = 0; e < t.size; e++) sum += Math.abs(t.data[e]!);
        count += t.size;
      }
      return maxResidual / (sum / Math.max(count, 1));
    });
  }
}

function gradNormTargets(grads: (Tensor[] | null)[]): (number | null)[] {
  const norms = grads.map((g) => (g === null ? 0 : Math.sqrt(g.reduce((s, t) => s + t.data.reduce((a, v) => a + v * v, 0), 0))));
  const total = norms.reduce((a, b) => a + b, 0);
  return norms.map((n) => (n > 0 ? total / n : null));
}
