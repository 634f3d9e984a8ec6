// The matrix-product kernels (JavaScript, register-blocked; WebAssembly SIMD on the kernels' heap)
// against a plain triple loop, on shapes that exercise the 4×4 blocks and every edge.

import { afterAll, describe, expect, it } from "vitest";
import { matmulInto, matmulJs } from "../../../src/engine/kernels/matmul.js";
import { F64Heap, setWasmKernels } from "../../../src/engine/kernels/f64-heap.js";
import { heapGemm } from "../../../src/engine/kernels/heap-gemm.js";
import { gemmModuleBytes } from "../../../src/engine/kernels/wasm-gemm.js";
import { Rng } from "../../../src/engine/random.js";

function random(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform() * 2 - 1;
  return a;
}

/** C0 + op(A)·op(B) by the definition. */
function reference(A: Float64Array, B: Float64Array, C0: Float64Array, m: number, n: number, k: number, tA: boolean, tB: boolean): Float64Array {
  const C = Float64Array.from(C0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? A[p * m + i]! : A[i * k + p]!) * (tB ? B[j * k + p]! : B[p * n + j]!);
      C[i * n + j]! += s;
    }
  }
  return C;
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [4, 4, 4], [5, 7, 3], [8, 12, 16], [13, 9, 33], [64, 32, 32], [3, 41, 130], [130, 3, 9], [37, 64, 300], [9, 8, 600],
];
const FLAGS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

describe("matrix-product kernels", () => {
  afterAll(() => setWasmKernels(true));

  it("the generated WebAssembly module is valid", () => {
    expect(WebAssembly.validate(gemmModuleBytes())).toBe(true);
  });

  for (const wasm of [true, false]) {
    it(`matmulInto matches the definition for every transpose combination (wasm ${wasm ? "on" : "off"}), overwriting and accumulating`, () => {
      setWasmKernels(wasm);
      const rng = new Rng(1);
      for (const [m, n, k] of SHAPES) {
        for (const [tA, tB] of FLAGS) {
          const A = random(m * k, rng);
          const B = random(k * n, rng);
          const C0 = random(m * n, rng);
          const acc = Float64Array.from(C0);
          matmulInto(A, B, acc, m, n, k, tA, tB, true);
          expect(maxDiff(acc, reference(A, B, C0, m, n, k, tA, tB)), `${m}×${n}×${k} ${tA} ${tB}`).toBeLessThan(1e-12 * k);
          const fresh = random(m * n, rng);
          matmulInto(A, B, fresh, m, n, k, tA, tB);
          expect(maxDiff(fresh, reference(A, B, new Float64Array(m * n), m, n, k, tA, tB))).toBeLessThan(1e-12 * k);
        }
      }
    });
  }

  it("matmulJs accumulates like the definition", () => {
    const rng = new Rng(2);
    for (const [m, n, k] of SHAPES) {
      for (const [tA, tB] of FLAGS) {
        const A = random(m * k, rng);
        const B = random(k * n, rng);
        const C = random(m * n, rng);
        const expected = reference(A, B, C, m, n, k, tA, tB);
        matmulJs(A, B, C, m, n, k, tA, tB);
        expect(maxDiff(C, expected)).toBeLessThan(1e-12 * k);
      }
    }
  });

  for (const wasm of [true, false]) {
    it(`heapGemm on heap blocks matches the definition (wasm ${wasm ? "on" : "off"}), across heap growth`, () => {
      const heap = new F64Heap(wasm);
      if (wasm) expect(heap.gemm).not.toBeNull();
      const rng = new Rng(3);
      for (const [m, n, k] of [...SHAPES, [300, 260, 520] as [number, number, number]]) {
        for (const tA of [false, true]) {
          const A = random(m * k, rng);
          const B = random(k * n, rng);
          const C0 = random(m * n, rng);
          const a = heap.copyIn(A);
          const b = heap.copyIn(B);
          const c = heap.copyIn(C0);
          heapGemm(heap, a, b, c, m, n, k, tA);
          expect(maxDiff(heap.view(c, m * n), reference(A, B, C0, m, n, k, tA, false)), `${m}×${n}×${k} ${tA}`).toBeLessThan(1e-12 * k);
          heap.release(a, m * k);
          heap.release(b, k * n);
          heap.release(c, m * n);
        }
      }
    });
  }

  it("the heap reuses released blocks of the same length and keeps contents across growth", () => {
    const heap = new F64Heap(true);
    const a = heap.alloc(10);
    heap.f64.set([1, 2, 3], a);
    const big = heap.alloc(4_000_000); // grows the memory
    expect(Array.from(heap.view(a, 3))).toEqual([1, 2, 3]);
    heap.release(big, 4_000_000);
    expect(heap.alloc(4_000_000)).toBe(big);
    expect(a % 2).toBe(0);
  });
});
