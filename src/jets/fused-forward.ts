// The forward pass of the fused Taylor MLP (fused-jets.ts): every jet stream of every layer, chunk by
// chunk of points, in the kernels' heap. It returns the output jets and the state its backward pass
// needs (saved-buffers.ts).
//
// The streams are stacked row-wise, [S·n, width], stream-major, so that each linear layer is ONE
// matrix product  Z = H·Wᵀ  over all streams (the bias is added to the value rows only), and each
// activation is one generated loop that applies Faà di Bruno's formula to all streams of an
// element (jet-kernels.ts, or its SIMD form wasm-jet-kernels.ts). In the first layer the
// derivative streams are constant: z_{e_i} is the row a_i·W₁[:, i] for every point and higher
// orders vanish, so only the value rows are multiplied.
//
// Written as small functions over one `Pass` (a chunk's first layer, hidden layers and output layer):
// V8 compiles each on its own, in a fraction of the time one function of all of them took (a cost
// paid by every thread of a parallel run, at start-up).

import { Tensor } from "../engine/tensor.js";
import { sharedHeap, type F64Heap } from "../engine/kernels/f64-heap.js";
import { heapGemm } from "../engine/kernels/heap-gemm.js";
import type { ActivationName } from "../nn/activations.js";
import { activationKernel, type ActivationKernel } from "./jet-kernels.js";
import type { JetPlan } from "./jet-plan.js";
import { wasmJetKernels, type WasmJetKernels } from "./wasm-jet-kernels.js";
import { chunkSize } from "./chunks.js";
import { block, free, newSaved, type Block, type Chunk, type Saved } from "./saved-buffers.js";
import { fillBias, firstLayerRows, outputWidth, rowsBlock, transposedInto, vectorActivation, vectorActivationAvailable } from "./layer-math.js";

/** The fused op's parameters (not changed by either pass). */
export interface FusedParams {
  readonly plan: JetPlan;
  readonly activation: ActivationName;
  readonly inputScale: readonly number[];
  /** Per layer: the position of its bias among the op's inputs, or −1. */
  readonly biasSlot: readonly number[];
  /** Per layer: the position of its weight among the op's inputs. */
  readonly weightSlot: readonly number[];
  /**
   * Input features (nn/features.ts): inputs[0] holds the jets of the first layer's input, all
   * streams ([S·n, E], stream-major) instead of the points, and the first layer is a full jet
   * layer (no constant rows).
   */
  readonly embedded: boolean;
}

/** What every step of one forward pass reads. */
interface Pass {
  readonly heap: F64Heap;
  readonly saved: Saved;
  readonly activation: ActivationName;
  readonly embedded: boolean;
  /** The op's input (points, or the features' jets) and its row width. */
  readonly X: Tensor;
  readonly d: number;
  /** Points, streams, layers, first layer's width, the output's width K (Kp in the heap). */
  readonly n: number;
  readonly S: number;
  readonly L: number;
  readonly w1: number;
  readonly K: number;
  readonly Kp: number;
  /** Layer widths, input first. */
  readonly widths: readonly number[];
  /** Transposed weights in the heap, per layer. */
  readonly Wt: readonly Block[];
  readonly bias: (l: number) => Float64Array | null;
  /** The output layer's bias padded to Kp, or null. */
  readonly paddedBias: Float64Array | null;
  readonly rows: (Float64Array | null)[];
  readonly forwardFirst: ActivationKernel;
  readonly forwardHidden: ActivationKernel;
  readonly simd: WasmJetKernels | null;
  /** The output jets [S·n, K]. */
  readonly result: Float64Array;
}

/** The output jets [S·n, K] of the op's inputs, and what the backward pass needs. */
export function fusedForward(inputs: readonly Tensor[], params: FusedParams): { out: Tensor; saved: Saved } {
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
  const saved = newSaved(heap, n, rows);
  if (L === 1) return { out: singleLayer(X, W1, bias(0), rows, S, n), saved };
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
  const pass: Pass = { heap, saved, activation, embedded, X, d, n, S, L, w1, K, Kp, widths, Wt, bias, paddedBias, rows, forwardFirst, forwardHidden, simd, result };
  for (let p0 = 0; p0 < n; p0 += C) chunkForward(pass, p0, Math.min(C, n - p0));
  for (const b of Wt) free(heap, b);
  return { out: new Tensor(result, [S * n, K]), saved };
}

