// Function transforms in the style of JAX / torch.func: grad, vjp, jvp (forward mode), hvp,
// jacobian, hessian. Their results are ordinary differentiable tensors, so the transforms nest.

import { Tensor } from "./tensor.js";
import { gradients } from "./autograd.js";
import { aliasWithTangents, hideLevelsFrom } from "./op.js";
import { closeLevel, enableGrad, isGradEnabled, openLevel } from "./state.js";
import { formatShape, sameShape } from "./shape.js";
import { zeros } from "./creation.js";
import { describeValue, expectTensor, expectTensorResult } from "./check.js";
import { mul, reshape, stack, sum } from "./ops/index.js";

export type TensorFn = (x: Tensor) => Tensor;

/**
 * The tensor a transform differentiates with respect to: a view of `x` that stays connected to
 * the graph `x` is part of (so that outer transforms see through it), or a fresh leaf.
 * Forward-mode tangents are kept.
 */
function variable(x: Tensor): Tensor {
  if (x.requiresGrad && isGradEnabled()) return aliasWithTangents(x, x.tangents);
  const v = new Tensor(x.data, x.shape);
  x.shareVersionWith(v);
  v.tangents = x.tangents;
  v.requiresGrad = true;
  return v;
}

function checkScalar(value: unknown, who: string): asserts value is Tensor {
  const y = expectTensorResult(value, who);
  if (y.size !== 1) throw new Error(`${who}: the function must return one value, it returned shape ${formatShape(y.shape)}`);
}

/** Value and gradient of a scalar function, f(x) and ∇f(x). */
export function valueAndGrad(f: TensorFn): (x: Tensor) => [Tensor, Tensor] {
  return valueAndGradFor(f, "grad");
}

/** valueAndGrad for the transform `who` (grad, hvp, hessian), which its errors name. */
function valueAndGradFor(f: TensorFn, who: string): (x: Tensor) => [Tensor, Tensor] {
  expectFunction(f, who);
  return (x) => {
    expectTensor(x, who);
    // The result should be differentiable further exactly when the caller records graphs.
    const createGraph = isGradEnabled();
    const xv = variable(x);
    const y = enableGrad(() => f(xv));
    checkScalar(y, who);
    if (!y.requiresGrad) return [y, zeros(x.shape)];
    // (retainGraph: f's graph may go through the caller's tensors, e.g. an nn.MLP's, which the caller may backward through later.)
    const [g] = gradients(y, xv, { createGraph, allowUnused: true, retainGraph: true });
    return [y, g!];
  };
}

/** ∇f as a function: grad(f)(x) has the shape of x. Nest it for higher derivatives. */
export function grad(f: TensorFn): TensorFn {
  return gradFor(f, "grad");
}

function gradFor(f: TensorFn, who: string): TensorFn {
  const vg = valueAndGradFor(f, who);
  return (x) => vg(x)[1];
}

/** f(x) and its pullback: ct ↦ ctᵀ·∂f/∂x (a vector–Jacobian product), reusable. */
export function vjp(f: TensorFn, x: Tensor): [Tensor, (cotangent: Tensor) => Tensor] {
  expectFunction(f, "vjp");
  expectTensor(x, "vjp");
  const createGraph = isGradEnabled();
  const xv = variable(x);
  const y = expectTensorResult(enableGrad(() => f(xv)), "vjp");
  const pullback = (ct: Tensor): Tensor => {
    expectTensor(ct, "vjp (cotangent)");
    if (!sameShape(ct.shape, y.shape)) {
      throw new Error(`vjp: cotangent of shape ${formatShape(ct.shape)} for an output of shape ${formatShape(y.shape)}`);
    }
    if (!y.requiresGrad) return zeros(x.shape);
    // (retainGraph: the pullback is reusable, one pass per call.)
    return gradients(y, xv, { gradOutputs: ct, createGraph, allowUnused: true, retainGraph: true })[0]!;
  };
  return [y, pullback];
}

/**
 * Forward mode: f(x) and the directional derivative ∂f/∂x·v (a Jacobian–vector product), in one
 * evaluation of f that carries the tangent v alongside x.
 */
