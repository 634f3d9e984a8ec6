// The table of differentiable ops that the first- and second-order checks run over: every op, on
// 0-d, 1-D, 2-D and 3-D inputs and NumPy broadcasting pairs, with inputs inside each function's
// domain and away from kinks.

import {
  Tensor, type MultiFn,
  add, sub, mul, div, pow, neg, square, sqrt, exp, log, sin, cos, tan, tanh, sigmoid, softplus, relu, abs,
  asin, acos, atan, sinh, cosh, erf, sign, gelu, swish, atan2, maximum, minimum, matmul, mm, sum, mean, norm, reshape, transpose, slice,
  concat, stack, broadcastTo, sumTo, clone, where, clamp,
} from "../../src/index.js";
import { awayFromZero, uniform } from "./tensors.js";
import { apply } from "../../src/engine/op.js";
import { RULES } from "../../src/engine/ops/rules.js";

type Shape = readonly number[];

export interface OpCase {
  name: string;
  f: MultiFn;
  inputs: Tensor[];
}

let seedCounter = 100;
const nextSeed = (): number => seedCounter++;

/** Plain inputs in [lo, hi). */
const u = (shape: Shape, lo = -1.5, hi = 1.5): Tensor => uniform(shape, lo, hi, nextSeed());
/** Inputs with |x| in [lo, hi), either sign. */
const az = (shape: Shape, lo = 0.5, hi = 2): Tensor => awayFromZero(shape, lo, hi, nextSeed());

export const SHAPES: readonly Shape[] = [[], [3], [2, 3], [2, 2, 3]];

export interface UnarySpec {
  name: string;
  f: (x: Tensor) => Tensor;
  input: (shape: Shape) => Tensor;
}

export const UNARY_OPS: readonly UnarySpec[] = [
  { name: "neg", f: neg, input: (s) => u(s) },
  { name: "square", f: square, input: (s) => u(s) },
  { name: "sqrt", f: sqrt, input: (s) => u(s, 0.3, 2) },
  { name: "exp", f: exp, input: (s) => u(s) },
  { name: "log", f: log, input: (s) => u(s, 0.3, 2) },
  { name: "sin", f: sin, input: (s) => u(s, -3, 3) },
  { name: "cos", f: cos, input: (s) => u(s, -3, 3) },
  { name: "tan", f: tan, input: (s) => u(s, -1.2, 1.2) },
  { name: "tanh", f: tanh, input: (s) => u(s, -2, 2) },
  { name: "sigmoid", f: sigmoid, input: (s) => u(s, -3, 3) },
  { name: "softplus", f: softplus, input: (s) => u(s, -3, 3) },
  { name: "relu", f: relu, input: (s) => az(s, 0.1, 1.5) },
  { name: "abs", f: abs, input: (s) => az(s, 0.1, 1.5) },
  { name: "asin", f: asin, input: (s) => u(s, -0.85, 0.85) },
  { name: "acos", f: acos, input: (s) => u(s, -0.85, 0.85) },
  { name: "atan", f: atan, input: (s) => u(s, -2, 2) },
  { name: "sinh", f: sinh, input: (s) => u(s) },
  { name: "cosh", f: cosh, input: (s) => u(s) },
  { name: "erf", f: erf, input: (s) => u(s, -2, 2) },
  { name: "sign", f: sign, input: (s) => az(s, 0.1, 1.5) },
  { name: "gelu", f: gelu, input: (s) => u(s, -3, 3) },
  { name: "swish", f: swish, input: (s) => u(s, -3, 3) },
  { name: "clone", f: clone, input: (s) => u(s) },
  { name: "x.square() via x·x (same tensor twice)", f: (x) => mul(x, x), input: (s) => u(s) },
];

export function unaryCases(): OpCase[] {
  return UNARY_OPS.flatMap((op) =>
    SHAPES.map((shape) => ({ name: `${op.name} ${fmt(shape)}`, f: (x: Tensor) => op.f(x), inputs: [op.input(shape)] })),
  );
}

/** Shape pairs for binary ops: equal shapes, NumPy broadcasting in both directions, 0-d operands. */
export const BROADCAST_PAIRS: readonly [Shape, Shape][] = [
  [[], []],
  [[3], [3]],
  [[2, 3], [2, 3]],
  [[3, 1], [1, 4]],
  [[2, 3], [3]],
  [[3], [2, 3]],
  [[], [2, 3]],
  [[2, 3], []],
  [[2, 1, 3], [4, 1]],
  [[2, 2, 3], [2, 2, 3]],
];