/** A single linear layer: the value, constant first derivatives, zero higher ones. */
function singleLayer(X: Tensor, W1: Tensor, b: Float64Array | null, rows: (Float64Array | null)[], S: number, n: number): Tensor {
  const d = X.shape[1]!;
  const w1 = W1.shape[0]!;
  const out = new Float64Array(S * n * w1);
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

/** One chunk of c points from p0 on: every layer's jets, kept in the chunk's blocks, and its rows of the result. */
function chunkForward(pass: Pass, p0: number, c: number): void {
  const { heap, saved, embedded, S, d, L } = pass;
  const chunk: Chunk = { p0, count: c, X: block(heap, (embedded ? S : 1) * c * d), Z: [], H: [] };
  saved.chunks.push(chunk);
  let H = embedded ? embeddedFirstLayer(pass, chunk) : firstLayer(pass, chunk);
  for (let l = 1; l < L - 1; l++) H = hiddenLayer(pass, chunk, l, H);
  outputLayer(pass, chunk, H);
}

/** The activation's jets H of the pre-activations Z (all streams) of a chunk's layer `width` wide (SIMD where it runs). */
function activate(pass: Pass, Z: Block, c: number, width: number): Block {
  const { heap, S, simd } = pass;
  const H = block(heap, S * c * width);
  vectorActivation(heap, pass.activation, Z.offset, H.offset, c * width);
  if (simd !== null && (c * width) % 2 === 0) simd.forwardHidden(8 * Z.offset, 8 * H.offset, (c * width) / 2, 8 * c * width);
  else pass.forwardHidden(heap.view(Z.offset, Z.length), heap.view(H.offset, H.length), c, width, []);
  return H;
}

/** First layer over all streams of the features: Z = Φ·W₁ᵀ (+ b₁ on the value rows). */
function embeddedFirstLayer(pass: Pass, chunk: Chunk): Block {
  const { heap, S, n, d, w1, X } = pass;
  const { p0, count: c } = chunk;
  for (let s = 0; s < S; s++) heap.f64.set(X.data.subarray((s * n + p0) * d, (s * n + p0 + c) * d), chunk.X.offset + s * c * d);
  const Z1 = block(heap, S * c * w1);
  fillBias(heap.f64, Z1.offset, pass.bias(0), c, w1);
  if (S > 1) heap.f64.fill(0, Z1.offset + c * w1, Z1.offset + S * c * w1);
  heapGemm(heap, chunk.X.offset, pass.Wt[0]!.offset, Z1.offset, S * c, w1, d, false);
  const H = activate(pass, Z1, c, w1);
  chunk.Z.push(Z1);
  chunk.H.push(H);
  return H;
}

/** First layer: value rows only (the derivative streams are the constant rows a_i·W₁[:, i]). */
function firstLayer(pass: Pass, chunk: Chunk): Block {
  const { heap, S, d, w1, X, simd, saved } = pass;
  const { p0, count: c } = chunk;
  heap.f64.set(X.data.subarray(p0 * d, (p0 + c) * d), chunk.X.offset);
  const Z1 = block(heap, c * w1);
  fillBias(heap.f64, Z1.offset, pass.bias(0), c, w1);
  heapGemm(heap, chunk.X.offset, pass.Wt[0]!.offset, Z1.offset, c, w1, d, false);
  const H = block(heap, S * c * w1);
  vectorActivation(heap, pass.activation, Z1.offset, H.offset, c * w1);
  if (simd !== null && w1 % 2 === 0) simd.forwardFirst(8 * Z1.offset, 8 * H.offset, c, 8 * w1, 8 * c * w1, 8 * saved.R!.offset);
  else pass.forwardFirst(heap.view(Z1.offset, Z1.length), heap.view(H.offset, H.length), c, w1, pass.rows);
  chunk.Z.push(Z1);
  chunk.H.push(H);
  return H;
}

/** Hidden layer l of a chunk (H: the previous layer's jets): its pre-activations and activations, kept in the chunk. */
function hiddenLayer(pass: Pass, chunk: Chunk, l: number, H: Block): Block {
  const { heap, S, widths } = pass;
  const c = chunk.count;
  const out = widths[l + 1]!;
  const Z = block(heap, S * c * out);
  fillBias(heap.f64, Z.offset, pass.bias(l), c, out);
  if (S > 1) heap.f64.fill(0, Z.offset + c * out, Z.offset + S * c * out);
  heapGemm(heap, H.offset, pass.Wt[l]!.offset, Z.offset, S * c, out, widths[l]!, false);
  const Hn = activate(pass, Z, c, out);
  chunk.Z.push(Z);
  chunk.H.push(Hn);
  return Hn;
}

/**
 * Output layer, computed Kp = outputWidth(K) wide (zero weights past K) so that the SIMD kernel
 * covers it; the first K columns are the chunk's rows of the result.
 */
function outputLayer(pass: Pass, chunk: Chunk, H: Block): void {
  const { heap, S, n, L, K, Kp, widths, result } = pass;
  const { p0, count: c } = chunk;
  const Zp = block(heap, S * c * Kp);
  fillBias(heap.f64, Zp.offset, pass.paddedBias, c, Kp);
  if (S > 1) heap.f64.fill(0, Zp.offset + c * Kp, Zp.offset + S * c * Kp);
  heapGemm(heap, H.offset, pass.Wt[L - 1]!.offset, Zp.offset, S * c, Kp, widths[L - 1]!, false);
  const f = heap.f64;
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < c; i++) {
      const src = Zp.offset + (s * c + i) * Kp;
      const dst = (s * n + p0 + i) * K;
      for (let k = 0; k < K; k++) result[dst + k] = f[src + k]!;
    }
  }
  free(heap, Zp);
}
