// The memory of one quasi-Newton optimiser's vectors and matrix, and its two kernels (optim-wasm.ts
// for what they compute): WebAssembly SIMD where the engine's WebAssembly kernels are on
// (engine/kernels/f64-heap.ts: not with PINN_NO_WASM=1 or setWasmKernels(false)), else the same
// loops in JavaScript, written operation for operation like the SIMD ones (two lanes: even and odd
// elements), so that both paths give the same numbers to the bit.
//
// The arena has a fixed size, allocated once (a WebAssembly.Memory that never grows, so views of it
// stay valid); blocks are padded to an even length and the padding stays zero. Which kernel ran is
// counted in kernelUsage() as "bfgs-update:wasm-simd" / "bfgs-update:js" (one per pass over H) and
// "lbfgs-two-loop:wasm-simd" / "lbfgs-two-loop:js" (one per direction).

import "../engine/kernels/wasm-types.js";
import { wasmKernelsActive } from "../engine/kernels/f64-heap.js";
import { countKernel } from "../engine/kernels/usage.js";
import { instantiateOptim, type OptimWasm } from "./optim-wasm.js";

const PAGE = 65536;

/** n rounded up to even. */
export function padded(n: number): number {
  return n + (n & 1);
}

export class OptimArena {
  readonly f64: Float64Array;
  private readonly wasm: OptimWasm | null;
  /** The WebAssembly memory, when it is shared between threads (else null). */
  readonly sharedMemory: WebAssembly.Memory | null = null;
  private readonly capacity: number;
  private top = 0;

  /**
   * An arena of `doubles` float64s (at least), on WebAssembly memory when `useWasm` and SIMD is
   * available; that memory shared between threads when `shared` (optim-threads.ts).
   */
  constructor(doubles: number, useWasm: boolean = wasmKernelsActive(), shared = false) {
    const bytes = 8 * padded(doubles);
    let wasm: OptimWasm | null = null;
    let buffer: ArrayBuffer | null = null;
    if (useWasm && bytes <= 2 ** 31) {
      try {
        const pages = Math.max(1, Math.ceil(bytes / PAGE));
        const descriptor = { initial: pages, maximum: pages, ...(shared ? { shared: true } : {}) };
        const memory = new WebAssembly.Memory(descriptor);
        wasm = instantiateOptim(memory, shared);
        if (wasm !== null) {
          buffer = memory.buffer;
          if (shared) this.sharedMemory = memory;
        }
      } catch {
        wasm = null; // no memory of that size for WebAssembly: the JavaScript kernels on an ArrayBuffer (reported as "js")
      }
    }
    this.wasm = wasm;
    this.f64 = new Float64Array((buffer ?? new ArrayBuffer(bytes)) as ArrayBuffer);
    this.capacity = padded(doubles);
  }

  /** "wasm-simd" or "js": which kernels this arena runs. */
  get kernel(): "wasm-simd" | "js" {
    return this.wasm === null ? "js" : "wasm-simd";
  }

  /** Reserve `length` float64s, padded to even (zero-filled: the arena is fresh); returns the element offset. */
  alloc(length: number): number {
    const offset = this.top;
    this.top += padded(length);
    if (this.top > this.capacity) throw new Error(`internal: optimiser arena of ${this.capacity} float64s overrun`);
    return offset;
  }

  /** A view of `length` float64s at `offset` (valid for the arena's life). */
  view(offset: number, length: number): Float64Array {
    return this.f64.subarray(offset, offset + length);
  }

  /**
   * For rows r0 ≤ i < r1 (r0 even): H ← H·inv + (A·u_i − C·s_i)·u_j + (E·s_i − C·u_i)·s_j on the
   * kept part of the upper triangle, and out += those rows' share of H·g with the updated H
   * (coef = [inv, A, C, E]; element offsets; H is np × np; u, s, g interleaved at v, see
   * optim-wasm.ts and `interleaved`). Not counted in kernelUsage (the caller counts its passes).
   */
  symUpdateMv(h: number, r0: number, r1: number, np: number, coef: number, v: number, out: number): void {
    if (this.wasm !== null) this.wasm.symUpdateMv(8 * h, r0, r1, np, 8 * coef, 8 * v, 8 * out);
    else symUpdateMvJs(this.f64, h, r0, r1, np, coef, v, out);
  }