interface BinarySpec {
  name: string;
  f: (a: Tensor, b: Tensor) => Tensor;
  inputs: (sa: Shape, sb: Shape) => [Tensor, Tensor];
}

const BINARY_OPS: readonly BinarySpec[] = [
  { name: "add", f: add, inputs: (sa, sb) => [u(sa), u(sb)] },
  { name: "sub", f: sub, inputs: (sa, sb) => [u(sa), u(sb)] },
  { name: "mul", f: mul, inputs: (sa, sb) => [u(sa), u(sb)] },
  { name: "div", f: div, inputs: (sa, sb) => [u(sa), az(sb, 0.5, 2)] },
  // a^b with a tensor exponent: base > 0 so that ∂/∂b = a^b·log a exists.
  { name: "pow", f: pow, inputs: (sa, sb) => [u(sa, 0.5, 2), u(sb, -1.5, 1.5)] },
  // atan2(y, x) away from the origin (x in ±[0.5, 2)), across the branch cut x < 0 only off y = 0.
  { name: "atan2", f: atan2, inputs: (sa, sb) => [az(sa, 0.3, 1.5), az(sb, 0.5, 2)] },
  // max / min: |a| in [0.1, 0.7), |b| in [0.9, 1.5) with random signs, so a and b are never within
  // 0.2 (no ties) and either operand can be the one selected.
  { name: "maximum", f: maximum, inputs: (sa, sb) => [az(sa, 0.1, 0.7), az(sb, 0.9, 1.5)] },
  { name: "minimum", f: minimum, inputs: (sa, sb) => [az(sa, 0.1, 0.7), az(sb, 0.9, 1.5)] },
];

export function binaryCases(): OpCase[] {
  return BINARY_OPS.flatMap((op) =>
    BROADCAST_PAIRS.map(([sa, sb]) => ({ name: `${op.name} ${fmt(sa)} with ${fmt(sb)}`, f: (a: Tensor, b: Tensor) => op.f(a, b), inputs: op.inputs(sa, sb) })),
  );
}

/** Binary ops with a plain number on either side. */
export function numberOperandCases(): OpCase[] {
  const cases: [string, (x: Tensor) => Tensor, (s: Shape) => Tensor][] = [
    ["x.add(2)", (x) => x.add(2), (s) => u(s)],
    ["add(2, x)", (x) => add(2, x), (s) => u(s)],
    ["x.sub(2)", (x) => x.sub(2), (s) => u(s)],
    ["sub(2, x)", (x) => sub(2, x), (s) => u(s)],
    ["x.mul(2)", (x) => x.mul(2), (s) => u(s)],
    ["mul(-3, x)", (x) => mul(-3, x), (s) => u(s)],
    ["x.div(4)", (x) => x.div(4), (s) => u(s)],
    ["div(1, x)", (x) => div(1, x), (s) => az(s, 0.5, 2)],
    ["pow(x, 3)", (x) => pow(x, 3), (s) => u(s)],
    ["pow(x, 2)", (x) => pow(x, 2), (s) => u(s)],
    ["pow(x, 1)", (x) => pow(x, 1), (s) => u(s)],
    ["pow(x, 0)", (x) => pow(x, 0), (s) => u(s)],
    ["pow(x, 2.5)", (x) => pow(x, 2.5), (s) => u(s, 0.3, 2)],
    ["pow(x, -1.5)", (x) => pow(x, -1.5), (s) => u(s, 0.3, 2)],
    ["pow(2, x)", (x) => pow(2, x), (s) => u(s)],
  ];
  return cases.flatMap(([name, f, input]) => [[], [3], [2, 3]].map((shape) => ({ name: `${name} ${fmt(shape)}`, f, inputs: [input(shape)] })));
}

