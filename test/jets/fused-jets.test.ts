// The fused forward-Taylor op against two independent computations of the same quantities: the
// op-by-op jets (taylor.ts, ordinary engine ops) and nested reverse mode (PinnNetwork "reverse"),
// on values and on the weight gradients of a loss built from the derivatives.

import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/engine/random.js";
import { Tensor } from "../../src/engine/tensor.js";
import * as ops from "../../src/engine/ops/index.js";
import { noGrad } from "../../src/engine/state.js";
import { PinnNetwork, type DerivativeMode } from "../../src/residual/network.js";
import { downwardClosure, indexKey } from "../../src/jets/taylor.js";
import type { ActivationName } from "../../src/nn/activations.js";
import type { NetworkSettings } from "../../src/problem/types.js";
import { setWasmKernels, sharedHeap } from "../../src/engine/kernels/f64-heap.js";
import { setChunkTarget } from "../../src/jets/fused-jets.js";
import { setWasmJetKernels } from "../../src/jets/wasm-jet-kernels.js";

const ACTS: ActivationName[] = ["tanh", "sigmoid", "sin", "softplus", "gelu", "swish", "relu"];

function network(bounds: [number, number][], hidden: number[], activation: ActivationName, outputs = 1, seed = 3): PinnNetwork {
  const settings = { hidden, activation, init: "glorot" } as NetworkSettings;
  const net = new PinnNetwork(bounds, outputs, settings, new Rng(seed));
  // Non-zero biases, so that every term of the jets is exercised.
  const rng = new Rng(seed + 100);
  for (const l of net.mlp.layers) if (l.bias) for (let i = 0; i < l.bias.size; i++) l.bias.data[i] = 0.3 * rng.normal();
  return net;
}

function points(n: number, bounds: [number, number][], seed = 7): Tensor {
  const rng = new Rng(seed);
  const d = bounds.length;
  const data = new Float64Array(n * d);
  for (let p = 0; p < n; p++) for (let i = 0; i < d; i++) data[p * d + i] = bounds[i]![0] + (bounds[i]![1] - bounds[i]![0]) * rng.uniform();
  return new Tensor(data, [n, d]);
}

/** Σ_β c_β · mean(∂^β N ⊙ ∂^β N ⊙ q_β) with fixed per-point weights q_β: uses every stream nonlinearly. */
function lossOf(streams: Map<string, Tensor>, keys: string[]): Tensor {
  let total: Tensor | null = null;
  keys.forEach((k, idx) => {
    const t = streams.get(k)!;
    const q = new Float64Array(t.size);
    for (let i = 0; i < q.length; i++) q[i] = 1 + 0.1 * ((i * 7 + idx * 3) % 5);
    const term = ops.mulScalar(ops.mean(ops.mul(ops.square(t), new Tensor(q, t.shape))), 1 / (idx + 1));
    total = total === null ? term : ops.add(total, term);
  });
  return total!;
}

function run(net: PinnNetwork, X: Tensor, requested: number[][], mode: DerivativeMode): { values: Map<string, Float64Array>; grads: Float64Array[] } {
  const params = net.parameters();
  for (const p of params) p.grad = null;
  const streams = net.derivatives(X, requested, mode);
  const keys = downwardClosure(requested, net.dims).map(indexKey);
  lossOf(streams, keys).backward();
  const values = new Map<string, Float64Array>();
  for (const k of keys) values.set(k, Float64Array.from(streams.get(k)!.data));
  return { values, grads: params.map((p) => Float64Array.from(p.grad!.data)) };
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let scale = 1e-3;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / scale;
}

function compare(net: PinnNetwork, X: Tensor, requested: number[][], reference: DerivativeMode, tol = 1e-10): void {
  const fused = run(net, X, requested, "taylor");
  const ref = run(net, X, requested, reference);
  expect([...fused.values.keys()].sort()).toEqual([...ref.values.keys()].sort());
  for (const [k, v] of ref.values) {
    expect(fused.values.get(k)!.length).toBe(v.length);
    expect(maxRelDiff(fused.values.get(k)!, v), `value of stream ${k}`).toBeLessThan(tol);
  }
  ref.grads.forEach((g, i) => expect(maxRelDiff(fused.grads[i]!, g), `gradient of parameter ${i}`).toBeLessThan(tol));
}

const B1: [number, number][] = [[-1, 1]];
const B2: [number, number][] = [[0, 1], [-2, 3]];

