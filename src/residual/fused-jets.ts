// The fused forward-Taylor MLP: every jet stream of the network output (value and the input
// partial derivatives ∂^β N of a downward-closed set) in one engine op, with a hand-written
// backward pass for the weights.
//
// The streams are stacked row-wise, [S·n, width], stream-major, so that each linear layer is ONE
// matrix product  Z = H·Wᵀ  over all streams (the bias is added to the value rows only), and each
// activation is one generated loop that applies Faà di Bruno's formula to all streams of an
// element (jet-kernels.ts). In the first layer the derivative streams are constant: z_{e_i} is the
// row a_i·W₁[:, i] for every point and higher orders vanish, so only the value rows are multiplied.
//
// Backward (first order only): for a hidden layer l with pre-activation jets Z_l and activation
// jets H_l,  Ḡ_{Z_l} = act_backward(Ḡ_{H_l}),  Ḡ_{W_l} = Ḡ_{Z_l}ᵀ·H_{l−1}  (one product over all
// streams),  Ḡ_{b_l} = Σ_points Ḡ_{Z_l, value},  Ḡ_{H_{l−1}} = Ḡ_{Z_l}·W_l.
//
// Where the numbers live: the buffers are blocks of the kernels' heap (engine/kernels/f64-heap.ts),
// reused from epoch to epoch; the products run on the WebAssembly SIMD kernel, tanh/sigmoid and
// their stream step on SIMD kernels too (wasm-activations.ts, wasm-jet-kernels.ts), everything
// else in generated JavaScript. The points are processed in chunks so that a chunk's jets stay in
// cache from one step to the next; the backward pass accumulates the weight gradients over them.

import { Tensor } from "../engine/tensor.js";
import { apply, defineOp } from "../engine/op.js";
import { isGradEnabled } from "../engine/state.js";
import * as ops from "../engine/ops/index.js";
import { sharedHeap, type F64Heap } from "../engine/kernels/f64-heap.js";
import { heapGemm } from "../engine/kernels/heap-gemm.js";
import type { MultiIndex } from "../expressions/symbolic.js";
import type { ActivationName } from "../nn/activations.js";
import { downwardClosure, indexKey, type LayerWeights } from "./taylor.js";
import { activationBackwardKernel, activationKernel, jetPlan, scalarActivation, type JetPlan } from "./jet-kernels.js";
import { wasmJetKernels, type WasmJetKernels } from "./wasm-jet-kernels.js";
import type { InputFeatures } from "../nn/features.js";

interface FusedParams {
  plan: JetPlan;
  activation: ActivationName;
  inputScale: readonly number[];
  /** Per layer: the position of its bias among the op's inputs, or −1. */
  biasSlot: number[];
  /** Per layer: the position of its weight among the op's inputs. */
  weightSlot: number[];
  /** Filled by the forward pass for the backward pass. */
  saved: Saved | null;
  /**
   * Input features (nn/features.ts): inputs[0] holds the jets of the first layer's input, all
   * streams ([S·n, E], stream-major) instead of the points, and the first layer is a full jet
   * layer (no constant rows).
   */
  embedded: boolean;
}

/** A block of the kernels' heap, or its contents moved out to JavaScript memory (`spilled`). */
interface Block {
  offset: number;
  length: number;
  spilled: Float64Array | null;
}

/** One chunk of points: its rows of the inputs and of every layer's jets. */
interface Chunk {
  /** First point and number of points. */
  p0: number;
  count: number;
  /** The points x̂ (count×d). */
  X: Block;
  /** Pre-activations per hidden layer (layer 0: value rows only). */
  Z: Block[];
  /** Activation jets per hidden layer, all streams (S·count rows). */
  H: Block[];
}

/**
 * What the forward pass keeps for the backward pass, in the kernels' heap. Given back to the
 * heap when the backward pass is done, when no graph was recorded, or (safety net) when the
 * graph is garbage-collected without a backward pass.
 */
