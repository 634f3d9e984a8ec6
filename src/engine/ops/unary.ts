// Elementwise functions. Each is its numeric kernel plus one derivative rule f'(x), written with
// differentiable ops (often through the output y = f(x)); both reverse (g·f') and forward (t·f')
// modes use that one rule.

import { Tensor } from "../tensor.js";
import { apply, defineOp } from "../op.js";
import { erf as erfScalar, unaryKernel } from "../kernels/elementwise.js";
import { addScalar, div, mul, mulScalar, neg, sub } from "./arithmetic.js";

type Derivative = (x: Tensor, y: Tensor) => Tensor;

function elementwise(name: string, expr: string, derivative: Derivative, helpers: Record<string, unknown> = {}) {
  const kernel = unaryKernel(expr, helpers);
  const def = defineOp({
    name,
    forward: ([x]) => {
      const out = new Float64Array(x!.size);
      kernel(x!.data, out, 0);
      return new Tensor(out, x!.shape);
    },
    vjp: (g, [x], y) => [mul(g, derivative(x!, y))],
    jvp: ([t], [x], y) => mul(t!, derivative(x!, y)),
  });
  return (x: Tensor): Tensor => apply(def, [x], undefined);
}

/** A derivative that is piecewise constant (its own derivative is zero): a tensor outside the graph. */
function constantDerivative(expr: string): Derivative {
  const kernel = unaryKernel(expr);
  return (x) => {
    const out = new Float64Array(x.size);
    kernel(x.data, out, 0);
    return new Tensor(out, x.shape);
  };
}

const oneMinusSquare = (y: Tensor): Tensor => sub(1, mul(y, y));

export const exp = elementwise("exp", "Math.exp(x)", (_x, y) => y);
export const log = elementwise("log", "Math.log(x)", (x) => div(1, x));
export const sqrt = elementwise("sqrt", "Math.sqrt(x)", (_x, y) => div(0.5, y));
export const square = elementwise("square", "x * x", (x) => mulScalar(x, 2));
export const sin = elementwise("sin", "Math.sin(x)", (x) => cos(x));
export const cos = elementwise("cos", "Math.cos(x)", (x) => neg(sin(x)));
export const tan = elementwise("tan", "Math.tan(x)", (_x, y) => addScalar(mul(y, y), 1));
export const tanh = elementwise("tanh", "Math.tanh(x)", (_x, y) => oneMinusSquare(y));
// σ(x) = 1/(1+e^−x), computed without overflow for large |x|; σ' = σ(1 − σ).
export const sigmoid = elementwise(
  "sigmoid",
  "x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))",
  (_x, y) => mul(y, sub(1, y)),
);
// softplus(x) = log(1 + e^x), stable form max(x, 0) + log1p(e^−|x|); softplus' = σ.
export const softplus = elementwise(
  "softplus",
  "(x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)))",
  (x) => sigmoid(x),
);
export const relu = elementwise("relu", "x > 0 ? x : 0", constantDerivative("x > 0 ? 1 : 0"));
export const abs = elementwise("abs", "Math.abs(x)", constantDerivative("x > 0 ? 1 : x < 0 ? -1 : 0"));
export const asin = elementwise("asin", "Math.asin(x)", (x) => div(1, sqrt(oneMinusSquare(x))));
export const acos = elementwise("acos", "Math.acos(x)", (x) => div(-1, sqrt(oneMinusSquare(x))));
export const atan = elementwise("atan", "Math.atan(x)", (x) => div(1, addScalar(mul(x, x), 1)));
export const sinh = elementwise("sinh", "Math.sinh(x)", (x) => cosh(x));
export const cosh = elementwise("cosh", "Math.cosh(x)", (x) => sinh(x));
// erf' = 2/√π · e^(−x²)
export const erf = elementwise("erf", "erf(x)", (x) => mulScalar(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)), {
  erf: erfScalar,
});

/** GELU, x·Φ(x) with the exact normal CDF Φ(x) = (1 + erf(x/√2))/2. */
export function gelu(x: Tensor): Tensor {
  return mul(x, mulScalar(addScalar(erf(mulScalar(x, Math.SQRT1_2)), 1), 0.5));
}

/** Swish (SiLU), x·σ(x). */
export function swish(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}
