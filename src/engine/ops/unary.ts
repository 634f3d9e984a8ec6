// Elementwise functions. Each is its numeric kernel plus one derivative rule f'(x), written with
// differentiable ops (often through the output y = f(x)); both reverse (g·f') and forward (t·f')
// modes use that one rule.

import { adoptBuffer, allocData, allocUnscoped } from "../pool.js";
import { computeNow, fusibleFunction, fuses, lazyBlocks, lazyNode, NO_DATA, setFunctionKeeper } from "../fusion.js";
import { vectorSinCos, vectorUnary, vectorUnaryFrom, VECTOR_MIN_LENGTH } from "../kernels/vector-unary.js";
import { wasmKernelsActive } from "../kernels/f64-heap.js";
import { isGradEnabled } from "../state.js";
import { VECTOR_ACTIVATIONS, type VectorActivationName } from "../kernels/wasm-activations.js";
import { countKernel } from "../kernels/usage.js";
import { Tensor } from "../tensor.js";
import { apply, defineOp, type OpDef } from "../op.js";
import { erf as erfScalar, unaryKernel } from "../kernels/elementwise.js";
import { addScalar, div, mul, mulScalar, neg, sub } from "./arithmetic.js";

type Derivative = (x: Tensor, y: Tensor) => Tensor;

function elementwise(name: string, expr: string, derivative: Derivative, helpers: Record<string, unknown> = {}): OpDef<undefined> {
  const kernel = unaryKernel(expr, helpers);
  const vector = (VECTOR_ACTIVATIONS as readonly string[]).includes(name) ? (name as VectorActivationName) : null;
  const [simdKey, jsKey] = [`${name}:wasm-simd`, `${name}:js`];
  // (tanh, σ, exp, sin and cos fuse into the elementwise expressions where the SIMD kernels run: fusion.ts)
  if (vector !== null) fusibleFunction(expr, vector);
  return defineOp({
    name,
    forward: ([x]) => {
      if (name === "cos" && precomputed !== null && precomputed.x === x) {
        // cos x from the sin op's forward pass (see sinDerivative).
        const unowned = precomputed.values;
        precomputed = null;
        // From now on the values are this tensor's: the open scope (a backward pass's) may release them.
        const values = adoptBuffer(unowned);
        countKernel("cos:with-sin");
        return new Tensor(values, x.shape);
      }
      if (fuses(expr, x!.size)) {
        const node = lazyNode(expr, x!, null, 0);
        if (node !== null) return new Tensor(NO_DATA, x!.shape, node);
      }
      if (name === "sin" && x!.lazy === null && x!.requiresGrad && isGradEnabled()) {
        const y = sinWithCos(x!);
        if (y !== null) return y;
      }
      const out = allocData(x!.size);
      const lazy = x!.lazy;
      if (vector === null) {
        // (square, the one fusible function: on the SIMD loop when its input is a buffer)
        if (!computeNow(expr, x!, null, 0, out)) kernel(x!.data, out, 0);
      }
      // A lazy input is evaluated block by block into the kernel's heap, without a buffer of its own.
      else if (lazy !== null && vectorUnaryFrom(vector, lazyBlocks(lazy, x!.size), x!.size, out)) countKernel(simdKey);
      else if (vectorUnary(vector, x!.data, out)) countKernel(simdKey);
      else {
        kernel(x!.data, out, 0);
        countKernel(jsKey);
      }
      return new Tensor(out, x!.shape);
    },
    vjp: (g, [x], y) => [mul(g, derivative(x!, y))],
    jvp: ([t], [x], y) => mul(t!, derivative(x!, y)),
  });
}

// sin' = cos: when sin x is recorded for differentiation, its forward pass computes cos x as well, in
// the same pass of the SIMD kernel (the cos kernel's bits), and the derivative rule cos(x) takes those
// values instead of computing them again. They are cos of x as it was in the forward pass — the
// derivative of the value that pass computed. Kept until the rule uses them (or sin's result is
// collected), in a buffer no scope owns until the rule makes it a tensor's (pool.ts allocUnscoped):
// a tidy scope closing in between cannot hand it out again.
const cosineOf = new WeakMap<Tensor, Float64Array>();
let precomputed: { x: Tensor; values: Float64Array } | null = null;

function sinWithCos(x: Tensor): Tensor | null {
  // (without the SIMD kernels there is no sincos pass: nothing is allocated, the rule computes cos x)
  if (x.size < VECTOR_MIN_LENGTH || !wasmKernelsActive()) return null;
  const out = allocData(x.size);
  const y = new Tensor(out, x.shape);
  const cosines = allocUnscoped(x.size, y);
  if (!vectorSinCos(x.data, out, cosines)) return null;
  countKernel("sin:wasm-simd");
  cosineOf.set(y, cosines);
  return y;
}

