// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., §7.2).
// Each step: direction d = −H·g by the two-loop recursion (Algorithm 7.4) over the last m pairs
//   s_k = x_{k+1} − x_k,  y_k = g_{k+1} − g_k,  ρ_k = 1/(y_kᵀs_k),
// with initial matrix H⁰ = γ·I, γ = sᵀy/yᵀy of the newest pair (eq. 7.20); then a strong-Wolfe
// line search along d (line-search.ts), the update x ← x + α·d, and the history update.
// The parameters are gathered into one flat Float64Array; the math runs on flat arrays.

import { Tensor } from "../engine/tensor.js";
import { strongWolfe, type LinePoint, type StrongWolfeResult } from "./line-search.js";

export interface LBFGSOptions {
  /** Initial step length scale (default 1). */
  lr?: number;
  /** Pairs (s, y) kept (default 50). */
  historySize?: number;
  /** Stop when max |g| ≤ tolGrad (default 1e-12). */
  tolGrad?: number;
  /**
   * Stop when the step (max |Δx|) falls to tolChange or below, or when the loss change does
   * relative to the loss: |Δf| ≤ tolChange·max(|f_old|, |f_new|) (default 1e-14).
   */
  tolChange?: number;
  /**
   * "strong-wolfe" (default), or "none": take the step lr (first step min(1, 1/|g|₁)·lr),
   * halving it only while the loss is not finite or above the starting loss.
   */
  lineSearch?: "strong-wolfe" | "none";
  /** Wolfe constants (defaults 1e-4 and 0.9). */
  c1?: number;
  c2?: number;
  /** Most closure calls in one line search (default 25). */
  maxLineSearchEvals?: number;
}

export interface LBFGSStepResult {
  /** Loss at the accepted point (where the parameters are left). */
  loss: number;
  /** Closure calls during this step. */
  evaluations: number;
  /** True when a stopping test holds; further steps would not make progress. */
  converged: boolean;
  reason?: string;
}

/** A pair is kept only if sᵀy > CURVATURE_EPS·‖s‖‖y‖ (BFGS needs sᵀy > 0 for H to stay positive definite). */
const CURVATURE_EPS = 1e-10;

export class LBFGS {
  readonly lr: number;
  readonly historySize: number;
  readonly tolGrad: number;
  readonly tolChange: number;
  readonly lineSearch: "strong-wolfe" | "none";
  readonly c1: number;
  readonly c2: number;
  readonly maxLineSearchEvals: number;
  /** Steps that moved the parameters so far. */
  iterations = 0;

  private readonly n: number;
  private readonly offsets: number[];
  // History, oldest first: s_i, y_i, ρ_i = 1/(s_iᵀy_i); γ from the newest pair.
  private s: Float64Array[] = [];
  private y: Float64Array[] = [];
  private rho: number[] = [];
  private gamma = 1;
  private readonly alphas: Float64Array;
  // The current point x, its gradient g and loss f (valid while `hasPoint` and the parameters
  // still hold x, so that consecutive steps do not re-evaluate the closure).
  private x: Float64Array;
  private g: Float64Array;
  private f = NaN;
  private hasPoint = false;
  // Scratch: direction, trial point, gradients at the last and at the lowest trial, s and y.
  private readonly d: Float64Array;
  private xTrial: Float64Array;
  private gLast: Float64Array;
  private gBest: Float64Array;
  private sNew: Float64Array;
  private yNew: Float64Array;

  constructor(readonly params: Tensor[], options: LBFGSOptions = {}) {
    this.lr = options.lr ?? 1;
    this.historySize = options.historySize ?? 50;
    this.tolGrad = options.tolGrad ?? 1e-12;
    this.tolChange = options.tolChange ?? 1e-14;
    this.lineSearch = options.lineSearch ?? "strong-wolfe";
    this.c1 = options.c1 ?? 1e-4;
    this.c2 = options.c2 ?? 0.9;
    this.maxLineSearchEvals = options.maxLineSearchEvals ?? 25;
    if (!(this.lr > 0) || !Number.isFinite(this.lr)) throw new Error(`LBFGS: lr must be finite and positive, got ${this.lr}`);
    if (!Number.isInteger(this.historySize) || this.historySize < 1) {
      throw new Error(`LBFGS: historySize must be a positive integer, got ${this.historySize}`);
    }
    if (!(this.tolGrad >= 0)) throw new Error(`LBFGS: tolGrad must be non-negative, got ${this.tolGrad}`);
    if (!(this.tolChange >= 0)) throw new Error(`LBFGS: tolChange must be non-negative, got ${this.tolChange}`);
    if (this.lineSearch !== "strong-wolfe" && this.lineSearch !== "none") {
      throw new Error(`LBFGS: lineSearch must be "strong-wolfe" or "none", got "${String(this.lineSearch)}"`);
    }
    if (!(this.c1 > 0 && this.c1 < this.c2 && this.c2 < 1)) {
      throw new Error(`LBFGS: need 0 < c1 < c2 < 1, got c1=${this.c1}, c2=${this.c2}`);
    }
    if (!Number.isInteger(this.maxLineSearchEvals) || this.maxLineSearchEvals < 1) {
      throw new Error(`LBFGS: maxLineSearchEvals must be a positive integer, got ${this.maxLineSearchEvals}`);
    }
    if (new Set(params).size !== params.length) throw new Error("LBFGS: a parameter appears twice in the list");

    this.offsets = [];
    let n = 0;
    for (const p of params) {
      this.offsets.push(n);
      n += p.size;
    }
    this.n = n;
    this.alphas = new Float64Array(this.historySize);
    this.x = new Float64Array(n);
    this.g = new Float64Array(n);
    this.d = new Float64Array(n);
    this.xTrial = new Float64Array(n);
    this.gLast = new Float64Array(n);
    this.gBest = new Float64Array(n);
    this.sNew = new Float64Array(n);
    this.yNew = new Float64Array(n);
  }

