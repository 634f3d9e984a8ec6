// The engine's elementwise tanh, sigmoid, exp, sin and cos on the WebAssembly SIMD kernels
// (wasm-activations.ts): the values are copied through the shared heap (f64-heap.ts) in blocks
// that stay in cache. Elements outside the kernels' range (exp beyond ±708, sigmoid below −700,
// sin and cos beyond ±1e5, NaN) are recomputed with the JavaScript formula, so that the results agree with it to a few
// units in the last place everywhere. Short arrays, or no WebAssembly SIMD, keep the JavaScript
// kernel; the op records which one ran (usage.ts).

import { sharedHeap } from "./f64-heap.js";
import type { VectorActivationName } from "./wasm-activations.js";

/** Arrays shorter than this stay in JavaScript (the copies would cost more than they save). */
export const VECTOR_MIN_LENGTH = 16;
/** Elements per block (even). */
const BLOCK = 4096;

/** out[i] = f(x[i]) on the SIMD kernel; returns false (nothing written) when it is not available. */
export function vectorUnary(name: VectorActivationName, x: Float64Array, out: Float64Array): boolean {
  const n = x.length;
  if (n < VECTOR_MIN_LENGTH) return false;
  const heap = sharedHeap();
  const kernel = heap.activations?.[name];
  if (kernel === undefined) return false;
  const size = Math.min(n, BLOCK);
  const block = heap.alloc(size);
  const f = heap.f64;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const m = Math.min(BLOCK, n - i0);
    f.set(x.subarray(i0, i0 + m), block);
    kernel(8 * block, 8 * block, (m + 1) >> 1);
    out.set(f.subarray(block, block + m), i0);
  }
  heap.release(block, size);
  if (name === "exp") {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (!(v <= 708 && v >= -708)) out[i] = Math.exp(v);
    }
  } else if (name === "sin" || name === "cos") {
    const f = name === "sin" ? Math.sin : Math.cos;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (!(v <= 1e5 && v >= -1e5)) out[i] = f(v);
    }
  } else if (name === "sigmoid") {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (!(v >= -700)) out[i] = Math.exp(v) / (1 + Math.exp(v));
    }
  }
  return true;
}