export function matmulCases(): OpCase[] {
  const mat = (name: string, sa: Shape, sb: Shape): OpCase => ({ name: `matmul ${name} ${fmt(sa)}·${fmt(sb)}`, f: (a: Tensor, b: Tensor) => matmul(a, b), inputs: [u(sa), u(sb)] });
  const flags = (ta: boolean, tb: boolean, batch: Shape = []): OpCase => {
    // op(A) is 2×3, op(B) is 3×4.
    const sa = [...batch, ...(ta ? [3, 2] : [2, 3])];
    const sb = [...batch, ...(tb ? [4, 3] : [3, 4])];
    return { name: `mm transA=${ta} transB=${tb} ${fmt(sa)}·${fmt(sb)}`, f: (a: Tensor, b: Tensor) => mm(a, b, ta, tb), inputs: [u(sa), u(sb)] };
  };
  return [
    mat("2-D×2-D", [2, 3], [3, 4]),
    mat("1-D×2-D", [3], [3, 4]),
    mat("2-D×1-D", [2, 3], [3]),
    mat("1-D·1-D", [3], [3]),
    mat("batched", [2, 2, 3], [2, 3, 2]),
    mat("batched × 2-D (batch broadcast)", [2, 2, 3], [3, 2]),
    mat("2-D × batched (batch broadcast)", [2, 3], [2, 3, 2]),
    mat("batch 1 broadcast to 3", [1, 2, 3], [3, 3, 2]),
    mat("1-D × batched", [3], [2, 3, 2]),
    { name: "matmul x·x (same tensor twice)", f: (a: Tensor) => matmul(a, a), inputs: [u([3, 3])] },
    flags(false, false),
    flags(false, true),
    flags(true, false),
    flags(true, true),
    flags(false, true, [2]),
    flags(true, false, [2]),
    flags(true, true, [2]),
  ];
}

export function reductionCases(): OpCase[] {
  const cube = [2, 3, 2];
  const r = (name: string, f: (x: Tensor) => Tensor, shape: Shape = cube): OpCase => ({ name: `${name} on ${fmt(shape)}`, f, inputs: [u(shape)] });
  return [
    r("sum()", (x) => sum(x)),
    r("sum() of 0-d", (x) => sum(x), []),
    r("sum(0)", (x) => sum(x, 0)),
    r("sum(-1)", (x) => sum(x, -1)),
    r("sum([0, 2])", (x) => sum(x, [0, 2])),
    r("sum(1, keepdims)", (x) => sum(x, 1, true)),
    r("sum([-1, 0], keepdims)", (x) => sum(x, [-1, 0], true)),
    r("x.sum(0) on 2-D", (x) => x.sum(0), [3, 4]),
    r("mean()", (x) => mean(x)),
    r("mean(0)", (x) => mean(x, 0)),
    r("mean(-1)", (x) => mean(x, -1)),
    r("mean([0, 1])", (x) => mean(x, [0, 1])),
    r("mean(2, keepdims)", (x) => mean(x, 2, true)),
    r("norm()", (x) => norm(x)),
    r("norm() of a vector", (x) => x.norm(), [4]),
  ];
}

