// grad, grad∘grad and grad∘grad∘grad of every elementwise op against first, second and third
// derivatives derived by hand. For a vector x, grad(Σ f(x)) is f'(x) elementwise (see nthDerivative).

import { describe, expect, it } from "vitest";
import {
  Tensor, grad, tensor, add, sub, mul, div, pow, neg, square, sqrt, exp, log, sin, cos, tan, tanh, sigmoid, softplus, relu,
  abs, asin, acos, atan, sinh, cosh, erf, gelu, swish, clone,
} from "../../src/index.js";
import { awayFromZero, expectClose, mapValues, nthDerivative, uniform } from "../helpers/tensors.js";

type Real = (x: number) => number;

interface Case {
  name: string;
  f: (x: Tensor) => Tensor;
  x: Tensor;
  /** f', f'', f''' */
  d: [Real, Real, Real];
}

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const SQRT_2PI = Math.sqrt(2 * Math.PI);
/** Standard normal density φ. */
const phi = (x: number): number => Math.exp(-x * x / 2) / SQRT_2PI;
/** Standard normal CDF Φ(x) = 1/2 + ∫₀ˣ φ, by composite Simpson (independent of the engine's erf). */
function Phi(x: number): number {
  const n = 2000;
  const h = x / n;
  let s = phi(0) + phi(x);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * phi(i * h);
  return 0.5 + (s * h) / 3;
}
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

const vec = (lo: number, hi: number, seed: number): Tensor => uniform([5], lo, hi, seed);

