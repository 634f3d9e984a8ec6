// The optimizers' arguments are checked as torch.optim checks them (Adam: lr ≥ 0, 0 ≤ β < 1; eps > 0
// here, since eps = 0 gives 0/0 where a gradient is 0): a TypeError or RangeError naming the
// argument, the value and the valid range, never a crash inside or a NaN in the parameters.

import { describe, expect, it } from "vitest";
import { Adam, LBFGS, tensor } from "../../src/index.js";
import { BFGS } from "../../src/optim/bfgs.js";

const p = (): ReturnType<typeof tensor> => tensor([1, 2], { requiresGrad: true });

describe("optimizer arguments", () => {
  it("params must be an array of leaf tensors", () => {
    for (const make of [(x: never) => new Adam(x), (x: never) => new LBFGS(x), (x: never) => new BFGS(x)]) {
      expect(() => make(p() as never)).toThrow(TypeError);
      expect(() => make(p() as never)).toThrow(/params must be an array of tensors, got one Tensor \(shape \[2\]\); pass \[x\]/);
      expect(() => make([p(), 3] as never)).toThrow(/params\[1\] must be a Tensor, got the number 3/);
      expect(() => make([p().mul(2)] as never)).toThrow(/params\[0\] \(shape \[2\]\) is the result of an op/);
      expect(() => make([] as never)).toThrow(RangeError);
    }
  });

  it("Adam: lr, betas, eps, weightDecay out of range or of the wrong type are refused, naming the option", () => {
    expect(() => new Adam([p()], { lr: "0.1" as never })).toThrow(/Adam: lr must be a number, got the string "0.1"/);
    expect(() => new Adam([p()], { lr: -1 })).toThrow(/Adam: lr must be a finite number in \[0, ∞\), got the number -1/);
    expect(() => new Adam([p()], { lr: NaN })).toThrow(RangeError);
    expect(() => new Adam([p()], { betas: [1.5, 0.999] })).toThrow(/Adam: betas\[0\] must be a finite number in \[0, 1\), got the number 1.5/);
    expect(() => new Adam([p()], { betas: [0.9, 1] })).toThrow(/betas\[1\]/);
    expect(() => new Adam([p()], { betas: 0.9 as never })).toThrow(/betas must be an array of two numbers/);
    expect(() => new Adam([p()], { eps: 0 })).toThrow(/Adam: eps must be a finite number in \(0, ∞\), got the number 0/);
    expect(() => new Adam([p()], { weightDecay: -0.1 })).toThrow(/weightDecay/);
    expect(() => new Adam([p()], { learningRate: 0.1 } as never)).toThrow(/unknown option "learningRate"/);
    expect(() => new Adam([p()], 0.1 as never)).toThrow(/options must be an object/);
    // lr = 0 and β = 0 are valid, as in torch
    expect(() => new Adam([p()], { lr: 0, betas: [0, 0] })).not.toThrow();
  });

  it("Adam: an lr made NaN between steps (a schedule) throws at step() and leaves the parameters as they were", () => {
    const x = p();
    x.square().sum().backward();
    const opt = new Adam([x]);
    opt.lr = NaN;
    expect(() => opt.step()).toThrow(/Adam: lr must be a number|Adam: lr must be a finite number/);
    expect(Array.from(x.data)).toEqual([1, 2]);
  });

  it("L-BFGS and BFGS: option types and names are checked (ranges as before)", () => {
    expect(() => new LBFGS([p()], { lr: "1" as never })).toThrow(/LBFGS: lr must be a number, got the string "1"/);
    expect(() => new LBFGS([p()], { tolGrad: "0" as never })).toThrow(/LBFGS: tolGrad must be a number/);
    expect(() => new LBFGS([p()], { historySize: Infinity })).toThrow(/historySize must be a finite number/);
    expect(() => new LBFGS([p()], { history: 5 } as never)).toThrow(/unknown option "history"/);
    expect(() => new LBFGS([p()], { lr: -1 })).toThrow(/lr must be finite and positive/);
    expect(() => new BFGS([p()], { threads: "2" as never })).toThrow(/BFGS: threads must be a number/);
    expect(() => new BFGS([p()], { update: "ssbfgs", threads: 1 })).not.toThrow();
  });
});