  /** Pairs (s, y) currently held. */
  get historyLength(): number {
    return this.s.length;
  }

  /**
   * Forget the history and the cached loss and gradient. Call it when the objective changes
   * (for example after resampling the data the closure uses).
   */
  reset(): void {
    this.clearHistory();
    this.hasPoint = false;
  }

  private clearHistory(): void {
    this.s = [];
    this.y = [];
    this.rho = [];
    this.gamma = 1;
  }

  /**
   * One L-BFGS iteration: direction by the two-loop recursion, a line search along it, parameter
   * update, history update. `closure` must zero the parameters' grads, compute the loss, call
   * backward() and return the loss as a number; it may be called several times per step.
   * The loss and gradient of the point a previous step accepted are reused while the parameters
   * still hold it. The parameters never end at a higher loss than where the step started.
   */
  step(closure: () => number): LBFGSStepResult {
    let evaluations = 0;
    const evaluate = (gradOut: Float64Array): number => {
      const loss = closure();
      evaluations++;
      if (typeof loss !== "number") throw new Error(`LBFGS: the closure must return the loss as a number, got ${typeof loss}`);
      this.gatherGrad(gradOut);
      return loss;
    };

    // The current point, its loss and gradient.
    if (!this.hasPoint || !this.paramsEqual(this.x)) {
      this.gatherParams(this.x);
      this.f = evaluate(this.g);
      this.hasPoint = true;
    }
    const { x, g, d, n } = this;
    const f0 = this.f;
    if (!Number.isFinite(f0) || !allFinite(g)) {
      this.hasPoint = false;
      return { loss: f0, evaluations, converged: true, reason: "non-finite loss or gradient at the starting point" };
    }
    if (maxAbs(g) <= this.tolGrad) return { loss: f0, evaluations, converged: true, reason: "gradient below tolGrad" };

    // Direction: quasi-Newton with step 1·lr, or steepest descent with step min(1, 1/|g|₁)·lr.
    let alpha0 = this.lr;
    let gtd = NaN;
    if (this.s.length > 0) {
      this.twoLoop(g, d);
      gtd = dot(g, d);
    }
    if (!(gtd < 0)) {
      this.clearHistory(); // no history yet, or d is not a descent direction: restart
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      gtd = -dot(g, g);
      const l1 = sumAbs(g);
      alpha0 = Math.max((Number.isFinite(l1) ? Math.min(1, 1 / l1) : 1 / maxAbs(g)) * this.lr, Number.MIN_VALUE);
    }

    // φ(α) = f(x + α·d); remember the gradients at the last trial and at the lowest one.
    let lastAlpha = NaN;
    let bestAlpha = NaN;
    let bestValue = f0;
    const phi = (alpha: number): LinePoint => {
      const xt = this.xTrial;
      for (let i = 0; i < n; i++) xt[i] = x[i]! + alpha * d[i]!;
      this.scatterParams(xt);
      const value = evaluate(this.gLast);
      lastAlpha = alpha;
      const derivative = dot(this.gLast, d);
      if (Number.isFinite(value) && Number.isFinite(derivative) && value < bestValue) {
        bestValue = value;
        bestAlpha = alpha;
        this.gBest.set(this.gLast);
      }
      return { value, derivative };
    };
    const search =
      this.lineSearch === "strong-wolfe"
        ? strongWolfe(phi, f0, gtd, alpha0, {
            c1: this.c1,
            c2: this.c2,
            maxEvals: this.maxLineSearchEvals,
            // Stop zooming once the bracket moves the parameters by less than tolChange.
            minWidth: this.tolChange / maxAbs(d),
          })
        : this.backtrack(phi, f0, gtd, alpha0);

    if (!(search.alpha > 0) || !(search.value <= f0) || !Number.isFinite(search.value)) {
      // No acceptable point: go back to x (and its gradient) and start afresh next time.
      this.scatterParams(x);
      this.scatterGrad(g);
      this.clearHistory();
      return { loss: f0, evaluations, converged: true, reason: "line search failed" };
    }

    // Accept x + α·d with the gradient recorded there.
    const alpha = search.alpha;
    let gNew: Float64Array;
    if (alpha === lastAlpha) {
      gNew = this.gLast;
      this.gLast = this.g;
    } else {
      // The accepted point is an earlier trial (the lowest one): put the parameters and grads back there.
      if (alpha !== bestAlpha) throw new Error("LBFGS: internal error, the line search returned an unseen step");
      for (let i = 0; i < n; i++) this.xTrial[i] = x[i]! + alpha * d[i]!;
      this.scatterParams(this.xTrial);
      this.scatterGrad(this.gBest);
      gNew = this.gBest;
      this.gBest = this.g;
    }
    const s = this.sNew;
    const yv = this.yNew;
    for (let i = 0; i < n; i++) {
      s[i] = alpha * d[i]!;
      yv[i] = gNew[i]! - g[i]!;
    }
    const stepSize = maxAbs(s);
    const sy = dot(s, yv);
    const yy = dot(yv, yv);
    if (sy > CURVATURE_EPS * Math.sqrt(dot(s, s) * yy)) this.pushPair(sy, yy);

    const xNew = this.xTrial;
    this.xTrial = x;
    this.x = xNew;
    this.g = gNew;
    this.f = search.value;
    this.iterations++;

    const loss = search.value;
    if (maxAbs(gNew) <= this.tolGrad) return { loss, evaluations, converged: true, reason: "gradient below tolGrad" };
    if (stepSize <= this.tolChange) return { loss, evaluations, converged: true, reason: "step below tolChange" };
    if (Math.abs(loss - f0) <= this.tolChange * Math.max(Math.abs(loss), Math.abs(f0))) {
      return { loss, evaluations, converged: true, reason: "loss change below tolChange" };
    }
    return { loss, evaluations, converged: false };
  }

