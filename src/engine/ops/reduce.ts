// Sums and their adjoint, broadcasting: sum (all or along axes), mean, norm, broadcastTo, sumTo.

import { allocData, allocZeroed, inArena } from "../pool.js";
import { fuses, lazyNode, lazySum, NO_DATA } from "../fusion.js";
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
import { div, mul, mulScalar } from "./arithmetic.js";
import { zeros } from "../creation.js";
import { describeValue, expectShape, expectTensor } from "../check.js";
import { reshape } from "./layout.js";
import { kernelMemory } from "../kernels/arena.js";
import { sumInPlace } from "../kernels/wasm-fused.js";
import { countKernel } from "../kernels/usage.js";

export interface AxesParams {
  axes: number[];
  keepdims: boolean;
}

/** Sum over `axes` (sorted, normalised) with the given kept shape. */
function sumKernel(x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const kept = reducedShape(x.shape, axes, true);
  const out = allocZeroed(sizeOf(kept));
  if (axes.length === x.ndim) {
    const lazy = x.lazy;
    if (lazy !== null) {
      // A lazy value is summed as it is computed, in the same order, without a buffer (fusion.ts).
      out[0] = lazySum(lazy, x.size, x);
    } else out[0] = sumAll(x.data, true);
  } else if (x.ndim === 2 && axes.length === 1 && axes[0] === 0) {
    // Column sums of a matrix (a bias's gradient): rows added in order, as the general path does.
    // Eight columns at a time down all the rows, their sums in registers (eight independent chains);
    // the remaining columns four rows per sweep.
    const d = x.data;
    const rows = x.shape[0]!;
    const n = x.shape[1]!;
    const n8 = n - (n % 8);
    for (let j = 0; j < n8; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let r = 0, o = j; r < rows; r++, o += n) {
        s0 += d[o]!; s1 += d[o + 1]!; s2 += d[o + 2]!; s3 += d[o + 3]!;
        s4 += d[o + 4]!; s5 += d[o + 5]!; s6 += d[o + 6]!; s7 += d[o + 7]!;
      }
      out[j] = s0; out[j + 1] = s1; out[j + 2] = s2; out[j + 3] = s3;
      out[j + 4] = s4; out[j + 5] = s5; out[j + 6] = s6; out[j + 7] = s7;
    }
    if (n8 < n) {
      let r = 0;
      for (; r + 4 <= rows; r += 4) {
        const o = r * n;
        for (let j = n8; j < n; j++) out[j] = out[j]! + d[o + j]! + d[o + n + j]! + d[o + 2 * n + j]! + d[o + 3 * n + j]!;
      }
      for (; r < rows; r++) {
        const o = r * n;
        for (let j = n8; j < n; j++) out[j]! += d[o + j]!;
      }
    }
  } else {
    scatter(x.data, out, 0, broadcastStrides(kept, x.shape), x.shape, true);
  }
  return new Tensor(out, keepdims ? kept : reducedShape(x.shape, axes, false));
}

/**
 * Σ d[i] with four running sums (elements i ≡ 0, 1, 2, 3 mod 4) added as (s0 + s1) + (s2 + s3), then the
 * last n mod 4 elements in order: four independent chains of additions instead of one. A lazy value is
 * summed in the same order (fusion.ts lazySum), so both give the same bits.
 */
export function sumAll(d: Float64Array, count = false): number {
  const n = d.length;
  if (n >= WASM_SUM_MIN) {
    const s = wasmSum(d);
    if (s !== null) {
      if (count) countKernel("sum:wasm-simd");
      return s;
    }
  }
  const n4 = n - (n % 4);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n4; i += 4) {
    s0 += d[i]!;
    s1 += d[i + 1]!;
    s2 += d[i + 2]!;
    s3 += d[i + 3]!;
  }
  let s = (s0 + s1) + (s2 + s3);
  for (let i = n4; i < n; i++) s += d[i]!;
  return s;
}

/** Buffers at least this long are summed by the SIMD kernel where they lie in the arena (kernels/wasm-fused.ts sumInPlace: the same order, so the same bits). */
const WASM_SUM_MIN = 2048;

function wasmSum(d: Float64Array): number | null {
  // A buffer in the arena is added where it lies (another would be copied in: no gain, as in fusion.ts).
  if (!inArena(d)) return null;
  const heap = kernelMemory();
  return heap === null ? null : sumInPlace(heap, d);
}

export const sumOp: OpDef<AxesParams> = defineOp<AxesParams>({
  name: "sum",
  vjpReadsValues: false,
  forward: ([x], { axes, keepdims }) => sumKernel(x!, axes, keepdims),
  // Every summed element receives the output's gradient.
  vjp: (g, [x], _o, { axes }) => [broadcastTo(reshape(g, reducedShape(x!.shape, axes, true)), x!.shape)],
  jvp: ([t], _i, _o, { axes, keepdims }) => apply(sumOp, [t!], { axes, keepdims }),
});

