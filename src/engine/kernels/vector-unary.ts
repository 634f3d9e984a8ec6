// The engine's elementwise tanh, sigmoid, exp, sin and cos on the WebAssembly SIMD kernels
// (wasm-activations.ts): the values are copied through the shared heap (f64-heap.ts) in blocks
// that stay in cache. Elements outside the kernels' range (exp beyond ±708, sigmoid below −700,
// sin and cos beyond ±1e5, NaN) are recomputed with the JavaScript formula, so that the results agree with it to a few
// units in the last place everywhere; a block whose inputs all lie in the range (one SIMD pass,
// wasm-range.ts, recorded as "range-check:wasm-simd") is copied out whole. Short arrays, or no
// WebAssembly SIMD, keep the JavaScript kernel; the op records which one ran (usage.ts).

import { sharedHeap, type F64Heap } from "./f64-heap.js";
import { countKernel } from "./usage.js";
import type { VectorActivationName } from "./wasm-activations.js";

/** Arrays shorter than this stay in JavaScript (the copies would cost more than they save). */
export const VECTOR_MIN_LENGTH = 16;
/** Elements per block (even). */
const BLOCK = 4096;

/** Per function: the JavaScript formula outside [lo, hi] (and for NaN), or null where the kernel covers every input. */
const FALLBACK: { readonly [N in VectorActivationName]: readonly [((v: number) => number) | null, number, number] } = {
  tanh: [null, 0, 0],
  exp: [Math.exp, -708, 708],
  sigmoid: [(v) => Math.exp(v) / (1 + Math.exp(v)), -700, Infinity],
  sin: [Math.sin, -1e5, 1e5],
  cos: [Math.cos, -1e5, 1e5],
};

/** out[i] = f(x[i]) on the SIMD kernel; returns false (nothing written) when it is not available. */
export function vectorUnary(name: VectorActivationName, x: Float64Array, out: Float64Array): boolean {
  return vectorUnaryFrom(name, (f, offset, from, to) => f.set(x.subarray(from, to), offset), x.length, out);
}

/** Writes the inputs [from, to) to f[offset…] (f is the kernels' heap). */
export type BlockSource = (f: Float64Array, offset: number, from: number, to: number) => void;

/**
 * out[i] = f(x_i) for the n inputs x_i that `source` writes block by block into the kernels' heap (a
 * buffer's values, or a lazy expression evaluated there: fusion.ts lazyBlocks); false (nothing
 * written) when the kernel is not available.
 */
export function vectorUnaryFrom(name: VectorActivationName, source: BlockSource, n: number, out: Float64Array): boolean {
  if (n < VECTOR_MIN_LENGTH) return false;
  const heap = sharedHeap();
  const kernel = heap.activations?.[name];
  if (kernel === undefined) return false;
  const size = Math.min(n, BLOCK);
  const input = heap.alloc(size);
  const result = heap.alloc(size);
  const bounds = heap.alloc(BOUNDS);
  // The JavaScript formula for the elements outside the kernel's range (null: none), and that range.
  const [outside, lo, hi] = FALLBACK[name];
  if (outside !== null) countKernel(heap.within !== null ? "range-check:wasm-simd" : "range-check:js");
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const m = Math.min(BLOCK, n - i0);
    source(heap.f64, input, i0, i0 + m);
    kernel(8 * input, 8 * result, (m + 1) >> 1);
    const f = heap.f64;
    if (outside === null || blockWithin(heap, input, m, lo, hi, bounds)) out.set(f.subarray(result, result + m), i0);
    else {
      // Copy out and patch, while the block is in cache.
      for (let i = 0; i < m; i++) {
        const v = f[input + i]!;
        out[i0 + i] = v >= lo && v <= hi ? f[result + i]! : outside(v);
      }
    }
  }
  heap.release(bounds, BOUNDS);
  heap.release(result, size);
  heap.release(input, size);
  return true;
}

/**
 * sinOut[i] = sin x[i] and cosOut[i] = cos x[i] in one pass of the SIMD sincos kernel (the same bits as
 * the sin and cos kernels, and the same JavaScript fallback beyond ±1e5); false when not available.
 */
export function vectorSinCos(x: Float64Array, sinOut: Float64Array, cosOut: Float64Array): boolean {
  const n = x.length;
  if (n < VECTOR_MIN_LENGTH) return false;
  const heap = sharedHeap();
  const kernel = heap.activations?.sincos;
  if (kernel === undefined) return false;
  const size = Math.min(n, BLOCK);
  const input = heap.alloc(size);
  const sines = heap.alloc(size);
  const cosines = heap.alloc(size);
  const bounds = heap.alloc(BOUNDS);
  const [, lo, hi] = FALLBACK.sin;
  countKernel(heap.within !== null ? "range-check:wasm-simd" : "range-check:js");
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const m = Math.min(BLOCK, n - i0);
    const f = heap.f64;
    f.set(x.subarray(i0, i0 + m), input);
    kernel(8 * input, 8 * sines, 8 * cosines, (m + 1) >> 1);
    if (blockWithin(heap, input, m, lo, hi, bounds)) {
      sinOut.set(f.subarray(sines, sines + m), i0);
      cosOut.set(f.subarray(cosines, cosines + m), i0);
    } else {
      for (let i = 0; i < m; i++) {
        const v = f[input + i]!;
        const inside = v >= lo && v <= hi;
        sinOut[i0 + i] = inside ? f[sines + i]! : Math.sin(v);
        cosOut[i0 + i] = inside ? f[cosines + i]! : Math.cos(v);
      }
    }
  }
  heap.release(bounds, BOUNDS);
  heap.release(cosines, size);
  heap.release(sines, size);
  heap.release(input, size);
  return true;
}

/** The range check's block of float64s: lo, lo, hi, hi and its answer (wasm-range.ts). */
const BOUNDS = 6;

/**
 * Whether the m inputs at heap offset `input` all lie in [lo, hi] (false for NaN): by the SIMD range
 * check when the heap has it, else by the JavaScript loop. The same answer either way.
 */
function blockWithin(heap: F64Heap, input: number, m: number, lo: number, hi: number, bounds: number): boolean {
  const f = heap.f64;
  const within = heap.within;
  if (within === null) return allWithin(f, input, input + m, lo, hi);
  // The check reads whole pairs: the lane after an odd count (inside the block, which has even length) is set to 0, which lies in every kernel's range.
  if ((m & 1) !== 0) f[input + m] = 0;
  f[bounds] = f[bounds + 1] = lo;
  f[bounds + 2] = f[bounds + 3] = hi;
  within(8 * input, (m + 1) >> 1, 8 * bounds);
  return f[bounds + 4] === 1 && f[bounds + 5] === 1;
}

/** Whether every x[i] for i in [from, to) lies in [lo, hi] (false for NaN): then the kernel's block is copied out as it is. */
export function allWithin(x: Float64Array, from: number, to: number, lo: number, hi: number): boolean {
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    if (!(v >= lo && v <= hi)) return false;
  }
  return true;
}
