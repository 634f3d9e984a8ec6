// Dense quasi-Newton methods of the self-scaled Broyden class, on an n × n inverse-Hessian
// approximation H (the iteration itself, line search included: quasi-newton.ts). With the pair
// s = x_{k+1} − x_k, y = g_{k+1} − g_k of a step of length α along d = −H·g:
//   ρ = 1/(sᵀy),  u = H·y,  h = ρ·yᵀHy,  b = sᵀBs·ρ = −α·ρ·sᵀg  (B = H⁻¹, so B·s = −α·g),
//   v = ρ·s − u/(yᵀHy),
//   H⁺ = (H − u·uᵀ/(yᵀHy) + φ·(yᵀHy)·v·vᵀ)/τ + ρ·s·sᵀ                                     (1)
// (the Broyden class with parameter φ, H scaled by 1/τ; Al-Baali & Khalfan 2005; in this form in
// Urbán, Stefanou & Pons, "Unveiling the optimization process of PINNs", JCP 2025, eqs. 10–23).
//   "bfgs":      φ = 1, τ = 1 (N&W eq. 6.17).
//   "ssbfgs":    φ = 1, τ = min(1, 1/b) (Al-Baali's self-scaling, Urbán et al. eq. 11).
//   "ssbroyden": with a = b·h − 1 (≥ 0 by Cauchy–Schwarz),
//                ρ⁻ = min(1, h·(1 − √(a/(1 + a)))), θ⁻ = (ρ⁻ − 1)/a, θ⁺ = 1/ρ⁻,
//                θ = max(θ⁻, min(θ⁺, (1 − b)/b)),  φ = (1 − θ)/(1 + a·θ),
//                σ = 1 + θ·a,  τ = min(1, 1/b)·min(σ^(1/(1−n)), 1/θ) for θ > 0,
//                              τ = min(min(1, 1/b)·σ^(1/(1−n)), σ) for θ ≤ 0           (Urbán et al. 13–23)
//                (where a is too small for θ⁻ to be finite, the ssbfgs choice θ = 0).
// Expanding v·vᵀ, (1) is one symmetric rank-3 pass over H:
//   H⁺_ij = H_ij/τ + A·u_i·u_j − C·(s_i·u_j + u_i·s_j) + E·s_i·s_j,
//   A = (φ − 1)/(τ·yᵀHy),  C = φ·ρ/τ,  E = ρ + φ·ρ²·yᵀHy/τ.
// Before the first update H = I is scaled by γ = sᵀy/yᵀy (N&W eq. 6.20), the usual choice that makes
// the first quasi-Newton step of the right size. Memory: 8n² bytes (the limit on n is
// LIMITS.maxDenseBfgsParameters, problem/limits.ts); time per step O(n²) on top of the closure calls:
// ONE pass over the upper triangle per step, which writes the previous step's update (1) into H and
// multiplies the updated H by the new gradient at once (a WebAssembly SIMD kernel, optim-wasm.ts, or
// the same loop in JavaScript with PINN_NO_WASM=1, optim-kernels.ts; the pass is memory-bound, so one
// read and one write of H instead of a product and an update is most of the gain).

import type { Tensor } from "../engine/tensor.js";
import { QuasiNewton, dot, type QuasiNewtonOptions, type QuasiNewtonStepResult, type StepPair } from "./quasi-newton.js";
import { OptimArena, interleaved, padded } from "./optim-kernels.js";
import { optimModule } from "./optim-wasm.js";
import { ROW_BLOCKS, RowThreads, arenaId, rowBlocks } from "./optim-threads.js";
import { countKernel } from "../engine/kernels/usage.js";
import { checkParams, checkQuasiNewtonOptions } from "./check-options.js";

export type BfgsUpdate = "bfgs" | "ssbfgs" | "ssbroyden";
export const BFGS_UPDATES: readonly BfgsUpdate[] = Object.freeze(["ssbfgs", "ssbroyden", "bfgs"]);

