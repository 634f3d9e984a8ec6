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
  forward: ([points, stacked, attrs], { kernel, n }) => {
    const out = new Float64Array(kernel.roots);
    kernel.forward(attrs ? [points!.data, stacked!.data, attrs.data] : [points!.data, stacked!.data], n, out);
    return new Tensor(out, [kernel.roots]);
  },
  vjp: (g, [points, stacked, attrs], _out, { kernel, n }, needs) => {
    if (isGradEnabled()) {
      throw new Error('the fused residual kernel has a first-order backward pass only; for higher-order gradients use training.derivatives "reverse"');
    }
    const grad = needs[1] ? new Float64Array(stacked!.size) : null;
    kernel.backward(attrs ? [points!.data, stacked!.data, attrs.data] : [points!.data, stacked!.data], n, g.data, attrs ? [null, grad, null] : [null, grad]);
    const grads = [null, grad === null ? null : new Tensor(grad, stacked!.shape)];
    return attrs ? [...grads, null] : grads;
  },
  jvp: () => {
    throw new Error('the fused residual kernel does not support forward-mode tangents; use training.derivatives "reverse"');
  },
});

/**
 * mean_i r_k(x_i)² for each root k of `kernel`, from the points (n × d), the stacked streams and,
 * when the expressions read any, the per-point attributes (n × A).
 */
export function meanSquares(kernel: MeanSquareKernel, points: Float64Array, dims: number, stacked: Tensor, attrs: Float64Array | null = null): Tensor {
  const n = points.length / dims;
  const inputs = [new Tensor(points, [n, dims]), stacked];
  if (attrs !== null) inputs.push(new Tensor(attrs, [n, attrs.length / n]));
  return apply(meanSquaresOp, inputs, { kernel, n });
}
