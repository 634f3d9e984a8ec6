// The backward pass of the fused Taylor MLP (fused-jets.ts), first order only: the gradients of
// the weights (and of the points, where asked) from the gradient of the output jets, chunk by chunk
// over what the forward pass saved (saved-buffers.ts), which it then gives back to the heap.
//
// For a hidden layer l with pre-activation jets Z_l and activation jets H_l,
//   Ḡ_{Z_l} = act_backward(Ḡ_{H_l}),  Ḡ_{W_l} = Ḡ_{Z_l}ᵀ·H_{l−1}  (one product over all streams),
//   Ḡ_{b_l} = Σ_points Ḡ_{Z_l, value},  Ḡ_{H_{l−1}} = Ḡ_{Z_l}·W_l.
//
// Written as small functions over one `Pass` (a chunk's layers, the first layer, the gradients'
// assembly): V8 compiles each on its own, and a function of this size compiles in a fraction of the
// time one function of all of them took (a cost paid by every thread of a parallel run, at start-up).

import { Tensor } from "../engine/tensor.js";
import { isGradEnabled } from "../engine/state.js";
import { heapGemm } from "../engine/kernels/heap-gemm.js";
import type { F64Heap } from "../engine/kernels/f64-heap.js";
import { activationBackwardKernel, type ActivationBackwardKernel } from "./jet-kernels.js";
import { wasmJetKernels, type WasmJetKernels } from "./wasm-jet-kernels.js";
import { block, free, releaseAfterBackward, restore, type Block, type Chunk, type Saved } from "./saved-buffers.js";
import { addRowGradients, columnSumsInto, outputWidth, vectorActivationAvailable } from "./layer-math.js";
import type { FusedParams } from "./fused-forward.js";

/** What every step of one backward pass reads. */
interface Pass {
  readonly heap: F64Heap;
  readonly saved: Saved;
  readonly params: FusedParams;
  /** Points, streams, layers, first layer's width, input dimension. */
  readonly n: number;
  readonly S: number;
  readonly L: number;
  readonly w1: number;
  readonly d: number;
  /** Per layer: its weight's shape [out, in]. */
  readonly shapes: readonly (readonly number[])[];
  /** The output gradient's values and width (K), padded to Kp in the heap. */
  readonly G: Float64Array;
  readonly K: number;
  readonly Kp: number;
  /** Row gradients of the first layer's constant streams (JavaScript kernel), bias gradients, point gradients. */
  readonly GR: (Float64Array | null)[];
  readonly gb: (Float64Array | null)[];
  readonly gX: Float64Array | null;
  /** Weight-gradient accumulators in the heap. */
  readonly gW: Block[];
  readonly backwardHidden: ActivationBackwardKernel;
  readonly backwardFirst: ActivationBackwardKernel;
  readonly simd: WasmJetKernels | null;
  /** The SIMD kernel's row gradients (slot-major), or null. */
  readonly GRheap: Block | null;
  /** The op's input: the points (or the input features' jets). */
  readonly X: Tensor;
}

/** The gradients of the op's inputs (null where `needs` is false) from the output gradient `g`. */
export function fusedBackward(g: Tensor, inputs: readonly Tensor[], params: FusedParams, saved: Saved, needs: readonly boolean[]): (Tensor | null)[] {
  if (isGradEnabled()) {
    throw new Error(
      "the fused Taylor network op has a first-order backward pass only; for higher-order gradients " +
        'use derivatives "reverse" or the op-by-op jets (PinnNetwork.derivatives(..., "taylor-ops"))',
    );
  }
  if (saved.released) {
    throw new Error("backward through the same fused Taylor network op twice is not supported (its buffers were released after the first)");
  }
  const { plan, weightSlot, biasSlot, embedded } = params;
  restore(saved);
  const { heap, n, rows } = saved;
  const X = inputs[0]!;
  if (embedded && needs[0]) throw new Error("internal: no gradient with respect to the input features' jets");
  const L = weightSlot.length;
  const shapes = weightSlot.map((slot) => inputs[slot]!.shape);
  const w1 = shapes[0]![0]!;
  const needB = (l: number): boolean => biasSlot[l]! >= 0 && needs[biasSlot[l]!]!;
  const GR = rows.map((r) => (r === null ? null : new Float64Array(r.length)));
  const gb = shapes.map((shape, l) => (needB(l) ? new Float64Array(shape[0]!) : null));
  const gX = needs[0] ? new Float64Array(n * X.shape[1]!) : null;
  const grads: (Tensor | null)[] = inputs.map(() => null);
  if (L === 1) {
    singleLayer(params, saved, X, inputs[weightSlot[0]!]!, g.data, GR, gb[0] ?? null, gX, needs, grads);
    releaseAfterBackward(saved);
    return grads;
  }
  const K = g.shape[1]!;
  const Kp = outputWidth(heap, K);
  // Weight-gradient accumulators in the heap (the products add into them chunk by chunk).
  const gW = shapes.map((shape, l) => {
    const b = block(heap, (l === L - 1 ? Kp : shape[0]!) * shape[1]!);
    heap.f64.fill(0, b.offset, b.offset + b.length);
    return b;
  });
  const simd = saved.R === null && !(embedded && vectorActivationAvailable(heap, params.activation)) ? null : wasmJetKernels(heap, params.activation, plan);
  const slotCount = simd === null ? 0 : simd.slots.filter((x) => x >= 0).length;
  const GRheap = simd === null || embedded ? null : block(heap, Math.max(2, slotCount * w1));
  if (GRheap !== null) heap.f64.fill(0, GRheap.offset, GRheap.offset + GRheap.length);
  const pass: Pass = {
    heap, saved, params, n, S: plan.streams.length, L, w1, d: X.shape[1]!, shapes, G: g.data, K, Kp, GR, gb, gX, gW,
    backwardHidden: activationBackwardKernel(params.activation, plan, false),
    backwardFirst: activationBackwardKernel(params.activation, plan, true),
    simd, GRheap, X,
  };
  for (const chunk of saved.chunks) chunkBackward(pass, chunk);
  assemble(pass, needs, grads);
  releaseAfterBackward(saved);
  return grads;
}

