// Dense matrix products C = op(A)·op(B) on row-major Float64Arrays, where op is the identity or the
// transpose.
//
//   A is m×k (or k×m when transA), B is k×n (or n×k when transB), C is m×n.
// `accumulate` adds into C instead of overwriting it.
//
// Large products run on the WebAssembly SIMD kernel (operands copied into the kernels' heap, B
// transposed on the way when transB); the rest, and everything when WebAssembly SIMD is missing or
// disabled, on the JavaScript kernels of matmul-js.ts.

import { sharedHeap } from "./f64-heap.js";
import { heapGemm } from "./heap-gemm.js";
import { matmulJs } from "./matmul-js.js";
import { countKernel } from "./usage.js";

export { matmulJs } from "./matmul-js.js";

/**
 * Products with fewer multiply-adds than WASM_MIN_WORK (or fewer than 4 rows or columns: see
 * matmulInto) stay in JavaScript; any k will do (measured: 1024×2·2×32 took 70 µs in JavaScript and
 * 25 µs on the SIMD kernel with the copies; 1024×1·1×32, 45 and 20 µs).
 */
const WASM_MIN_WORK = 32768;
const WASM_MIN_K = 1;

export function matmulInto(
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate = false,
): void {
  if (m === 0 || n === 0 || k === 0) {
    if (!accumulate) C.fill(0, 0, m * n);
    return;
  }
  // The SIMD kernel works on whole 4×4 blocks of C: a product with fewer than 4 rows or columns would run
  // entirely in its JavaScript edge loops, after copying the operands.
  if (m * n * k >= WASM_MIN_WORK && k >= WASM_MIN_K && m >= 4 && n >= 4 && !(transA && transB) && viaHeap(A, B, C, m, n, k, transA, transB, accumulate)) {
    countKernel("matmul:wasm-simd");
    return;
  }
  if (!accumulate) C.fill(0, 0, m * n);
  matmulJs(A, B, C, m, n, k, transA, transB);
  countKernel("matmul:js");
}

function viaHeap(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean): boolean {
  const heap = sharedHeap();
  if (heap.gemm === null) return false;
  const a = heap.alloc(m * k);
  const b = heap.alloc(k * n);
  const c = heap.alloc(m * n);
  const f = heap.f64;
  f.set(A.subarray(0, m * k), a);
  if (transB) {
    // B is n×k: store it k×n.
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) f[b + p * n + j] = B[j * k + p]!;
  } else f.set(B.subarray(0, k * n), b);
  // Overwriting needs no zeroed C in the heap (heapGemm starts from +0).
  if (accumulate) f.set(C.subarray(0, m * n), c);
  heapGemm(heap, a, b, c, m, n, k, transA, accumulate);
  C.set(heap.view(c, m * n));
  heap.release(a, m * k);
  heap.release(b, k * n);
  heap.release(c, m * n);
  return true;
}
