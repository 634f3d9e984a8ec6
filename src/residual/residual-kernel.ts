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
}

const meanSquaresOp = defineOp<Params>({
  name: "meanSquaresKernel",
  forward: ([points, stacked, theta], { kernel, n }) => {
    const out = new Float64Array(kernel.roots);
    kernel.forward([points!.data, stacked!.data, theta?.data ?? EMPTY], n, out);
    return new Tensor(out, [kernel.roots]);
  },
  vjp: (g, [points, stacked, theta], _out, { kernel, n }, needs) => {
    if (isGradEnabled()) {
      throw new Error('the fused residual kernel has a first-order backward pass only; for higher-order gradients use training.derivatives "reverse"');
    }
    const grad = needs[1] ? new Float64Array(stacked!.size) : null;
    // The learned parameters' adjoints (input 2), when they are an input of the op.
    const gradTheta = theta !== undefined && needs[2] ? new Float64Array(theta.size) : null;
    kernel.backward([points!.data, stacked!.data, theta?.data ?? EMPTY], n, g.data, [null, grad, gradTheta]);
    const grads = [null, grad === null ? null : new Tensor(grad, stacked!.shape)];
    return theta === undefined ? grads : [...grads, gradTheta === null ? null : new Tensor(gradTheta, theta.shape)];
  },
  jvp: () => {
    throw new Error('the fused residual kernel does not support forward-mode tangents; use training.derivatives "reverse"');
  },
});

const EMPTY = new Float64Array(0);

/** mean_i r_k(x_i)² for each root k of `kernel`, from the points (n × d), the stacked streams and θ (learned parameters, if any). */
export function meanSquares(kernel: MeanSquareKernel, points: Float64Array, dims: number, stacked: Tensor, theta: Tensor | null = null): Tensor {
  const n = points.length / dims;
  return apply(meanSquaresOp, theta === null ? [new Tensor(points, [n, dims]), stacked] : [new Tensor(points, [n, dims]), stacked, theta], { kernel, n });
}
