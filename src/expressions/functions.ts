// The functions of the expression language, each defined once: its value, its partial derivatives
// (written with the symbolic ops, so that derivatives of every order follow by differentiating
// them again), the engine op that evaluates it on tensors, the JavaScript the kernel generators
// emit for it, and a bound on its size used to scale loss terms. Every consumer reads this table:
// symbolic.ts (folding, differentiation, printing), evaluate.ts (engine ops), kernel.ts and
// jets/jet-kernels.ts (generated code), residual/scales.ts (magnitudes) and, through the
// activation registry (nn/activations.ts), jets/taylor.ts.
//
// Adding a function: one row here (and, if the engine lacks the op, a primitive in
// engine/ops/ — see CONTRIBUTING.md). test/expressions/functions.test.ts checks every row.

import type { Tensor, Operand } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import { erf } from "../engine/kernels/elementwise.js";
import * as S from "./symbolic.js";
import type { Sym } from "./symbolic.js";

export interface FunctionRule {
  /** Number of arguments. */
  readonly arity: 1 | 2;
  /** Callable in problem files; the others serve derivatives and activations. */
  readonly user: boolean;
  /** The value at numbers (constant folding, magnitudes). */
  readonly value: (...x: number[]) => number;
  /**
   * ∂f/∂(argument i), for i < arity, as expressions of the arguments and of y = f(args) itself
   * (where that is simpler), written with the symbolic ops.
   */
  readonly partials: (args: readonly Sym[], y: Sym) => Sym[];
  /** The engine op: differentiable, elementwise over tensors (a number argument is a constant). */
  readonly engine: (...x: Operand[]) => Tensor;
  /**
   * JavaScript for the value, given the arguments' code (identifiers, literals or parenthesised
   * expressions). It may call the helpers of CODE_HELPERS by name.
   */
  readonly code: (...a: string[]) => string;
  /** A typical size of f for arguments of sizes m ≥ 0 (an upper estimate, for scaling residuals). */
  readonly magnitude: (...m: number[]) => number;
}

/** Functions generated code may call, by name (compileKernel passes them in by name). */
export const CODE_HELPERS: Readonly<Record<string, (x: number) => number>> = { erf };

function unary(fn: (x: Tensor) => Tensor): (...x: Operand[]) => Tensor {
  return (x) => fn(x as Tensor);
}

/** (1 + sign(d))/2: 1 where d > 0, 0 where d < 0, ½ at a tie (the derivative of max and min, split as PyTorch does). */
const step = (d: Sym): Sym => S.mul(S.num(0.5), S.add(S.ONE, S.fn("sign", d)));

