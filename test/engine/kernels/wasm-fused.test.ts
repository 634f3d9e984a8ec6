// Fused elementwise expressions on the WebAssembly SIMD loop (src/engine/kernels/wasm-fused.ts): the
// values are identical bit for bit to the generated JavaScript loop's (the reference: the same
// expression with setWasmFused(false)) and to the ops computed one at a time (setFusion(false)),
// because each node is the same IEEE float64 operation on the same operands in the same order. The
// SIMD loop is observable in kernelUsage() as "elementwise:wasm-simd"; expressions it does not take
// (a repeated bias row, short ones) stay on the JavaScript loop.

import { afterAll, describe, expect, it } from "vitest";
import { rand, tensor, Rng, nn, laplacian, kernelUsage, resetKernelUsage, type Tensor } from "../../../src/index.js";
import { div, sub } from "../../../src/engine/ops/index.js";
import { sharedHeap, wasmKernelsActive } from "../../../src/engine/kernels/f64-heap.js";
import { setFusion } from "../../../src/engine/fusion.js";
import { setWasmFused, WASM_FUSED_MIN_SIZE } from "../../../src/engine/kernels/wasm-fused.js";

const rng = new Rng(21);

function sameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect(`${i}: ${a[i]}`).toBe(`${i}: ${b[i]}`);
}

/** The values of `make()` (an expression of op results, lazy when fusion is on), on the SIMD loop or not, fused or not. */
function valuesOf(make: () => Tensor, simd: boolean, fused = true): { values: Float64Array; usage: Record<string, number> } {
  setWasmFused(simd);
  setFusion(fused);
  try {
    resetKernelUsage();
    const values = Float64Array.from(make().data);
    return { values, usage: kernelUsage() };
  } finally {
    setWasmFused(true);
    setFusion(true);
  }
}

