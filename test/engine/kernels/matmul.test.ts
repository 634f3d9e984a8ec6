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
  // Short k on the SIMD kernel, and matrix–vector products (n = 1) with even and odd row counts.
  [1024, 32, 2], [1027, 33, 1], [1024, 1, 32], [33, 1, 1024], [7, 1, 5],
  // Two columns (four rows per sweep, odd row counts), and one row read transposed (its columns held across k).
  [1024, 2, 32], [1027, 2, 7], [33, 2, 1024], [1, 32, 1024], [3, 37, 600],
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
          // Overwriting: whatever C held (here the previous result, or NaN) does not enter the result.
          heap.f64.fill(NaN, c, c + m * n);
          heapGemm(heap, a, b, c, m, n, k, tA, false);
          expect(maxDiff(heap.view(c, m * n), reference(A, B, new Float64Array(m * n), m, n, k, tA, false)), `${m}×${n}×${k} ${tA} overwrite`).toBeLessThan(1e-12 * k);
          heap.release(a, m * k);
          heap.release(b, k * n);
          heap.release(c, m * n);
        }
      }
    });
  }

  it("where the additions run in the same order, the kernels give the same bits: the SIMD kernel and JavaScript (overwriting or accumulating), and the matrix–vector paths and the general ones", () => {
    const rng = new Rng(4);
    const same = (x: Float64Array, y: Float64Array, what: string): void => {
      for (let i = 0; i < x.length; i++) expect(Object.is(x[i], y[i]), `${what}, element ${i}`).toBe(true);
    };
    // A not transposed: both kernels add the products to C in the order of p.
    for (const [m, n, k, tB] of [[1024, 32, 2, false], [1024, 32, 1, true], [64, 32, 32, false], [257, 36, 40, true]] as const) {
      const A = random(m * k, rng), B = random(k * n, rng), C0 = random(m * n, rng);
      for (const accumulate of [false, true]) {
        const out = [true, false].map((wasm) => {
          setWasmKernels(wasm);
          const C = Float64Array.from(C0);
          matmulInto(A, B, C, m, n, k, false, tB, accumulate);
          return C;
        });
        same(out[0]!, out[1]!, `${m}×${n}×${k} transB ${tB} accumulate ${accumulate}`);
      }
    }
    setWasmKernels(true);
    // n = 1: a k×1 B read transposed is the same array, and that path (through a transposed copy)
    // is the general 2×4-blocked one, which the four-row paths must match bit for bit.
    for (const [m, k] of [[1024, 32], [1027, 7], [5, 300]] as const) {
      const A = random(m * k, rng), B = random(k, rng), C0 = random(m, rng);
      const [mv, general] = [false, true].map((tB) => {
        const C = Float64Array.from(C0);
        matmulJs(A, B, C, m, 1, k, false, tB);
        return C;
      });
      same(mv!, general!, `${m}×1×${k}`);
    }
    // n = 2: B read transposed from its transpose goes the general way (a transposed copy, then mmNN).
    for (const [m, k] of [[1024, 32], [1027, 7], [6, 300]] as const) {
      const A = random(m * k, rng), B = random(k * 2, rng), C0 = random(m * 2, rng);
      const Bt = new Float64Array(2 * k);
      for (let p = 0; p < k; p++) for (let j = 0; j < 2; j++) Bt[j * k + p] = B[p * 2 + j]!;
      const direct = Float64Array.from(C0);
      matmulJs(A, B, direct, m, 2, k, false, false);
      const general = Float64Array.from(C0);
      matmulJs(A, Bt, general, m, 2, k, false, true);
      same(direct, general, `${m}×2×${k}`);
    }
    // A transposed, n = 1, even m and k within one block of rows: the general path for two transposed operands sums alike.
    for (const [m, k] of [[32, 200], [6, 16]] as const) {
      const A = random(m * k, rng), B = random(k, rng), C0 = random(m, rng);
      const [mv, general] = [false, true].map((tB) => {
        const C = Float64Array.from(C0);
        matmulJs(A, B, C, m, 1, k, true, tB);
        return C;
      });
      same(mv!, general!, `${m}×1×${k} transposed`);
    }
  });

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
