// Objectives with minimizers known in closed form, written on flat vectors with hand-derived
// gradients, and the loop that runs an optimizer on them: shared by the optimizer tests.

import { Tensor, type Rng } from "../../src/index.js";
import type { QuasiNewtonStepResult } from "../../src/optim/quasi-newton.js";

/** Parameters of the given sizes (shapes [size]) starting at the values of x0, in order. */
export function makeParams(x0: number[], sizes: number[]): Tensor[] {
  let o = 0;
  return sizes.map((s) => {
    const t = new Tensor(Float64Array.from(x0.slice(o, o + s)), [s]).requireGrad();
    o += s;
    return t;
  });
}

export function flat(params: Tensor[]): number[] {
  return params.flatMap((p) => Array.from(p.data));
}

/** A closure over f(x) and ∇f(x) written on a flat vector; writes .grad of each parameter. */
export function closureOf(params: Tensor[], fg: (x: number[]) => { f: number; g: number[] }, calls?: { n: number }): () => number {
  return () => {
    for (const p of params) p.grad = null;
    const { f, g } = fg(flat(params));
    let o = 0;
    for (const p of params) {
      p.grad = new Tensor(Float64Array.from(g.slice(o, o + p.size)), p.shape);
      o += p.size;
    }
    if (calls) calls.n++;
    return f;
  };
}

/** Σᵢ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at x = (1, …, 1). */
export function rosenbrock(x: number[]): { f: number; g: number[] } {
  const g = new Array<number>(x.length).fill(0);
  let f = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i]! += -400 * x[i]! * a - 2 * b;
    g[i + 1]! += 200 * a;
  }
  return { f, g };
}

/** Run steps until converged or `maxSteps`; returns the last result and the number of steps. */
export function run(opt: { step(closure: () => number): QuasiNewtonStepResult }, closure: () => number, maxSteps: number, onStep?: (r: QuasiNewtonStepResult) => void): { last: QuasiNewtonStepResult; steps: number } {
  let last: QuasiNewtonStepResult = { loss: NaN, evaluations: 0, converged: false };
  let steps = 0;
  while (steps < maxSteps) {
    last = opt.step(closure);
    steps++;
    onStep?.(last);
    if (last.converged) break;
  }
  return { last, steps };
}

/** A = Q·diag(λ)·Qᵀ with Q orthogonal (Gram–Schmidt of a random matrix), as rows. */
export function spdMatrix(n: number, eigenvalues: number[], rng: Rng): number[][] {
  const q: number[][] = [];
  while (q.length < n) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (const u of q) {
      const c = v.reduce((s, vi, i) => s + vi * u[i]!, 0);
      for (let i = 0; i < n; i++) v[i]! -= c * u[i]!;
    }
    const norm = Math.hypot(...v);
    q.push(v.map((vi) => vi / norm));
  }
  // A_ij = Σ_k λ_k q_k[i] q_k[j]
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => q.reduce((s, qk, k) => s + eigenvalues[k]! * qk[i]! * qk[j]!, 0)),
  );
}

/** f = ½xᵀAx − bᵀx with b = A·x*, so ∇f = A(x − x*) and the minimizer is x*. */
export function quadratic(a: number[][], xStar: number[]): (x: number[]) => { f: number; g: number[] } {
  return (x) => {
    const e = x.map((xi, i) => xi - xStar[i]!);
    const g = a.map((row) => row.reduce((s, aij, j) => s + aij * e[j]!, 0));
    // ½xᵀAx − x*ᵀAx = ½eᵀAe − ½x*ᵀAx*; the constant does not matter, use ½eᵀAe
    const f = 0.5 * e.reduce((s, ei, i) => s + ei * g[i]!, 0);
    return { f, g };
  };
}