export const broadcastOp = defineOp<{ shape: number[] }>({
  name: "broadcastTo",
  vjpReadsValues: false,
  forward: ([x], { shape }) => {
    if (x!.size === 1 && fuses("x", sizeOf(shape))) {
      const node = lazyNode("x", x!, null, 0);
      if (node !== null) return new Tensor(NO_DATA, shape, node);
    }
    const out = allocData(sizeOf(shape));
    gather(x!.data, 0, broadcastStrides(x!.shape, shape), shape, out);
    return new Tensor(out, shape);
  },
  vjp: (g, [x]) => [sumTo(g, x!.shape)],
  jvp: ([t], _i, _o, { shape }) => broadcastTo(t!, shape),
});

// Reduce a broadcast result back to one of its operands' shapes (the adjoint of broadcastTo).
export const sumToOp = defineOp<{ shape: number[] }>({
  name: "sumTo",
  vjpReadsValues: false,
  forward: ([x], { shape }) => {
    checkSumTo(x!.shape, shape);
    const axes = broadcastReductionAxes(shape, x!.shape);
    const summed = sumKernel(x!, axes, true);
    return new Tensor(summed.data, shape);
  },
  vjp: (g, [x]) => [broadcastTo(g, x!.shape)],
  jvp: ([t], _i, _o, { shape }) => sumTo(t!, shape),
});

/** `shape` must broadcast to `from` (so that summing `from` down to it undoes the broadcast). */
function checkSumTo(from: Shape, shape: Shape): void {
  const ok = shape.length <= from.length && shape.every((d, i) => d === 1 || d === from[from.length - shape.length + i]);
  if (!ok) {
    throw new Error(`sumTo: cannot sum a tensor of shape ${formatShape(from)} to shape ${formatShape(shape)} (${formatShape(shape)} does not broadcast to ${formatShape(from)})`);
  }
}

// ‖x‖ = √(Σ x²), with ∂‖x‖/∂x = x/‖x‖. At x = 0 (the only point where ‖x‖ = 0) the gradient is
// taken as 0, as PyTorch does (a subgradient); the formula would give 0/0.
export const normOp = defineOp({
  name: "norm",
  forward: ([x]) => {
    const d = x!.data;
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
    return new Tensor(Float64Array.of(Math.sqrt(s)), []);
  },
  vjp: (g, [x], y) => [y.data[0] === 0 ? zeros(x!.shape) : mul(x!, div(g, y))],
  jvp: ([t], [x], y) => (y.data[0] === 0 ? zeros([]) : div(sum(mul(t!, x!)), y)),
});

function normalizeAxes(axis: number | readonly number[] | null | undefined, rank: number, op: string, keepdims: unknown): number[] {
  if (typeof keepdims !== "boolean") throw new TypeError(`${op}: keepdims must be true or false, got ${describeValue(keepdims)}`);
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(list)) throw new TypeError(`${op}: axis must be a number or a list of numbers, got ${describeValue(axis)}`);
  const axes = list.map((a) => normAxis(a, rank, op));
  const seen = new Set<number>();
  axes.forEach((a, i) => {
    if (seen.has(a)) throw new Error(`${op}: axis ${list[i]} appears twice in [${list.join(", ")}] (as in NumPy and PyTorch, each axis once)`);
    seen.add(a);
  });
  return axes.sort((a, b) => a - b);
}

/** Sum of all elements (axis undefined or null), or along `axis` (a number or a list), optionally keeping unit axes. */
export function sum(x: Tensor, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  expectTensor(x, "sum");
  return apply(sumOp, [x], { axes: normalizeAxes(axis, x.ndim, "sum", keepdims), keepdims });
}

/** Mean of all elements, or along `axis`. */
export function mean(x: Tensor, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  expectTensor(x, "mean");
  const axes = normalizeAxes(axis, x.ndim, "mean", keepdims);
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  return mulScalar(sum(x, axes, keepdims), 1 / count);
}

/** Euclidean (Frobenius) norm of all elements (0-d); its gradient at x = 0 is 0. */
export function norm(x: Tensor, ...rest: unknown[]): Tensor {
  expectTensor(x, "norm");
  if (rest.length > 0 && rest[0] !== undefined) {
    // PyTorch's x.norm(p, dim): an argument here was ignored, the 2-norm of everything returned silently.
    throw new TypeError(
      `norm: takes no order or axis (it is the 2-norm of all elements), got ${describeValue(rest[0])}; ` +
        "along an axis write x.square().sum(axis).sqrt() (NaN gradient at an all-zero row), another order x.abs().pow(p).sum(axis).pow(1 / p)",
    );
  }
  return apply(normOp, [x], undefined);
}

/** Repeat along broadcast axes to `shape` (NumPy rules). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  expectTensor(x, "broadcastTo");
  expectShape(shape, "broadcastTo");
  if (sameShape(x.shape, shape)) return x;
  const target = broadcastShapes(x.shape, shape, "broadcastTo");
  if (!sameShape(target, shape)) throw new Error(`broadcastTo: cannot broadcast a tensor of shape ${formatShape(x.shape)} to shape ${formatShape(shape)}`);
  return apply(broadcastOp, [x], { shape: [...shape] });
}

/** Sum a broadcast tensor down to `shape` (the adjoint of broadcastTo). */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  expectTensor(x, "sumTo");
  expectShape(shape, "sumTo");
  if (sameShape(x.shape, shape)) return x;
  checkSumTo(x.shape, shape);
  return apply(sumToOp, [x], { shape: [...shape] });
}