export function layoutCases(): OpCase[] {
  const l = (name: string, shape: Shape, f: (x: Tensor) => Tensor): OpCase => ({ name: `${name} on ${fmt(shape)}`, f, inputs: [u(shape)] });
  return [
    l("reshape to [3, 2]", [2, 3], (x) => reshape(x, [3, 2])),
    l("reshape(-1)", [2, 3], (x) => x.reshape(-1)),
    l("reshape(4, -1)", [2, 3, 2], (x) => x.reshape(4, -1)),
    l("reshape to 0-d", [1], (x) => reshape(x, [])),
    l("reshape 0-d to [1, 1]", [], (x) => reshape(x, [1, 1])),
    l("x.T", [2, 3], (x) => x.T),
    l("transpose()", [3, 4], (x) => transpose(x)),
    l("transpose([2, 0, 1])", [2, 3, 4], (x) => transpose(x, [2, 0, 1])),
    l("transpose([1, 0, 2])", [2, 3, 2], (x) => x.transpose([1, 0, 2])),
    l("transpose([-1, 0, 1])", [2, 3, 2], (x) => x.transpose([-1, 0, 1])),
    l("rows slice([1, 3])", [4, 3], (x) => x.slice([1, 3])),
    l("column(1) (X[:, 1:2])", [4, 3], (x) => x.column(1)),
    l("column(0) (X[:, 0:1])", [4, 3], (x) => x.column(0)),
    l("column(-1) (X[:, -1:])", [4, 3], (x) => x.column(-1)),
    l("slice(null, [0, 2])", [4, 3], (x) => x.slice(null, [0, 2])),
    l("slice(2) drops the row axis", [4, 3], (x) => x.slice(2)),
    l("slice(null, 1) drops the column axis", [4, 3], (x) => x.slice(null, 1)),
    l("slice([-3, -1])", [4, 3], (x) => x.slice([-3, -1])),
    l("slice(-1)", [4, 3], (x) => x.slice(-1)),
    l("slice(null, -2)", [4, 3], (x) => slice(x, [null, -2])),
    l("slice(0) of a vector to 0-d", [4], (x) => x.slice(0)),
    l("3-D slice(null, [1, 3], 0)", [2, 3, 2], (x) => x.slice(null, [1, 3], 0)),
    l("identity slice()", [2, 3], (x) => x.slice()),
    l("broadcastTo [2, 3, 4]", [3, 1], (x) => broadcastTo(x, [2, 3, 4])),
    l("broadcastTo [2, 2] from 0-d", [], (x) => x.broadcastTo([2, 2])),
    l("broadcastTo [2, 3] from [3]", [3], (x) => x.broadcastTo([2, 3])),
    l("sumTo [3, 1]", [2, 3, 4], (x) => sumTo(x, [3, 1])),
    l("sumTo [3]", [2, 3], (x) => sumTo(x, [3])),
    l("sumTo 0-d", [2, 3], (x) => sumTo(x, [])),
    l("sumTo [1, 3]", [2, 3], (x) => sumTo(x, [1, 3])),
    // pad (the adjoint of slice) is internal: applied directly, as its rule is written.
    l("pad [2, 2] into [4, 3] at (1, 1)", [2, 2], (x) => apply(RULES.pad, [x], { full: [4, 3], starts: [1, 1] })),
    l("pad [2, 3] into [2, 2, 3] at (1, 0, 0)", [2, 3], (x) => apply(RULES.pad, [reshape(x, [1, 2, 3])], { full: [2, 2, 3], starts: [1, 0, 0] })),
    { name: "concat axis 0 of [2, 3], [1, 3]", f: (a: Tensor, b: Tensor) => concat([a, b], 0), inputs: [u([2, 3]), u([1, 3])] },
    { name: "concat axis -1 of [2, 1], [2, 2], [2, 3]", f: (a: Tensor, b: Tensor, c: Tensor) => concat([a, b, c], -1), inputs: [u([2, 1]), u([2, 2]), u([2, 3])] },
    { name: "concat of a tensor with itself", f: (a: Tensor) => concat([a, a], 1), inputs: [u([2, 2])] },
    { name: "stack axis 0 of [3], [3]", f: (a: Tensor, b: Tensor) => stack([a, b]), inputs: [u([3]), u([3])] },
    { name: "stack axis 1 of [2, 2] ×3", f: (a: Tensor, b: Tensor, c: Tensor) => stack([a, b, c], 1), inputs: [u([2, 2]), u([2, 2]), u([2, 2])] },
    { name: "stack axis -1 of 0-d scalars", f: (a: Tensor, b: Tensor) => stack([a, b], -1), inputs: [u([]), u([])] },
  ];
}

/** A fixed 0/1 pattern (1, 0, 0, 1, 0, 0, …: both values, unevenly) of the given shape. */
function pattern(shape: Shape): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return new Tensor(Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)), shape);
}

/**
 * where(cond, a, b) over the broadcasting pairs (cond of the broadcast shape, and of the last axis
 * only where there is one, so that cond broadcasts too), and clamp(x, −0.8, 0.8) with |x| in
 * [0.1, 0.7) or [0.9, 1.5) — both sides of each bound, never within 0.1 of one (no kink).
 */
export function selectionCases(): OpCase[] {
  const whereCases = BROADCAST_PAIRS.flatMap(([sa, sb]) => {
    const out = broadcastShapeOf(sa, sb);
    const conds = out.length > 0 ? [out, out.slice(-1)] : [out];
    return conds.map((sc) => {
      const c = pattern(sc);
      return { name: `where cond ${fmt(sc)}, ${fmt(sa)} with ${fmt(sb)}`, f: (a: Tensor, b: Tensor) => where(c, a, b), inputs: [u(sa), u(sb)] };
    });
  });
  const clampCases = SHAPES.map((s) => {
    const x = where(pattern(s), az(s, 0.1, 0.7), az(s, 0.9, 1.5));
    return { name: `clamp(x, -0.8, 0.8) ${fmt(s)}`, f: (t: Tensor) => clamp(t, -0.8, 0.8), inputs: [x] };
  });
  return [...whereCases, ...clampCases];
}

function broadcastShapeOf(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => Math.max(a[a.length - rank + i] ?? 1, b[b.length - rank + i] ?? 1));
}

export function allCases(): OpCase[] {
  return [
    ...unaryCases(), ...binaryCases(), ...numberOperandCases(), ...matmulCases(), ...reductionCases(), ...layoutCases(), ...selectionCases(),
  ];
}

function fmt(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}
