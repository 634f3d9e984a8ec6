// Dense matrix products C = op(A)·op(B) on row-major Float64Arrays, where op is the identity or the
// transpose.
//
//   A is m×k (or k×m when transA), B is k×n (or n×k when transB), C is m×n.
// `accumulate` adds into C instead of overwriting it.
//
// Large products run on the WebAssembly SIMD kernel (operands copied into the kernels' heap, B
// transposed on the way when transB); the rest, and everything when WebAssembly SIMD is missing or
// disabled, on the JavaScript kernels of matmul-js.ts.

import { sharedHeap, wasmKernelsActive } from "./f64-heap.js";
import { heapGemm, type GemmHeap } from "./heap-gemm.js";
import { theArena, type Arena } from "./arena.js";
import { instantiateGemm } from "./wasm-gemm.js";
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
  if (m * n * k >= WASM_MIN_WORK && k >= WASM_MIN_K && m >= 4 && n >= 4 && !(transA && transB)) {
    if (viaArena(A, B, C, m, n, k, transA, transB, accumulate)) {
      countKernel("matmul:wasm-simd");
      countKernel("matmul:arena");
      return;
    }
    if (viaHeap(A, B, C, m, n, k, transA, transB, accumulate)) {
      countKernel("matmul:wasm-simd");
      return;
    }
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

/**
 * The kernels' arena (arena.ts: the memory in which tidy() scopes place their tensors) as a memory for
 * the SIMD product, with the kernel instantiated on it; null without an arena or WebAssembly SIMD.
 */
let arenaGemm: { arena: Arena; heap: GemmHeap } | null | undefined;

function arenaHeap(): { arena: Arena; heap: GemmHeap } | null {
  if (arenaGemm === undefined) {
    const arena = theArena();
    const gemm = arena === null ? null : instantiateGemm(arena.memory);
    arenaGemm = arena === null || gemm === null ? null : { arena, heap: { gemm, memory: arena.memory, f64: arena.f64, view: (o, n) => arena.f64.subarray(o, o + n) } };
  }
  return arenaGemm;
}

/** Scratch blocks of the arena taken by one product at most (elements): the rest goes through the shared heap. */
const ARENA_SCRATCH_MAX = 1 << 17;

/**
 * The product on the arena's memory when A or C lives there (a tensor made inside tidy()): those are
 * read and written in place, the other operands copied into scratch blocks of the arena (B transposed
 * on the way when transB). False — nothing done — when neither lives there, C overlaps an operand, or
 * the copies would take more scratch than ARENA_SCRATCH_MAX. The same kernel on the same values, so
 * the same bits as viaHeap.
 */
function viaArena(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean): boolean {
  if (!wasmKernelsActive()) return false;
  const found = arenaHeap();
  if (found === null) return false;
  const { arena, heap } = found;
  const oa = arena.offsetOf(A);
  const oc = arena.offsetOf(C);
  if (oa < 0 && oc < 0) return false;
  const ob = transB ? -1 : arena.offsetOf(B);
  // C written in place must not overlap what the kernel still reads.
  const overlaps = (o: number, len: number): boolean => o >= 0 && oc < o + len && o < oc + m * n;
  if (oc >= 0 && (overlaps(oa, m * k) || overlaps(ob, k * n))) return false;
  const scratch = (oa < 0 ? m * k : 0) + (ob < 0 ? k * n : 0) + (oc < 0 ? m * n : 0);
  if (scratch > ARENA_SCRATCH_MAX) return false;
  const taken: [number, number][] = [];
  const take = (len: number): number => {
    const o = arena.alloc(len);
    taken.push([o, len]);
    return o;
  };
  try {
    const a = oa >= 0 ? oa : take(m * k);
    const b = ob >= 0 ? ob : take(k * n);
    const c = oc >= 0 ? oc : take(m * n);
    const f = arena.f64;
    if (oa < 0) f.set(A.subarray(0, m * k), a);
    if (ob < 0) {
      if (transB) {
        // B is n×k: store it k×n.
        for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) f[b + p * n + j] = B[j * k + p]!;
      } else f.set(B.subarray(0, k * n), b);
    }
    if (oc < 0 && accumulate) f.set(C.subarray(0, m * n), c);
    heapGemm(heap, a, b, c, m, n, k, transA, accumulate);
    if (oc < 0) C.set(f.subarray(c, c + m * n));
    return true;
  } catch {
    // The arena's scratch is full (alloc throws): the shared heap's path runs instead, from the start.
    return false;
  } finally {
    for (const [o, len] of taken) arena.release(o, len);
  }
}
