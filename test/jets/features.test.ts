// Input features (periodic embedding, Fourier features) in the fused forward-Taylor pass: the jets
// and their weight gradients against nested reverse mode through the same features written with
// ordinary engine ops (sin, cos, matmul: the engine's own derivative rules, an independent path),
// and periodicity of the network to every order checked at both ends.
import { describe, expect, it } from "vitest";
import { Tensor } from "../../src/engine/tensor.js";
import { Rng } from "../../src/engine/random.js";
import * as ops from "../../src/engine/ops/index.js";
import { noGrad } from "../../src/engine/state.js";
import { PinnNetwork } from "../../src/residual/network.js";
import { boxFeatures } from "../../src/nn/features.js";
import { indexKey } from "../../src/jets/taylor.js";
import { setChunkTarget } from "../../src/jets/fused-jets.js";

const bounds: [number, number][] = [
  [0, 2 * Math.PI],
  [0, 1],
];

function network(activation: "tanh" | "sin" | "sigmoid", fourier = false): PinnNetwork {
  const features = boxFeatures(bounds, { periodic: new Map([[0, 2]]), fourier: fourier ? [{ variable: 1, frequencies: [1, 3] }] : [] });
  return new PinnNetwork(bounds, 2, { hidden: [10, 6], activation, init: "uniform" }, new Rng(3), features);
}

function points(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(2 * n);
  for (let p = 0; p < n; p++) {
    out[2 * p] = rng.uniform() * 2 * Math.PI;
    out[2 * p + 1] = rng.uniform();
  }
  return out;
}

const requested = [
  [3, 0],
  [1, 2],
  [2, 1],
];

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
}

describe("input features in the fused Taylor pass", () => {
  for (const [activation, fourier, n] of [["tanh", false, 37], ["sigmoid", true, 37], ["sin", true, 37], ["tanh", true, 150]] as const) {
    it(`${activation}${fourier ? " with Fourier features" : ""}, ${n} points: jets and weight gradients equal nested reverse mode`, () => {
      const net = network(activation, fourier);
      // 37 points: odd, so the SIMD kernels' pair loops and the scalar tails both run; 150 points
      // with the smallest chunk target: three chunks of 64, 64, 22 points.
      const X = points(n, 1);
      if (n > 100) setChunkTarget(1);
      const run = (mode: "taylor" | "reverse"): { jets: Map<string, Float64Array>; grads: Float64Array[] } => {
        const jets = net.derivatives(new Tensor(X, [n, 2]), requested, mode);
        // A loss that uses every stream: Σ_β c_β Σ (∂^β N)², so each stream's backward pass counts.
        let loss: Tensor | null = null;
        [...jets.keys()].sort().forEach((k, i) => {
          const term = ops.mul(ops.sum(ops.square(jets.get(k)!)), 1 + 0.1 * i);
          loss = loss === null ? term : ops.add(loss, term);
        });
        for (const p of net.parameters()) p.grad = null;
        loss!.backward();
        return {
          jets: new Map([...jets].map(([k, v]) => [k, Float64Array.from(v.data)])),
          grads: net.parameters().map((p) => Float64Array.from(p.grad!.data)),
        };
      };
      const fast = run("taylor");
      setChunkTarget(128 * 1024);
      const reference = run("reverse");
      expect([...fast.jets.keys()].sort()).toEqual([...reference.jets.keys()].sort());
      for (const [k, v] of fast.jets) expectClose(v, reference.jets.get(k)!, 1e-10);
      fast.grads.forEach((g, i) => expectClose(g, reference.grads[i]!, 1e-9));
    });
  }

  it("the network is periodic in x to every order: the jets agree at x = 0 and x = 2π", () => {
    const net = network("tanh", true);
    const X = points(9, 2);
    const at = (x: number): Map<string, Tensor> => {
      const P = Float64Array.from(X);
      for (let p = 0; p < 9; p++) P[2 * p] = x;
      return noGrad(() => net.derivatives(new Tensor(P, [9, 2]), [[4, 1]], "taylor"));
    };
    const lo = at(0);
    const hi = at(2 * Math.PI);
    for (const [k, v] of lo) expectClose(v.data, hi.get(k)!.data, 1e-10);
    // And not trivially: the x-derivatives are not all zero.
    expect(Math.max(...Array.from(lo.get(indexKey([1, 0]))!.data).map(Math.abs))).toBeGreaterThan(1e-3);
  });
});