interface Saved {
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

function blocksOf(saved: Saved): Block[] {
  return [...saved.W, ...(saved.R === null ? [] : [saved.R]), ...saved.chunks.flatMap((c) => [c.X, ...c.Z, ...c.H])];
}

function elementsOf(saved: Saved): number {
  let total = 0;
  for (const b of saved.W) total += b.length;
  if (saved.R !== null) total += saved.R.length;
  for (const c of saved.chunks) {
    total += c.X.length;
    for (const b of c.Z) total += b.length;
    for (const b of c.H) total += b.length;
  }
  return total;
}

// Saved sets still in the heap whose backward pass has not run, oldest first. A graph that is
// never back-propagated (e.g. residuals evaluated with gradients enabled, then dropped) would
// otherwise hold heap memory until the garbage collector finalizes it, which for a small
// JavaScript heap can be much later; past a limit the oldest sets are moved out to ordinary
// (garbage-collected) arrays, and copied back in if their backward pass does run.
const pending = new Set<Saved>();
let pendingElements = 0;
const PENDING_LIMIT = 32 * 2 ** 20; // float64s (256 MiB)

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

function restore(saved: Saved): void {
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
 * Points per chunk: the layers run chunk by chunk, so that a chunk's jets (a few buffers of
 * S·chunk·width float64s) stay in cache between the matrix product and the activation step.
 */
let chunkTarget = 128 * 1024;

/** For tests and tuning: set the chunk size target (float64s per S·chunk·width buffer). */
export function setChunkTarget(elements: number): void {
  chunkTarget = elements;
}

function chunkSize(n: number, streams: number, width: number): number {
  const c = Math.max(64, Math.floor(chunkTarget / (streams * width)));
  if (c >= n) return n;
  // Equal chunks, a multiple of 4 points each where possible.
  const parts = Math.ceil(n / c);
  return Math.min(n, (Math.ceil(n / parts) + 3) & ~3);
}

function block(heap: F64Heap, length: number): Block {
  return { offset: heap.alloc(length), length, spilled: null };
}

function vectorActivationAvailable(heap: F64Heap, activation: ActivationName): boolean {
  return heap.activations !== null && (activation === "tanh" || activation === "sigmoid");
}

/**
 * σ(z) for `count` values at heap offset `src` into `dst` with the SIMD tanh / sigmoid, when the
 * heap has them (true), so that the stream kernel starts from the values (see activationKernel).
 */
function vectorActivation(heap: F64Heap, activation: ActivationName, src: number, dst: number, count: number): boolean {
  if (heap.activations === null || (activation !== "tanh" && activation !== "sigmoid")) return false;
  const pairs = count >> 1;
  heap.activations[activation](8 * src, 8 * dst, pairs);
  if (count & 1) heap.f64[dst + count - 1] = scalarActivation(activation)(heap.f64[src + count - 1]!);
  return true;
}

/** The first-layer rows in a heap block, one w-long row per slot of the SIMD kernels. */
function rowsBlock(heap: F64Heap, simd: WasmJetKernels, rows: (Float64Array | null)[], w: number): Block {
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

function firstLayerRows(plan: JetPlan, W1: Float64Array, width: number, d: number, scale: readonly number[]): (Float64Array | null)[] {
  return plan.streams.map((beta) => {
    const i = firstOrderVariable(beta);
    if (i < 0) return null;
    const r = new Float64Array(width);
    for (let j = 0; j < width; j++) r[j] = scale[i]! * W1[j * d + i]!;
    return r;
  });
}

/** Rows 0..rows of a width-wide block: the bias (or zeros). */
function fillBias(f: Float64Array, offset: number, bias: Float64Array | null, rows: number, width: number): void {
  if (bias === null) f.fill(0, offset, offset + rows * width);
  else for (let p = 0; p < rows; p++) f.set(bias, offset + p * width);
}

/** into[j] += Σ_p f[offset + p·width + j] for j < into.length, four columns at a time in registers. */
function columnSumsInto(f: Float64Array, offset: number, rows: number, width: number, into: Float64Array): void {
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
    into[j] += s0;
    into[j + 1] += s1;
    into[j + 2] += s2;
    into[j + 3] += s3;
  }
  for (; j < cols; j++) {
    let s = 0;
    for (let p = 0, e = offset + j; p < rows; p++, e += width) s += f[e]!;
    into[j] += s;
  }
}

/** Wᵀ (in×cols) of W (out×in) into a heap block, zero in columns out..cols. */
function transposedInto(heap: F64Heap, W: Float64Array, out: number, inn: number, cols = out): Block {
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
function outputWidth(heap: F64Heap, K: number): number {
  return heap.gemm === null ? K : (K + 3) & ~3;
}

const fusedOp = defineOp<FusedParams>({
  name: "fusedTaylorMLP",
  forward(inputs, params) {
    const { plan, activation, inputScale, weightSlot, biasSlot, embedded } = params;
    const heap = sharedHeap();
    const X = inputs[0]!;
    const S = plan.streams.length;
    // Embedded: X is [S·n, E], the input features' jets.
    const n = embedded ? X.shape[0]! / S : X.shape[0]!;
    const d = X.shape[1]!;
    const L = weightSlot.length;
    if (embedded && L === 1) throw new Error("internal: the fused Taylor op with input features needs a hidden layer");
    const weight = (l: number): Tensor => inputs[weightSlot[l]!]!;
    const bias = (l: number): Float64Array | null => (biasSlot[l]! < 0 ? null : inputs[biasSlot[l]!]!.data);
    const W1 = weight(0);
    const w1 = W1.shape[0]!;
    const rows = embedded ? plan.streams.map(() => null) : firstLayerRows(plan, W1.data, w1, d, inputScale);
    const saved: Saved = { heap, n, W: [], chunks: [], rows, R: null, released: false, spilled: false };
    params.saved = saved;
    if (L === 1) {
      // A single linear layer: the value, constant first derivatives, zero higher ones.
      const out = new Float64Array(S * n * w1);
      const b = bias(0);
      for (let p = 0; p < n; p++) {
        for (let j = 0; j < w1; j++) {
          let v = b === null ? 0 : b[j]!;
          for (let i = 0; i < d; i++) v += X.data[p * d + i]! * W1.data[j * d + i]!;
          out[p * w1 + j] = v;
        }
      }
      rows.forEach((r, s) => {
        if (r !== null) for (let p = 0; p < n; p++) out.set(r, (s * n + p) * w1);
      });
      return new Tensor(out, [S * n, w1]);
    }
    // Weights as at the forward pass (for the backward pass), and transposed for the products.
    const widths = [d, ...Array.from({ length: L }, (_, l) => weight(l).shape[0]!)];
    const K = widths[L]!;
    const Kp = outputWidth(heap, K);
    const Wt: Block[] = [];
    for (let l = 0; l < L; l++) {
      const W = weight(l).data;
      const cols = l === L - 1 ? Kp : widths[l + 1]!;
      if (l === L - 1) {
        const b = block(heap, Kp * widths[l]!);
        heap.f64.fill(0, b.offset, b.offset + b.length);
        heap.f64.set(W, b.offset);
        saved.W.push(b);
      } else saved.W.push({ offset: heap.copyIn(W), length: W.length, spilled: null });
      Wt.push(transposedInto(heap, W, widths[l + 1]!, widths[l]!, cols));
    }
    const lastBias = bias(L - 1);
    const paddedBias = lastBias === null ? null : new Float64Array(Kp);
    if (paddedBias !== null) paddedBias.set(lastBias!);
    const result = new Float64Array(S * n * K);
    const maxWidth = Math.max(...widths.slice(1, L));
    const C = chunkSize(n, S, maxWidth);
    const forwardFirst = activationKernel(activation, plan, true, vectorActivationAvailable(heap, activation));
    const forwardHidden = activationKernel(activation, plan, false, vectorActivationAvailable(heap, activation));
    const simd = vectorActivationAvailable(heap, activation) ? wasmJetKernels(heap, activation, plan) : null;
    if (simd !== null && !embedded) saved.R = rowsBlock(heap, simd, rows, w1);
    for (let p0 = 0; p0 < n; p0 += C) {
      const c = Math.min(C, n - p0);
      const chunk: Chunk = { p0, count: c, X: block(heap, (embedded ? S : 1) * c * d), Z: [], H: [] };
      saved.chunks.push(chunk);
      let Z1: Block;
      let H: Block;
      if (embedded) {
        // First layer over all streams of the features: Z = Φ·W₁ᵀ (+ b₁ on the value rows).
        for (let s = 0; s < S; s++) heap.f64.set(X.data.subarray((s * n + p0) * d, (s * n + p0 + c) * d), chunk.X.offset + s * c * d);
        Z1 = block(heap, S * c * w1);
        fillBias(heap.f64, Z1.offset, bias(0), c, w1);
        if (S > 1) heap.f64.fill(0, Z1.offset + c * w1, Z1.offset + S * c * w1);
        heapGemm(heap, chunk.X.offset, Wt[0]!.offset, Z1.offset, S * c, w1, d, false);
        H = block(heap, S * c * w1);
        vectorActivation(heap, activation, Z1.offset, H.offset, c * w1);
        if (simd !== null && (c * w1) % 2 === 0) simd.forwardHidden(8 * Z1.offset, 8 * H.offset, (c * w1) / 2, 8 * c * w1);
        else forwardHidden(heap.view(Z1.offset, Z1.length), heap.view(H.offset, H.length), c, w1, []);
      } else {
        heap.f64.set(X.data.subarray(p0 * d, (p0 + c) * d), chunk.X.offset);
        // First layer: value rows only.
        Z1 = block(heap, c * w1);
        fillBias(heap.f64, Z1.offset, bias(0), c, w1);
        heapGemm(heap, chunk.X.offset, Wt[0]!.offset, Z1.offset, c, w1, d, false);
        H = block(heap, S * c * w1);
        vectorActivation(heap, activation, Z1.offset, H.offset, c * w1);
        if (simd !== null && w1 % 2 === 0) simd.forwardFirst(8 * Z1.offset, 8 * H.offset, c, 8 * w1, 8 * c * w1, 8 * saved.R!.offset);
        else forwardFirst(heap.view(Z1.offset, Z1.length), heap.view(H.offset, H.length), c, w1, rows);
      }
      chunk.Z.push(Z1);
      chunk.H.push(H);
      for (let l = 1; l < L - 1; l++) {
        const out = widths[l + 1]!;
        const Z = block(heap, S * c * out);
        fillBias(heap.f64, Z.offset, bias(l), c, out);
        if (S > 1) heap.f64.fill(0, Z.offset + c * out, Z.offset + S * c * out);
        heapGemm(heap, H.offset, Wt[l]!.offset, Z.offset, S * c, out, widths[l]!, false);
        const Hn = block(heap, S * c * out);
        vectorActivation(heap, activation, Z.offset, Hn.offset, c * out);
        if (simd !== null && (c * out) % 2 === 0) simd.forwardHidden(8 * Z.offset, 8 * Hn.offset, (c * out) / 2, 8 * c * out);
        else forwardHidden(heap.view(Z.offset, Z.length), heap.view(Hn.offset, Hn.length), c, out, []);
        chunk.Z.push(Z);
        chunk.H.push(Hn);
        H = Hn;
      }
      // Output layer, computed Kp = outputWidth(K) wide (zero weights past K) so that the SIMD
      // kernel covers it; the first K columns are the result.
      const Zp = block(heap, S * c * Kp);
      fillBias(heap.f64, Zp.offset, paddedBias, c, Kp);
      if (S > 1) heap.f64.fill(0, Zp.offset + c * Kp, Zp.offset + S * c * Kp);
      heapGemm(heap, H.offset, Wt[L - 1]!.offset, Zp.offset, S * c, Kp, widths[L - 1]!, false);
      const f = heap.f64;
      for (let s = 0; s < S; s++) {
        for (let i = 0; i < c; i++) {
          const src = Zp.offset + (s * c + i) * Kp;
          const dst = (s * n + p0 + i) * K;
          for (let k = 0; k < K; k++) result[dst + k] = f[src + k]!;
        }
      }
      heap.release(Zp.offset, Zp.length);
    }
    for (const b of Wt) heap.release(b.offset, b.length);
    return new Tensor(result, [S * n, K]);
  },
  vjp(g, inputs, _out, params, needs) {
    if (isGradEnabled()) {
      throw new Error(
        "the fused Taylor network op has a first-order backward pass only; for higher-order gradients " +
          'use derivatives "reverse" or the op-by-op jets (PinnNetwork.derivatives(..., "taylor-ops"))',
      );
    }
    const { plan, activation, inputScale, weightSlot, biasSlot, saved, embedded } = params;
    if (saved === null) throw new Error("internal: fused Taylor op backward without a forward");
    if (saved.released) {
      throw new Error("backward through the same fused Taylor network op twice is not supported (its buffers were released after the first)");
    }
    if (saved.spilled) restore(saved);
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
          for (let i = 0; i < d; i++) gW[j * d + i] += gz * X.data[p * d + i]!;
          if (gb[0]) gb[0][j] += gz;
          if (gX) for (let i = 0; i < d; i++) gX[p * d + i] += gz * inputs[weightSlot[0]!]!.data[j * d + i]!;
        }
      }
      rows.forEach((r, s) => {
        if (r !== null) for (let p = 0; p < n; p++) for (let j = 0; j < w1; j++) GR[s]![j] += G[(s * n + p) * w1 + j]!;
      });
      addRowGradients(plan, GR, inputScale, gW, w1, d);
      if (needW(0)) grads[weightSlot[0]!] = new Tensor(gW, shapeOf(0));
      if (gb[0]) grads[biasSlot[0]!] = new Tensor(gb[0], [w1]);
      if (gX) grads[0] = new Tensor(gX, X.shape);
      collector.unregister(saved);
      release(saved);
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
      if (gb[last]) columnSumsInto(heap.f64, Gc.offset, c, Kp, gb[last]!);
      let GH = block(heap, S * c * wIn);
      heap.f64.fill(0, GH.offset, GH.offset + GH.length);
      heapGemm(heap, Gc.offset, W[last]!.offset, GH.offset, S * c, wIn, Kp, false);
      heap.release(Gc.offset, Gc.length);
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
        heap.release(GH.offset, GH.length);
        heapGemm(heap, GZ.offset, H[l - 1]!.offset, gW[l]!.offset, out, wPrev, S * c, true);
        if (gb[l]) columnSumsInto(heap.f64, GZ.offset, c, out, gb[l]!);
        GH = block(heap, S * c * wPrev);
        heap.f64.fill(0, GH.offset, GH.offset + GH.length);
        heapGemm(heap, GZ.offset, W[l]!.offset, GH.offset, S * c, wPrev, out, false);
        heap.release(GZ.offset, GZ.length);
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
        heap.release(GH.offset, GH.length);
        heapGemm(heap, GZ.offset, chunk.X.offset, gW[0]!.offset, w1, d, S * c, true);
        if (gb[0]) columnSumsInto(heap.f64, GZ.offset, c, w1, gb[0]!);
        heap.release(GZ.offset, GZ.length);
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
      heap.release(GH.offset, GH.length);
      heapGemm(heap, GZ1.offset, chunk.X.offset, gW[0]!.offset, w1, d, c, true);
      if (gb[0]) columnSumsInto(heap.f64, GZ1.offset, c, w1, gb[0]!);
      if (gX) {
        const gXc = block(heap, c * d);
        heap.f64.fill(0, gXc.offset, gXc.offset + gXc.length);
        heapGemm(heap, GZ1.offset, W[0]!.offset, gXc.offset, c, d, w1, false);
        gX.set(heap.view(gXc.offset, c * d), p0 * d);
        heap.release(gXc.offset, gXc.length);
      }
      heap.release(GZ1.offset, GZ1.length);
    }
    if (simd !== null && GRheap !== null) {
      // The SIMD kernel's row gradients (slot-major) join the JavaScript kernel's.
      simd.slots.forEach((slot, s) => {
        if (slot < 0) return;
        const gr = GR[s]!;
        for (let jj = 0; jj < w1; jj++) gr[jj] += heap.f64[GRheap.offset + slot * w1 + jj]!;
      });
      heap.release(GRheap.offset, GRheap.length);
    }
    for (let l = 0; l < L; l++) {
      const [out, inn] = shapeOf(l) as [number, number];
      if (needW(l)) {
        const data = Float64Array.from(heap.view(gW[l]!.offset, out * inn));
        if (l === 0) addRowGradients(plan, GR, inputScale, data, w1, d);
        grads[weightSlot[l]!] = new Tensor(data, shapeOf(l));
      }
      if (gb[l]) grads[biasSlot[l]!] = new Tensor(gb[l]!, [out]);
      heap.release(gW[l]!.offset, gW[l]!.length);
    }
    if (gX) grads[0] = new Tensor(gX, X.shape);
    collector.unregister(saved);
    release(saved);
    return grads;
  },
  jvp() {
    throw new Error('the fused Taylor network op does not support forward-mode tangents; use PinnNetwork.derivatives(..., "taylor-ops")');
  },
});

