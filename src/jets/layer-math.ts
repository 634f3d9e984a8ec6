// The pieces of the fused Taylor pass that its forward (fused-forward.ts) and backward
// (fused-backward.ts) passes share: the first layer's constant derivative rows, the bias and
// column-sum loops, the transposed and padded weights, and the SIMD value kernel of the activation.

import type { F64Heap } from "../engine/kernels/f64-heap.js";
import { hasSimdKernel, type ActivationName } from "../nn/activations.js";
import { scalarActivation } from "./jet-kernels.js";
import type { JetPlan } from "./jet-plan.js";
import type { WasmJetKernels } from "./wasm-jet-kernels.js";
import { block, type Block } from "./saved-buffers.js";

/** Whether the heap has a SIMD value kernel for the activation (the registry says which have one). */
export function vectorActivationAvailable(heap: F64Heap, activation: ActivationName): boolean {
  return heap.activations !== null && hasSimdKernel(activation);
}

/**
 * σ(z) for `count` values at heap offset `src` into `dst` with the activation's SIMD kernel, when
 * the heap has one (true), so that the stream kernel starts from the values (see activationKernel).
 */
export function vectorActivation(heap: F64Heap, activation: ActivationName, src: number, dst: number, count: number): boolean {
  if (heap.activations === null || !hasSimdKernel(activation)) return false;
  const pairs = count >> 1;
  heap.activations[activation](8 * src, 8 * dst, pairs);
  if (count & 1) heap.f64[dst + count - 1] = scalarActivation(activation)(heap.f64[src + count - 1]!);
  return true;
}

/** The first-layer rows in a heap block, one w-long row per slot of the SIMD kernels. */
export function rowsBlock(heap: F64Heap, simd: WasmJetKernels, rows: (Float64Array | null)[], w: number): Block {
  const count = simd.slots.filter((x) => x >= 0).length;
  const b = block(heap, Math.max(2, count * w));
  simd.slots.forEach((slot, s) => {
    if (slot >= 0) heap.f64.set(rows[s]!, b.offset + slot * w);
  });
  return b;
}

/** The variable of an order-1 stream, or −1. */
function firstOrderVariable(beta: readonly number[]): number {
  let v = -1;
  let total = 0;
  beta.forEach((c, i) => {
    total += c;
    if (c === 1) v = i;
  });
  return total === 1 ? v : -1;
}

/** The first layer's derivative pre-activations z_{e_i} = a_i·W₁[:, i], per order-1 stream (null elsewhere). */
export function firstLayerRows(plan: JetPlan, W1: Float64Array, width: number, d: number, scale: readonly number[]): (Float64Array | null)[] {
  return plan.streams.map((beta) => {
    const i = firstOrderVariable(beta);
    if (i < 0) return null;
    const r = new Float64Array(width);
    for (let j = 0; j < width; j++) r[j] = scale[i]! * W1[j * d + i]!;
    return r;
  });
}

/** ∂z_{e_i}/∂W₁[:, i] = a_i: the first-layer rows' gradients into W₁'s column i. */
export function addRowGradients(plan: JetPlan, GR: (Float64Array | null)[], inputScale: readonly number[], gW: Float64Array, w1: number, d: number): void {
  plan.streams.forEach((beta, s) => {
    const i = firstOrderVariable(beta);
    const gr = GR[s];
    if (i < 0 || !gr) return;
    for (let j = 0; j < w1; j++) gW[j * d + i]! += inputScale[i]! * gr[j]!;
  });
}

/** Rows 0..rows of a width-wide block: the bias (or zeros). */
export function fillBias(f: Float64Array, offset: number, bias: Float64Array | null, rows: number, width: number): void {
  if (bias === null) f.fill(0, offset, offset + rows * width);
  else for (let p = 0; p < rows; p++) f.set(bias, offset + p * width);
}

/** into[j] += Σ_p f[offset + p·width + j] for j < into.length, four columns at a time in registers. */
export function columnSumsInto(f: Float64Array, offset: number, rows: number, width: number, into: Float64Array): void {
  const cols = into.length;
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0, e = offset + j; p < rows; p++, e += width) {
      s0 += f[e]!;
      s1 += f[e + 1]!;
      s2 += f[e + 2]!;
      s3 += f[e + 3]!;
    }
    into[j]! += s0;
    into[j + 1]! += s1;
    into[j + 2]! += s2;
    into[j + 3]! += s3;
  }
  for (; j < cols; j++) {
    let s = 0;
    for (let p = 0, e = offset + j; p < rows; p++, e += width) s += f[e]!;
    into[j]! += s;
  }
}

/** Wᵀ (in×cols) of W (out×in) into a heap block, zero in columns out..cols. */
export function transposedInto(heap: F64Heap, W: Float64Array, out: number, inn: number, cols = out): Block {
  const b = block(heap, cols * inn);
  const f = heap.f64;
  if (cols > out) f.fill(0, b.offset, b.offset + b.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) f[b.offset + i * cols + o] = W[o * inn + i]!;
  return b;
}

/**
 * The width the output layer is computed at: K rounded up to a multiple of 4 on the SIMD kernel
 * (whose 4×4 blocks then cover it, instead of a scalar loop for a single output), else K.
 */
export function outputWidth(heap: F64Heap, K: number): number {
  return heap.gemm === null ? K : (K + 3) & ~3;
}
