// Fused elementwise arithmetic in backward passes without createGraph (src/engine/fusion.ts): the
// gradients are identical bit for bit to the unfused ops' (same float64 operations in the same
// order per element), the fused kernel is observable in kernelUsage(), and passes that record a
// graph (createGraph, forward-mode levels) are not fused. The references here are the same
// computations with fusion off (setFusion(false)), and for the first case the derivative by hand.

import { afterAll, describe, expect, it } from "vitest";
import { rand, Rng, nn, laplacian, gradients, grad, jvp, kernelUsage, resetKernelUsage, type Tensor } from "../../src/index.js";
import { setFusion } from "../../src/engine/fusion.js";

const rng = new Rng(9);

/** The gradients of `loss()` in `params` (fresh .grad each time), with fusion on or off. */
function gradsOf(params: Tensor[], loss: () => Tensor, fused: boolean): Float64Array[] {
  setFusion(fused);
  for (const p of params) p.grad = null;
  loss().backward();
  setFusion(true);
  // (A parameter the loss does not depend on, like the last bias under a Laplacian, has no gradient.)
  return params.map((p) => Float64Array.from(p.grad?.data ?? []));
}

function identical(a: Float64Array[], b: Float64Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    expect(x.length).toBe(b[i]!.length);
    for (let j = 0; j < x.length; j++) expect(Object.is(x[j], b[i]![j]), `gradient ${i}, element ${j}: ${x[j]} vs ${b[i]![j]}`).toBe(true);
  });
}

describe("fused backward arithmetic", () => {
  afterAll(() => setFusion(true));

  it("the elementwise chain: same bits as unfused, equal to the derivative by hand, fused kernel recorded", () => {
    const x = rand([5000], { rng, requiresGrad: true });
    const loss = (): Tensor => x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sub(x).div(x.add(2)).sum();
    resetKernelUsage();
    const fused = gradsOf([x], loss, true);
    expect(kernelUsage()["elementwise:fused"]).toBeGreaterThan(0);
    resetKernelUsage();
    const plain = gradsOf([x], loss, false);
    expect(kernelUsage()["elementwise:fused"]).toBeUndefined();
    identical(fused, plain);
    // f = (tanh x · sin x + e^{−x²}/2 − x)/(x + 2): f' = (h'·(x + 2) − h)/(x + 2)², h' = (1 − t²)s + t·cos x − x·e^{−x²} − 1
    x.data.forEach((v, i) => {
      const t = Math.tanh(v), s = Math.sin(v), e = Math.exp(-v * v);
      const h = t * s + 0.5 * e - v;
      const dh = (1 - t * t) * s + t * Math.cos(v) - v * e - 1;
      expect(Math.abs(fused[0]![i]! - (dh * (v + 2) - h) / (v + 2) ** 2)).toBeLessThan(1e-13);
    });
  });

  it("an MLP and the Laplacian through it: same bits as unfused", () => {
    const net = new nn.MLP([2, 16, 16, 1], "tanh", { seed: 4 });
    const params = net.parameters();
    const X = rand([64, 2], { rng, requiresGrad: true });
    identical(gradsOf(params, () => net.forward(X).square().mean(), true), gradsOf(params, () => net.forward(X).square().mean(), false));
    const lap = (): Tensor => laplacian(net.forward(X), X).sub(1).square().mean();
    identical(gradsOf(params, lap, true), gradsOf(params, lap, false));
  });

  it("broadcasting, plain numbers, division and reuse of one value by several ops: same bits", () => {
    const a = rand([40, 8], { rng, requiresGrad: true });
    const b = rand([8], { rng, requiresGrad: true });
    const loss = (): Tensor => {
      const u = a.mul(b).add(b.square()).div(a.add(3));
      return u.mul(u).sub(u.mul(2)).add(a.pow(3)).mean();
    };
    resetKernelUsage();
    const fused = gradsOf([a, b], loss, true);
    expect(kernelUsage()["elementwise:fused"]).toBeGreaterThan(0);
    identical(fused, gradsOf([a, b], loss, false));
  });

  it("a long chain (beyond one kernel's size limit): same bits", () => {
    resetKernelUsage();
    const x = rand([300], { rng, requiresGrad: true });
    const loss = (): Tensor => {
      let y = x;
      for (let i = 0; i < 120; i++) y = y.mul(1.001).add(x.mul(0.001)).sub(0.0005);
      return y.square().sum();
    };
    const fused = gradsOf([x], loss, true);
    expect(kernelUsage()["elementwise:fused"]).toBeGreaterThan(3);
    identical(fused, gradsOf([x], loss, false));
  });

  it("outputs of fewer than 256 values are computed at once", () => {
    const x = rand([200], { rng, requiresGrad: true });
    resetKernelUsage();
    x.mul(x).sum().backward();
    expect(kernelUsage()["elementwise:fused"]).toBeUndefined();
  });

  it("gradients() returns evaluated tensors; graphs that are recorded are not fused", () => {
    const x = rand([300], { rng, requiresGrad: true });
    resetKernelUsage();
    const [g] = gradients(x.mul(x).mul(3).sum(), x);
    expect(kernelUsage()["elementwise:fused"]).toBe(1);
    expect(g!.lazy).toBeNull();
    x.data.forEach((v, i) => expect(g!.data[i]).toBe(6 * v));
    resetKernelUsage();
    const [g2] = gradients(x.mul(x).mul(3).sum(), x, { createGraph: true });
    expect(g2!.lazy).toBeNull();
    expect(gradients(g2!.sum(), x)[0]!.data.every((v) => v === 6)).toBe(true);
    // The createGraph pass did not fuse; the last gradients() (no createGraph) may.
    resetKernelUsage();
    const z0 = rand([300], { rng });
    grad((z: Tensor) => z.mul(z).sum())(z0);
    jvp((z: Tensor) => grad((w: Tensor) => w.mul(w).mul(w).sum())(z), z0, z0);
    expect(kernelUsage()["elementwise:fused"]).toBeUndefined();
  });
});
