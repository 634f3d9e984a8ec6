// Adam: its update formula against the textbook algorithm, and its convergence.

import { describe, expect, it } from "vitest";
import { Adam, Tensor, matmul, tensor } from "../../src/index.js";
import { expectClose } from "../helpers/tensors.js";

describe("Adam", () => {
  // Textbook Adam (Kingma & Ba, Algorithm 1): m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), p ← p − lr·m̂/(√v̂ + ε).
  function reference(p0: number[], grads: number[][], lr: number, b1: number, b2: number, eps: number, wd = 0): number[] {
    const p = [...p0];
    const m = p.map(() => 0);
    const v = p.map(() => 0);
    grads.forEach((g0, k) => {
      const t = k + 1;
      for (let j = 0; j < p.length; j++) {
        const g = g0[j]! + wd * p[j]!;
        m[j] = b1 * m[j]! + (1 - b1) * g;
        v[j] = b2 * v[j]! + (1 - b2) * g * g;
        const mHat = m[j]! / (1 - b1 ** t);
        const vHat = v[j]! / (1 - b2 ** t);
        p[j] = p[j]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    return p;
  }

  it("the first step moves each parameter by lr·g/(|g| + ε)", () => {
    const p = tensor([1, -2, 0.5], { requiresGrad: true });
    const opt = new Adam([p], { lr: 0.1 });
    p.grad = tensor([0.3, -0.1, 2]);
    opt.step();
    // t = 1: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g)
    expectClose(p, [1 - 0.1 * 0.3 / (0.3 + 1e-8), -2 + 0.1 * 0.1 / (0.1 + 1e-8), 0.5 - 0.1 * 2 / (2 + 1e-8)], { rtol: 1e-14 });
    expect(opt.t).toBe(1);
  });

  it("several steps and weight decay follow the bias-corrected formula", () => {
    const grads = [[0.3, -0.1, 2], [-0.2, 0.4, 1], [0.05, 0.05, -3]];
    for (const wd of [0, 0.01]) {
      const p = tensor([1, -2, 0.5], { requiresGrad: true });
      const opt = new Adam([p], { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: wd });
      for (const g of grads) {
        p.grad = tensor(g);
        opt.step();
      }
      expectClose(p, reference([1, -2, 0.5], grads, 0.01, 0.8, 0.99, 1e-6, wd), { rtol: 1e-13 });
    }
  });

  it("skips parameters without a gradient; zeroGrad clears them", () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const opt = new Adam([a, b], { lr: 0.5 });
    a.grad = tensor([1]);
    opt.step();
    expect(b.data[0]).toBe(2);
    expect(a.data[0]).toBeCloseTo(0.5, 7);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it("converges on a convex quadratic ½pᵀAp − bᵀp to p* = A⁻¹b", () => {
    // A is symmetric positive definite; b = A·p* with p* = [1, −2, 0.5].
    const A = tensor([[3, 1, 0], [1, 2, 0.5], [0, 0.5, 1]]);
    const pStar = [1, -2, 0.5];
    const b = tensor([3 * 1 + 1 * -2, 1 * 1 + 2 * -2 + 0.5 * 0.5, 0.5 * -2 + 0.5]);
    const p = tensor([0, 0, 0], { requiresGrad: true });
    const opt = new Adam([p], { lr: 0.05 });
    const loss = (): Tensor => matmul(p, matmul(A, p)).mul(0.5).sub(matmul(b, p));
    for (let i = 0; i < 3000; i++) {
      if (i === 2000) opt.lr = 0.005;
      opt.zeroGrad();
      loss().backward();
      opt.step();
    }
    expectClose(p, pStar, { atol: 1e-4 });
  });
});