/** ∂z_{e_i}/∂W₁[:, i] = a_i: the first-layer rows' gradients into W₁'s column i. */
function addRowGradients(plan: JetPlan, GR: (Float64Array | null)[], inputScale: readonly number[], gW: Float64Array, w1: number, d: number): void {
  plan.streams.forEach((beta, s) => {
    const i = firstOrderVariable(beta);
    const gr = GR[s];
    if (i < 0 || !gr) return;
    for (let j = 0; j < w1; j++) gW[j * d + i] += inputScale[i]! * gr[j]!;
  });
}

const plans = new Map<string, { set: number[][]; plan: JetPlan }>();

/** The stream set and plan of a request (cached: the same request comes every epoch). */
function planFor(requested: readonly MultiIndex[], dims: number): { set: number[][]; plan: JetPlan } {
  const key = `${dims}|${requested.map((a) => indexKey(a)).join(";")}`;
  let hit = plans.get(key);
  if (hit === undefined) {
    const set = downwardClosure(requested, dims);
    hit = { set, plan: jetPlan(set, dims) };
    plans.set(key, hit);
  }
  return hit;
}

/**
 * ∂^β N for every β in the downward closure of `requested` (shape [n, K] each, keyed by
 * indexKey(β)), like propagateJets, computed by the fused op. `inputs` is x̂ (already scaled) and
 * `inputScale[i]` = dx̂_i/dx_i.
 */