const sigmoidValue = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplusValue = (x: number): number => (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** A one-argument function evaluated by the Math method of the same name. */
function math1(
  name: "sin" | "cos" | "tan" | "exp" | "log" | "sqrt" | "abs" | "tanh" | "sinh" | "cosh" | "asin" | "acos" | "atan" | "sign",
  partial: (a: Sym, y: Sym) => Sym,
  magnitude: (m: number) => number,
): FunctionRule {
  return {
    arity: 1,
    user: true,
    value: Math[name],
    partials: ([a], y) => [partial(a!, y)],
    engine: unary(ops[name]),
    code: (a) => `Math.${name}(${a})`,
    magnitude,
  };
}

const arcDerivative = (a: Sym): Sym => S.div(S.ONE, S.fn("sqrt", S.sub(S.ONE, S.mul(a, a))));

/** Every function's name: user-callable ones first, in the order error messages list them. */
export type FunctionName =
  | "sin" | "cos" | "tan" | "exp" | "log" | "sqrt" | "abs" | "tanh" | "sinh" | "cosh" | "asin" | "acos" | "atan"
  | "sigmoid" | "sign" | "erf" | "atan2" | "min" | "max"
  | "softplus";

export const FUNCTION_RULES: { readonly [N in FunctionName]: FunctionRule } = {
  sin: math1("sin", (a) => S.fn("cos", a), (m) => Math.min(m, 1)),
  cos: math1("cos", (a) => S.neg(S.fn("sin", a)), () => 1),
  tan: math1("tan", (_a, y) => S.add(S.ONE, S.mul(y, y)), (m) => Math.max(m, 1)),
  exp: math1("exp", (_a, y) => y, (m) => Math.exp(m)),
  log: math1("log", (a) => S.div(S.ONE, a), (m) => Math.max(1, Math.abs(Math.log(m)))),
  sqrt: math1("sqrt", (_a, y) => S.div(S.num(0.5), y), (m) => Math.sqrt(m)),
  abs: math1("abs", (a) => S.fn("sign", a), (m) => m),
  tanh: math1("tanh", (_a, y) => S.sub(S.ONE, S.mul(y, y)), (m) => Math.min(m, 1)),
  sinh: math1("sinh", (a) => S.fn("cosh", a), (m) => Math.sinh(m)),
  cosh: math1("cosh", (a) => S.fn("sinh", a), (m) => Math.exp(m)),
  asin: math1("asin", arcDerivative, () => Math.PI / 2),
  acos: math1("acos", (a) => S.neg(arcDerivative(a)), () => Math.PI / 2),
  atan: math1("atan", (a) => S.div(S.ONE, S.add(S.ONE, S.mul(a, a))), (m) => Math.min(m, 1)),
  // σ(x) = 1/(1 + e^−x), in the form that does not overflow for large |x|; σ' = σ(1 − σ).
  sigmoid: {
    arity: 1,
    user: true,
    value: sigmoidValue,
    partials: (_a, y) => [S.mul(y, S.sub(S.ONE, y))],
    engine: unary(ops.sigmoid),
    code: (a) => `(${a} >= 0 ? 1 / (1 + Math.exp(-${a})) : Math.exp(${a}) / (1 + Math.exp(${a})))`,
    magnitude: () => 1,
  },
  // sign' = 0 wherever it exists.
  sign: math1("sign", () => S.ZERO, () => 1),
  // erf' = 2/√π · e^(−a²)
  erf: {
    arity: 1,
    user: true,
    value: erf,
    partials: ([a]) => [S.mul(S.num(2 / Math.sqrt(Math.PI)), S.fn("exp", S.neg(S.mul(a!, a!))))],
    engine: unary(ops.erf),
    code: (a) => `erf(${a})`,
    magnitude: (m) => Math.min(m, 1),
  },
  // atan2(y, x), the angle of (x, y) in (−π, π]: ∂/∂y = x/(x² + y²), ∂/∂x = −y/(x² + y²).
  atan2: {
    arity: 2,
    user: true,
    value: Math.atan2,
    partials: ([y, x]) => {
      const r2 = S.add(S.mul(x!, x!), S.mul(y!, y!));
      return [S.div(x!, r2), S.neg(S.div(y!, r2))];
    },
    engine: ops.atan2,
    code: (y, x) => `Math.atan2(${y}, ${x})`,
    magnitude: () => Math.PI / 2,
  },
  min: {
    arity: 2,
    user: true,
    value: Math.min,
    partials: ([a, b]) => [step(S.sub(b!, a!)), step(S.sub(a!, b!))],
    engine: ops.minimum,
    code: (a, b) => `Math.min(${a}, ${b})`,
    magnitude: (p, q) => Math.max(p, q),
  },
  max: {
    arity: 2,
    user: true,
    value: Math.max,
    partials: ([a, b]) => [step(S.sub(a!, b!)), step(S.sub(b!, a!))],
    engine: ops.maximum,
    code: (a, b) => `Math.max(${a}, ${b})`,
    magnitude: (p, q) => Math.max(p, q),
  },
  // Internal (activations): softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^−|x|); softplus' = σ.
  softplus: {
    arity: 1,
    user: false,
    value: softplusValue,
    partials: ([a]) => [S.fn("sigmoid", a!)],
    engine: unary(ops.softplus),
    code: (a) => `((${a} > 0 ? ${a} : 0) + Math.log1p(Math.exp(-Math.abs(${a}))))`,
    magnitude: (m) => Math.max(m, Math.LN2),
  },
};

/** The rule of a function, with its name checked (generated code never calls an unlisted function). */
export function functionRule(name: string): FunctionRule {
  if (!Object.prototype.hasOwnProperty.call(FUNCTION_RULES, name)) throw new Error(`internal: "${name}" is not in the function table`);
  return FUNCTION_RULES[name as FunctionName];
}

/** The functions problem files may call, in the order error messages list them. */
export const USER_FUNCTIONS = (Object.keys(FUNCTION_RULES) as FunctionName[]).filter((n) => FUNCTION_RULES[n].user);