const CASES: Case[] = [
  { name: "neg", f: neg, x: vec(-2, 2, 1), d: [() => -1, () => 0, () => 0] },
  { name: "square", f: square, x: vec(-2, 2, 2), d: [(x) => 2 * x, () => 2, () => 0] },
  { name: "x·x", f: (x) => mul(x, x), x: vec(-2, 2, 3), d: [(x) => 2 * x, () => 2, () => 0] },
  { name: "clone", f: clone, x: vec(-2, 2, 4), d: [() => 1, () => 0, () => 0] },
  // √x: ½x^(−1/2), −¼x^(−3/2), ⅜x^(−5/2)
  { name: "sqrt", f: sqrt, x: vec(0.3, 3, 5), d: [(x) => 0.5 * x ** -0.5, (x) => -0.25 * x ** -1.5, (x) => 0.375 * x ** -2.5] },
  { name: "exp", f: exp, x: vec(-2, 2, 6), d: [Math.exp, Math.exp, Math.exp] },
  { name: "log", f: log, x: vec(0.3, 3, 7), d: [(x) => 1 / x, (x) => -1 / x ** 2, (x) => 2 / x ** 3] },
  { name: "sin", f: sin, x: vec(-3, 3, 8), d: [Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x)] },
  { name: "cos", f: cos, x: vec(-3, 3, 9), d: [(x) => -Math.sin(x), (x) => -Math.cos(x), Math.sin] },
  // tan' = 1 + t², tan'' = 2t(1 + t²), tan''' = (2 + 6t²)(1 + t²)  with t = tan x
  {
    name: "tan", f: tan, x: vec(-1.2, 1.2, 10),
    d: [(x) => 1 + Math.tan(x) ** 2, (x) => 2 * Math.tan(x) * (1 + Math.tan(x) ** 2), (x) => (2 + 6 * Math.tan(x) ** 2) * (1 + Math.tan(x) ** 2)],
  },
  // s = sech²x = 1 − t²: tanh' = s, tanh'' = −2ts, tanh''' = −2s(1 − 3t²)
  {
    name: "tanh", f: tanh, x: vec(-2, 2, 11),
    d: [
      (x) => 1 - Math.tanh(x) ** 2,
      (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
      (x) => -2 * (1 - Math.tanh(x) ** 2) * (1 - 3 * Math.tanh(x) ** 2),
    ],
  },
  // σ' = σ(1−σ), σ'' = σ(1−σ)(1−2σ), σ''' = σ(1−σ)(1 − 6σ + 6σ²)
  {
    name: "sigmoid", f: sigmoid, x: vec(-3, 3, 12),
    d: [
      (x) => sig(x) * (1 - sig(x)),
      (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
      (x) => sig(x) * (1 - sig(x)) * (1 - 6 * sig(x) + 6 * sig(x) ** 2),
    ],
  },
  // softplus' = σ, so its derivatives are σ's shifted by one order.
  {
    name: "softplus", f: softplus, x: vec(-3, 3, 13),
    d: [sig, (x) => sig(x) * (1 - sig(x)), (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x))],
  },
  { name: "relu", f: relu, x: awayFromZero([6], 0.1, 2, 14), d: [(x) => (x > 0 ? 1 : 0), () => 0, () => 0] },
  { name: "abs", f: abs, x: awayFromZero([6], 0.1, 2, 15), d: [Math.sign, () => 0, () => 0] },
  // asin' = (1−x²)^(−1/2), asin'' = x(1−x²)^(−3/2), asin''' = (1 + 2x²)(1−x²)^(−5/2)
  {
    name: "asin", f: asin, x: vec(-0.85, 0.85, 16),
    d: [(x) => (1 - x * x) ** -0.5, (x) => x * (1 - x * x) ** -1.5, (x) => (1 + 2 * x * x) * (1 - x * x) ** -2.5],
  },
  {
    name: "acos", f: acos, x: vec(-0.85, 0.85, 17),
    d: [(x) => -((1 - x * x) ** -0.5), (x) => -x * (1 - x * x) ** -1.5, (x) => -(1 + 2 * x * x) * (1 - x * x) ** -2.5],
  },
  // atan' = 1/(1+x²), atan'' = −2x/(1+x²)², atan''' = (6x² − 2)/(1+x²)³
  {
    name: "atan", f: atan, x: vec(-2, 2, 18),
    d: [(x) => 1 / (1 + x * x), (x) => (-2 * x) / (1 + x * x) ** 2, (x) => (6 * x * x - 2) / (1 + x * x) ** 3],
  },
  { name: "sinh", f: sinh, x: vec(-2, 2, 19), d: [Math.cosh, Math.sinh, Math.cosh] },
  { name: "cosh", f: cosh, x: vec(-2, 2, 20), d: [Math.sinh, Math.cosh, Math.sinh] },
  // erf' = (2/√π)e^(−x²), erf'' = (2/√π)(−2x)e^(−x²), erf''' = (2/√π)(4x² − 2)e^(−x²)
  {
    name: "erf", f: erf, x: vec(-2, 2, 21),
    d: [
      (x) => TWO_OVER_SQRT_PI * Math.exp(-x * x),
      (x) => TWO_OVER_SQRT_PI * -2 * x * Math.exp(-x * x),
      (x) => TWO_OVER_SQRT_PI * (4 * x * x - 2) * Math.exp(-x * x),
    ],
  },
  // gelu = xΦ: gelu' = Φ + xφ, gelu'' = φ(2 − x²), gelu''' = φ(x³ − 4x)   (φ' = −xφ)
  { name: "gelu", f: gelu, x: vec(-3, 3, 22), d: [(x) => Phi(x) + x * phi(x), (x) => phi(x) * (2 - x * x), (x) => phi(x) * (x ** 3 - 4 * x)] },
  // swish = xσ: swish' = σ + xσ', swish'' = 2σ' + xσ'', swish''' = 3σ'' + xσ'''
  {
    name: "swish", f: swish, x: vec(-3, 3, 23),
    d: [
      (x) => sig(x) + x * sig(x) * (1 - sig(x)),
      (x) => 2 * sig(x) * (1 - sig(x)) + x * sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
      (x) => 3 * sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)) + x * sig(x) * (1 - sig(x)) * (1 - 6 * sig(x) + 6 * sig(x) ** 2),
    ],
  },
  { name: "x + 2", f: (x) => add(x, 2), x: vec(-2, 2, 24), d: [() => 1, () => 0, () => 0] },
  { name: "2 − x", f: (x) => sub(2, x), x: vec(-2, 2, 25), d: [() => -1, () => 0, () => 0] },
  { name: "x·(−3)", f: (x) => x.mul(-3), x: vec(-2, 2, 26), d: [() => -3, () => 0, () => 0] },
  { name: "x / 4", f: (x) => x.div(4), x: vec(-2, 2, 27), d: [() => 0.25, () => 0, () => 0] },
  { name: "1 / x", f: (x) => div(1, x), x: awayFromZero([5], 0.4, 2, 28), d: [(x) => -1 / x ** 2, (x) => 2 / x ** 3, (x) => -6 / x ** 4] },
  // Regression: the power rule c·x^(c−1) gave 0·x^(−1) = NaN at x = 0 for c = 0.
  { name: "x^0 (number exponent, including x = 0)", f: (x) => pow(x, 0), x: tensor([0, -1.5, 2]), d: [() => 0, () => 0, () => 0] },
  { name: "x³ (number exponent)", f: (x) => pow(x, 3), x: vec(-2, 2, 29), d: [(x) => 3 * x * x, (x) => 6 * x, () => 6] },
  {
    name: "x^2.5 (number exponent)", f: (x) => pow(x, 2.5), x: vec(0.3, 3, 30),
    d: [(x) => 2.5 * x ** 1.5, (x) => 3.75 * x ** 0.5, (x) => 1.875 * x ** -0.5],
  },
  // A tensor exponent c (constant): the general a^b rule with ∂/∂a = b·a^(b−1).
  {
    name: "x^c (tensor exponent c = 2.5)", f: (x) => pow(x, tensor(2.5)), x: vec(0.3, 3, 31),
    d: [(x) => 2.5 * x ** 1.5, (x) => 3.75 * x ** 0.5, (x) => 1.875 * x ** -0.5],
  },
  // 2^x = e^(x ln 2): k-th derivative (ln 2)^k · 2^x, through the tensor-exponent rule y·log a.
  { name: "2^x", f: (x) => pow(2, x), x: vec(-2, 2, 32), d: [(x) => Math.LN2 * 2 ** x, (x) => Math.LN2 ** 2 * 2 ** x, (x) => Math.LN2 ** 3 * 2 ** x] },
  // x / c with a tensor c, and c / x with a tensor c (the general div rule).
  { name: "x / c (tensor c = 4)", f: (x) => div(x, tensor(4)), x: vec(-2, 2, 33), d: [() => 0.25, () => 0, () => 0] },
  { name: "c / x (tensor c = 3)", f: (x) => div(tensor(3), x), x: awayFromZero([5], 0.4, 2, 34), d: [(x) => -3 / x ** 2, (x) => 6 / x ** 3, (x) => -18 / x ** 4] },
  // x^x = e^(x ln x): (x^x)' = x^x(ln x + 1), (x^x)'' = x^x((ln x + 1)² + 1/x),
  // (x^x)''' = x^x((ln x + 1)³ + 3(ln x + 1)/x − 1/x²)
  {
    name: "x^x (both operands the same tensor)", f: (x) => pow(x, x), x: vec(0.4, 2.5, 35),
    d: [
      (x) => x ** x * (Math.log(x) + 1),
      (x) => x ** x * ((Math.log(x) + 1) ** 2 + 1 / x),
      (x) => x ** x * ((Math.log(x) + 1) ** 3 + (3 * (Math.log(x) + 1)) / x - 1 / x ** 2),
    ],
  },
];

