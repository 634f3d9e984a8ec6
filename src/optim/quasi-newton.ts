// The iteration every quasi-Newton method here shares (Nocedal & Wright, Numerical Optimization,
// 2nd ed., Algorithm 6.1): direction d = −H·g from the method's inverse-Hessian model H, a
// strong-Wolfe line search along d (line-search.ts), the update x ← x + α·d, and the model's update
// from the pair s = x_{k+1} − x_k, y = g_{k+1} − g_k. The parameters are gathered into one flat
// Float64Array; the math runs on flat arrays. A subclass supplies only the model: how it makes a
// direction, how it takes a pair in, and how it forgets (L-BFGS: lbfgs.ts; dense BFGS: bfgs.ts).

import { Tensor } from "../engine/tensor.js";
import { strongWolfe, type LinePoint, type StrongWolfeResult } from "./line-search.js";

export interface QuasiNewtonOptions {
  /** Initial step length scale (default 1). */
  lr?: number;
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

export interface QuasiNewtonStepResult {
  /** Loss at the accepted point (where the parameters are left). */
  loss: number;
  /** Closure calls during this step. */
  evaluations: number;
  /** True when a stopping test holds; further steps would not make progress. */
  converged: boolean;
  reason?: string;
}

/** A pair is used only if sᵀy > CURVATURE_EPS·‖s‖‖y‖ (BFGS needs sᵀy > 0 for H to stay positive definite). */
export const CURVATURE_EPS = 1e-10;

/** The accepted pair of a step, handed to the model's update. */
export interface StepPair {
  s: Float64Array;
  y: Float64Array;
  /** sᵀy (> 0) and yᵀy. */
  sy: number;
  yy: number;
  /** The gradient at the step's start and the step length α (s = α·d). */
  gOld: Float64Array;
  /** The gradient at the accepted point (the next step's, exactly: not gOld + y, which may differ in the last bit). */
  gNew: Float64Array;
  alpha: number;
  /** True when d was the model's direction (not the steepest-descent restart). */
  modelDirection: boolean;
}

export abstract class QuasiNewton {
  readonly lr: number;
  readonly tolGrad: number;
  readonly tolChange: number;
  readonly lineSearch: "strong-wolfe" | "none";
  readonly c1: number;
  readonly c2: number;
  readonly maxLineSearchEvals: number;
  /** Steps that moved the parameters so far. */
  iterations = 0;

  protected readonly n: number;
  private readonly offsets: number[];
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
  protected sNew: Float64Array;
  protected yNew: Float64Array;

  /** `name` prefixes the messages of invalid options and internal errors. */
  constructor(readonly params: Tensor[], options: QuasiNewtonOptions, protected readonly name: string) {
    this.lr = options.lr ?? 1;
    this.tolGrad = options.tolGrad ?? 1e-12;
    this.tolChange = options.tolChange ?? 1e-14;
    this.lineSearch = options.lineSearch ?? "strong-wolfe";
    this.c1 = options.c1 ?? 1e-4;
    this.c2 = options.c2 ?? 0.9;
    this.maxLineSearchEvals = options.maxLineSearchEvals ?? 25;
    if (!(this.lr > 0) || !Number.isFinite(this.lr)) throw new Error(`${name}: lr must be finite and positive, got ${this.lr}`);
    if (!(this.tolGrad >= 0)) throw new Error(`${name}: tolGrad must be non-negative, got ${this.tolGrad}`);
    if (!(this.tolChange >= 0)) throw new Error(`${name}: tolChange must be non-negative, got ${this.tolChange}`);
    if (this.lineSearch !== "strong-wolfe" && this.lineSearch !== "none") {
      throw new Error(`${name}: lineSearch must be "strong-wolfe" or "none", got "${String(this.lineSearch)}"`);
    }
    if (!(this.c1 > 0 && this.c1 < this.c2 && this.c2 < 1)) {
      throw new Error(`${name}: need 0 < c1 < c2 < 1, got c1=${this.c1}, c2=${this.c2}`);
    }
    if (!Number.isInteger(this.maxLineSearchEvals) || this.maxLineSearchEvals < 1) {
      throw new Error(`${name}: maxLineSearchEvals must be a positive integer, got ${this.maxLineSearchEvals}`);
    }
    if (new Set(params).size !== params.length) throw new Error(`${name}: a parameter appears twice in the list`);

    this.offsets = [];
    let n = 0;
    for (const p of params) {
      this.offsets.push(n);
      n += p.size;
    }
    this.n = n;
    this.x = new Float64Array(n);
    this.g = new Float64Array(n);
    this.d = new Float64Array(n);
    this.xTrial = new Float64Array(n);
    this.gLast = new Float64Array(n);
    this.gBest = new Float64Array(n);
    this.sNew = new Float64Array(n);
    this.yNew = new Float64Array(n);
  }

  /** out = −H·g; false when the model has nothing yet (the step then goes along −g). */
  protected abstract direction(g: Float64Array, out: Float64Array): boolean;
  /** Take an accepted pair in (sᵀy > 0 holds). It may keep `s` and `y` only by swapping the buffers. */
  protected abstract update(pair: StepPair): void;
  /** Drop the curvature model (back to no direction). */
  protected abstract forget(): void;

  /**
   * Forget the curvature model and the cached loss and gradient. Call it when the objective changes
   * (for example after resampling the data the closure uses).
   */
  reset(): void {
    this.forget();
    this.hasPoint = false;
  }

  /**
   * Forget only the cached loss and gradient and keep the curvature model: after a change of the
   * objective small enough that the model still describes it (a new sample of the same points).
   */
  refreshPoint(): void {
    this.hasPoint = false;
  }

  /**
   * One iteration: the model's direction, a line search along it, parameter update, model update.
   * `closure` must zero the parameters' grads, compute the loss, call backward() and return the
   * loss as a number; it may be called several times per step. The loss and gradient of the point
   * a previous step accepted are reused while the parameters still hold it. The parameters never
   * end at a higher loss than where the step started.
   */
  step(closure: () => number): QuasiNewtonStepResult {
    let evaluations = 0;
    const evaluate = (gradOut: Float64Array): number => {
      const loss = closure();
      evaluations++;
      if (typeof loss !== "number") throw new Error(`${this.name}: the closure must return the loss as a number, got ${typeof loss}`);
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
    if (this.direction(g, d)) gtd = dot(g, d);
    const modelDirection = gtd < 0;
    if (!modelDirection) {
      this.forget(); // no model yet, or d is not a descent direction: restart
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
      this.forget();
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
      if (alpha !== bestAlpha) throw new Error(`${this.name}: internal error, the line search returned an unseen step`);
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
    // g (the old gradient) is still this.g's buffer here: the model may read it.
    if (sy > CURVATURE_EPS * Math.sqrt(dot(s, s) * yy)) this.update({ s, y: yv, sy, yy, gOld: g, gNew, alpha, modelDirection });

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
      p.bumpVersion(); // (Tensor.version: backward() through a graph of the old values throws)
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
        throw new Error(`${this.name}: parameter ${k} has ${p.size} values but its gradient has ${p.grad.size}`);
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

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** y ← y + a·x */
export function axpy(a: number, x: Float64Array, y: Float64Array): void {
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
