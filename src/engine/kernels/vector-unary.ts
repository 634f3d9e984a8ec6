// The engine's elementwise tanh, sigmoid, exp, sin and cos on the WebAssembly SIMD kernels
// (wasm-activations.ts): tensors in the kernels' arena (arena.ts: inside tidy()) are read and written
// in place; ordinary arrays are copied through the shared heap (f64-heap.ts) in blocks that stay in
// cache. Elements outside the kernels' range (exp beyond ±708, sigmoid below −700,
// sin and cos beyond ±1e5, NaN) are recomputed with the JavaScript formula, so that the results agree with it to a few
// units in the last place everywhere; a block whose inputs all lie in the range is copied out whole.
// The range is checked by the kernel's range-checked form in its own pass over the block
// (wasm-activations.ts RANGE_CHECKED; else by a second SIMD pass, wasm-range.ts), recorded as
// "range-check:wasm-simd". Short arrays, or no
// WebAssembly SIMD, keep the JavaScript kernel; the op records which one ran (usage.ts).

import { offsetIn, sharedHeap, wasmKernelsActive, type F64Heap } from "./f64-heap.js";
import { arenaIfMade, kernelMemory } from "./arena.js";
import { countKernel } from "./usage.js";
import type { CheckedActivation, VectorActivationName } from "./wasm-activations.js";

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

/**
 * The range [lo, hi] outside which the kernel's values of `name` are replaced by its JavaScript formula
 * (and for NaN), or null where the kernel covers every input: for the fused kernels (fusion.ts), which
 * check their functions' arguments against it.
 */
export function kernelRange(name: VectorActivationName): readonly [number, number] | null {
  const [outside, lo, hi] = FALLBACK[name];
  return outside === null ? null : [lo, hi];
}

/**
 * out[i] = f(x[i]) on the SIMD kernel; returns false (nothing written) when it is not available. Arrays
 * shorter than `minLength` are not taken (1: any length, for a block of a longer array: fusion.ts).
 */
export function vectorUnary(name: VectorActivationName, x: Float64Array, out: Float64Array, minLength = VECTOR_MIN_LENGTH): boolean {
  // (The input is read in the memory chosen for both arrays: in the arena where it lies there.)
  const mem = memoryFor(x, out);
  return unaryOn(mem, name, mem === null ? 0 : sourceOf(mem, x), x.length, out, minLength);
}

/** Writes the inputs [from, to) to f[offset…] (f is the kernels' memory). */
export type BlockSource = (f: Float64Array, offset: number, from: number, to: number) => void;

/** The memory the activation kernels run on (arena.ts kernelMemory). */
interface KernelMemory {
  readonly f64: Float64Array;
  readonly activations: F64Heap["activations"];
  readonly within: F64Heap["within"];
  alloc(length: number): number;
  release(offset: number, length: number): void;
}

/**
 * The memory to run on: the arena (arena.ts kernelMemory) when one of the arrays lies in it (it is read
 * or written in place there), else the shared heap as before (the copies cost the same, and the matrix
 * products' blocks are there: one memory's pages in cache, not two); null when the kernels are off.
 */
function memoryFor(...arrays: Float64Array[]): KernelMemory | null {
  if (!wasmKernelsActive()) return null;
  // (Before the pool has put anything in the arena, it need not exist.)
  const arena = arenaIfMade();
  if (arena !== null) for (const a of arrays) if (offsetIn(arena, a) >= 0) return kernelMemory();
  return sharedHeap();
}

/** An input array as the block loop reads it: its element offset where it lies in `mem` (read in place), else a block source copying it in. */
function sourceOf(mem: KernelMemory, x: Float64Array): BlockSource | number {
  const at = offsetIn(mem, x);
  return at >= 0 ? at : (f, offset, from, to) => f.set(x.subarray(from, to), offset);
}

/**
 * out[i] = f(x_i) for the n inputs x_i that `source` writes block by block into the kernels' memory (a
 * buffer's values, or a lazy expression evaluated there: fusion.ts lazyBlocks); false (nothing written)
 * when the kernel is not available.
 * An output in the kernels' memory is written in place.
 */
export function vectorUnaryFrom(name: VectorActivationName, source: BlockSource, n: number, out: Float64Array): boolean {
  return unaryOn(n < VECTOR_MIN_LENGTH ? null : memoryFor(out), name, source, n, out);
}

/** vectorUnaryFrom on the memory `mem` (an offset `source` is an element offset in it). */
function unaryOn(mem: KernelMemory | null, name: VectorActivationName, source: BlockSource | number, n: number, out: Float64Array, minLength = VECTOR_MIN_LENGTH): boolean {
  if (n < minLength || n === 0) return false;
  const kernel = mem?.activations?.[name];
  if (mem === null || kernel === undefined) return false;
  // The JavaScript formula for the elements outside the kernel's range (null: none), and that range.
  const [outside, lo, hi] = FALLBACK[name];
  // The kernel's form that checks the range in its own pass (wasm-activations.ts RANGE_CHECKED), if any.
  const checked = outside === null ? undefined : (mem.activations?.checked as Partial<Record<string, CheckedActivation>> | undefined)?.[name];
  blockLoop(mem, source, n, [out], outside === null ? null : [outside], lo, hi, kernel, checked);
  return true;
}

/**
 * sinOut[i] = sin x[i] and cosOut[i] = cos x[i] in one pass of the SIMD sincos kernel (the same bits as
 * the sin and cos kernels, and the same JavaScript fallback beyond ±1e5); false when not available.
 * Arrays in the kernels' memory are read and written in place.
 */
