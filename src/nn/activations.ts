// The activation registry: each activation defined once — the engine function, σ as a symbolic
// function of its pre-activation (from the function table, so that σ', σ'', … follow by
// differentiation for the Taylor-jet kernels), whether those derivatives are polynomials of the
// value σ(z) itself (so kernels compute them from the stored value instead of from z), and the
// fused kernels' own scalar formula and SIMD value kernel where there are ones.
//
// Adding an activation: one row here (CONTRIBUTING.md); test/expressions/functions.test.ts checks
// that every row's engine function, symbolic derivatives and generated kernels agree.

import type { Tensor } from "../engine/tensor.js";
import { gelu, relu, sigmoid, sin, softplus, swish, tanh } from "../engine/ops/index.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";

export type ActivationName = "tanh" | "sigmoid" | "sin" | "softplus" | "gelu" | "swish" | "relu";

export interface ActivationRule {
  /** The differentiable engine function. */
  readonly engine: (x: Tensor) => Tensor;
  /** σ(z) written with the expression language's functions (functions.ts). */
  readonly sym: (z: Sym) => Sym;
  /**
   * σ', σ'', … are polynomials of y = σ(z) (tanh: 1 − y², sigmoid: y(1 − y)): kernels may compute
   * them from the stored value (jet-kernels.ts, wasm-jet-kernels.ts).
   */
  readonly derivativesFromValue: boolean;
  /**
   * The fused jet kernels' own formula for σ(z), where it differs from the function table's
   * (branch-free or faster; within a few units in the last place of it). Used by the JavaScript
   * jet kernels and for the odd element the SIMD kernel leaves.
   */
  readonly jetScalar?: (z: number) => number;
  /** Has a SIMD (WebAssembly f64x2) value kernel, engine/kernels/wasm-activations.ts. */
  readonly simd: boolean;
}

export const ACTIVATION_RULES: { readonly [N in ActivationName]: ActivationRule } = {
  tanh: {
    engine: tanh,
    sym: (z) => S.fn("tanh", z),
    derivativesFromValue: true,
    // tanh z = (e^{2z} − 1)/(e^{2z} + 1) through expm1: within 5e-16 relative of Math.tanh and about
    // 30% faster in V8; |z| > 20 rounds to ±1 (and keeps e^{2z} finite).
    jetScalar: (z) => {
      if (z > 20) return 1;
      if (z < -20) return -1;
      const e = Math.expm1(2 * z);
      return e / (e + 2);
    },
    simd: true,
  },
  sigmoid: {
    engine: sigmoid,
    sym: (z) => S.fn("sigmoid", z),
    derivativesFromValue: true,
    // 1/(1 + e^−x) is exact in the limits (e^−x → ∞ gives 0) and needs no branch.
    jetScalar: (x) => 1 / (1 + Math.exp(-x)),
    simd: true,
  },
  sin: { engine: sin, sym: (z) => S.fn("sin", z), derivativesFromValue: false, simd: false },
  softplus: { engine: softplus, sym: (z) => S.fn("softplus", z), derivativesFromValue: false, simd: false },
  // GELU, z·Φ(z) with the exact normal CDF Φ(z) = (1 + erf(z/√2))/2.
  gelu: {
    engine: gelu,
    sym: (z) => S.mul(z, S.mul(S.num(0.5), S.add(S.ONE, S.fn("erf", S.mul(S.num(Math.SQRT1_2), z))))),
    derivativesFromValue: false,
    simd: false,
  },
  // Swish (SiLU), z·σ(z).
  swish: { engine: swish, sym: (z) => S.mul(z, S.fn("sigmoid", z)), derivativesFromValue: false, simd: false },
  // relu(z) = (z + |z|)/2.
  relu: { engine: relu, sym: (z) => S.mul(S.num(0.5), S.add(z, S.fn("abs", z))), derivativesFromValue: false, simd: false },
};

/** The engine function of each activation, by name. */
export const ACTIVATIONS: Readonly<Record<ActivationName, (x: Tensor) => Tensor>> = Object.fromEntries(
  Object.entries(ACTIVATION_RULES).map(([name, rule]) => [name, rule.engine]),
) as Record<ActivationName, (x: Tensor) => Tensor>;

export function isActivation(name: string): name is ActivationName {
  return Object.prototype.hasOwnProperty.call(ACTIVATION_RULES, name);
}

/** The activation's rule; throws for a name that is not registered. */
export function activationRule(name: string): ActivationRule {
  if (!isActivation(name)) throw new Error(`internal: "${name}" is not a registered activation`);
  return ACTIVATION_RULES[name];
}

/** Whether the fused kernels may compute σ', σ'', … from the stored value σ(z). */
export function derivativesFromValue(name: string): boolean {
  return isActivation(name) && ACTIVATION_RULES[name].derivativesFromValue;
}

/** Whether the activation has a SIMD value kernel (engine/kernels/wasm-activations.ts). */
export function hasSimdKernel(name: string): name is "tanh" | "sigmoid" {
  return isActivation(name) && ACTIVATION_RULES[name].simd;
}