  /** Two-loop recursion (N&W Algorithm 7.4): out = −H·g. */
  private twoLoop(g: Float64Array, out: Float64Array): void {
    const m = this.s.length;
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
  }

  /** Append (sNew, yNew), recycling the oldest pair's buffers when the history is full. */
  private pushPair(sy: number, yy: number): void {
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

  /**
   * lineSearch "none": the step alpha0, halved while the loss is not finite or above f0
   * (so that the parameters never end worse than they started).
   */
  private backtrack(phi: (alpha: number) => LinePoint, f0: number, dphi0: number, alpha0: number): StrongWolfeResult {
    let alpha = alpha0;
    for (let k = 1; k <= this.maxLineSearchEvals; k++) {
      const { value, derivative } = phi(alpha);
      if (Number.isFinite(value) && Number.isFinite(derivative) && value <= f0) {
        return { alpha, value, derivative, evaluations: k, ok: true };
      }
      alpha *= 0.5;
    }
    return { alpha: 0, value: f0, derivative: dphi0, evaluations: this.maxLineSearchEvals, ok: false };
  }

  private gatherParams(out: Float64Array): void {
    this.params.forEach((p, k) => out.set(p.data, this.offsets[k]));
  }

  private scatterParams(src: Float64Array): void {
    this.params.forEach((p, k) => {
      const o = this.offsets[k]!;
      p.data.set(src.subarray(o, o + p.size));
    });
  }

  private paramsEqual(v: Float64Array): boolean {
    for (let k = 0; k < this.params.length; k++) {
      const data = this.params[k]!.data;
      const o = this.offsets[k]!;
      for (let i = 0; i < data.length; i++) if (data[i] !== v[o + i]) return false;
    }
    return true;
  }

  /** The parameters' gradients into one flat array (zeros where .grad is null). */
  private gatherGrad(out: Float64Array): void {
    this.params.forEach((p, k) => {
      const o = this.offsets[k]!;
      if (p.grad === null) {
        out.fill(0, o, o + p.size);
        return;
      }
      if (p.grad.size !== p.size) {
        throw new Error(`LBFGS: parameter ${k} has ${p.size} values but its gradient has ${p.grad.size}`);
      }
      out.set(p.grad.data, o);
    });
  }

  /** Set each parameter's .grad to (a copy of) its part of a flat gradient. */
  private scatterGrad(src: Float64Array): void {
    this.params.forEach((p, k) => {
      const o = this.offsets[k]!;
      p.grad = new Tensor(src.slice(o, o + p.size), p.shape);
    });
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** y ← y + a·x */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > m) m = a;
  }
  return m;
}

function sumAbs(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]!);
  return s;
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}
