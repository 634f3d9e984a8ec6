// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., §7.2).
// Each step: direction d = −H·g by the two-loop recursion (Algorithm 7.4) over the last m pairs
//   s_k = x_{k+1} − x_k,  y_k = g_{k+1} − g_k,  ρ_k = 1/(y_kᵀs_k),
// with initial matrix H⁰ = γ·I, γ = sᵀy/yᵀy of the newest pair (eq. 7.20); then a strong-Wolfe
// line search along d, the update x ← x + α·d, and the history update (the iteration itself:
// quasi-newton.ts).

import type { Tensor } from "../engine/tensor.js";
import { OptimArena, padded } from "./optim-kernels.js";
import { checkParams, checkQuasiNewtonOptions } from "./check-options.js";
import { QuasiNewton, type QuasiNewtonOptions, type QuasiNewtonStepResult, type StepPair } from "./quasi-newton.js";

export interface LBFGSOptions extends QuasiNewtonOptions {
  /** Pairs (s, y) kept (default 50). */
  historySize?: number;
}

export type LBFGSStepResult = QuasiNewtonStepResult;

export class LBFGS extends QuasiNewton {
  readonly historySize: number;
  /**
   * The pairs and q in one arena (optim-kernels.ts): slot k holds s at sAt[k] and y at yAt[k]
   * (historySize + 1 slots: the history and the spare one the next step writes into).
   */
  private readonly arena: OptimArena;
  private readonly np: number;
  private readonly sAt: number[] = [];
  private readonly yAt: number[] = [];
  private readonly qAt: number;
  private readonly coefAt: number;
  private readonly resultAt: number;
  // History, oldest first: slots, ρ_i = 1/(s_iᵀy_i); γ from the newest pair.
  private slots: number[] = [];
  private spare: number;
  private rho: number[] = [];
  private gamma = 1;
  private readonly alphas: Float64Array;

  constructor(params: Tensor[], options: LBFGSOptions = {}) {
    super(checkParams(params, "LBFGS"), checkQuasiNewtonOptions(options, "LBFGS", ["historySize"]), "LBFGS");
    this.historySize = options.historySize ?? 50;
    if (!Number.isInteger(this.historySize) || this.historySize < 1) {
      throw new Error(`LBFGS: historySize must be a positive integer, got ${this.historySize}`);
    }
    this.alphas = new Float64Array(this.historySize);
    const n = this.n;
    this.np = padded(n);
    this.arena = new OptimArena((2 * this.historySize + 3) * this.np + 4);
    this.coefAt = this.arena.alloc(2);
    this.resultAt = this.arena.alloc(2);
    this.qAt = this.arena.alloc(n);
    for (let k = 0; k <= this.historySize; k++) {
      this.sAt.push(this.arena.alloc(n));
      this.yAt.push(this.arena.alloc(n));
    }
    this.spare = this.historySize;
    this.sNew = this.arena.view(this.sAt[this.spare]!, n);
    this.yNew = this.arena.view(this.yAt[this.spare]!, n);
  }

  /** Pairs (s, y) currently held. */
  get historyLength(): number {
    return this.slots.length;
  }

  /** Which kernels run the two-loop recursion: "wasm-simd" or "js". */
  get kernel(): "wasm-simd" | "js" {
    return this.arena.kernel;
  }

  protected forget(): void {
    this.slots = [];
    this.rho = [];
    this.gamma = 1;
  }

  /**
   * Two-loop recursion (N&W Algorithm 7.4): out = −H·g. Each pass over q updates it and takes the
   * dot product the next pair needs (optim-wasm.ts, axpbyDot): m + 1 passes per loop instead of 2m.
   */
  protected direction(g: Float64Array, out: Float64Array): boolean {
    const m = this.slots.length;
    if (m === 0) return false;
    const { arena, np, qAt, coefAt, resultAt, slots } = this;
    const f = arena.f64;
    arena.count("lbfgs-two-loop");
    f.set(g, qAt);
    const s = (i: number): number => this.sAt[slots[i]!]!;
    const y = (i: number): number => this.yAt[slots[i]!]!;
    // q·s_{m−1} (q unchanged: q ← 1·q + 0·s).
    f[coefAt] = 0;
    f[coefAt + 1] = 1;
    let d = arena.axpbyDot(coefAt, s(m - 1), qAt, s(m - 1), np, resultAt);
    for (let i = m - 1; i >= 0; i--) {
      const a = this.rho[i]! * d; // α_i = ρ_i s_iᵀq
      this.alphas[i] = a;
      f[coefAt] = -a; // q ← q − α_i y_i, and s_{i−1}ᵀq
      d = arena.axpbyDot(coefAt, y(i), qAt, i > 0 ? s(i - 1) : y(0), np, resultAt);
    }
    // r = H⁰q, H⁰ = γI, and y_0ᵀr.
    f[coefAt] = 0;
    f[coefAt + 1] = this.gamma;
    d = arena.axpbyDot(coefAt, y(0), qAt, y(0), np, resultAt);
    f[coefAt + 1] = 1;
    for (let i = 0; i < m; i++) {
      const b = this.rho[i]! * d; // β = ρ_i y_iᵀr
      f[coefAt] = this.alphas[i]! - b; // r ← r + s_i(α_i − β), and y_{i+1}ᵀr
      d = arena.axpbyDot(coefAt, s(i), qAt, i + 1 < m ? y(i + 1) : s(i), np, resultAt);
    }
    for (let j = 0; j < this.n; j++) out[j] = -f[qAt + j]!;
    return true;
  }

  /** Append (s, y): the spare slot joins the history, the oldest pair's slot becomes the spare when the history is full. */
  protected update({ sy, yy }: StepPair): void {
    let next: number;
    if (this.slots.length >= this.historySize) {
      next = this.slots.shift()!;
      this.rho.shift();
    } else {
      const used = new Set([...this.slots, this.spare]);
      next = this.sAt.findIndex((_, k) => !used.has(k));
    }
    this.slots.push(this.spare);
    this.rho.push(1 / sy);
    this.gamma = sy / yy; // eq. 7.20
    this.spare = next;
    this.sNew = this.arena.view(this.sAt[next]!, this.n);
    this.yNew = this.arena.view(this.yAt[next]!, this.n);
  }
}
