// Ops that move values without arithmetic: reshape, transpose, slicing (and its adjoint, padding
// into zeros), concatenation, stacking, copying.

import { allocData } from "../pool.js";
import { Tensor, type SliceSpec } from "../tensor.js";
import { apply, defineOp, type OpDef } from "../op.js";
import { gather, scatter, transpose2d } from "../kernels/layout.js";
import { formatShape, normAxis, resolveReshape, sameShape, sizeOf, stridesOf, type Shape } from "../shape.js";
import { zeros } from "../creation.js";
import { describeValue, expectTensor } from "../check.js";

export const reshapeOp = defineOp<{ shape: number[] }>({
  name: "reshape",
  vjpReadsValues: false,
  // Shares the data: tensors are not modified in place by operations.
  forward: ([x], { shape }) => new Tensor(x!.data, shape),
  vjp: (g, [x]) => [reshape(g, x!.shape)],
  jvp: ([t], _i, _o, { shape }) => reshape(t!, shape),
});

export function reshape(x: Tensor, shape: Shape): Tensor {
  expectTensor(x, "reshape");
  if (!Array.isArray(shape as unknown)) throw new TypeError(`reshape: the shape must be a list of numbers, got ${describeValue(shape)}`);
  const resolved = resolveReshape(x.size, shape, x.shape);
  if (sameShape(resolved, x.shape)) return x;
  return apply(reshapeOp, [x], { shape: resolved });
}

export const cloneOp = defineOp({
  name: "clone",
  vjpReadsValues: false,
  forward: ([x]) => {
    const out = allocData(x!.size);
    out.set(x!.data);
    return new Tensor(out, x!.shape);
  },
  vjp: (g) => [g],
  jvp: ([t]) => t!,
});

export function clone(x: Tensor): Tensor {
  return apply(cloneOp, [x], undefined);
}

export const transposeOp = defineOp<{ perm: number[] }>({
  name: "transpose",
  vjpReadsValues: false,
  forward: ([x], { perm }) => {
    const shape = perm.map((p) => x!.shape[p]!);
    const out = allocData(x!.size);
    if (x!.ndim === 2) transpose2d(x!.data, out, x!.shape[0]!, x!.shape[1]!);
    else {
      const strides = stridesOf(x!.shape);
      gather(x!.data, 0, perm.map((p) => strides[p]!), shape, out);
    }
    return new Tensor(out, shape);
  },
  vjp: (g, _i, _o, { perm }) => [transpose(g, inversePermutation(perm))],
  jvp: ([t], _i, _o, { perm }) => transpose(t!, perm),
});