export interface BFGSOptions extends QuasiNewtonOptions {
  /** The update formula (default "ssbfgs"). */
  update?: BfgsUpdate;
  /**
   * Threads for the pass over H (default 1): with more, its row blocks run on worker threads
   * (optim-threads.ts; WebAssembly kernels and n ≥ THREADED_MIN_WEIGHTS only). The numbers do not
   * depend on it.
   */
  threads?: number;
  /** Tests: the calling thread leaves the blocks to the workers. */
  workersOnly?: boolean;
}

/** Below this many weights the pass over H is too short to hand over to other threads. */
export const THREADED_MIN_WEIGHTS = 256;

export type BFGSStepResult = QuasiNewtonStepResult;

/** Bytes of the dense matrix for n parameters. */
export function denseBfgsBytes(n: number): number {
  return 8 * padded(n) ** 2;
}

export class BFGS extends QuasiNewton {
  readonly update_: BfgsUpdate;
  /** Threads the pass over H may use (1: this thread only). */
  readonly threads: number;
  private readonly workersOnly: boolean;
  /**
   * The matrix, its pending update and the vectors of one pass, in one arena (null until the
   * first pair): H is np × np row-major, symmetric, of which only the upper triangle is kept up
   * to date. The model is H with the pending update (1) applied: the update of step k is written
   * into H in the same pass as the product by H of step k + 1 (optim-wasm.ts), so each step reads
   * and writes H once. `coef` = [1/τ, A, C, E] of the pending update ([1, 0, 0, 0]: none), `u` and
   * `s` its vectors, `g` the vector the pass multiplies, `w` = H·g.
   */
  private dense: DenseState | null = null;
  private hasH = false;
  /** −H·g for the gradient in `nextFor`, computed with the update (valid while `hasNext`). */
  private readonly next: Float64Array;
  private readonly nextFor: Float64Array;
  private hasNext = false;
  /** Updates taken into H since it was last reset. */
  updates = 0;

  constructor(params: Tensor[], options: BFGSOptions = {}) {
    super(checkParams(params, "BFGS"), checkQuasiNewtonOptions(options, "BFGS", ["update", "threads", "workersOnly"]), "BFGS");
    this.update_ = options.update ?? "ssbfgs";
    if (!BFGS_UPDATES.includes(this.update_)) {
      throw new Error(`BFGS: update must be one of ${BFGS_UPDATES.join(", ")}, got "${String(this.update_)}"`);
    }
    this.next = new Float64Array(this.n);
    this.nextFor = new Float64Array(this.n);
    this.threads = options.threads ?? 1;
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new Error(`BFGS: threads must be a positive integer, got ${this.threads}`);
    this.workersOnly = options.workersOnly ?? false;
  }

  /** True when the pass over H runs on several threads (after the first pair). */
  get threaded(): boolean {
    return this.dense?.pool != null;
  }

  /** Which kernel runs the O(n²) pass: "wasm-simd" or "js" (null before the first pair). */
  get kernel(): "wasm-simd" | "js" | null {
    return this.dense?.arena.kernel ?? null;
  }

