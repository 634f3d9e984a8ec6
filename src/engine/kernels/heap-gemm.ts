// Matrix products on blocks of a kernel memory (F64Heap, or the arena: GemmHeap): the WebAssembly SIMD kernel for the part of C made of whole
// 4×4 blocks, plain loops for the edges, or the JavaScript kernels when the heap has no SIMD.

import type { F64Heap } from "./f64-heap.js";
import { matmulJs } from "./matmul-js.js";
import { instantiateSpecialisedGemm, type GemmFunction, type SpecialisedGemm } from "./wasm-gemm.js";
import { countKernel } from "./usage.js";

/** What the product needs of a memory: the shared heap (F64Heap) or the kernels' arena (matmul.ts). */
export interface GemmHeap {
  readonly gemm: GemmFunction | null;
  readonly memory: WebAssembly.Memory | null;
  readonly f64: Float64Array;
  view(offset: number, length: number): Float64Array;
}

/**
 * Kernels specialised for a product's strides (wasm-gemm.ts), per heap and strides: a network has a
 * handful of layer shapes, so a handful of modules. Past MAX_SPECIALISED shapes the generic kernel
 * runs (the same bits).
 */
const specialised = new WeakMap<GemmHeap, Map<string, SpecialisedGemm | null>>();
const MAX_SPECIALISED = 64;
let specialiseOn = process.env["PINN_NO_GEMM_SPECIALISE"] === undefined || process.env["PINN_NO_GEMM_SPECIALISE"] === "0";

/** Turn the specialised kernels on or off (cross-checks; PINN_NO_GEMM_SPECIALISE=1 at start-up). */
export function setGemmSpecialise(on: boolean): void {
  specialiseOn = on;
}

function specialisedFor(heap: GemmHeap, sai: number, sap: number, ldb: number, ldc: number): SpecialisedGemm | null {
  if (!specialiseOn || heap.memory === null) return null;
  let byKey = specialised.get(heap);
  if (byKey === undefined) specialised.set(heap, (byKey = new Map()));
  const key = `${sai},${sap},${ldb},${ldc}`;
  let fn = byKey.get(key);
  if (fn === undefined) {
    if (byKey.size >= MAX_SPECIALISED) return null;
    fn = instantiateSpecialisedGemm({ sai, sap, ldb, ldc }, heap.memory);
    byKey.set(key, fn);
  }
  return fn;
}

/**
 * Rows of k per call when A is read transposed: the rows of A and B one call sweeps, kBlock·(m + n)
 * float64s, fit in 16 KB of L1 cache (32×32 k 1,024: 32 rows, 112 → 97 µs against 256 rows, measured).
 * C is stored and loaded between calls exactly, and every element's terms are still added in order of
 * p, so the block length does not change the bits.
 */
function kBlock(m: number, n: number): number {
  return Math.max(16, Math.min(256, Math.floor(2048 / (m + n))));
}

/**
 * C += op(A)·B for blocks of `heap` (element offsets, contiguous row-major): A is m×k, or k×m
 * when `transA`; B is k×n; C is m×n. With `accumulate` false, C = op(A)·B whatever C held (the
 * same bits as zeroing C first: the kernel starts its sums from +0, the edges are zeroed here).
 */
export function heapGemm(heap: GemmHeap | F64Heap, a: number, b: number, c: number, m: number, n: number, k: number, transA: boolean, accumulate = true): void {
  if (m === 0 || n === 0) return;
  const gemm = heap.gemm;
  if (gemm === null || k === 0) {
    if (!accumulate) heap.f64.fill(0, c, c + m * n);
    if (gemm === null && k > 0) matmulJs(heap.view(a, m * k), heap.view(b, k * n), heap.view(c, m * n), m, n, k, transA, false);
    return;
  }
  const m4 = m & ~3;
  const n4 = n & ~3;
  const sai = transA ? 8 : 8 * k;
  const sap = transA ? 8 * m : 8;
  const f = heap.f64;
  if (m4 > 0 && n4 > 0) {
    // The kernel for these strides if one is specialised, else the generic one (the same sums).
    const fast = specialisedFor(heap, sai, sap, 8 * n, 8 * n);
    if (fast !== null) countKernel("matmul:wasm-simd-specialised");
    const run = (pa: number, pb: number, kk: number, keep: number): void => {
      if (fast !== null) fast(pa, pb, 8 * c, m4, n4, kk, keep);
      else gemm(pa, pb, 8 * c, m4, n4, kk, sai, sap, 8 * n, 8 * n, keep);
    };
    // A read transposed: k in blocks that fit L1 (C stored and reloaded between them exactly).
    const kb = transA ? kBlock(m, n) : k;
    for (let p0 = 0; p0 < k; p0 += kb) run(8 * (a + p0 * (transA ? m : 1)), 8 * (b + p0 * n), Math.min(kb, k - p0), accumulate || p0 > 0 ? -1 : 0);
    if (!accumulate) {
      // The edges the kernel does not write: columns n4..n of rows 0..m4, then rows m4..m.
      if (n4 < n) for (let i = 0; i < m4; i++) f.fill(0, c + i * n + n4, c + (i + 1) * n);
      f.fill(0, c + m4 * n, c + m * n);
    }
  } else if (!accumulate) f.fill(0, c, c + m * n);
  const si = transA ? 1 : k;
  const sp = transA ? m : 1;
  // Columns n4..n of rows 0..m4: dot products.
  if (n4 < n) {
    for (let i = 0; i < m4; i++) {
      const ai = a + i * si;
      for (let j = n4; j < n; j++) {
        let s = 0;
        for (let p = 0, ap = ai, bp = b + j; p < k; p++, ap += sp, bp += n) s += f[ap]! * f[bp]!;
        f[c + i * n + j]! += s;
      }
    }
  }
  // Rows m4..m, every column: rows of B scaled and added.
  for (let i = m4; i < m; i++) {
    const ci = c + i * n;
    for (let p = 0; p < k; p++) {
      const x = f[a + i * si + p * sp]!;
      const bp = b + p * n;
      for (let j = 0; j < n; j++) f[ci + j]! += x * f[bp + j]!;
    }
  }
}
