// Fused expressions with a bias row (one row of even length repeated over the rows) on the WebAssembly
// SIMD kernel (kernels/wasm-fused.ts, rows appended to the kernel's arguments): the same bits as the
// ops one at a time (setFusion(false): the same float64 operation per element), evaluated into a
// buffer, written block by block into the heap for the SIMD tanh (lazyBlocks, blocks that start inside
// a row), and summed (lazySum); in tidy (the arena) and outside. A row of odd length stays on the
// JavaScript loop. The SIMD loop runs only where the output or an operand lies in the kernels' arena
// (in tidy: fusion.ts wasmKernel); outside tidy the JavaScript loop runs, with the same bits.

import { afterAll, describe, expect, it } from "vitest";
import { rand, tidy, Rng, kernelUsage, resetKernelUsage, type Tensor } from "../../../src/index.js";
import { setFusion } from "../../../src/engine/fusion.js";
import { wasmKernelsActive } from "../../../src/engine/kernels/f64-heap.js";

const rng = new Rng(44);

function sameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect(`${i}: ${a[i]}`).toBe(`${i}: ${b[i]}`);
}

function run(make: () => Tensor, fused: boolean, inTidy: boolean): { values: Float64Array; usage: Record<string, number> } {
  setFusion(fused);
  try {
    resetKernelUsage();
    const values = inTidy ? tidy(() => Float64Array.from(make().data)) : Float64Array.from(make().data);
    return { values, usage: kernelUsage() };
  } finally {
    setFusion(true);
  }
}

describe.runIf(wasmKernelsActive())("fused expressions with a bias row on the SIMD kernel", () => {
  afterAll(() => setFusion(true));

  for (const inTidy of [false, true]) {
    const where = inTidy ? "in tidy" : "outside tidy";

    it(`(m + b)·m − b, evaluated into a buffer, ${where}: same bits as unfused, SIMD recorded`, () => {
      for (const [rows, cols] of [[512, 8], [1001, 6], [3, 2]] as const) {
        const m = rand([rows, cols], { rng }).mul(1);
        const b = rand([cols], { rng }).mul(1);
        const make = (): Tensor => m.add(b).mul(m).sub(b);
        const simd = run(make, true, inTidy);
        if (rows * cols >= 256) expect(simd.usage["elementwise:wasm-simd"], `${rows}×${cols}`).toBe(inTidy ? 1 : undefined);
        sameBits(simd.values, run(make, false, inTidy).values);
      }
    });

    it(`tanh(x·Wᵀ + b), tanh fused with the sum of the bias, ${where}: same bits as unfused (1,000 × 32; 700 × 6: a block starts inside a row; 2,049 × 2)`, () => {
      for (const [rows, cols] of [[1000, 32], [700, 6], [2049, 2]] as const) {
        const x = rand([rows, 3], { rng }).mul(1);
        const W = rand([cols, 3], { rng }).mul(1);
        const b = rand([cols], { rng }).mul(1);
        const make = (): Tensor => x.matmul(W.transpose()).add(b).tanh();
        const simd = run(make, true, inTidy);
        // (tanh fuses into the expression, which then runs on the SIMD kernel wherever it lies; rows of odd length op by op)
        expect(simd.usage["elementwise:wasm-simd"], `${rows}×${cols}`).toBe(cols % 2 === 0 ? 1 : undefined);
        expect(simd.usage["tanh:fused"]).toBe(cols % 2 === 0 ? 1 : undefined);
        sameBits(simd.values, run(make, false, inTidy).values);
      }
    });

    it(`sum(m·b + m) without a buffer, ${where}: the bits of sum() over the unfused values`, () => {
      const m = rand([1500, 4], { rng }).mul(1);
      const b = rand([4], { rng }).mul(1);
      const make = (): Tensor => m.mul(b).add(m).sum();
      const simd = run(make, true, inTidy);
      // m and b were made outside tidy (ordinary arrays): the sum stays on the JavaScript loop either way.
      expect(simd.usage["sum:fused"]).toBe(1);
      sameBits(simd.values, run(make, false, inTidy).values);
    });
  }

  it("a row of odd length stays on the JavaScript loop (same bits)", () => {
    const m = rand([512, 7], { rng }).mul(1);
    const b = rand([7], { rng }).mul(1);
    const make = (): Tensor => m.add(b).mul(m);
    const simd = run(make, true, false);
    expect(simd.usage["elementwise:fused"]).toBe(1);
    expect(simd.usage["elementwise:wasm-simd"]).toBeUndefined();
    sameBits(simd.values, run(make, false, false).values);
  });
});