export function jvp(f: TensorFn, x: Tensor, v: Tensor): [Tensor, Tensor] {
  expectFunction(f, "jvp");
  expectTensor(x, "jvp", 1);
  expectTensor(v, "jvp (tangent)", 2);
  if (!sameShape(x.shape, v.shape)) {
    throw new Error(`jvp: tangent of shape ${formatShape(v.shape)} for an input of shape ${formatShape(x.shape)}`);
  }
  const level = openLevel();
  try {
    const dual = aliasWithTangents(x, [...(x.tangents ?? []), { level, tangent: v }]);
    const y = expectTensorResult(f(dual), "jvp");
    const tangent = y.tangentAt(level) ?? zeros(y.shape);
    return [hideLevelsFrom(y, level), tangent];
  } finally {
    closeLevel(level);
  }
}

export type HvpMode = "forward-over-reverse" | "reverse-over-reverse";

/**
 * Hessian–vector product H(x)·v of a scalar function without forming H. The default
 * differentiates the gradient in direction v with forward mode; reverse-over-reverse computes
 * ∇(∇f·v) instead. Both give the same numbers.
 */
export function hvp(f: TensorFn, x: Tensor, v: Tensor, mode: HvpMode = "forward-over-reverse"): Tensor {
  checkMode("hvp", mode, ["forward-over-reverse", "reverse-over-reverse"]);
  expectTensor(x, "hvp", 1);
  expectTensor(v, "hvp (direction)", 2);
  if (!sameShape(x.shape, v.shape)) {
    throw new Error(`hvp: direction v of shape ${formatShape(v.shape)} for an input of shape ${formatShape(x.shape)}`);
  }
  if (mode === "forward-over-reverse") return jvp(gradFor(f, "hvp"), x, v)[1];
  return grad((z) => sum(mul(gradFor(f, "hvp")(z), v)))(x);
}

export type JacobianMode = "reverse" | "forward";

/**
 * The Jacobian as a function: jacobian(f)(x) has shape [...f(x).shape, ...x.shape]. Reverse mode
 * builds it a row at a time (one vjp per output element), forward mode a column at a time (one jvp
 * per input element).
 */
export function jacobian(f: TensorFn, mode: JacobianMode = "reverse"): TensorFn {
  expectFunction(f, "jacobian");
  checkMode("jacobian", mode, ["reverse", "forward"]);
  return (x) => {
    expectTensor(x, "jacobian");
    if (mode === "forward") {
      const columns: Tensor[] = [];
      let yShape: readonly number[] = [];
      for (let j = 0; j < x.size; j++) {
        const [y, t] = jvp(f, x, oneHot(x.shape, j));
        yShape = y.shape;
        columns.push(reshape(t, [y.size]));
      }
      if (columns.length === 0) return zeros([...f(x).shape, ...x.shape]);
      return reshape(stack(columns, 1), [...yShape, ...x.shape]);
    }
    const [y, pullback] = vjp(f, x);
    const rows: Tensor[] = [];
    for (let i = 0; i < y.size; i++) rows.push(reshape(pullback(oneHot(y.shape, i)), [x.size]));
    if (rows.length === 0) return zeros([...y.shape, ...x.shape]);
    return reshape(stack(rows, 0), [...y.shape, ...x.shape]);
  };
}

/**
 * The Hessian of a scalar function as a function: shape [...x.shape, ...x.shape]. By default
 * reverse-over-reverse, as PyTorch's: the gradient's graph is recorded once and each row is a
 * reverse pass through it (one vector–Jacobian product per row). "forward-over-reverse" takes the
 * forward-mode Jacobian of the gradient instead (one Hessian–vector product per column), which
 * evaluates f and its gradient again for every column: about twice the ops for a 10-input function
 * (631 against 318, bench/ops-child.ts's Hessian). Both give the same numbers up to rounding.
 */
export function hessian(f: TensorFn, mode: HvpMode = "reverse-over-reverse"): TensorFn {
  checkMode("hessian", mode, ["forward-over-reverse", "reverse-over-reverse"]);
  return jacobian(gradFor(f, "hessian"), mode === "forward-over-reverse" ? "forward" : "reverse");
}

function expectFunction(f: unknown, who: string): void {
  if (typeof f !== "function") throw new TypeError(`${who}: expects a function of a tensor, got ${describeValue(f)}`);
}

function checkMode(who: string, mode: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(mode as string)) {
    throw new RangeError(`${who}: mode must be ${allowed.map((m) => `"${m}"`).join(" or ")}, got ${describeValue(mode)}`);
  }
}

function oneHot(shape: readonly number[], i: number): Tensor {
  const t = zeros(shape);
  t.data[i] = 1;
  return t;
}