export function vectorSinCos(x: Float64Array, sinOut: Float64Array, cosOut: Float64Array): boolean {
  const n = x.length;
  if (n < VECTOR_MIN_LENGTH) return false;
  const mem = memoryFor(x, sinOut, cosOut);
  const kernel = mem?.activations?.sincos;
  if (mem === null || kernel === undefined) return false;
  // (sin and cos have the same range: FALLBACK.)
  const [sin, lo, hi] = FALLBACK.sin;
  blockLoop(mem, sourceOf(mem, x), n, [sinOut, cosOut], [sin!, FALLBACK.cos[0]!], lo, hi, kernel, mem.activations?.checked?.sincos);
  return true;
}

/** A vector kernel (wasm-activations.ts pairLoop): (src, dst_1, …, dst_m, pairs), byte offsets but pairs; its range-checked form takes the bounds' byte offset last. */
type PairKernel = (...args: number[]) => void;

/**
 * The one block loop of the vector kernels, for one output (an activation) or two (sincos): `kernel`
 * over the n inputs, block by block — from `source` (written into a scratch block), or in place from
 * element offset `source` in `mem`. Outputs in `mem` are written in place, others copied out of
 * scratch blocks. Where there is a range (`outside` non-null: each output's JavaScript formula), a
 * block with inputs outside [lo, hi] or NaN has those elements recomputed by the formulas; the range is
 * checked by `checked` (the kernel's range-checked form) in the same pass where there is one, else by
 * blockWithin.
 */
function blockLoop(
  mem: KernelMemory, source: BlockSource | number, n: number, outs: readonly Float64Array[],
  outside: readonly ((v: number) => number)[] | null, lo: number, hi: number, kernel: PairKernel, checked: PairKernel | undefined,
): void {
  const K = outs.length;
  const outAt = outs.map((o) => offsetIn(mem, o));
  const size = Math.min(n, BLOCK);
  const input = typeof source === "number" ? -1 : mem.alloc(size);
  const results = outAt.map((a) => (a >= 0 ? -1 : mem.alloc(size)));
  const bounds = mem.alloc(BOUNDS);
  if (outside !== null) countKernel(mem.within !== null ? "range-check:wasm-simd" : "range-check:js");
  if (checked !== undefined) setBounds(mem.f64, bounds, lo, hi);
  // The kernel's arguments: src, the outputs, pairs (and the bounds for the checked form).
  const args = new Array<number>(K + (checked !== undefined ? 3 : 2)).fill(0);
  if (checked !== undefined) args[K + 2] = 8 * bounds;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const m = Math.min(BLOCK, n - i0);
    let src: number;
    if (typeof source === "number") src = source + i0;
    else {
      source(mem.f64, input, i0, i0 + m);
      src = input;
    }
    args[0] = 8 * src;
    for (let k = 0; k < K; k++) args[1 + k] = 8 * (outAt[k]! >= 0 ? outAt[k]! + i0 : results[k]!);
    args[1 + K] = (m + 1) >> 1;
    let inside: boolean;
    if (checked !== undefined) {
      // The lane after an odd count is set to 0 first, as blockWithin does (inside the block's even
      // length; 0 lies in every kernel's range); the answer is blockWithin's.
      if ((m & 1) !== 0) mem.f64[src + m] = 0;
      checked(...args);
      inside = mem.f64[bounds + 4] === 1 && mem.f64[bounds + 5] === 1;
    } else {
      kernel(...args);
      inside = outside === null || blockWithin(mem, src, m, lo, hi, bounds);
    }
    const f = mem.f64;
    for (let k = 0; k < K; k++) {
      const out = outs[k]!;
      const result = results[k]!;
      if (inside) {
        if (result >= 0) out.set(f.subarray(result, result + m), i0);
        continue;
      }
      // Copy out and patch, while the block is in cache (a block can fail the check only where there is a range).
      const formula = outside![k]!;
      for (let i = 0; i < m; i++) {
        const v = f[src + i]!;
        if (!(v >= lo && v <= hi)) out[i0 + i] = formula(v);
        else if (result >= 0) out[i0 + i] = f[result + i]!;
      }
    }
  }
  mem.release(bounds, BOUNDS);
  for (let k = K - 1; k >= 0; k--) if (results[k]! >= 0) mem.release(results[k]!, size);
  if (input >= 0) mem.release(input, size);
}

/** The range check's block of float64s: lo, lo, hi, hi and its answer (wasm-range.ts). */
const BOUNDS = 6;

function setBounds(f: Float64Array, bounds: number, lo: number, hi: number): void {
  f[bounds] = f[bounds + 1] = lo;
  f[bounds + 2] = f[bounds + 3] = hi;
}

/**
 * Whether the m inputs at heap offset `input` all lie in [lo, hi] (false for NaN): by the SIMD range
 * check when the heap has it, else by the JavaScript loop. The same answer either way.
 */
function blockWithin(heap: KernelMemory, input: number, m: number, lo: number, hi: number, bounds: number): boolean {
  const f = heap.f64;
  const within = heap.within;
  if (within === null) return allWithin(f, input, input + m, lo, hi);
  // The check reads whole pairs: the lane after an odd count (inside the block, which has even length) is set to 0, which lies in every kernel's range.
  if ((m & 1) !== 0) f[input + m] = 0;
  setBounds(f, bounds, lo, hi);
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
