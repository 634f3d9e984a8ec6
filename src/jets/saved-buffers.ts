// Buffer lifetime of the fused Taylor op: what its forward pass keeps for its backward pass, in
// blocks of the kernels' heap (engine/kernels/f64-heap.ts). A saved set is given back to the heap
// when the backward pass is done, when no graph was recorded, or (safety net) when its output
// tensor is garbage-collected without a backward pass (a FinalizationRegistry).
//
// Saved sets still in the heap whose backward pass has not run are tracked, oldest first. A graph
// that is never back-propagated (e.g. residuals evaluated with gradients enabled, then dropped)
// would otherwise hold heap memory until the garbage collector finalizes it, which for a small
// JavaScript heap can be much later; past a limit the oldest sets are moved out to ordinary
// (garbage-collected) arrays, and copied back in if their backward pass does run.

import type { F64Heap } from "../engine/kernels/f64-heap.js";

/** A block of the kernels' heap, or its contents moved out to JavaScript memory (`spilled`). */
export interface Block {
  offset: number;
  length: number;
  spilled: Float64Array | null;
}

/** One chunk of points: its rows of the inputs and of every layer's jets. */
export interface Chunk {
  /** First point and number of points. */
  p0: number;
  count: number;
  /** The points x̂ (count×d), or with input features their jets (S·count×E). */
  X: Block;
  /** Pre-activations per hidden layer (layer 0: value rows only, unless embedded). */
  Z: Block[];
  /** Activation jets per hidden layer, all streams (S·count rows). */
  H: Block[];
}

/** What the forward pass keeps for the backward pass. */
export interface Saved {
  heap: F64Heap;
  n: number;
  /** Per layer: W (out×in) as at the forward pass; the output layer's with zero rows to Kp. */
  W: Block[];
  chunks: Chunk[];
  /** First-layer rows z_{e_i} = a_i·W₁[:, i] per order-1 stream (null elsewhere). */
  rows: (Float64Array | null)[];
  /** The same rows in the heap, slot-major (for the SIMD stream kernels), or null. */
  R: Block | null;
  released: boolean;
  spilled: boolean;
}

/** A new block of `length` float64s in the heap. */
export function block(heap: F64Heap, length: number): Block {
  return { offset: heap.alloc(length), length, spilled: null };
}

/** Give a block back to the heap. */
export function free(heap: F64Heap, b: Block): void {
  heap.release(b.offset, b.length);
}

export function newSaved(heap: F64Heap, n: number, rows: (Float64Array | null)[]): Saved {
  return { heap, n, W: [], chunks: [], rows, R: null, released: false, spilled: false };
}

function blocksOf(saved: Saved): Block[] {
  return [...saved.W, ...(saved.R === null ? [] : [saved.R]), ...saved.chunks.flatMap((c) => [c.X, ...c.Z, ...c.H])];
}

function elementsOf(saved: Saved): number {
  let total = 0;
  for (const b of blocksOf(saved)) total += b.length;
  return total;
}

const pending = new Set<Saved>();
let pendingElements = 0;
const PENDING_LIMIT = 32 * 2 ** 20; // float64s (256 MiB)

/** Track a saved set whose backward pass may run; spill the oldest past the limit. */
function track(saved: Saved): void {
  pending.add(saved);
  pendingElements += elementsOf(saved);
  for (const old of pending) {
    if (pendingElements <= PENDING_LIMIT) break;
    if (old !== saved) spill(old);
  }
}

function spill(saved: Saved): void {
  pending.delete(saved);
  pendingElements -= elementsOf(saved);
  for (const b of blocksOf(saved)) {
    b.spilled = Float64Array.from(saved.heap.view(b.offset, b.length));
    saved.heap.release(b.offset, b.length);
  }
  saved.spilled = true;
}

/** Before a backward pass: copy a spilled set back into the heap. */
export function restore(saved: Saved): void {
  if (!saved.spilled) return;
  for (const b of blocksOf(saved)) {
    b.offset = saved.heap.alloc(b.length);
    saved.heap.f64.set(b.spilled!, b.offset);
    b.spilled = null;
  }
  saved.spilled = false;
  pending.add(saved);
  pendingElements += elementsOf(saved);
}

function release(saved: Saved): void {
  if (saved.released) return;
  saved.released = true;
  if (saved.spilled) return;
  pending.delete(saved);
  pendingElements -= elementsOf(saved);
  for (const b of blocksOf(saved)) saved.heap.release(b.offset, b.length);
}

const collector = new FinalizationRegistry<Saved>(release);

/**
 * After the forward pass: with a recorded graph (`owner`, the op's output, whose backward pass
 * may run) the set is kept and tracked until that pass or until `owner` is collected; without
 * one (null) it is released at once.
 */
export function keep(saved: Saved, owner: object | null): void {
  if (owner === null) release(saved);
  else {
    track(saved);
    collector.register(owner, saved, saved);
  }
}

/** After the backward pass: the set goes back to the heap. */
export function releaseAfterBackward(saved: Saved): void {
  collector.unregister(saved);
  release(saved);
}