/** One linear layer: z₀ = X̂·W₁ᵀ + b₁ and z_{e_i} = a_i·W₁[:, i] — sums over the points. */
function singleLayer(
  params: FusedParams, saved: Saved, X: Tensor, W1: Tensor, G: Float64Array, GR: (Float64Array | null)[],
  gb: Float64Array | null, gX: Float64Array | null, needs: readonly boolean[], grads: (Tensor | null)[],
): void {
  const { plan, inputScale, weightSlot, biasSlot } = params;
  const { n, rows } = saved;
  const d = X.shape[1]!;
  const w1 = W1.shape[0]!;
  const gW = new Float64Array(w1 * d);
  for (let p = 0; p < n; p++) {
    for (let j = 0; j < w1; j++) {
      const gz = G[p * w1 + j]!;
      for (let i = 0; i < d; i++) gW[j * d + i]! += gz * X.data[p * d + i]!;
      if (gb) gb[j]! += gz;
      if (gX) for (let i = 0; i < d; i++) gX[p * d + i]! += gz * W1.data[j * d + i]!;
    }
  }
  rows.forEach((r, s) => {
    if (r !== null) for (let p = 0; p < n; p++) for (let j = 0; j < w1; j++) GR[s]![j]! += G[(s * n + p) * w1 + j]!;
  });
  addRowGradients(plan, GR, inputScale, gW, w1, d);
  if (needs[weightSlot[0]!]) grads[weightSlot[0]!] = new Tensor(gW, W1.shape);
  if (gb) grads[biasSlot[0]!] = new Tensor(gb, [w1]);
  if (gX) grads[0] = new Tensor(gX, X.shape);
}

/** One chunk's share of every gradient: the output layer, the hidden layers, the first layer. */
function chunkBackward(pass: Pass, chunk: Chunk): void {
  const { heap, S, L, G, K, Kp, n, gW, gb, shapes, saved } = pass;
  const { p0, count: c, H } = chunk;
  // This chunk's rows of the output gradient, padded to Kp columns.
  const Gc = block(heap, S * c * Kp);
  const f = heap.f64;
  if (Kp !== K) f.fill(0, Gc.offset, Gc.offset + Gc.length);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < c; i++) {
      const src = (s * n + p0 + i) * K;
      const dst = Gc.offset + (s * c + i) * Kp;
      for (let k = 0; k < K; k++) f[dst + k] = G[src + k]!;
    }
  }
  const last = L - 1;
  const wIn = shapes[last]![1]!;
  heapGemm(heap, Gc.offset, H[last - 1]!.offset, gW[last]!.offset, Kp, wIn, S * c, true);
  if (gb[last]) columnSumsInto(heap.f64, Gc.offset, c, Kp, gb[last]);
  let GH = block(heap, S * c * wIn);
  heapGemm(heap, Gc.offset, saved.W[last]!.offset, GH.offset, S * c, wIn, Kp, false, false);
  free(heap, Gc);
  for (let l = last - 1; l >= 1; l--) GH = hiddenLayer(pass, chunk, l, GH);
  if (pass.params.embedded) embeddedFirstLayer(pass, chunk, GH);
  else firstLayer(pass, chunk, GH);
}

/** Ḡ_{Z_l} from Ḡ_{H_l} through the activation's jets (SIMD where it runs), into a new block. */
function activationBackward(pass: Pass, Z: Block, H: Block, GH: Block, c: number, width: number): Block {
  const { heap, S, simd } = pass;
  const GZ = block(heap, S * c * width);
  if (simd !== null && (c * width) % 2 === 0) {
    simd.backwardHidden(8 * Z.offset, 8 * H.offset, 8 * GH.offset, 8 * GZ.offset, (c * width) / 2, 8 * c * width);
  } else {
    pass.backwardHidden(heap.view(Z.offset, Z.length), heap.view(H.offset, H.length), heap.view(GH.offset, GH.length), heap.view(GZ.offset, GZ.length), c, width, [], []);
  }
  return GZ;
}

