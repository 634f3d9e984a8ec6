// Sums and their adjoint, broadcasting: sum (all or along axes), mean, norm, broadcastTo, sumTo.

import { Tensor } from "../tensor.js";
import { apply, defineOp, type OpDef } from "../op.js";
import { gather, scatter } from "../kernels/layout.js";
import {
  broadcastReductionAxes,
  broadcastShapes,
  broadcastStrides,
  formatShape,
  normAxis,
  reducedShape,
  sameShape,
  sizeOf,
  type Shape,
} from "../shape.js";
import { mulScalar } from "./arithmetic.js";
import { sqrt, square } from "./unary.js";
import { reshape } from "./layout.js";

interface AxesParams {
  axes: number[];
  keepdims: boolean;
}

/** Sum over `axes` (sorted, normalised) with the given kept shape. */
function sumKernel(x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const kept = reducedShape(x.shape, axes, true);
  const out = new Float64Array(sizeOf(kept));
  if (axes.length === x.ndim) {
    let s = 0;
    const d = x.data;
    for (let i = 0; i < d.length; i++) s += d[i]!;
    out[0] = s;
  } else {
    scatter(x.data, out, 0, broadcastStrides(kept, x.shape), x.shape, true);
  }
  return new Tensor(out, keepdims ? kept : reducedShape(x.shape, axes, false));
}

const sumOp: OpDef<AxesParams> = defineOp<AxesParams>({
  name: "sum",
  forward: ([x], { axes, keepdims }) => sumKernel(x!, axes, keepdims),
  // Every summed element receives the output's gradient.
  vjp: (g, [x], _o, { axes }) => [broadcastTo(reshape(g, reducedShape(x!.shape, axes, true)), x!.shape)],
  jvp: ([t], _i, _o, { axes, keepdims }) => apply(sumOp, [t!], { axes, keepdims }),
});

const broadcastOp = defineOp<{ shape: number[] }>({
  name: "broadcastTo",
  forward: ([x], { shape }) => {
    const out = new Float64Array(sizeOf(shape));
    gather(x!.data, 0, broadcastStrides(x!.shape, shape), shape, out);
    return new Tensor(out, shape);
  },
  vjp: (g, [x]) => [sumTo(g, x!.shape)],
  jvp: ([t], _i, _o, { shape }) => broadcastTo(t!, shape),
});

// Reduce a broadcast result back to one of its operands' shapes (the adjoint of broadcastTo).
const sumToOp = defineOp<{ shape: number[] }>({
  name: "sumTo",
  forward: ([x], { shape }) => {
    const axes = broadcastReductionAxes(shape, x!.shape);
    const summed = sumKernel(x!, axes, true);
    return new Tensor(summed.data, shape);
  },
  vjp: (g, [x]) => [broadcastTo(g, x!.shape)],
  jvp: ([t], _i, _o, { shape }) => sumTo(t!, shape),
});

function normalizeAxes(axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const axes = [...new Set(list.map((a) => normAxis(a, rank)))];
  return axes.sort((a, b) => a - b);
}

/** Sum of all elements, or along `axis` (a number or a list), optionally keeping unit axes. */
export function sum(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  return apply(sumOp, [x], { axes: normalizeAxes(axis, x.ndim), keepdims });
}

/** Mean of all elements, or along `axis`. */
export function mean(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = normalizeAxes(axis, x.ndim);
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  return mulScalar(sum(x, axes, keepdims), 1 / count);
}

/** Euclidean (Frobenius) norm of all elements. */
export function norm(x: Tensor): Tensor {
  return sqrt(sum(square(x)));
}

/** Repeat along broadcast axes to `shape` (NumPy rules). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const target = broadcastShapes(x.shape, shape);
  if (!sameShape(target, shape)) throw new Error(`cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  return apply(broadcastOp, [x], { shape: [...shape] });
}

/** Sum a broadcast tensor down to `shape` (the adjoint of broadcastTo). */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  return apply(sumToOp, [x], { shape: [...shape] });
}
