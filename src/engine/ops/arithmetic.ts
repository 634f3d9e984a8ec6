// + − × ÷ and powers, with NumPy broadcasting, and their derivative rules.
// Each rule is written with these same differentiable ops, so derivatives of any order follow.

import { allocData } from "../pool.js";
import { computeNow, evaluateNow, fuses, lazyNode, NO_DATA } from "../fusion.js";
import { Tensor, type Operand } from "../tensor.js";
import { apply, defineOp } from "../op.js";
import { binaryKernel, collapseAxes, unaryKernel, type BinaryKernel } from "../kernels/elementwise.js";
import { broadcastShapes, broadcastStrides, sameShape, type Shape } from "../shape.js";
import { broadcastTo, sumTo } from "./reduce.js";
import { full, toTensor } from "../creation.js";
import { log } from "./unary.js";
import { expectOperand, expectTensor } from "../check.js";

/** Evaluate a broadcasting binary kernel into a new tensor. */
function broadcastBinary(kernel: BinaryKernel, a: Tensor, b: Tensor, op: string): Tensor {
  if (sameShape(a.shape, b.shape)) {
    const fusible = fuses(kernel.expr, a.size);
    if (fusible) {
      const node = lazyNode(kernel.expr, a, b, 0);
      if (node !== null) return new Tensor(NO_DATA, a.shape, node);
    }
    const out = allocData(a.size);
    // A lazy operand and one that must be read now (a parameter): one loop, now.
    if (!(fusible && evaluateNow(kernel.expr, a, b, 0, out)) && !computeNow(kernel.expr, a, b, 0, out)) kernel.same(a.data, b.data, out);
    return new Tensor(out, a.shape);
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const size = a.size === 0 || b.size === 0 ? 0 : sizeOfShape(shape);
  const c = collapseAxes(shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape));
  const fusible = fuses(kernel.expr, size) && fusibleBroadcast(c, a.size, b.size, size);
  if (fusible) {
    const node = lazyNode(kernel.expr, a, b, 0);
    if (node !== null) return new Tensor(NO_DATA, shape, node);
  }
  const out = new Tensor(allocData(size), shape);
  if (fusible && evaluateNow(kernel.expr, a, b, 0, out.data)) return out;
  if (out.size === 0) return out;
  if (c.shape.length === 2 && c.sa[1] === 1 && c.sb[1] === 1) {
    const n = c.shape[1]!;
    if (c.sa[0] === n && c.sb[0] === 0) {
      kernel.rows(a.data, b.data, out.data, n, false);
      return out;
    }
    if (c.sa[0] === 0 && c.sb[0] === n) {
      kernel.rows(a.data, b.data, out.data, n, true);
      return out;
    }
  }
  kernel.strided(a.data, b.data, out.data, c.shape, c.sa, c.sb);
  return out;
}

/**
 * Whether a lazy expression can read both operands of a broadcast (fusion.ts): each has the result's
 * size (and layout), or is one number, or one row of the result's last (collapsed) axis repeated
 * over its rows.
 */
function fusibleBroadcast(c: { shape: number[]; sa: number[]; sb: number[] }, sizeA: number, sizeB: number, size: number): boolean {
  const ok = (n: number, strides: number[]): boolean =>
    n === size || n === 1 || (c.shape.length === 2 && strides[0] === 0 && strides[1] === 1 && n === c.shape[1]);
  return ok(sizeA, c.sa) && ok(sizeB, c.sb);
}

