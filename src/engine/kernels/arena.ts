// The kernels' arena: one WebAssembly memory of a FIXED size (it never grows), in which the buffer pool
// (pool.ts) places the tensors it hands out inside tidy() scopes, so that the SIMD kernels (the
// activations, the fused elementwise expressions, the sums) read and write tensors in place instead
// of copying them through the shared heap block by block.
//
// Why fixed: memory.grow replaces a WebAssembly memory's ArrayBuffer and detaches every Float64Array
// over the old one — a tensor's values would vanish under it. A memory that never grows keeps every
// view valid for the life of the process. When the arena is full, the pool hands out ordinary
// JavaScript arrays again (the kernels copy those, as before): never a wrong value, at worst a slower one.
//
// Two kinds of blocks: tensors' buffers (views, handed out and taken back by pool.ts, which keeps its
// own free lists of them), and the kernels' scratch blocks (alloc / release by element offset, as
// F64Heap). Tensors may not take the last SCRATCH_RESERVE elements, so scratch always has room.
// Every block has an even number of elements (16-byte aligned): a SIMD kernel may write the lane after
// an odd-length buffer's last element, which is that buffer's own padding.

import "./wasm-types.js";
import { KERNEL_TABLE_BYTES, instantiateActivations, type VectorActivations } from "./wasm-activations.js";
import { instantiateRange, type WithinFunction } from "./wasm-range.js";
import { offsetIn, sharedHeap, wasmKernelsActive, type F64Heap } from "./f64-heap.js";
import { FreeList } from "./free-list.js";

/** The arena's size: 256 MB of address space (the system backs only the pages that are used). */
const ARENA_PAGES = 4096;
/** Elements kept for the kernels' scratch blocks (tensors never take them). */
const SCRATCH_RESERVE = 1 << 19;

export class Arena {
  readonly memory: WebAssembly.Memory;
  /** The memory's one ArrayBuffer (never replaced: the memory never grows). */
  readonly buffer: ArrayBuffer;
  /** A view of the whole arena (valid for good). */
  readonly f64: Float64Array;
  /** The activation kernels on the arena's memory (wasm-activations.ts), or null. */
  readonly activations: VectorActivations | null;
  /** The activation kernels' range check (wasm-range.ts), or null. */
  readonly within: WithinFunction | null;
  private top = 0;
  private readonly capacity: number;
  /** Scratch blocks by power-of-two size; a new one is taken from the top, never past the end (the memory does not grow). */
  private readonly scratch = new FreeList(scratchSize, (size) => {
    if (this.top + size > this.capacity) throw new Error("internal: the kernels' arena has no room for a scratch block");
    const offset = this.top;
    this.top += size;
    return offset;
  });

  constructor(pages: number = ARENA_PAGES) {
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.buffer = this.memory.buffer;
    this.f64 = new Float64Array(this.buffer);
    this.capacity = this.f64.length;
    this.activations = instantiateActivations(this.memory);
    this.within = instantiateRange(this.memory);
    // The activation kernels' tables (their module's data segment) occupy the start of the memory.
    this.top = Math.ceil(KERNEL_TABLE_BYTES / 16) * 2;
  }

  /**
   * A scratch block of `length` float64s (contents unspecified); returns its element offset. Sizes are
   * rounded up to a power of two (at least 64), so that the free lists stay few whatever lengths are
   * asked for, and the kernels' scratch stays far below the reserve. Throws when the arena is full (the
   * reserve makes that an internal error).
   */
  alloc(length: number): number {
    return this.scratch.alloc(length);
  }

  /** Give back a scratch block from alloc (same length). */
  release(offset: number, length: number): void {
    this.scratch.release(offset, length);
  }

  /** A new tensor buffer of n float64s (zero: never used before), or null when the arena is full. */
  newBuffer(n: number): Float64Array | null {
    const size = n + (n & 1);
    if (this.top + size > this.capacity - SCRATCH_RESERVE) return null;
    const offset = this.top;
    this.top += size;
    return new Float64Array(this.buffer, 8 * offset, n);
  }

  /** The element offset of a buffer in this arena, or −1 for any other array. */
  offsetOf(a: Float64Array): number {
    return offsetIn(this, a);
  }

  /** Bytes handed out so far (tensors and scratch). */
  get usedBytes(): number {
    return 8 * this.top;
  }
}

function scratchSize(length: number): number {
  let size = 64;
  while (size < length) size *= 2;
  return size;
}

let arena: Arena | null | undefined;

/**
 * The process's arena (made on first use), or null where WebAssembly SIMD is not available. The caller
 * decides whether the kernels are on (f64-heap.ts wasmKernelsActive: PINN_NO_WASM=1, setWasmKernels).
 */
export function theArena(): Arena | null {
  if (arena === undefined) {
    try {
      const a = new Arena();
      arena = a.activations !== null && a.within !== null ? a : null;
    } catch {
      arena = null;
    }
  }
  return arena;
}

/** The arena if it has been made (nothing lies in it before), else null; never makes it. */
export function arenaIfMade(): Arena | null {
  return arena ?? null;
}

/**
 * The memory the elementwise SIMD kernels run on: the arena, or the shared heap where no arena could be
 * made; null when the WebAssembly kernels are off (PINN_NO_WASM=1, setWasmKernels(false)).
 */
export function kernelMemory(): Arena | F64Heap | null {
  if (!wasmKernelsActive()) return null;
  return theArena() ?? sharedHeap();
}