// A fused kernel that computes sin x for a tensor that requires grad keeps its cosines the same way (fusion.ts).
setFunctionKeeper({ alloc: (size, owner) => allocUnscoped(size, owner), keepCosines: (y, values) => cosineOf.set(y, values) });

/** sin'(x) = cos(x), through the cosines sin's forward pass kept for its result y when there are any. */
function sinDerivative(x: Tensor, y: Tensor): Tensor {
  const values = cosineOf.get(y);
  if (values === undefined) return cos(x);
  cosineOf.delete(y);
  precomputed = { x, values };
  try {
    return cos(x);
  } finally {
    precomputed = null;
  }
}

/** A derivative that is piecewise constant (its own derivative is zero): a tensor outside the graph. */
function constantDerivative(expr: string): Derivative {
  const kernel = unaryKernel(expr);
  return (x) => {
    const out = allocData(x.size);
    kernel(x.data, out, 0);
    return new Tensor(out, x.shape);
  };
}

const oneMinusSquare = (y: Tensor): Tensor => sub(1, mul(y, y));

export type UnaryOpName =
  | "exp" | "log" | "sqrt" | "square" | "sin" | "cos" | "tan" | "tanh" | "sigmoid" | "softplus" | "relu" | "abs"
  | "asin" | "acos" | "atan" | "sinh" | "cosh" | "erf" | "sign";

/** Each elementwise function: its kernel (JavaScript over `x`) and f'(x) written with engine ops (y = f(x)). */
const UNARY: { readonly [N in UnaryOpName]: readonly [expr: string, derivative: Derivative, helpers?: Record<string, unknown>] } = {
  exp: ["Math.exp(x)", (_x, y) => y],
  log: ["Math.log(x)", (x) => div(1, x)],
  sqrt: ["Math.sqrt(x)", (_x, y) => div(0.5, y)],
  square: ["x * x", (x) => mulScalar(x, 2)],
  sin: ["Math.sin(x)", (x, y) => sinDerivative(x, y)],
  cos: ["Math.cos(x)", (x) => neg(sin(x))],
  tan: ["Math.tan(x)", (_x, y) => addScalar(mul(y, y), 1)],
  tanh: ["Math.tanh(x)", (_x, y) => oneMinusSquare(y)],
  // σ(x) = 1/(1+e^−x), computed without overflow for large |x|; σ' = σ(1 − σ).
  sigmoid: ["x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))", (_x, y) => mul(y, sub(1, y))],
  // softplus(x) = log(1 + e^x), stable form max(x, 0) + log1p(e^−|x|); softplus' = σ.
  softplus: ["(x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)))", (x) => sigmoid(x)],
  relu: ["x > 0 ? x : 0", constantDerivative("x > 0 ? 1 : 0")],
  abs: ["Math.abs(x)", constantDerivative("x > 0 ? 1 : x < 0 ? -1 : 0")],
  asin: ["Math.asin(x)", (x) => div(1, sqrt(oneMinusSquare(x)))],
  acos: ["Math.acos(x)", (x) => div(-1, sqrt(oneMinusSquare(x)))],
  atan: ["Math.atan(x)", (x) => div(1, addScalar(mul(x, x), 1))],
  sinh: ["Math.sinh(x)", (x) => cosh(x)],
  cosh: ["Math.cosh(x)", (x) => sinh(x)],
  // erf' = 2/√π · e^(−x²)
  erf: ["erf(x)", (x) => mulScalar(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)), { erf: erfScalar }],
  // sign' = 0 wherever it exists (PyTorch gives 0 at 0 as well).
  sign: ["Math.sign(x)", constantDerivative("0")],
};

export const unaryRules = Object.fromEntries(
  Object.entries(UNARY).map(([name, [expr, derivative, helpers]]) => [name, elementwise(name, expr, derivative, helpers)]),
) as { readonly [N in UnaryOpName]: OpDef<undefined> };

const unary = (name: UnaryOpName) => (x: Tensor): Tensor => apply(unaryRules[name], [x], undefined);

export const exp = unary("exp");
export const log = unary("log");
export const sqrt = unary("sqrt");
export const square = unary("square");
export const sin = unary("sin");
export const cos = unary("cos");
export const tan = unary("tan");
export const tanh = unary("tanh");
export const sigmoid = unary("sigmoid");
export const softplus = unary("softplus");
export const relu = unary("relu");
export const abs = unary("abs");
export const asin = unary("asin");
export const acos = unary("acos");
export const atan = unary("atan");
export const sinh = unary("sinh");
export const cosh = unary("cosh");
export const erf = unary("erf");
export const sign = unary("sign");

/** GELU, x·Φ(x) with the exact normal CDF Φ(x) = (1 + erf(x/√2))/2. */
export function gelu(x: Tensor): Tensor {
  return mul(x, mulScalar(addScalar(erf(mulScalar(x, Math.SQRT1_2)), 1), 0.5));
}

/** Swish (SiLU), x·σ(x). */
export function swish(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}