describe("fused Taylor MLP op", () => {
  for (const act of ACTS) {
    describe(act, () => {
      it("order 1 and 2 in one variable match the op-by-op jets and nested reverse mode", () => {
        const net = network(B1, [5, 4], act);
        const X = points(6, B1);
        compare(net, X, [[1]], "taylor-ops");
        compare(net, X, [[2]], "reverse");
      });
      it("a Laplacian set in two variables (orders ≤ 2, two outputs) matches both references", () => {
        const net = network(B2, [4, 3, 5], act, 2);
        const X = points(5, B2);
        compare(net, X, [[2, 0], [0, 2]], "taylor-ops");
        compare(net, X, [[2, 0], [0, 2], [1, 1]], "reverse");
      });
      it("orders 3 and 4 (mixed) match both references", () => {
        const net = network(B2, [3, 4], act);
        const X = points(4, B2);
        compare(net, X, [[3, 1], [0, 4]], "taylor-ops");
        compare(net, X, [[2, 1], [0, 3]], "reverse", 1e-9);
      });
    });
  }

  it("a network with no hidden layer gives the value, constant first and zero higher derivatives", () => {
    const net = network(B2, [], "tanh");
    const X = points(3, B2);
    compare(net, X, [[2, 0], [1, 0], [0, 1]], "taylor-ops");
  });

  it("the value alone is the network's forward pass", () => {
    const net = network(B2, [6, 6], "tanh");
    const X = points(4, B2);
    const N = net.forward(X);
    const fused = net.derivatives(X, [], "taylor");
    expect(maxRelDiff(fused.get("")!.data, N.data)).toBeLessThan(1e-14);
  });

  it("gives the gradient with respect to grad-requiring points (through the value stream)", () => {
    const net = network(B2, [4, 4], "sin");
    const X = points(3, B2).requireGrad();
    const streams = net.derivatives(X, [[1, 0]], "taylor");
    lossOf(streams, ["", "1"]).backward();
    const gFused = Float64Array.from(X.grad!.data);
    X.grad = null;
    const ref = net.derivatives(X, [[1, 0]], "taylor-ops");
    lossOf(ref, ["", "1"]).backward();
    expect(maxRelDiff(gFused, X.grad!.data)).toBeLessThan(1e-10);
  });

  it("works without recording a graph", () => {
    const net = network(B2, [4, 4], "tanh");
    const X = points(3, B2);
    const a = noGrad(() => net.derivatives(X, [[2, 0]], "taylor"));
    const b = noGrad(() => net.derivatives(X, [[2, 0]], "taylor-ops"));
    expect(maxRelDiff(a.get("2")!.data, b.get("2")!.data)).toBeLessThan(1e-12);
  });

  it("refuses a second-order backward pass with a clear message", () => {
    const net = network(B1, [4], "tanh");
    const X = points(3, B1);
    const streams = net.derivatives(X, [[1]], "taylor");
    const loss = ops.mean(ops.square(streams.get("1")!));
    expect(() => loss.backward(undefined, { createGraph: true })).toThrow(/first-order backward pass only/);
  });
});

describe("fused Taylor MLP op on the SIMD and JavaScript kernels", () => {
  afterAll(() => setWasmKernels(true));
  for (const wasm of [true, false]) {
    it(`widths that fill and overhang the 4×4 blocks match nested reverse mode (wasm ${wasm ? "on" : "off"})`, () => {
      setWasmKernels(wasm);
      const net = network(B2, [12, 10, 9], "tanh", 2);
      const X = points(11, B2);
      compare(net, X, [[2, 0], [0, 2]], "reverse");
      compare(net, X, [[2, 1], [1, 1]], "taylor-ops");
    });
  }

  it("the JavaScript stream kernels with the SIMD products match too (tanh, sigmoid, orders up to 4)", () => {
    setWasmJetKernels(false);
    try {
      for (const act of ["tanh", "sigmoid"] as const) {
        const net = network(B2, [6, 8], act);
        const X = points(7, B2);
        compare(net, X, [[2, 0], [0, 2]], "reverse");
        compare(net, X, [[3, 1], [0, 4]], "taylor-ops");
      }
    } finally {
      setWasmJetKernels(true);
    }
  });

  it("chunks of points give the same values and gradients as one chunk (including the gradient for the points)", () => {
    const net = network(B2, [8, 6], "sigmoid", 2);
    const X = points(150, B2).requireGrad();
    setChunkTarget(1); // 64-point minimum: three chunks of 52, 52 and 46 points
    try {
      compare(net, X, [[2, 0], [0, 2], [1, 1]], "reverse");
      X.grad = null;
      const streams = net.derivatives(X, [[1, 0]], "taylor");
      lossOf(streams, ["", "1"]).backward();
      const gChunked = Float64Array.from(X.grad!.data);
      X.grad = null;
      lossOf(net.derivatives(X, [[1, 0]], "taylor-ops"), ["", "1"]).backward();
      expect(maxRelDiff(gChunked, X.grad!.data)).toBeLessThan(1e-10);
    } finally {
      setChunkTarget(128 * 1024);
    }
  });

  it("a graph that is never back-propagated does not keep heap memory, and its backward still works later", () => {
    const net = network(B2, [64, 64], "tanh");
    const X = points(2048, B2);
    const keys = ["", "2", "0,2"];
    const first = net.derivatives(X, [[2, 0], [0, 2]], "taylor");
    // Dropped graphs (16 MB of saved jets each): past the pending limit (256 MB) the oldest saved
    // buffers move out of the heap, so the heap stops growing.
    for (let i = 0; i < 20; i++) net.derivatives(X, [[2, 0], [0, 2]], "taylor");
    const steady = sharedHeap().byteLength;
    for (let i = 0; i < 20; i++) net.derivatives(X, [[2, 0], [0, 2]], "taylor");
    expect(sharedHeap().byteLength).toBe(steady);
    for (const p of net.parameters()) p.grad = null;
    lossOf(first, keys).backward();
    const got = net.parameters().map((p) => Float64Array.from(p.grad!.data));
    for (const p of net.parameters()) p.grad = null;
    lossOf(net.derivatives(X, [[2, 0], [0, 2]], "taylor-ops"), keys).backward();
    net.parameters().forEach((p, i) => expect(maxRelDiff(got[i]!, p.grad!.data)).toBeLessThan(1e-10));
  });
});
