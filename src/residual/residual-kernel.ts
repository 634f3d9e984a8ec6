// The residuals of one point set and their mean squares as a single engine op: the network's
// stacked derivative streams in, mean_i r(x_i)² per residual out, with a generated adjoint pass
// (expressions/kernel.ts). First-order only, like the fused Taylor op that feeds it.

import { Tensor } from "../engine/tensor.js";
import { apply, defineOp } from "../engine/op.js";
import { isGradEnabled } from "../engine/state.js";
import type { MeanSquareKernel } from "../expressions/kernel.js";

interface Params {
  kernel: MeanSquareKernel;
  n: number;
  /** Whether the op's inputs include per-point attributes (input 2) and θ, the learned parameters (last). */
  attrs: boolean;
  theta: boolean;
}

const EMPTY = new Float64Array(0);

/** The kernel's four input arrays: points, streams, attributes, θ (empty when absent). */
function kernelInputs(inputs: readonly Tensor[], p: Params): Float64Array[] {
  const attrs = p.attrs ? inputs[2]!.data : EMPTY;
  const theta = p.theta ? inputs[p.attrs ? 3 : 2]!.data : EMPTY;
  return [inputs[0]!.data, inputs[1]!.data, attrs, theta];
}

const meanSquaresOp = defineOp<Params>({
  name: "meanSquaresKernel",
  forward: (inputs, p) => {
    const out = new Float64Array(p.kernel.roots);
    p.kernel.forward(kernelInputs(inputs, p), p.n, out);
    return new Tensor(out, [p.kernel.roots]);
  },
  vjp: (g, inputs, _out, p, needs) => {
    if (isGradEnabled()) {
      throw new Error('the fused residual kernel has a first-order backward pass only; for higher-order gradients use training.derivatives "reverse"');
    }
    const stacked = inputs[1]!;
    const grad = needs[1] ? new Float64Array(stacked.size) : null;
    const thetaAt = p.attrs ? 3 : 2;
    const gradTheta = p.theta && needs[thetaAt] ? new Float64Array(inputs[thetaAt]!.size) : null;
    p.kernel.backward(kernelInputs(inputs, p), p.n, g.data, [null, grad, null, gradTheta]);
    const grads: (Tensor | null)[] = [null, grad === null ? null : new Tensor(grad, stacked.shape)];
    if (p.attrs) grads.push(null);
    if (p.theta) grads.push(gradTheta === null ? null : new Tensor(gradTheta, inputs[thetaAt]!.shape));
    return grads;
  },
  jvp: () => {
    throw new Error('the fused residual kernel does not support forward-mode tangents; use training.derivatives "reverse"');
  },
});

/**
 * mean_i r_k(x_i)² for each root k of `kernel`, from the points (n × d), the stacked streams and,
 * when the expressions read any, the per-point attributes (n × A), and θ when they read learned parameters.
 */
export function meanSquares(kernel: MeanSquareKernel, points: Float64Array, dims: number, stacked: Tensor, attrs: Float64Array | null = null, theta: Tensor | null = null): Tensor {
  const n = points.length / dims;
  const inputs = [new Tensor(points, [n, dims]), stacked];
  if (attrs !== null) inputs.push(new Tensor(attrs, [n, attrs.length / n]));
  // θ (the learned parameters, [P]): read with stride 0, its gradient summed over the points.
  if (theta !== null) inputs.push(theta);
  return apply(meanSquaresOp, inputs, { kernel, n, attrs: attrs !== null, theta: theta !== null });
}
