// Fused elementwise arithmetic in backward passes without createGraph (src/engine/fusion.ts): the
// gradients are identical bit for bit to the unfused ops' (same float64 operations in the same
// order per element), the fused kernel is observable in kernelUsage(), and passes that record a
// graph (createGraph, forward-mode levels) are not fused. The references here are the same
// computations with fusion off (setFusion(false)), and for the first case the derivative by hand.

import { afterAll, describe, expect, it } from "vitest";
import { rand, Rng, nn, laplacian, gradients, grad, jvp, kernelUsage, resetKernelUsage, type Tensor } from "../../src/index.js";
import { setFusion } from "../../src/engine/fusion.js";
import { wasmKernelsActive } from "../../src/engine/kernels/f64-heap.js";

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

  it("the Laplacian at sizes where the matrix products run on the SIMD kernel and read lazy operands from their expressions: same bits", () => {
    const net = new nn.MLP([2, 32, 32, 1], "tanh", { seed: 5 });
    const params = net.parameters();
    const X = rand([256, 2], { rng, requiresGrad: true });
    const lap = (): Tensor => laplacian(net.forward(X), X).sub(1).square().mean();
    resetKernelUsage();
    const fused = gradsOf(params, lap, true);
    const usage = kernelUsage();
    // (with PINN_NO_WASM=1 the products run in JavaScript: the fused expressions and the bits still hold)
    if (wasmKernelsActive()) expect(usage["matmul:wasm-simd"]).toBeGreaterThan(0);
    expect(usage["elementwise:fused"]).toBeGreaterThan(0);
    identical(fused, gradsOf(params, lap, false));
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

  it("gradients() returns evaluated tensors; a recorded pass (createGraph) fuses too, with the same numbers", () => {
    const x = rand([300], { rng, requiresGrad: true });
    resetKernelUsage();
    const [g] = gradients(x.mul(x).mul(3).sum(), x);
    expect(g!.lazy).toBeNull();
    // d/dx Σ 3x² = 6x, and 6x is computed as (1·3)·x + (1·3)·x: exact in float64 for these x.
    x.data.forEach((v, i) => expect(g!.data[i]).toBe(6 * v));
    resetKernelUsage();
    const [g2] = gradients(x.mul(x).mul(3).sum(), x, { createGraph: true });
    // The recorded gradient is a lazy expression, evaluated in one fused loop when read.
    expect(g2!.lazy).not.toBeNull();
    x.data.forEach((v, i) => expect(g2!.data[i]).toBe(6 * v));
    expect(kernelUsage()["elementwise:fused"]).toBeGreaterThan(0);
    expect(gradients(g2!.sum(), x)[0]!.data.every((v) => v === 6)).toBe(true);
    const z0 = rand([300], { rng });
    const h = (fused: boolean): Float64Array => {
      setFusion(fused);
      const out = Float64Array.from(jvp((z: Tensor) => grad((w: Tensor) => w.mul(w).mul(w).sum())(z), z0, z0)[1].data);
      setFusion(true);
      return out;
    };
    identical([h(true)], [h(false)]);
  });
});