/** Hidden layer l of a chunk: its weight and bias gradients; returns Ḡ_{H_{l−1}} (GH is given back). */
function hiddenLayer(pass: Pass, chunk: Chunk, l: number, GH: Block): Block {
  const { heap, S, gW, gb, saved } = pass;
  const c = chunk.count;
  const [out, wPrev] = pass.shapes[l] as [number, number];
  const GZ = activationBackward(pass, chunk.Z[l]!, chunk.H[l]!, GH, c, out);
  free(heap, GH);
  heapGemm(heap, GZ.offset, chunk.H[l - 1]!.offset, gW[l]!.offset, out, wPrev, S * c, true);
  if (gb[l]) columnSumsInto(heap.f64, GZ.offset, c, out, gb[l]!);
  const next = block(heap, S * c * wPrev);
  heapGemm(heap, GZ.offset, saved.W[l]!.offset, next.offset, S * c, wPrev, out, false, false);
  free(heap, GZ);
  return next;
}

/** The first layer over all feature streams, as a hidden layer: Ḡ_{W₁} += Ḡ_Zᵀ·Φ. */
function embeddedFirstLayer(pass: Pass, chunk: Chunk, GH: Block): void {
  const { heap, S, w1, d, gW, gb } = pass;
  const c = chunk.count;
  const GZ = activationBackward(pass, chunk.Z[0]!, chunk.H[0]!, GH, c, w1);
  free(heap, GH);
  heapGemm(heap, GZ.offset, chunk.X.offset, gW[0]!.offset, w1, d, S * c, true);
  if (gb[0]) columnSumsInto(heap.f64, GZ.offset, c, w1, gb[0]);
  free(heap, GZ);
}

/** The first layer: z₀ = X̂·W₁ᵀ + b₁ and z_{e_i} = a_i·W₁[:, i] (the rows' gradients go to GR). */
function firstLayer(pass: Pass, chunk: Chunk, GH: Block): void {
  const { heap, w1, d, gW, gb, gX, simd, saved } = pass;
  const { p0, count: c, Z, H } = chunk;
  const GZ1 = block(heap, c * w1);
  if (simd !== null && w1 % 2 === 0) {
    simd.backwardFirst(8 * Z[0]!.offset, 8 * H[0]!.offset, 8 * GH.offset, 8 * GZ1.offset, c, 8 * w1, 8 * c * w1, 8 * saved.R!.offset, 8 * pass.GRheap!.offset);
  } else {
    pass.backwardFirst(
      heap.view(Z[0]!.offset, Z[0]!.length), heap.view(H[0]!.offset, H[0]!.length),
      heap.view(GH.offset, GH.length), heap.view(GZ1.offset, GZ1.length), c, w1, saved.rows, pass.GR,
    );
  }
  free(heap, GH);
  heapGemm(heap, GZ1.offset, chunk.X.offset, gW[0]!.offset, w1, d, c, true);
  if (gb[0]) columnSumsInto(heap.f64, GZ1.offset, c, w1, gb[0]);
  if (gX) {
    const gXc = block(heap, c * d);
    heap.f64.fill(0, gXc.offset, gXc.offset + gXc.length);
    heapGemm(heap, GZ1.offset, saved.W[0]!.offset, gXc.offset, c, d, w1, false);
    gX.set(heap.view(gXc.offset, c * d), p0 * d);
    free(heap, gXc);
  }
  free(heap, GZ1);
}

/** The gradients as tensors (the SIMD kernel's row gradients joined to the JavaScript kernel's first); the heap's blocks given back. */
function assemble(pass: Pass, needs: readonly boolean[], grads: (Tensor | null)[]): void {
  const { heap, simd, GRheap, GR, w1, d, L, gW, gb, gX, shapes } = pass;
  const { plan, inputScale, weightSlot, biasSlot } = pass.params;
  if (simd !== null && GRheap !== null) {
    simd.slots.forEach((slot, s) => {
      if (slot < 0) return;
      const gr = GR[s]!;
      for (let jj = 0; jj < w1; jj++) gr[jj]! += heap.f64[GRheap.offset + slot * w1 + jj]!;
    });
    free(heap, GRheap);
  }
  for (let l = 0; l < L; l++) {
    const [out, inn] = shapes[l] as [number, number];
    if (needs[weightSlot[l]!]) {
      const data = Float64Array.from(heap.view(gW[l]!.offset, out * inn));
      if (l === 0) addRowGradients(plan, GR, inputScale, data, w1, d);
      grads[weightSlot[l]!] = new Tensor(data, shapes[l]!);
    }
    if (gb[l]) grads[biasSlot[l]!] = new Tensor(gb[l]!, [out]);
    free(heap, gW[l]!);
  }
  if (gX) grads[0] = new Tensor(gX, pass.X.shape);
}
