// Adam (Kingma & Ba 2015), with PyTorch's update order and defaults:
//   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
//   p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)

import type { Tensor } from "../engine/tensor.js";
import { checkOptionsObject, checkParams, numberOption } from "./check-options.js";
import { describeValue } from "../engine/describe.js";

const ADAM_OPTIONS = ["lr", "betas", "eps", "weightDecay"] as const;

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

  readonly params: Tensor[];

  /** Options are checked as torch.optim.Adam does (lr ≥ 0, 0 ≤ β < 1), and eps > 0 (eps = 0 gives 0/0 where g = 0). */
  constructor(params: Tensor[], options: AdamOptions = {}) {
    this.params = checkParams(params, "Adam");
    checkOptionsObject(options, "Adam", ADAM_OPTIONS);
    this.lr = numberOption("Adam", "lr", options.lr, 1e-3, { min: 0 });
    const betas: unknown = options.betas;
    if (betas !== undefined && (!Array.isArray(betas) || betas.length !== 2)) {
      throw new TypeError(`Adam: betas must be an array of two numbers [beta1, beta2], got ${describeValue(betas)}`);
    }
    this.beta1 = numberOption("Adam", "betas[0]", betas?.[0], 0.9, { min: 0, max: 1, maxOpen: true });
    this.beta2 = numberOption("Adam", "betas[1]", betas?.[1], 0.999, { min: 0, max: 1, maxOpen: true });
    this.eps = numberOption("Adam", "eps", options.eps, 1e-8, { min: 0, minOpen: true });
    this.weightDecay = numberOption("Adam", "weightDecay", options.weightDecay, 0, { min: 0 });
    this.m = params.map((p) => new Float64Array(p.size));
    this.v = params.map((p) => new Float64Array(p.size));
  }

  /** Update every parameter from its `.grad` (parameters without a gradient are skipped). */
  step(): void {
    // lr may be set between steps (schedules): a NaN or negative one would silently poison the parameters.
    if (!(this.lr >= 0 && this.lr < Infinity)) numberOption("Adam", "lr", this.lr, 0, { min: 0 });
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