export function fusedJets(
  layers: readonly LayerWeights[],
  activation: ActivationName,
  inputs: Tensor,
  inputScale: readonly number[],
  requested: readonly MultiIndex[],
  features?: InputFeatures,
): Map<string, Tensor> {
  const { stacked, set, n } = stackedJets(layers, activation, inputs, inputScale, requested, features);
  const out = new Map<string, Tensor>();
  set.forEach((beta, s) => {
    out.set(indexKey(beta), set.length === 1 ? stacked : ops.slice(stacked, [[s * n, (s + 1) * n], null]));
  });
  return out;
}

/**
 * The same jets as one stacked tensor: rows [s·n, (s+1)·n) hold ∂^β N for β = set[s] (shape
 * [S·n, K]), so that consumers can read the streams without slicing them apart.
 */
export function stackedJets(
  layers: readonly LayerWeights[],
  activation: ActivationName,
  inputs: Tensor,
  inputScale: readonly number[],
  requested: readonly MultiIndex[],
  features?: InputFeatures,
): { stacked: Tensor; set: number[][]; n: number } {
  const dims = inputScale.length;
  const n = inputs.shape[0]!;
  const { set, plan } = planFor(requested, dims);
  // With input features, the op's first input is the features' jets (inputs: physical points).
  const first = features === undefined ? inputs : new Tensor(features.jets(inputs.data, set), [set.length * n, features.count]);
  const opInputs: Tensor[] = [first];
  const weightSlot: number[] = [];
  const biasSlot: number[] = [];
  for (const layer of layers) {
    weightSlot.push(opInputs.length);
    opInputs.push(layer.weight);
    if (layer.bias === null) biasSlot.push(-1);
    else {
      biasSlot.push(opInputs.length);
      opInputs.push(layer.bias);
    }
  }
  const params: FusedParams = { plan, activation, inputScale, weightSlot, biasSlot, saved: null, embedded: features !== undefined };
  const stacked = apply(fusedOp, opInputs, params);
  const saved = params.saved!;
  // No graph recorded (e.g. under noGrad): nothing will run backward.
  if (stacked.gradFn === null) release(saved);
  else {
    track(saved);
    collector.register(params, saved, saved);
  }
  return { stacked, set, n };
}
