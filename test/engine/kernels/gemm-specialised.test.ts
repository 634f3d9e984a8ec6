// The SIMD matrix-product kernel specialised for a product's strides (wasm-gemm.ts
// gemmSpecialisedFunction, chosen by heap-gemm.ts) against the generic kernel: the same sums added in
// the same order, so the same bits, on shapes that exercise whole 4×4 blocks, every edge, long k read
// transposed (blocks of k) and short k; overwriting and accumulating. It is observable in
// kernelUsage() as "matmul:wasm-simd-specialised".

import { afterAll, describe, expect, it } from "vitest";
import { F64Heap } from "../../../src/engine/kernels/f64-heap.js";
import { heapGemm, setGemmSpecialise } from "../../../src/engine/kernels/heap-gemm.js";
import { gemmSpecialisedModuleBytes, specialisable } from "../../../src/engine/kernels/wasm-gemm.js";
import { kernelUsage, resetKernelUsage } from "../../../src/engine/kernels/usage.js";
import { Rng } from "../../../src/engine/random.js";

const heap = new F64Heap(true);

describe.runIf(heap.gemm !== null)("specialised SIMD matrix product", () => {
  afterAll(() => setGemmSpecialise(true));

  it("the generated module is valid, and strides past the immediate range are refused", () => {
    expect(WebAssembly.validate(gemmSpecialisedModuleBytes({ sai: 256, sap: 8, ldb: 256, ldc: 256 }))).toBe(true);
    expect(specialisable({ sai: 2 ** 29, sap: 8, ldb: 8, ldc: 8 })).toBe(false);
  });

  it("overwriting, every element is the sum of its terms added in order of p from +0 (a JavaScript loop gives the bits), whatever the blocks of k read transposed", () => {
    const rng = new Rng(12);
    for (const [m, n, k] of [[32, 32, 1024], [64, 8, 600], [8, 128, 300], [1024, 32, 32]] as const) {
      for (const transA of [true, false]) {
        const a = heap.alloc(m * k), b = heap.alloc(k * n), c = heap.alloc(m * n);
        const f = heap.f64;
        for (let i = 0; i < m * k; i++) f[a + i] = rng.uniform() * 2 - 1;
        for (let i = 0; i < k * n; i++) f[b + i] = rng.uniform() * 2 - 1;
        heapGemm(heap, a, b, c, m, n, k, transA, false);
        const g = heap.f64;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += g[a + (transA ? p * m + i : i * k + p)]! * g[b + p * n + j]!;
            if (!Object.is(g[c + i * n + j], s)) expect(`${m}×${n}·${k} (${i}, ${j}) ${g[c + i * n + j]}`).toBe(`${s}`);
          }
        }
        heap.release(a, m * k);
        heap.release(b, k * n);
        heap.release(c, m * n);
      }
    }
  });

  const shapes: [number, number, number][] = [
    [4, 4, 1], [8, 12, 16], [13, 9, 33], [1024, 32, 32], [1024, 32, 2], [32, 32, 1024], [37, 64, 300], [33, 2, 1024], [5, 7, 3], [64, 8, 600],
  ];
  for (const transA of [false, true]) {
    for (const accumulate of [false, true]) {
      it(`same bits as the generic kernel (transA ${transA}, ${accumulate ? "accumulating" : "overwriting"})`, () => {
        const rng = new Rng(transA ? 7 : 8);
        for (const [m, n, k] of shapes) {
          const a = heap.alloc(m * k), b = heap.alloc(k * n), c = heap.alloc(m * n);
          const f = heap.f64;
          for (let i = 0; i < m * k; i++) f[a + i] = rng.uniform() * 2 - 1;
          for (let i = 0; i < k * n; i++) f[b + i] = rng.uniform() * 2 - 1;
          const C0 = Float64Array.from({ length: m * n }, () => rng.uniform() * 2 - 1);
          const run = (specialised: boolean): Float64Array => {
            setGemmSpecialise(specialised);
            heap.f64.set(C0, c);
            resetKernelUsage();
            heapGemm(heap, a, b, c, m, n, k, transA, accumulate);
            const usage = kernelUsage()["matmul:wasm-simd-specialised"];
            if (specialised && m >= 4 && n >= 4) expect(usage, `${m}×${n}·${k}`).toBeGreaterThan(0);
            else expect(usage).toBeUndefined();
            return Float64Array.from(heap.view(c, m * n));
          };
          const fast = run(true);
          const generic = run(false);
          for (let i = 0; i < m * n; i++) if (!Object.is(fast[i], generic[i])) expect(`${m}×${n}·${k} [${i}] ${fast[i]}`).toBe(`${generic[i]}`);
          heap.release(a, m * k);
          heap.release(b, k * n);
          heap.release(c, m * n);
        }
      });
    }
  }
});
