// gradcheck and gradgradcheck themselves: they accept correct derivatives and catch wrong ones, in
// reverse mode, in forward mode, and at second order.

import { describe, expect, it } from "vitest";
import { Tensor, gradcheck, gradgradcheck, mul, neg, tensor, cos } from "../../src/index.js";
import { apply, defineOp } from "../../src/engine/op.js";
import { uniform } from "../helpers/tensors.js";

/** sin with a forward kernel and chosen derivative rules. */
function sinWith(vjpFactor: (x: Tensor) => Tensor, jvpFactor: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  const def = defineOp({
    name: "customSin",
    forward: ([x]) => new Tensor(Float64Array.from(x!.data, Math.sin), x!.shape),
    vjp: (g, [x]) => [mul(g, vjpFactor(x!))],
    jvp: ([t], [x]) => mul(t!, jvpFactor(x!)),
  });
  return (x) => apply(def, [x], undefined);
}

const x = uniform([2, 3], -2, 2, 1);

describe("gradcheck", () => {
  it("returns true on a correct op", () => {
    expect(gradcheck(sinWith(cos, cos), [x])).toBe(true);
    expect(gradcheck((a, b) => a.mul(b).sin(), [x, uniform([3], -1, 1, 2)])).toBe(true);
  });

  it("takes one tensor as a list of one (as torch.autograd.gradcheck); other inputs are TypeErrors (was 'inputs.map is not a function')", () => {
    expect(gradcheck((a) => a.sin(), x)).toBe(true);
    expect(gradgradcheck((a) => a.sin(), x)).toBe(true);
    // A wrong rule is still caught through the one-tensor form: sin with derivative −cos.
    expect(gradcheck(sinWith((t) => neg(cos(t)), cos), x, { raiseException: false })).toBe(false);
    expect(() => gradcheck((a) => a.sin(), [1, 2] as never)).toThrow("gradcheck: input 0 must be a Tensor, got the number 1");
    expect(() => gradcheck((a) => a.sin(), 3 as never)).toThrow("gradcheck: expects the inputs as a tensor or a list of tensors, got the number 3");
    expect(() => gradgradcheck("sin" as never, [x])).toThrow('gradgradcheck: expects a function of tensors first, got the string "sin"');
  });

  it("throws on a wrong reverse rule (or returns false with raiseException: false)", () => {
    const wrong = sinWith((t) => cos(t).mul(2), cos);
    expect(() => gradcheck(wrong, [x])).toThrow(/gradcheck failed: reverse mode: d output\[0\] \/ d input 0\[0\]/);
    expect(gradcheck(wrong, [x], { raiseException: false })).toBe(false);
  });

  it("catches a wrong forward rule, unless forward mode is switched off", () => {
    const wrong = sinWith(cos, (t) => neg(cos(t)));
    expect(() => gradcheck(wrong, [x])).toThrow(/gradcheck failed: forward mode/);
    expect(gradcheck(wrong, [x], { raiseException: false })).toBe(false);
    expect(gradcheck(wrong, [x], { checkForward: false })).toBe(true);
  });

  it("catches an error in one entry only, and respects the tolerances", () => {
    // A derivative wrong by 1e-3 at one element: caught at the default tolerances, accepted at loose ones.
    const offByALittle = sinWith((t) => cos(t).add(tensor([[1e-3, 0, 0], [0, 0, 0]])), cos);
    expect(gradcheck(offByALittle, [x], { raiseException: false })).toBe(false);
    expect(gradcheck(offByALittle, [x], { atol: 1e-2, rtol: 1e-2 })).toBe(true);
  });
});

describe("gradgradcheck", () => {
  it("returns true on a correct op whose rule is differentiable", () => {
    expect(gradgradcheck(sinWith(cos, cos), [x])).toBe(true);
  });

  it("catches a first derivative that is right in value but not differentiable (a constant tensor)", () => {
    // cos computed outside the graph: correct first derivatives, zero second derivative.
    const frozenCos = (t: Tensor): Tensor => new Tensor(Float64Array.from(t.data, Math.cos), t.shape);
    const f = sinWith(frozenCos, frozenCos);
    expect(gradcheck(f, [x])).toBe(true);
    expect(() => gradgradcheck(f, [x])).toThrow(/gradcheck failed/);
    expect(gradgradcheck(f, [x], { raiseException: false })).toBe(false);
  });

  it("catches a rule whose value is right but whose own derivative is wrong", () => {
    // cos(x) + (x − stop(x)): the value of cos x, but derivative 1 instead of −sin x.
    const cosWrongDerivative = (t: Tensor): Tensor => cos(t.detach()).add(t.sub(t.detach()));
    const f = sinWith(cosWrongDerivative, cosWrongDerivative);
    expect(gradcheck(f, [x])).toBe(true);
    expect(gradgradcheck(f, [x], { raiseException: false })).toBe(false);
  });
});
