// Every op the README lists is also a Tensor method (a PyTorch user writes x.sign(), x.maximum(y),
// x.mm(y)); the methods are the functional ops, so they must give the same bits, the values of
// closed forms, and pass gradcheck / gradgradcheck (first and second order against finite differences).

import { describe, expect, it } from "vitest";
import { Tensor, atan2, gelu, gradcheck, gradgradcheck, maximum, minimum, mm, sign, sumTo, swish, tensor } from "../../src/index.js";
import { uniform } from "../helpers/tensors.js";

const bits = (t: Tensor): number[] => Array.from(t.data);

describe("Tensor methods for the README's ops", () => {
  const x = tensor([[-1.5, -0.2, 0.3], [0.7, 1.1, 2.0]]);
  const y = tensor([[0.4, -0.2, -0.9], [1.7, 0.5, -2.5]]);

  it("give the same values as the functional ops", () => {
    expect(bits(x.sign())).toEqual(bits(sign(x)));
    expect(bits(x.gelu())).toEqual(bits(gelu(x)));
    expect(bits(x.swish())).toEqual(bits(swish(x)));
    expect(bits(x.atan2(y))).toEqual(bits(atan2(x, y)));
    expect(bits(x.maximum(y))).toEqual(bits(maximum(x, y)));
    expect(bits(x.minimum(0.25))).toEqual(bits(minimum(x, 0.25)));
    expect(bits(x.mm(y, false, true))).toEqual(bits(mm(x, y, false, true)));
    expect(bits(x.sumTo([1, 3]))).toEqual(bits(sumTo(x, [1, 3])));
  });

  it("softplus and gelu refuse PyTorch's parameters instead of ignoring them", () => {
    // x.softplus(2) returned log(1 + eˣ) as if beta were 1; x.gelu("tanh") the exact form.
    expect(() => x.softplus(...([2] as never[]))).toThrow("softplus() takes no parameters, got the number 2 (for beta ≠ 1 write x.mul(beta).softplus().div(beta))");
    expect(() => x.gelu(...(["tanh"] as never[]))).toThrow(/^gelu\(\) takes no parameters, got the string "tanh"/);
  });

  it("match closed forms", () => {
    // sign, max, min, atan2 elementwise by Math.*; swish = x/(1+e^-x); x·yᵀ and column sums by hand.
    expect(x.sign().toArray()).toEqual([[-1, -1, 1], [1, 1, 1]]);
    expect(x.maximum(y).toArray()).toEqual([[0.4, -0.2, 0.3], [1.7, 1.1, 2.0]]);
    expect(x.minimum(0.25).toArray()).toEqual([[-1.5, -0.2, 0.25], [0.25, 0.25, 0.25]]);
    const xs = [-1.5, -0.2, 0.3, 0.7, 1.1, 2.0], ys = [0.4, -0.2, -0.9, 1.7, 0.5, -2.5];
    Array.from(x.atan2(y).data).forEach((v, i) => expect(v).toBeCloseTo(Math.atan2(xs[i]!, ys[i]!), 15));
    Array.from(x.swish().data).forEach((v, i) => expect(v).toBeCloseTo(xs[i]! / (1 + Math.exp(-xs[i]!)), 15));
    // gelu(1.1) = 1.1·Φ(1.1), Φ(1.1) = 0.86433393905361733 (normal CDF tables; scipy.stats.norm.cdf(1.1))
    expect(x.gelu().data[4]).toBeCloseTo(1.1 * 0.86433393905361733, 14);
    const xyT = [
      [-1.5 * 0.4 + -0.2 * -0.2 + 0.3 * -0.9, -1.5 * 1.7 + -0.2 * 0.5 + 0.3 * -2.5],
      [0.7 * 0.4 + 1.1 * -0.2 + 2.0 * -0.9, 0.7 * 1.7 + 1.1 * 0.5 + 2.0 * -2.5],
    ];
    Array.from(x.mm(y, false, true).data).forEach((v, i) => expect(v).toBeCloseTo(xyT.flat()[i]!, 14));
    expect(x.sumTo([1, 3]).toArray()).toEqual([[-1.5 + 0.7, -0.2 + 1.1, 0.3 + 2.0]]);
  });

  it("pass gradcheck and gradgradcheck (away from the kinks of sign, maximum and minimum)", () => {
    const a = uniform([2, 3], -1, 1, 41), b = uniform([2, 3], 1.5, 2.5, 42);
    const cases: [string, (p: Tensor, q: Tensor) => Tensor][] = [
      ["sign", (p, q) => p.sign().mul(q)],
      ["gelu", (p) => p.gelu()],
      ["swish", (p) => p.swish()],
      ["atan2", (p, q) => p.atan2(q)],
      ["maximum", (p, q) => p.maximum(q).mul(p)],
      ["minimum", (p, q) => p.minimum(q).mul(p)],
      ["mm", (p, q) => p.mm(q, true, false).tanh()],
      ["sumTo", (p, q) => p.mul(q).sumTo([1, 3]).sin()],
    ];
    for (const [name, f] of cases) {
      expect(gradcheck(f, [a, b]), name).toBe(true);
      expect(gradgradcheck(f, [a, b]), name).toBe(true);
    }
  });
});
