// The backward pass of the fused Taylor MLP (fused-jets.ts), first order only: the gradients of
// the weights (and of the points, where asked) from the gradient of the output jets, chunk by chunk
// over what the forward pass saved (saved-buffers.ts), which it then gives back to the heap.
//
// For a hidden layer l with pre-activation jets Z_l and activation jets H_l,
//   Ḡ_{Z_l} = act_backward(Ḡ_{H_l}),  Ḡ_{W_l} = Ḡ_{Z_l}ᵀ·H_{l−1}  (one product over all streams),
//   Ḡ_{b_l} = Σ_points Ḡ_{Z_l, value},  Ḡ_{H_{l−1}} = Ḡ_{Z_l}·W_l.

import { Tensor } from "../engine/tensor.js";
import { isGradEnabled } from "../engine/state.js";
import { heapGemm } from "../engine/kernels/heap-gemm.js";
import { activationBackwardKernel } from "./jet-kernels.js";
import { wasmJetKernels } from "./wasm-jet-kernels.js";
import { block, free, releaseAfterBackward, restore, type Block, type Saved } from "./saved-buffers.js";
import { addRowGradients, columnSumsInto, outputWidth, vectorActivationAvailable } from "./layer-math.js";
import type { FusedParams } from "./fused-forward.js";

