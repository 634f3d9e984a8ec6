// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., §7.2).
// Each step: direction d = −H·g by the two-loop recursion (Algorithm 7.4) over the last m pairs
//   s_k = x_{k+1} − x_k,  y_k = g_{k+1} − g_k,  ρ_k = 1/(y_kᵀs_k),
// with initial matrix H⁰ = γ·I, γ = sᵀy/yᵀy of the newest pair (eq. 7.20); then a strong-Wolfe
// line search along d, the update x ← x + α·d, and the history update (the iteration itself:
// quasi-newton.ts).

import type { Tensor } from "../engine/tensor.js";
import { QuasiNewton, axpy, dot, type QuasiNewtonOptions, type QuasiNewtonStepResult, type StepPair } from "./quasi-newton.js";

export interface LBFGSOptions extends QuasiNewtonOptions {
  /** Pairs (s, y) kept (default 50). */
  historySize?: number;
}

export type LBFGSStepResult = QuasiNewtonStepResult;

export class LBFGS extends QuasiNewton {
  readonly historySize: number;
  // History, oldest first: s_i, y_i, ρ_i = 1/(s_iᵀy_i); γ from the newest pair.
  private s: Float64Array[] = [];
  private y: Float64Array[] = [];
  private rho: number[] = [];
  private gamma = 1;
  private readonly alphas: Float64Array;

  constructor(params: Tensor[], options: LBFGSOptions = {}) {
    super(params, options, "LBFGS");
    this.historySize = options.historySize ?? 50;
    if (!Number.isInteger(this.historySize) || this.historySize < 1) {
      throw new Error(`LBFGS: historySize must be a positive integer, got ${this.historySize}`);
    }
    this.alphas = new Float64Array(this.historySize);
  }

  /** Pairs (s, y) currently held. */
  get historyLength(): number {
    return this.s.length;
  }

  protected forget(): void {
    this.s = [];
    this.y = [];
    this.rho = [];
    this.gamma = 1;
  }

  /** Two-loop recursion (N&W Algorithm 7.4): out = −H·g. */
  protected direction(g: Float64Array, out: Float64Array): boolean {
    const m = this.s.length;
    if (m === 0) return false;
    const q = out;
    q.set(g);
    for (let i = m - 1; i >= 0; i--) {
      const a = this.rho[i]! * dot(this.s[i]!, q); // α_i = ρ_i s_iᵀq
      this.alphas[i] = a;
      axpy(-a, this.y[i]!, q); // q ← q − α_i y_i
    }
    const n = q.length;
    for (let j = 0; j < n; j++) q[j]! *= this.gamma; // r = H⁰q, H⁰ = γI
    for (let i = 0; i < m; i++) {
      const b = this.rho[i]! * dot(this.y[i]!, q); // β = ρ_i y_iᵀr
      axpy(this.alphas[i]! - b, this.s[i]!, q); // r ← r + s_i(α_i − β)
    }
    for (let j = 0; j < n; j++) q[j] = -q[j]!;
    return true;
  }

  /** Append (s, y), recycling the oldest pair's buffers when the history is full. */
  protected update({ sy, yy }: StepPair): void {
    let sBuf: Float64Array;
    let yBuf: Float64Array;
    if (this.s.length >= this.historySize) {
      sBuf = this.s.shift()!;
      yBuf = this.y.shift()!;
      this.rho.shift();
    } else {
      sBuf = new Float64Array(this.n);
      yBuf = new Float64Array(this.n);
    }
    this.s.push(this.sNew);
    this.y.push(this.yNew);
    this.rho.push(1 / sy);
    this.gamma = sy / yy; // eq. 7.20
    this.sNew = sBuf;
    this.yNew = yBuf;
  }
}