function sizeOfShape(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A tangent of some input, broadcast to the output's shape (a null tangent stays null). */
function expand(t: Tensor | null, shape: Shape): Tensor | null {
  return t === null || sameShape(t.shape, shape) ? t : broadcastTo(t, shape);
}

const addKernel = binaryKernel("x + y");
const subKernel = binaryKernel("x - y");
const mulKernel = binaryKernel("x * y");
const divKernel = binaryKernel("x / y");
const powKernel = binaryKernel("Math.pow(x, y)");

export const addOp = defineOp({
  name: "add",
  vjpReadsValues: false,
  forward: ([a, b]) => broadcastBinary(addKernel, a!, b!, "add"),
  vjp: (g, [a, b], _o, _p, needs) => [needs[0] ? sumTo(g, a!.shape) : null, needs[1] ? sumTo(g, b!.shape) : null],
  jvp: ([ta = null, tb = null], _i, out) => sumTangents(expand(ta, out.shape), expand(tb, out.shape), out.shape),
});

export const subOp = defineOp({
  name: "sub",
  vjpReadsValues: false,
  forward: ([a, b]) => broadcastBinary(subKernel, a!, b!, "sub"),
  vjp: (g, [a, b], _o, _p, needs) => [needs[0] ? sumTo(g, a!.shape) : null, needs[1] ? sumTo(neg(g), b!.shape) : null],
  jvp: ([ta = null, tb = null], _i, out) => sumTangents(expand(ta, out.shape), tb === null ? null : expand(neg(tb), out.shape), out.shape),
});

export const mulOp = defineOp({
  name: "mul",
  forward: ([a, b]) => broadcastBinary(mulKernel, a!, b!, "mul"),
  vjp: (g, [a, b], _o, _p, needs) => [
    needs[0] ? sumTo(mul(g, b!), a!.shape) : null,
    needs[1] ? sumTo(mul(g, a!), b!.shape) : null,
  ],
  jvp: ([ta, tb], [a, b], out) =>
    sumTangents(ta ? expand(mul(ta, b!), out.shape) : null, tb ? expand(mul(a!, tb), out.shape) : null, out.shape),
});

// y = a / b:  ∂y/∂a = 1/b,  ∂y/∂b = −y/b.
export const divOp = defineOp({
  name: "div",
  forward: ([a, b]) => broadcastBinary(divKernel, a!, b!, "div"),
  vjp: (g, [a, b], y, _p, needs) => [
    needs[0] ? sumTo(div(g, b!), a!.shape) : null,
    needs[1] ? sumTo(neg(div(mul(g, y), b!)), b!.shape) : null,
  ],
  jvp: ([ta = null, tb = null], [, b], y) => {
    const num = ta === null ? neg(mul(tb!, y)) : tb === null ? ta : sub(ta, mul(tb, y));
    return expand(div(num, b!), y.shape)!;
  },
});

// y = a^b:  ∂y/∂a = b·a^(b−1),  ∂y/∂b = y·log a.
// As in PyTorch, at a base of 0 these are taken as 0 where the formula gives 0·∞: ∂y/∂a at b = 0
// (y = 1 near a = 0), ∂y/∂b for b ≥ 0 (y = 0^b is 0 or 1 whatever log 0 is). The guards are
// constant masks added to the exponent and to the argument of log, so the rules stay written
// with differentiable ops (and equal the plain formulas wherever a ≠ 0).
const zeroBaseZeroExponent = binaryKernel("x === 0 && y === 0 ? 1 : 0");
const zeroBaseNonNegativeExponent = binaryKernel("x === 0 && y >= 0 ? 1 : 0");

/** ∂y/∂a and ∂y/∂b of y = a^b, in the broadcast shape of y. */
function powPartials(a: Tensor, b: Tensor, y: Tensor, needA: boolean, needB: boolean): [Tensor | null, Tensor | null] {
  const dA = needA ? mul(b, pow(a, add(sub(b, 1), broadcastBinary(zeroBaseZeroExponent, a, b, "pow")))) : null;
  const dB = needB ? mul(y, log(add(a, broadcastBinary(zeroBaseNonNegativeExponent, a, b, "pow")))) : null;
  return [dA, dB];
}

export const powOp = defineOp({
  name: "pow",
  forward: ([a, b]) => broadcastBinary(powKernel, a!, b!, "pow"),
  vjp: (g, [a, b], y, _p, needs) => {
    const [dA, dB] = powPartials(a!, b!, y, needs[0]!, needs[1]!);
    return [dA ? sumTo(mul(g, dA), a!.shape) : null, dB ? sumTo(mul(g, dB), b!.shape) : null];
  },
  jvp: ([ta, tb], [a, b], y) => {
    const [dA, dB] = powPartials(a!, b!, y, ta !== null, tb !== null);
    return sumTangents(ta ? expand(mul(ta, dA!), y.shape) : null, tb ? expand(mul(tb, dB!), y.shape) : null, y.shape);
  },
});

// θ = atan2(y, x):  ∂θ/∂y = x/(x² + y²),  ∂θ/∂x = −y/(x² + y²).
const atan2Kernel = binaryKernel("Math.atan2(x, y)");

function atan2Partials(y: Tensor, x: Tensor): [Tensor, Tensor] {
  const r2 = add(mul(x, x), mul(y, y));
  return [div(x, r2), neg(div(y, r2))];
}

export const atan2Op = defineOp({
  name: "atan2",
  forward: ([y, x]) => broadcastBinary(atan2Kernel, y!, x!, "atan2"),
  vjp: (g, [y, x], _o, _p, needs) => {
    const [dY, dX] = atan2Partials(y!, x!);
    return [needs[0] ? sumTo(mul(g, dY), y!.shape) : null, needs[1] ? sumTo(mul(g, dX), x!.shape) : null];
  },
  jvp: ([ty, tx], [y, x], out) => {
    const [dY, dX] = atan2Partials(y!, x!);
    return sumTangents(ty ? expand(mul(ty, dY), out.shape) : null, tx ? expand(mul(tx, dX), out.shape) : null, out.shape);
  },
});

// max(a, b) and min(a, b): the gradient goes to the selected operand; at a tie it is split in
// half, as PyTorch's maximum/minimum do. The selection is a constant mask (its derivative is 0).
const selectFirstMax = binaryKernel("x > y ? 1 : x < y ? 0 : 0.5");
const selectFirstMin = binaryKernel("x < y ? 1 : x > y ? 0 : 0.5");

function selectionOp(name: "maximum" | "minimum", value: BinaryKernel, select: BinaryKernel) {
  const masks = (a: Tensor, b: Tensor): [Tensor, Tensor] => {
    const m = broadcastBinary(select, a, b, name);
    return [m, sub(1, m)];
  };
  return defineOp({
    name,
    forward: ([a, b]) => broadcastBinary(value, a!, b!, name),
    vjp: (g, [a, b], _o, _p, needs) => {
      const [mA, mB] = masks(a!, b!);
      return [needs[0] ? sumTo(mul(g, mA), a!.shape) : null, needs[1] ? sumTo(mul(g, mB), b!.shape) : null];
    },
    jvp: ([ta, tb], [a, b], out) => {
      const [mA, mB] = masks(a!, b!);
      return sumTangents(ta ? expand(mul(ta, mA), out.shape) : null, tb ? expand(mul(tb, mB), out.shape) : null, out.shape);
    },
  });
}

export const maximumOp = selectionOp("maximum", binaryKernel("x >= y ? x : y"), selectFirstMax);
export const minimumOp = selectionOp("minimum", binaryKernel("x <= y ? x : y"), selectFirstMin);

function sumTangents(a: Tensor | null, b: Tensor | null, shape: Shape): Tensor {
  if (a !== null && b !== null) return add(a, b);
  const t = a ?? b;
  if (t === null) throw new Error("internal: no tangent to propagate");
  return expand(t, shape)!;
}

// ---- ops with a plain-number operand (no broadcasting, no tensor for the constant) ----

export interface Scalar {
  c: number;
}

function scalarForward(expr: string) {
  const kernel = unaryKernel(expr);
  return ([x]: readonly Tensor[], { c }: Scalar): Tensor => {
    if (fuses(expr, x!.size)) {
      const node = lazyNode(expr, x!, null, c);
      if (node !== null) return new Tensor(NO_DATA, x!.shape, node);
    }
    const out = allocData(x!.size);
    if (!computeNow(expr, x!, null, c, out)) kernel(x!.data, out, c);
    return new Tensor(out, x!.shape);
  };
}

export const addScalarOp = defineOp<Scalar>({
  name: "addScalar",
  vjpReadsValues: false,
  forward: scalarForward("x + p"),
  vjp: (g) => [g],
  jvp: ([t]) => t!,
});

export const mulScalarOp = defineOp<Scalar>({
  name: "mulScalar",
  vjpReadsValues: false,
  forward: scalarForward("x * p"),
  vjp: (g, _i, _o, { c }) => [mulScalar(g, c)],
  jvp: ([t], _i, _o, { c }) => mulScalar(t!, c),
});

// y = c − x
export const rsubScalarOp = defineOp<Scalar>({
  name: "rsubScalar",
  vjpReadsValues: false,
  forward: scalarForward("p - x"),
  vjp: (g) => [neg(g)],
  jvp: ([t]) => neg(t!),
});

// y = c / x:  dy/dx = −y/x
export const rdivScalarOp = defineOp<Scalar>({
  name: "rdivScalar",
  forward: scalarForward("p / x"),
  vjp: (g, [x], y) => [neg(div(mul(g, y), x!))],
  jvp: ([t], [x], y) => neg(div(mul(t!, y), x!)),
});

// y = x^c:  dy/dx = c·x^(c−1)
export const powScalarOp = defineOp<Scalar>({
  name: "powScalar",
  forward: scalarForward("Math.pow(x, p)"),
  vjp: (g, [x], _y, { c }) => [mul(g, powDerivative(x!, c))],
  jvp: ([t], [x], _y, { c }) => mul(t!, powDerivative(x!, c)),
});

function powDerivative(x: Tensor, c: number): Tensor {
  // x^0 = 1 everywhere (also at 0), so its derivative is 0, not 0·x^(−1) (NaN at x = 0).
  if (c === 0) return full(x.shape, 0);
  if (c === 1) return full(x.shape, 1);
  if (c === 2) return mulScalar(x, 2);
  return mulScalar(powScalar(x, c - 1), c);
}

export const negOp = defineOp({
  name: "neg",
  vjpReadsValues: false,
  forward: scalarForward("-x"),
  vjp: (g) => [neg(g)],
  jvp: ([t]) => neg(t!),
});

export function neg(x: Tensor): Tensor {
  expectTensor(x, "neg");
  return apply(negOp, [x], { c: 0 });
}

export function addScalar(x: Tensor, c: number): Tensor {
  return apply(addScalarOp, [x], { c });
}

export function mulScalar(x: Tensor, c: number): Tensor {
  return apply(mulScalarOp, [x], { c });
}

export function powScalar(x: Tensor, c: number): Tensor {
  return apply(powScalarOp, [x], { c });
}

/** a + b with broadcasting; either side may be a plain number. */
export function add(a: Operand, b: Operand): Tensor {
  [a, b] = operands(a, b, "add");
  if (typeof b === "number") return addScalar(toTensor(a), b);
  if (typeof a === "number") return addScalar(b, a);
  return apply(addOp, [a, b], undefined);
}

export function sub(a: Operand, b: Operand): Tensor {
  [a, b] = operands(a, b, "sub");
  if (typeof b === "number") return addScalar(toTensor(a), -b);
  if (typeof a === "number") return apply(rsubScalarOp, [b], { c: a });
  return apply(subOp, [a, b], undefined);
}

export function mul(a: Operand, b: Operand): Tensor {
  [a, b] = operands(a, b, "mul");
  if (typeof b === "number") return mulScalar(toTensor(a), b);
  if (typeof a === "number") return mulScalar(b, a);
  return apply(mulOp, [a, b], undefined);
}

export function div(a: Operand, b: Operand): Tensor {
  [a, b] = operands(a, b, "div");
  if (typeof b === "number") return mulScalar(toTensor(a), 1 / b);
  if (typeof a === "number") return apply(rdivScalarOp, [b], { c: a });
  return apply(divOp, [a, b], undefined);
}

/** a^b; a plain-number exponent uses the cheaper power rule c·x^(c−1). */
export function pow(a: Operand, b: Operand): Tensor {
  [a, b] = operands(a, b, "pow");
  if (typeof b === "number") return powScalar(toTensor(a), b);
  return apply(powOp, [toTensor(a), b], undefined);
}

/** atan2(y, x), the angle of the point (x, y), with broadcasting; either side may be a plain number. */
export function atan2(y: Operand, x: Operand): Tensor {
  [y, x] = operands(y, x, "atan2");
  return apply(atan2Op, [toTensor(y), toTensor(x)], undefined);
}

/** Elementwise max(a, b) with broadcasting (the gradient is split at ties, as in PyTorch). */
export function maximum(a: Operand, b: Operand): Tensor {
  [a, b] = operands(a, b, "maximum");
  return apply(maximumOp, [toTensor(a), toTensor(b)], undefined);
}

/** Elementwise min(a, b) with broadcasting (the gradient is split at ties, as in PyTorch). */
export function minimum(a: Operand, b: Operand): Tensor {
  [a, b] = operands(a, b, "minimum");
  return apply(minimumOp, [toTensor(a), toTensor(b)], undefined);
}

/** Check both operands of a binary op (each a Tensor or a plain number). */
function operands(a: unknown, b: unknown, op: string): [Operand, Operand] {
  return [expectOperand(a, op, 1), expectOperand(b, op, 2)];
}