describe.runIf(wasmKernelsActive())("fused expressions on the SIMD loop", () => {
  afterAll(() => {
    setWasmFused(true);
    setFusion(true);
  });

  // Op results (mul by 1 makes a sealed op result of a tensor we made), so that the ops on them are lazy.
  const n = 4099; // odd: the last pair of the SIMD loop has one element past the end
  const a = rand([n], { rng }).mul(1);
  const b = rand([n], { rng }).sub(0.5).mul(1);
  const zeroed = rand([n], { rng }).mul(1);
  zeroed.data[7] = 0; // a division by zero (±Infinity) and 0/0 (NaN) below
  const c = tensor([1.75]).mul(1); // one value, broadcast over the others
  const xs = Array.from({ length: 12 }, () => rand([n], { rng }).mul(1));
  const cases: Record<string, () => Tensor> = {
    "tanh'' terms: g·(1 − h²) and −2h·g·(1 − h²)": () => {
      const d = sub(1, a.mul(b)); // 1 − a·b
      return d.mul(b).add(d.mul(b).mul(a).mul(-2));
    },
    "every op: + − × ÷, number forms, negation, square": () => sub(1, a.add(b).sub(a.mul(b)).div(b.add(2)).add(3).mul(0.25)).neg().square().add(div(1.5, a)),
    "a broadcast value and a shared subexpression": () => {
      const s = a.mul(c).add(b);
      return s.mul(s).sub(s.mul(c));
    },
    "division by zero and 0/0": () => a.div(zeroed).add(zeroed.div(zeroed.mul(1)).mul(0)),
    "twelve operands": () => {
      return xs.reduce((acc, x, i) => (i % 2 === 0 ? acc.add(x.mul(acc)) : acc.sub(x)));
    },
  };

  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: the same bits as the JavaScript loop and as the ops one at a time`, () => {
      const simd = valuesOf(make, true);
      // Every fused evaluation ran on the SIMD loop (a long expression is evaluated in parts: MAX_NODES).
      expect(simd.usage["elementwise:fused"]).toBeGreaterThanOrEqual(1);
      expect(simd.usage["elementwise:wasm-simd"]).toBe(simd.usage["elementwise:fused"]);
      const js = valuesOf(make, false);
      expect(js.usage["elementwise:wasm-simd"]).toBeUndefined();
      expect(js.usage["elementwise:fused"]).toBe(simd.usage["elementwise:fused"]);
      sameBits(simd.values, js.values);
      sameBits(simd.values, valuesOf(make, true, false).values);
    });
  }

  it("the division case gives ±Infinity and NaN where the ops do (computed by hand: x/0 and 0·(0/0))", () => {
    // a_7 > 0, so a_7/0 = +Infinity; 0·(0/0) = NaN; elsewhere 0·(z/z) = 0.
    const v = valuesOf(() => a.div(zeroed).add(1), true).values;
    expect(v[7]).toBe(Infinity);
    expect(v[8]).toBe(a.data[8]! / zeroed.data[8]! + 1);
    const w = valuesOf(() => zeroed.div(zeroed.mul(1)).mul(0), true).values;
    expect(Number.isNaN(w[7])).toBe(true);
    expect(w[8]).toBe(0);
  });

  it("a bias row of even length runs on the SIMD loop (same bits); one of odd length and a short expression stay on the JavaScript loop", () => {
    const m = rand([512, 8], { rng }).mul(1);
    const bias = rand([8], { rng }).mul(1);
    const even = (): Tensor => m.add(bias).mul(m).sub(bias);
    const simd = valuesOf(even, true);
    expect(simd.usage["elementwise:wasm-simd"]).toBe(1);
    sameBits(simd.values, valuesOf(even, false).values);
    sameBits(simd.values, valuesOf(even, true, false).values);
    const m7 = rand([512, 7], { rng }).mul(1);
    const bias7 = rand([7], { rng }).mul(1);
    const odd = valuesOf(() => m7.add(bias7).mul(m7), true);
    expect(odd.usage["elementwise:wasm-simd"]).toBeUndefined();
    expect(odd.usage["elementwise:fused"]).toBe(1);
    const short = rand([WASM_FUSED_MIN_SIZE - 1], { rng }).mul(1);
    const s = valuesOf(() => short.mul(short).add(1), true);
    expect(s.usage["elementwise:wasm-simd"]).toBeUndefined();
  });

  it("tanh of a lazy x·Wᵀ + b (written block by block into the heap for the SIMD tanh): the same bits as the JavaScript loop, on 1,000 × 32, 700 × 6 (the second block of 4,096 starts inside a row) and 2,049 × 2", () => {
    for (const [rows, cols] of [[1000, 32], [700, 6], [2049, 2]] as const) {
      const x = rand([rows, 3], { rng }).mul(1);
      const W = rand([cols, 3], { rng }).mul(1);
      const b = rand([cols], { rng }).mul(1);
      const make = (): Tensor => x.matmul(W.transpose()).add(b).tanh();
      const simd = valuesOf(make, true);
      expect(simd.usage["elementwise:wasm-simd"]).toBe(1);
      expect(simd.usage["tanh:wasm-simd"]).toBe(1);
      const js = valuesOf(make, false);
      expect(js.usage["elementwise:wasm-simd"]).toBeUndefined();
      sameBits(simd.values, js.values);
      sameBits(simd.values, valuesOf(make, true, false).values);
    }
  });

  it("evaluating a lazy value never grows the shared heap: a view of it held while a value is read stays attached", () => {
    // 2^21 values (16 MB per operand): larger than the shared heap, so evaluating there would grow it
    // and detach `view` (its length would become 0), as in `heap.f64.set(X.data, …)` where X is lazy.
    const big = rand([1 << 21], { rng }).mul(1);
    const lazy = big.mul(big).add(1);
    const view = sharedHeap().f64;
    const length = view.length;
    resetKernelUsage();
    const values = lazy.data;
    expect(kernelUsage()["elementwise:wasm-simd"]).toBe(1);
    expect(view.length).toBe(length);
    expect(values[5]).toBe(big.data[5]! * big.data[5]! + 1);
  });

  it("the Laplacian's weight gradient on 1,024 points: the same bits with the SIMD loop, the JavaScript loop and no fusion", () => {
    const net = new nn.MLP([2, 32, 32, 1], "tanh", { seed: 3 });
    const params = net.parameters();
    const X = rand([1024, 2], { rng, requiresGrad: true });
    const grads = (simd: boolean, fused: boolean): { g: Float64Array[]; usage: Record<string, number> } => {
      setWasmFused(simd);
      setFusion(fused);
      try {
        for (const p of params) p.grad = null;
        resetKernelUsage();
        laplacian(net.forward(X), X).sub(1).square().mean().backward();
        return { g: params.map((p) => Float64Array.from(p.grad?.data ?? [])), usage: kernelUsage() };
      } finally {
        setWasmFused(true);
        setFusion(true);
      }
    };
    const simd = grads(true, true);
    expect(simd.usage["elementwise:wasm-simd"]).toBeGreaterThan(5);
    const js = grads(false, true);
    expect(js.usage["elementwise:wasm-simd"]).toBeUndefined();
    const plain = grads(true, false);
    simd.g.forEach((g, i) => {
      sameBits(g, js.g[i]!);
      sameBits(g, plain.g[i]!);
    });
  });
});