function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Permute axes (default: reverse them, the matrix transpose for 2-D). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  expectTensor(x, "transpose");
  if (perm !== undefined && !Array.isArray(perm as unknown)) throw new TypeError(`transpose: the permutation must be a list of axes, got ${describeValue(perm)}`);
  const p = perm === undefined ? x.shape.map((_, i) => x.ndim - 1 - i) : perm.map((a) => normAxis(a, x.ndim, "transpose"));
  if (new Set(p).size !== x.ndim || p.length !== x.ndim) {
    throw new Error(`transpose: [${perm?.join(", ")}] is not a permutation of the ${x.ndim} axes of a tensor of shape ${formatShape(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return x;
  return apply(transposeOp, [x], { perm: p });
}

export interface Box {
  starts: number[];
  shape: number[]; // the slice's shape
}

function boxOffset(full: Shape, starts: readonly number[]): number {
  const strides = stridesOf(full);
  let offset = 0;
  starts.forEach((s, i) => (offset += s * strides[i]!));
  return offset;
}

// Keep the box [starts, starts + shape) of x.
export const sliceOp: OpDef<Box> = defineOp<Box>({
  name: "slice",
  vjpReadsValues: false,
  forward: ([x], { starts, shape }) => {
    const out = allocData(sizeOf(shape));
    gather(x!.data, boxOffset(x!.shape, starts), stridesOf(x!.shape), shape, out);
    return new Tensor(out, shape);
  },
  vjp: (g, [x], _o, { starts }) => [padBox(g, x!.shape, starts)],
  jvp: ([t], _i, _o, box) => apply(sliceOp, [t!], box),
});

// The adjoint of slicing: place x at `starts` inside zeros of shape `full`.
export const padOp: OpDef<{ full: number[]; starts: number[] }> = defineOp<{ full: number[]; starts: number[] }>({
  name: "pad",
  vjpReadsValues: false,
  forward: ([x], { full, starts }) => {
    const out = zeros(full);
    scatter(x!.data, out.data, boxOffset(full, starts), stridesOf(full), x!.shape, false);
    return out;
  },
  vjp: (g, [x], _o, { starts }) => [apply(sliceOp, [g], { starts, shape: [...x!.shape] })],
  jvp: ([t], _i, _o, params) => apply(padOp, [t!], params),
});

function padBox(x: Tensor, full: Shape, starts: number[]): Tensor {
  return apply(padOp, [x], { full: [...full], starts });
}

/**
 * Slice along each axis: `null`/missing keeps the axis whole, `[start, end]` keeps that range
 * (end exclusive, negative values count from the end), a number picks one index and drops the axis.
 */
export function slice(x: Tensor, ranges: readonly SliceSpec[]): Tensor {
  expectTensor(x, "slice");
  if (ranges.length > x.ndim) throw new Error(`slice: ${ranges.length} ranges for a tensor of shape ${formatShape(x.shape)}`);
  const starts: number[] = [];
  const shape: number[] = [];
  const finalShape: number[] = [];
  x.shape.forEach((n, axis) => {
    const r = ranges[axis];
    if (r === null || r === undefined) {
      starts.push(0);
      shape.push(n);
      finalShape.push(n);
    } else if (typeof r === "number") {
      const i = r < 0 ? r + n : r;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new Error(`slice: index ${r} is ${Number.isInteger(r) ? "out of range" : "not an integer"} for axis ${axis} of a tensor of shape ${formatShape(x.shape)}`);
      }
      starts.push(i);
      shape.push(1);
    } else {
      if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => Number.isInteger(v))) {
        throw new Error(
          `slice: the range for axis ${axis} of a tensor of shape ${formatShape(x.shape)} must be a number or [start, end] with integer bounds, got ${Array.isArray(r) ? `[${r.join(", ")}]` : describeValue(r)}`,
        );
      }
      const a = clampIndex(r[0], n);
      const b = clampIndex(r[1], n);
      starts.push(a);
      shape.push(Math.max(0, b - a));
      finalShape.push(Math.max(0, b - a));
    }
  });
  const box = sameShape(shape, x.shape) ? x : apply(sliceOp, [x], { starts, shape });
  return reshape(box, finalShape);
}

function clampIndex(i: number, n: number): number {
  const j = i < 0 ? i + n : i;
  return Math.min(Math.max(j, 0), n);
}

export const concatOp: OpDef<{ axis: number }> = defineOp<{ axis: number }>({
  name: "concat",
  vjpReadsValues: false,
  forward: (xs, { axis }) => {
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis]!, 0);
    const out = allocData(sizeOf(shape));
    const strides = stridesOf(shape);
    let at = 0;
    for (const t of xs) {
      scatter(t.data, out, at * strides[axis]!, strides, t.shape, false);
      at += t.shape[axis]!;
    }
    return new Tensor(out, shape);
  },
  vjp: (g, xs, _o, { axis }, needs) => {
    let at = 0;
    return xs.map((t, i) => {
      const starts = g.shape.map((_, a) => (a === axis ? at : 0));
      at += t.shape[axis]!;
      return needs[i] ? apply(sliceOp, [g], { starts, shape: [...t.shape] }) : null;
    });
  },
  jvp: (tangents, xs, _o, { axis }) => apply(concatOp, xs.map((t, i) => tangents[i] ?? zeros(t.shape)), { axis }),
});

/** Join tensors along an existing axis; all other axes must agree. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs as unknown)) throw new TypeError(`concat: expects a list of tensors, got ${describeValue(xs)}`);
  if (xs.length === 0) throw new Error("concat: no tensors given");
  xs.forEach((t, i) => expectTensor(t, "concat", i + 1));
  const first = xs[0]!;
  const a = normAxis(axis, first.ndim, "concat");
  for (const t of xs) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ outside axis ${axis}`);
    }
  }
  if (xs.length === 1) return first;
  return apply(concatOp, [...xs], { axis: a });
}

/** Join tensors of equal shape along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs as unknown)) throw new TypeError(`stack: expects a list of tensors, got ${describeValue(xs)}`);
  if (xs.length === 0) throw new Error("stack: no tensors given");
  xs.forEach((t, i) => expectTensor(t, "stack", i + 1));
  const rank = xs[0]!.ndim + 1;
  const a = normAxis(axis, rank, "stack");
  return concat(
    xs.map((t) => {
      if (!sameShape(t.shape, xs[0]!.shape)) throw new Error(`stack: shapes ${formatShape(xs[0]!.shape)} and ${formatShape(t.shape)} differ`);
      const s = [...t.shape];
      s.splice(a, 0, 1);
      return reshape(t, s);
    }),
    a,
  );
}