  /** A full symmetric copy of H (null before the first update). */
  inverseHessian(): Float64Array | null {
    const d = this.dense;
    if (d === null || !this.hasH) return null;
    d.g.fill(0);
    this.pass(d); // apply the pending update
    const n = this.n;
    const np = d.np;
    const H = d.arena.f64;
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) out[i * n + j] = out[j * n + i] = H[d.h + i * np + j]!;
    }
    return out;
  }

  protected forget(): void {
    this.hasH = false;
    this.hasNext = false;
    this.updates = 0;
  }

  /** out = −H·g (from the update's by-product when g is the gradient it was computed for). */
  protected direction(g: Float64Array, out: Float64Array): boolean {
    const d = this.dense;
    if (d === null || !this.hasH) return false;
    if (this.hasNext && equal(g, this.nextFor)) {
      out.set(this.next);
      return true;
    }
    d.g.set(g);
    this.pass(d);
    for (let i = 0; i < this.n; i++) out[i] = -d.w[i]!;
    return true;
  }

  /** One pass over H: the pending update written into H, w = H·g; no update pending afterwards. */
  private pass(d: DenseState): void {
    const { arena, np, blocks, outs } = d;
    const f = arena.f64;
    const n = this.n;
    putVector(d, 2, d.g);
    f.fill(0, outs[0], outs[0]! + ROW_BLOCKS * np);
    const own = (b: number): void => arena.symUpdateMv(d.h, blocks[b]!.r0, blocks[b]!.r1, np, d.coefAt, d.v, outs[b]!);
    if (d.pool !== null) {
      countKernel("bfgs-update:threads");
      const args = { h: 8 * d.h, np, coef: 8 * d.coefAt, v: 8 * d.v, blocks: blocks.map((blk, b) => ({ ...blk, out: 8 * outs[b]! })) };
      d.pool.run(d.id, arena.sharedMemory!, optimModule(true)!, args, own, this.workersOnly);
    } else {
      for (let b = 0; b < ROW_BLOCKS; b++) own(b);
    }
    countKernel(`bfgs-update:${arena.kernel}`);
    // H·g: the blocks' shares added in block order.
    for (let i = 0; i < n; i++) {
      let t = f[outs[0]! + i]!;
      for (let b = 1; b < ROW_BLOCKS; b++) t += f[outs[b]! + i]!;
      d.w[i] = t;
    }
    d.coef.set(NO_UPDATE);
  }

  /**
   * The update (1) with one pass over the upper triangle per step: w = H·g⁺ (g⁺ = g + y, H with
   * the previous step's update applied in the same pass), and H·y = w − H·g = w + s/α because the
   * step went along d = −H·g. This step's update is left pending for the next pass; the next
   * direction −H⁺·g⁺ follows from w in O(n) (expand (1) times g⁺).
   */
  protected update({ s, y, sy, yy, gOld, gNew: gNext, alpha, modelDirection }: StepPair): void {
    const n = this.n;
    const d = (this.dense ??= denseState(n, n >= THREADED_MIN_WEIGHTS || this.workersOnly ? this.threads : 1));
    const { u, w } = d;
    // The next step's gradient, exactly, so that its direction is this update's by-product.
    const gNew = this.nextFor;
    gNew.set(gNext);
    this.hasNext = false;
    if (!this.hasH || !modelDirection) {
      // H₀ = γI, γ = sᵀy/yᵀy (N&W eq. 6.20); the step was steepest descent, so form H·y directly.
      const H = d.arena.f64;
      H.fill(0, d.h, d.h + d.np * d.np);
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) H[d.h + i * d.np + i] = gamma;
      d.coef.set(NO_UPDATE);
      this.hasH = true;
      for (let i = 0; i < n; i++) {
        u[i] = gamma * y[i]!;
        w[i] = gamma * gNew[i]!;
      }
    } else {
      d.g.set(gNew);
      this.pass(d);
      const invAlpha = 1 / alpha;
      for (let i = 0; i < n; i++) u[i] = w[i]! + s[i]! * invAlpha;
    }
    const yHy = dot(y, u);
    if (!(yHy > 0) || !Number.isFinite(yHy)) {
      this.forget(); // H has lost positive definiteness to rounding: start again from the next pair
      return;
    }
    const rho = 1 / sy;
    const h = rho * yHy;
    // b = sᵀBs/sᵀy; B·s = −α·g holds only when d was −H·g (not after a steepest-descent restart).
    const b = modelDirection ? (-alpha * dot(s, gOld)) / sy : h;
    let tau = 1;
    let phi = 1;
    if (this.update_ === "ssbfgs") {
      tau = b > 0 ? Math.min(1, 1 / b) : 1;
    } else if (this.update_ === "ssbroyden") {
      ({ tau, phi } = ssBroydenParameters(b, h, n));
    }
    const A = (phi - 1) / (tau * yHy);
    const C = (phi * rho) / tau;
    const E = rho + (phi * rho * rho * yHy) / tau;
    const inv = 1 / tau;
    // Pending until the next pass: H⁺_ij = H_ij/τ + A·u_i·u_j − C·(s_i·u_j + u_i·s_j) + E·s_i·s_j.
    d.coef[0] = inv;
    d.coef[1] = A;
    d.coef[2] = C;
    d.coef[3] = E;
    d.s.set(s);
    putVector(d, 0, u);
    putVector(d, 1, s);
    // −H⁺·g⁺ = −(w/τ + u·(A·uᵀg⁺ − C·sᵀg⁺) + s·(E·sᵀg⁺ − C·uᵀg⁺)).
    const ug = dot(u, gNew);
    const sg = dot(s, gNew);
    const cu = A * ug - C * sg;
    const cs = E * sg - C * ug;
    for (let i = 0; i < n; i++) this.next[i] = -(w[i]! * inv + cu * u[i]! + cs * s[i]!);
    this.hasNext = true;
    this.updates++;
  }
}

