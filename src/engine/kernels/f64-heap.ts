// A float64 heap for the fast kernels: one growable memory (a WebAssembly.Memory when WebAssembly
// SIMD is available, else a plain ArrayBuffer) in which work buffers live, so that the SIMD
// matrix product reads and writes them in place.
//
// Buffers are addressed by element offsets, never by long-lived views: growing the memory
// replaces its ArrayBuffer, so a view (`heap.view(...)` or `heap.f64`) is valid only until the
// next alloc. Freed blocks are kept in free lists by (even) length (free-list.ts); a training loop allocates the
// same sizes every epoch, so after the first epoch nothing new is allocated.

import "./wasm-types.js";
import { instantiateGemm, type GemmFunction } from "./wasm-gemm.js";
import { KERNEL_TABLE_BYTES, instantiateActivations, type VectorActivations } from "./wasm-activations.js";
import { instantiateRange, type WithinFunction } from "./wasm-range.js";
import { FreeList } from "./free-list.js";

const PAGE = 65536;

export class F64Heap {
  /** The SIMD kernel on this heap's memory, or null (pure JavaScript). */
  readonly gemm: GemmFunction | null;
  /** SIMD tanh and sigmoid on this heap's memory, or null. */
  readonly activations: VectorActivations | null;
  /** The SIMD range check of the activation kernels' inputs (wasm-range.ts), or null. */
  readonly within: WithinFunction | null;
  /** The WebAssembly memory behind the heap (null for the pure-JavaScript heap). */
  readonly memory: WebAssembly.Memory | null;
  private buffer: ArrayBuffer;
  /** A view of the whole heap (replaced when the heap grows). */
  f64: Float64Array;
  private top = 0;
  /** Blocks by even size; a new one is taken from the top, growing the memory. */
  private readonly blocks = new FreeList(
    (length) => length + (length & 1),
    (size) => {
      const offset = this.top;
      this.ensure(offset + size);
      this.top += size;
      return offset;
    },
  );

  constructor(useWasm: boolean) {
    let memory: WebAssembly.Memory | null = null;
    let gemm: GemmFunction | null = null;
    if (useWasm && typeof WebAssembly === "object") {
      try {
        memory = new WebAssembly.Memory({ initial: 16, maximum: 65536 });
        gemm = instantiateGemm(memory);
      } catch {
        gemm = null;
      }
      if (gemm === null) memory = null;
    }
    this.memory = memory;
    this.gemm = gemm;
    this.activations = memory === null ? null : instantiateActivations(memory);
    this.within = memory === null ? null : instantiateRange(memory);
    // The activation kernels' tables (their module's data segment) occupy the start of the memory.
    if (this.activations !== null) this.top = KERNEL_TABLE_BYTES / 8;
    this.buffer = memory !== null ? memory.buffer : new ArrayBuffer(16 * PAGE);
    this.f64 = new Float64Array(this.buffer);
  }

  /** Reserve `length` float64s (16-byte aligned, contents unspecified); returns the offset. */
  alloc(length: number): number {
    return this.blocks.alloc(length);
  }

  /** Reserve and zero. */
  allocZeroed(length: number): number {
    const offset = this.alloc(length);
    this.f64.fill(0, offset, offset + length);
    return offset;
  }

  /** Give back a block from alloc (same length). */
  release(offset: number, length: number): void {
    this.blocks.release(offset, length);
  }

  /** A view of a block, valid until the next alloc. */
  view(offset: number, length: number): Float64Array {
    return this.f64.subarray(offset, offset + length);
  }

  /** Copy `src` into a new block. */
  copyIn(src: Float64Array): number {
    const offset = this.alloc(src.length);
    this.f64.set(src, offset);
    return offset;
  }

  /** Bytes reserved from the system for this heap. */
  get byteLength(): number {
    return this.buffer.byteLength;
  }

  private ensure(elements: number): void {
    const need = elements * 8;
    if (need <= this.buffer.byteLength) return;
    // Grow by at least half again, so that a growing workload does not grow every call.
    const target = Math.max(need, Math.floor(this.buffer.byteLength * 1.5));
    const pages = Math.ceil((target - this.buffer.byteLength) / PAGE);
    if (this.memory !== null) {
      this.memory.grow(pages);
      this.buffer = this.memory.buffer;
    } else {
      const next = new ArrayBuffer(this.buffer.byteLength + pages * PAGE);
      new Float64Array(next).set(this.f64);
      this.buffer = next;
    }
    this.f64 = new Float64Array(this.buffer);
  }
}

/**
 * The element offset of an array in a kernel memory (the shared heap or the arena: anything with a view
 * `f64` of its whole buffer), or −1 for an array elsewhere.
 */
export function offsetIn(mem: { readonly f64: Float64Array }, a: Float64Array): number {
  return a.buffer === mem.f64.buffer ? a.byteOffset >> 3 : -1;
}

let shared: F64Heap | null = null;
let wasmWanted = process.env["PINN_NO_WASM"] === undefined || process.env["PINN_NO_WASM"] === "0";

/** The process-wide heap of the fast kernels. */
export function sharedHeap(): F64Heap {
  return (shared ??= new F64Heap(wasmWanted));
}

/**
 * Turn the WebAssembly SIMD kernels on or off (for cross-checking the JavaScript fallback; the
 * environment variable PINN_NO_WASM=1 does the same at start-up). Takes effect for buffers
 * allocated afterwards.
 */
export function setWasmKernels(enabled: boolean): void {
  if (enabled === wasmWanted && shared !== null) return;
  wasmWanted = enabled;
  shared = null;
}

/** True when the shared heap runs the WebAssembly SIMD kernels. */
export function wasmKernelsActive(): boolean {
  return sharedHeap().gemm !== null;
}
