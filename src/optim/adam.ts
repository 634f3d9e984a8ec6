// Adam (Kingma & Ba 2015), with PyTorch's update order and defaults:
//   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
//   p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)

import type { Tensor } from "../engine/tensor.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** L2 penalty added to the gradient (PyTorch's weight_decay). */
  weightDecay?: number;
}

export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Steps taken so far. */
  t = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];

  constructor(readonly params: Tensor[], options: AdamOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.m = params.map((p) => new Float64Array(p.size));
    this.v = params.map((p) => new Float64Array(p.size));
  }

  /** Update every parameter from its `.grad` (parameters without a gradient are skipped). */
  step(): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const stepSize = this.lr / (1 - b1 ** this.t);
    const invSqrtBc2 = 1 / Math.sqrt(1 - b2 ** this.t);
    const c1 = 1 - b1;
    const c2 = 1 - b2;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      if (p.grad === null) continue;
      const g = p.grad.data;
      const x = p.data;
      const m = this.m[i]!;
      const v = this.v[i]!;
      const count = x.length;
      for (let j = 0; j < count; j++) {
        const gj = wd === 0 ? g[j]! : g[j]! + wd * x[j]!;
        const mj = b1 * m[j]! + c1 * gj;
        const vj = b2 * v[j]! + c2 * gj * gj;
        m[j] = mj;
        v[j] = vj;
        x[j]! -= (stepSize * mj) / (Math.sqrt(vj) * invSqrtBc2 + eps);
      }
      // A graph built from the old values can no longer be back-propagated (Tensor.version).
      p.bumpVersion();
    }
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}