/** Coefficients [1/τ, A, C, E] of no update. */
const NO_UPDATE = [1, 0, 0, 0] as const;

interface DenseState {
  arena: OptimArena;
  /** The worker threads (null: this thread runs every block) and the arena's id for them. */
  pool: RowThreads | null;
  id: number;
  /** Row blocks, and the element offsets of their shares of H·g. */
  blocks: { r0: number; r1: number }[];
  outs: number[];
  np: number;
  /** Element offsets of H, the coefficients and the interleaved vectors (optim-wasm.ts) in the arena. */
  h: number;
  coefAt: number;
  v: number;
  /** View of the coefficients. */
  coef: Float64Array;
  /** The pending update's vectors, the vector multiplied and the product (plain arrays, copied in and out of v). */
  u: Float64Array;
  s: Float64Array;
  g: Float64Array;
  w: Float64Array;
}

function denseState(n: number, threads: number): DenseState {
  const np = padded(n);
  const arena = new OptimArena(4 + (3 + ROW_BLOCKS) * np + np * np, undefined, threads > 1);
  const coefAt = arena.alloc(4);
  const v = arena.alloc(3 * np);
  const outs = Array.from({ length: ROW_BLOCKS }, () => arena.alloc(np));
  const h = arena.alloc(np * np);
  const vec = (): Float64Array => new Float64Array(n);
  const pool = threads > 1 && arena.sharedMemory !== null && optimModule(true) !== null ? RowThreads.get(threads) : null;
  return { arena, pool, id: arenaId(), blocks: rowBlocks(n, np), outs, np, h, coefAt, v, coef: arena.view(coefAt, 4), u: vec(), s: vec(), g: vec(), w: vec() };
}

/** Copy vector k (u 0, s 1, g 2) into the interleaved block. */
function putVector(d: DenseState, k: 0 | 1 | 2, src: Float64Array): void {
  const f = d.arena.f64;
  for (let i = 0; i < src.length; i++) f[d.v + interleaved(i, k)] = src[i]!;
}

function equal(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * τ and φ of the self-scaled Broyden update (Urbán, Stefanou & Pons, eqs. 13–23) from b = sᵀBs/sᵀy,
 * h = yᵀHy/sᵀy and the dimension n; the ssbfgs choice (φ = 1, τ = min(1, 1/b)) where a = bh − 1 is
 * too small (or, by rounding, negative) for θ⁻ to be defined.
 */
export function ssBroydenParameters(b: number, h: number, n: number): { tau: number; phi: number } {
  const rhoB = b > 0 ? Math.min(1, 1 / b) : 1;
  const a = b * h - 1;
  if (!(a > 1e-12) || !Number.isFinite(a) || !(b > 0)) return { tau: rhoB, phi: 1 };
  const rhoMinus = Math.min(1, h * (1 - Math.sqrt(a / (1 + a))));
  const thetaMinus = (rhoMinus - 1) / a;
  const thetaPlus = 1 / rhoMinus;
  const theta = Math.max(thetaMinus, Math.min(thetaPlus, (1 - b) / b));
  const sigma = 1 + theta * a;
  const sigmaRoot = Math.abs(sigma) ** (1 / (1 - n));
  const tau = theta <= 0 ? Math.min(rhoB * sigmaRoot, sigma) : rhoB * Math.min(sigmaRoot, 1 / theta);
  const phi = (1 - theta) / (1 + a * theta);
  if (!(tau > 0) || !Number.isFinite(tau) || !Number.isFinite(phi)) return { tau: rhoB, phi: 1 };
  return { tau, phi };
}