/** The gradients of the op's inputs (null where `needs` is false) from the output gradient `g`. */
export function fusedBackward(g: Tensor, inputs: readonly Tensor[], params: FusedParams, saved: Saved, needs: readonly boolean[]): (Tensor | null)[] {
  if (isGradEnabled()) {
    throw new Error(
      "the fused Taylor network op has a first-order backward pass only; for higher-order gradients " +
        'use derivatives "reverse" or the op-by-op jets (PinnNetwork.derivatives(..., "taylor-ops"))',
    );
  }
  const { plan, activation, inputScale, weightSlot, biasSlot, embedded } = params;
  if (saved.released) {
    throw new Error("backward through the same fused Taylor network op twice is not supported (its buffers were released after the first)");
  }
  restore(saved);
  const { heap, n, W, rows } = saved;
  const X = inputs[0]!;
  const d = X.shape[1]!;
  const S = plan.streams.length;
  if (embedded && needs[0]) throw new Error("internal: no gradient with respect to the input features' jets");
  const L = weightSlot.length;
  const grads: (Tensor | null)[] = inputs.map(() => null);
  const shapeOf = (l: number): readonly number[] => inputs[weightSlot[l]!]!.shape;
  const w1 = shapeOf(0)[0]!;
  const G = g.data;
  const GR = rows.map((r) => (r === null ? null : new Float64Array(r.length)));
  const needW = (l: number): boolean => needs[weightSlot[l]!]!;
  const needB = (l: number): boolean => biasSlot[l]! >= 0 && needs[biasSlot[l]!]!;
  const gb = Array.from({ length: L }, (_, l) => (needB(l) ? new Float64Array(shapeOf(l)[0]!) : null));
  const gX = needs[0] ? new Float64Array(n * d) : null;
  if (L === 1) {
    // z₀ = X̂·W₁ᵀ + b₁ and z_{e_i} = a_i·W₁[:, i]: sums over the points.
    const gW = new Float64Array(w1 * d);
    for (let p = 0; p < n; p++) {
      for (let j = 0; j < w1; j++) {
        const gz = G[p * w1 + j]!;
        for (let i = 0; i < d; i++) gW[j * d + i]! += gz * X.data[p * d + i]!;
        if (gb[0]) gb[0][j]! += gz;
        if (gX) for (let i = 0; i < d; i++) gX[p * d + i]! += gz * inputs[weightSlot[0]!]!.data[j * d + i]!;
      }
    }
    rows.forEach((r, s) => {
      if (r !== null) for (let p = 0; p < n; p++) for (let j = 0; j < w1; j++) GR[s]![j]! += G[(s * n + p) * w1 + j]!;
    });
    addRowGradients(plan, GR, inputScale, gW, w1, d);
    if (needW(0)) grads[weightSlot[0]!] = new Tensor(gW, shapeOf(0));
    if (gb[0]) grads[biasSlot[0]!] = new Tensor(gb[0], [w1]);
    if (gX) grads[0] = new Tensor(gX, X.shape);
    releaseAfterBackward(saved);
    return grads;
  }
  const K = g.shape[1]!;
  const Kp = outputWidth(heap, K);
  // Weight-gradient accumulators in the heap (the products add into them chunk by chunk).
  const gW: Block[] = [];
  for (let l = 0; l < L; l++) {
    const rowsOf = l === L - 1 ? Kp : shapeOf(l)[0]!;
    const b = block(heap, rowsOf * shapeOf(l)[1]!);
    heap.f64.fill(0, b.offset, b.offset + b.length);
    gW.push(b);
  }
  const backwardHidden = activationBackwardKernel(activation, plan, false);
  const backwardFirst = activationBackwardKernel(activation, plan, true);
  const simd = saved.R === null && !(embedded && vectorActivationAvailable(heap, activation)) ? null : wasmJetKernels(heap, activation, plan);
  const slotCount = simd === null ? 0 : simd.slots.filter((x) => x >= 0).length;
  const GRheap = simd === null || embedded ? null : block(heap, Math.max(2, slotCount * w1));
  if (GRheap !== null) heap.f64.fill(0, GRheap.offset, GRheap.offset + GRheap.length);
  for (const chunk of saved.chunks) {
    const { p0, count: c, Z, H } = chunk;
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
    const wIn = shapeOf(last)[1]!;
    heapGemm(heap, Gc.offset, H[last - 1]!.offset, gW[last]!.offset, Kp, wIn, S * c, true);
    if (gb[last]) columnSumsInto(heap.f64, Gc.offset, c, Kp, gb[last]);
    let GH = block(heap, S * c * wIn);
    heapGemm(heap, Gc.offset, W[last]!.offset, GH.offset, S * c, wIn, Kp, false, false);
    free(heap, Gc);
    for (let l = last - 1; l >= 1; l--) {
      const [out, wPrev] = shapeOf(l) as [number, number];
      const GZ = block(heap, S * c * out);
      if (simd !== null && (c * out) % 2 === 0) {
        simd.backwardHidden(8 * Z[l]!.offset, 8 * H[l]!.offset, 8 * GH.offset, 8 * GZ.offset, (c * out) / 2, 8 * c * out);
      } else {
        backwardHidden(
          heap.view(Z[l]!.offset, Z[l]!.length), heap.view(H[l]!.offset, H[l]!.length),
          heap.view(GH.offset, GH.length), heap.view(GZ.offset, GZ.length), c, out, [], [],
        );
      }
      free(heap, GH);
      heapGemm(heap, GZ.offset, H[l - 1]!.offset, gW[l]!.offset, out, wPrev, S * c, true);
      if (gb[l]) columnSumsInto(heap.f64, GZ.offset, c, out, gb[l]!);
      GH = block(heap, S * c * wPrev);
      heapGemm(heap, GZ.offset, W[l]!.offset, GH.offset, S * c, wPrev, out, false, false);
      free(heap, GZ);
    }
    if (embedded) {
      // First layer over all feature streams, as a hidden layer: Ḡ_{W₁} += Ḡ_Zᵀ·Φ.
      const GZ = block(heap, S * c * w1);
      if (simd !== null && (c * w1) % 2 === 0) {
        simd.backwardHidden(8 * Z[0]!.offset, 8 * H[0]!.offset, 8 * GH.offset, 8 * GZ.offset, (c * w1) / 2, 8 * c * w1);
      } else {
        backwardHidden(
          heap.view(Z[0]!.offset, Z[0]!.length), heap.view(H[0]!.offset, H[0]!.length),
          heap.view(GH.offset, GH.length), heap.view(GZ.offset, GZ.length), c, w1, [], [],
        );
      }
      free(heap, GH);
      heapGemm(heap, GZ.offset, chunk.X.offset, gW[0]!.offset, w1, d, S * c, true);
      if (gb[0]) columnSumsInto(heap.f64, GZ.offset, c, w1, gb[0]);
      free(heap, GZ);
      continue;
    }
    // First layer: z₀ = X̂·W₁ᵀ + b₁ and z_{e_i} = a_i·W₁[:, i].
    const GZ1 = block(heap, c * w1);
    if (simd !== null && w1 % 2 === 0) {
      simd.backwardFirst(8 * Z[0]!.offset, 8 * H[0]!.offset, 8 * GH.offset, 8 * GZ1.offset, c, 8 * w1, 8 * c * w1, 8 * saved.R!.offset, 8 * GRheap!.offset);
    } else {
      backwardFirst(
        heap.view(Z[0]!.offset, Z[0]!.length), heap.view(H[0]!.offset, H[0]!.length),
        heap.view(GH.offset, GH.length), heap.view(GZ1.offset, GZ1.length), c, w1, rows, GR,
      );
    }
    free(heap, GH);
    heapGemm(heap, GZ1.offset, chunk.X.offset, gW[0]!.offset, w1, d, c, true);
    if (gb[0]) columnSumsInto(heap.f64, GZ1.offset, c, w1, gb[0]);
    if (gX) {
      const gXc = block(heap, c * d);
      heap.f64.fill(0, gXc.offset, gXc.offset + gXc.length);
      heapGemm(heap, GZ1.offset, W[0]!.offset, gXc.offset, c, d, w1, false);
      gX.set(heap.view(gXc.offset, c * d), p0 * d);
      free(heap, gXc);
    }
    free(heap, GZ1);
  }
  if (simd !== null && GRheap !== null) {
    // The SIMD kernel's row gradients (slot-major) join the JavaScript kernel's.
    simd.slots.forEach((slot, s) => {
      if (slot < 0) return;
      const gr = GR[s]!;
      for (let jj = 0; jj < w1; jj++) gr[jj]! += heap.f64[GRheap.offset + slot * w1 + jj]!;
    });
    free(heap, GRheap);
  }
  for (let l = 0; l < L; l++) {
    const [out, inn] = shapeOf(l) as [number, number];
    if (needW(l)) {
      const data = Float64Array.from(heap.view(gW[l]!.offset, out * inn));
      if (l === 0) addRowGradients(plan, GR, inputScale, data, w1, d);
      grads[weightSlot[l]!] = new Tensor(data, shapeOf(l));
    }
    if (gb[l]) grads[biasSlot[l]!] = new Tensor(gb[l]!, [out]);
    free(heap, gW[l]!);
  }
  if (gX) grads[0] = new Tensor(gX, X.shape);
  releaseAfterBackward(saved);
  return grads;
}