describe("grad, grad(grad) and grad(grad(grad)) against hand-derived derivatives", () => {
  describe.each(CASES.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    it.each([1, 2, 3])("derivative of order %i", (order) => {
      const got = nthDerivative(c.f, order)(c.x);
      expect(got.shape).toEqual(c.x.shape);
      expectClose(got, mapValues(c.x, c.d[order - 1]!), { atol: 1e-11, rtol: 1e-10 });
    });
  });

  it("grad of a scalar function of a 0-d tensor nests to the fourth derivative", () => {
    // f = x⁴ sin x;  f'''' = 24 sin x + 96x cos x − 72x² sin x − 16x³ cos x + x⁴ sin x
    const f = (x: Tensor): Tensor => pow(x, 4).mul(sin(x));
    const d4 = grad(grad(grad(grad(f))));
    const x = 0.7;
    const expected = 24 * Math.sin(x) + 96 * x * Math.cos(x) - 72 * x * x * Math.sin(x) - 16 * x ** 3 * Math.cos(x) + x ** 4 * Math.sin(x);
    expectClose(d4(tensor(x)), expected, { rtol: 1e-12 });
  });

  it("a derivative that no longer depends on x gives zeros at the next order", () => {
    const x = tensor([1, 2, 3]);
    const d2 = nthDerivative((t) => t.mul(5), 2)(x);
    expect(Array.from(d2.data)).toEqual([0, 0, 0]);
  });
});