// Lazy values outside backward passes (forward arithmetic, recorded passes): fusion.ts reads only
// values that cannot change before the lazy value is read (Tensor.sealed).
describe("fused forward arithmetic", () => {
  afterAll(() => setFusion(true));

  it("arithmetic on op results is lazy, evaluated once when read, with the ops' own numbers", () => {
    const x = rand([1000], { rng });
    const y = x.tanh();
    // (tanh fuses too: its values are evaluated here, once, to be the reference below)
    void y.data;
    resetKernelUsage();
    const z = y.mul(2).add(1).mul(y);
    expect(z.lazy).not.toBeNull();
    expect(kernelUsage()["elementwise:fused"]).toBeUndefined();
    // The reference: the same float64 operations, one at a time, on y's values.
    const expected = Array.from(y.data, (v) => (v * 2 + 1) * v);
    expect(Array.from(z.data)).toEqual(expected);
    expect(z.lazy).toBeNull();
    z.data;
    expect(kernelUsage()["elementwise:fused"]).toBe(1);
  });

  it("a tensor made from an array (a parameter) is read as it is when the op runs (a snapshot), so changing it in place later changes no result", () => {
    const p = rand([1000], { rng, requiresGrad: true });
    const before = Float64Array.from(p.data);
    const a = p.mul(p).add(1);
    const b = p.reshape([10, 100]).mul(3);
    const c = p.tanh().mul(p);
    // Lazy: they read a copy of p's values made (or found equal, bit for bit) when each op ran.
    expect(b.lazy).not.toBeNull();
    expect(c.lazy).not.toBeNull();
    p.data.fill(7);
    a.data.forEach((v, i) => expect(v).toBe(before[i]! * before[i]! + 1));
    b.data.forEach((v, i) => expect(v).toBe(before[i]! * 3));
    c.data.forEach((v, i) => expect(Math.abs(v - Math.tanh(before[i]!) * before[i]!)).toBeLessThan(1e-15));
  });

  it("a lazy value combined with a parameter reads a snapshot of the parameter: ONE loop with its expression (no buffer for the expression), with the two passes' bits", () => {
    const p = rand([1000], { rng, requiresGrad: true });
    const y = rand([1000], { rng }).tanh();
    const y2 = rand([40, 100], { rng }).tanh();
    const q = rand([40, 100], { rng, requiresGrad: true });
    let operands: Tensor[] = [];
    const run = (): Tensor[] => {
      operands = [y.mul(2).add(1), y.mul(y), y2.mul(3).add(rand([100], { rng: new Rng(3) }))];
      return [operands[0]!.sub(p), p.div(operands[1]!), operands[2]!.mul(q)];
    };
    void y.data;
    void y2.data;
    resetKernelUsage();
    const fused = run();
    // Lazy (the parameters are read from snapshots), then one fused evaluation per result; the lazy
    // operands were not evaluated into buffers of their own (they are still lazy).
    fused.forEach((t) => expect(t.lazy).not.toBeNull());
    fused.forEach((t) => void t.data);
    operands.forEach((t) => expect(t.lazy).not.toBeNull());
    expect(kernelUsage()["elementwise:fused"]).toBe(3);
    setFusion(false);
    const plain = run();
    setFusion(true);
    // The references: the same ops one at a time (fusion off), and by hand for the first.
    fused.forEach((t, k) => t.data.forEach((v, i) => expect(Object.is(v, plain[k]!.data[i]), `result ${k}, element ${i}`).toBe(true)));
    fused[0]!.data.forEach((v, i) => expect(v).toBe(y.data[i]! * 2 + 1 - p.data[i]!));
    // Read from the snapshot: changing the parameter afterwards changes nothing.
    const before = Float64Array.from(fused[0]!.data);
    p.data.fill(9);
    fused[0]!.data.forEach((v, i) => expect(v).toBe(before[i]));
  });

  it("detach().requireGrad() of an op result gets its own values: updating it in place leaves the result and lazy values of it alone", () => {
    const y = rand([1000], { rng }).tanh();
    const old = Float64Array.from(y.data);
    const lazy = y.mul(3);
    expect(lazy.lazy).not.toBeNull();
    const w = y.detach().requireGrad();
    w.data.fill(5);
    y.data.forEach((v, i) => expect(v).toBe(old[i]));
    lazy.data.forEach((v, i) => expect(v).toBe(old[i]! * 3));
  });

  it("a layer: the bias row is read lazily from a copy, tanh fuses with the bias sum, sum() adds the lazy value without a buffer", () => {
    const W = rand([32, 16], { rng, requiresGrad: true });
    const b = rand([16], { rng, requiresGrad: true });
    const h = rand([64, 32], { rng }).tanh();
    void h.data;
    const run = (fused: boolean): { y: Float64Array; s: number; usage: Record<string, number> } => {
      setFusion(fused);
      resetKernelUsage();
      const z = h.matmul(W).add(b);
      if (fused) expect(z.lazy).not.toBeNull();
      const y = z.tanh();
      const s = y.mul(y).sum().item();
      const usage = kernelUsage();
      setFusion(true);
      return { y: Float64Array.from(y.data), s, usage };
    };
    const fused = run(true);
    // tanh fuses into the sum's kernel, which writes its values too (y requires grad: its backward reads
    // them). Functions fuse only where the WebAssembly SIMD kernels run (PINN_NO_WASM=1: tanh is
    // computed on its own, reading the lazy bias sum, and the sum of squares is fused).
    if (wasmKernelsActive()) {
      expect(fused.usage["tanh:fused"]).toBe(1);
      expect(fused.usage["elementwise:fused"]).toBeUndefined();
    } else expect(fused.usage["tanh:fused"]).toBeUndefined();
    expect(fused.usage["sum:fused"]).toBe(1);
    const plain = run(false);
    expect(plain.usage["elementwise:fused"]).toBeUndefined();
    identical([fused.y, Float64Array.of(fused.s)], [plain.y, Float64Array.of(plain.s)]);
    // The bias is copied when the lazy sum is made: changing it in place afterwards changes nothing.
    const z = h.matmul(W).add(b);
    const expected = Float64Array.from(h.matmul(W).data, (v, i) => v + b.data[i % 16]!);
    b.data.fill(100);
    z.data.forEach((v, i) => expect(v).toBe(expected[i]));
  });

  it("sum() of a lazy value gives the bits of sum() of its evaluated values (1001 values: four running sums and a tail)", () => {
    const y = rand([1001], { rng }).tanh();
    resetKernelUsage();
    const lazy = y.mul(3).add(y).sum().item();
    expect(kernelUsage()["sum:fused"]).toBe(1);
    const values = y.mul(3).add(y);
    const eager = Float64Array.from(values.data);
    expect(Object.is(lazy, values.sum().item())).toBe(true);
    // And it is the sum: against a compensated (Kahan) sum of the same values.
    let s = 0, c = 0;
    for (const v of eager) {
      const t = s + (v - c);
      c = t - s - (v - c);
      s = t;
    }
    expect(Math.abs(lazy - s)).toBeLessThan(1e-12);
  });

  it("column sums (a bias's gradient) add the rows in order", () => {
    const g = rand([1027, 5], { rng }).tanh();
    const cols = g.sum(0);
    const d = g.data;
    for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let r = 0; r < 1027; r++) s += d[r * 5 + j]!;
      expect(Object.is(cols.data[j], s)).toBe(true);
    }
  });

  it("with fusion off nothing is lazy", () => {
    setFusion(false);
    const y = rand([1000], { rng }).tanh();
    expect(y.mul(2).add(1).lazy).toBeNull();
    setFusion(true);
  });
});
