// The fused forward-Taylor MLP: every jet stream of the network output (value and the input
// partial derivatives ∂^β N of a downward-closed set) in one engine op, with a hand-written
// backward pass for the weights. The jobs live apart:
//   jet-plan.ts        the streams, the Faà di Bruno terms both kernel emitters read, the plan cache;
//   jet-kernels.ts     the activation step as generated JavaScript (forward and backward);
//   wasm-jet-kernels.ts  the same step as generated WebAssembly SIMD (tanh, sigmoid);
//   fused-forward.ts   the forward pass, which returns the state its backward pass needs;
//   fused-backward.ts  the backward pass (first order);
//   saved-buffers.ts   that state's lifetime in the kernels' heap (FinalizationRegistry, spilling);
//   chunks.ts          how many points a chunk holds;
//   layer-math.ts      the loops both passes share.
//
// Where the numbers live: the buffers are blocks of the kernels' heap (engine/kernels/f64-heap.ts),
// reused from epoch to epoch; the products run on the WebAssembly SIMD kernel, the activations with
// a SIMD kernel (the activation registry, nn/activations.ts) and their stream step on SIMD kernels
// too, everything else in generated JavaScript.

import { Tensor } from "../engine/tensor.js";
import { apply, defineOp } from "../engine/op.js";
import * as ops from "../engine/ops/index.js";
import type { MultiIndex } from "../expressions/symbolic.js";
import type { ActivationName } from "../nn/activations.js";
import type { InputFeatures } from "../nn/features.js";
import { indexKey, type LayerWeights } from "./taylor.js";
import { planFor } from "./jet-plan.js";
import { fusedForward, type FusedParams } from "./fused-forward.js";
import { fusedBackward } from "./fused-backward.js";
import { keep, type Saved } from "./saved-buffers.js";

export { setChunkTarget } from "./chunks.js";

// The state each forward pass returned, by its output tensor: the op's vjp receives that tensor,
// and the parameters stay as the caller made them.
const savedOf = new WeakMap<Tensor, Saved>();

const fusedOp = defineOp<FusedParams>({
  name: "fusedTaylorMLP",
  forward(inputs, params) {
    const { out, saved } = fusedForward(inputs, params);
    savedOf.set(out, saved);
    return out;
  },
  vjp(g, inputs, out, params, needs) {
    const saved = savedOf.get(out);
    if (saved === undefined) throw new Error("internal: fused Taylor op backward without a forward");
    return fusedBackward(g, inputs, params, saved, needs);
  },
  jvp() {
    throw new Error('the fused Taylor network op does not support forward-mode tangents; use PinnNetwork.derivatives(..., "taylor-ops")');
  },
});

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
  const params: FusedParams = { plan, activation, inputScale, weightSlot, biasSlot, embedded: features !== undefined };
  const stacked = apply(fusedOp, opInputs, params);
  const saved = savedOf.get(stacked);
  if (saved === undefined) throw new Error("internal: the fused Taylor op kept no state");
  // No graph recorded (e.g. under noGrad): nothing will run backward.
  keep(saved, stacked.gradFn === null ? null : stacked);
  return { stacked, set, n };
}