  /** y ← b·y + a·x, then f64[result] = Σ z·y over np elements (coef = [a, b]). */
  axpbyDot(coef: number, x: number, y: number, z: number, np: number, result: number): number {
    if (this.wasm !== null) this.wasm.axpbyDot(8 * coef, 8 * x, 8 * y, 8 * z, np, 8 * result);
    else axpbyDotJs(this.f64, coef, x, y, z, np, result);
    return this.f64[result]!;
  }

  /** Count one use of kernel `op` (by this arena's kind). */
  count(op: string): void {
    countKernel(`${op}:${this.kernel}`);
  }
}

/** Vectors of symUpdateMv, interleaved by pairs: the offset of element i of vector k (u 0, s 1, g 2) from v. */
export function interleaved(i: number, k: 0 | 1 | 2): number {
  return (i >> 1) * 6 + 2 * k + (i & 1);
}

/** The SIMD symUpdateMv's loop, lane for lane (lane 0: even columns, lane 1: odd). */
export function symUpdateMvJs(f: Float64Array, h: number, r0: number, r1: number, np: number, coef: number, v: number, out: number): void {
  const inv = f[coef]!, A = f[coef + 1]!, C = f[coef + 2]!, E = f[coef + 3]!;
  for (let i = r0; i < r1; i++) {
    const iv = v + interleaved(i, 0);
    const ui = f[iv]!, si = f[iv + 2]!, gi = f[iv + 4]!;
    const au = A * ui - C * si;
    const as = E * si - C * ui;
    const row = h + i * np;
    let p = row + (i & ~1);
    let pv = v + (i >> 1) * 6;
    let po = out + (i & ~1);
    const h0 = f[p]! * inv + au * f[pv]! + as * f[pv + 2]!;
    const h1 = f[p + 1]! * inv + au * f[pv + 1]! + as * f[pv + 3]!;
    f[p] = h0;
    f[p + 1] = h1;
    let acc0 = 0;
    let acc1 = h1 * f[pv + 5]!;
    if ((i & 1) === 0) {
      acc0 = h0 * f[pv + 4]!;
      f[po + 1]! += h1 * gi;
    }
    const end = row + np;
    for (p += 2, pv += 6, po += 2; p < end; p += 2, pv += 6, po += 2) {
      const a0 = f[p]! * inv + au * f[pv]! + as * f[pv + 2]!;
      const a1 = f[p + 1]! * inv + au * f[pv + 1]! + as * f[pv + 3]!;
      f[p] = a0;
      f[p + 1] = a1;
      acc0 += a0 * f[pv + 4]!;
      acc1 += a1 * f[pv + 5]!;
      f[po]! += a0 * gi;
      f[po + 1]! += a1 * gi;
    }
    f[out + i]! += acc0 + acc1;
  }
}

/** The SIMD axpbyDot's loop, lane for lane. */
export function axpbyDotJs(f: Float64Array, coef: number, x: number, y: number, z: number, np: number, result: number): void {
  const a = f[coef]!, b = f[coef + 1]!;
  let acc0 = 0;
  let acc1 = 0;
  for (let j = 0; j < np; j += 2) {
    const y0 = b * f[y + j]! + a * f[x + j]!;
    const y1 = b * f[y + j + 1]! + a * f[x + j + 1]!;
    f[y + j] = y0;
    f[y + j + 1] = y1;
    acc0 += f[z + j]! * y0;
    acc1 += f[z + j + 1]! * y1;
  }
  f[result] = acc0 + acc1;
}
