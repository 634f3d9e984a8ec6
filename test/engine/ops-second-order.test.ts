// Second derivatives of every op: gradgradcheck differentiates each op's vector–Jacobian product
// (built with createGraph) again, in reverse and forward mode, against finite differences.

import { describe, expect, it } from "vitest";
import { Tensor, gradgradcheck, matmul } from "../../src/index.js";
import { binaryCases, layoutCases, matmulCases, numberOperandCases, reductionCases, selectionCases, unaryCases, type OpCase } from "../helpers/op-cases.js";
import { uniform } from "../helpers/tensors.js";

function check(c: OpCase): void {
  expect(gradgradcheck(c.f, c.inputs)).toBe(true);
}

describe("gradgradcheck (second order, reverse and forward mode) of every op", () => {
  it.each(unaryCases().map((c) => [c.name, c] as const))("elementwise %s", (_n, c) => check(c));
  it.each(binaryCases().map((c) => [c.name, c] as const))("binary %s", (_n, c) => check(c));
  it.each(numberOperandCases().map((c) => [c.name, c] as const))("number operand %s", (_n, c) => check(c));
  it.each(matmulCases().map((c) => [c.name, c] as const))("%s", (_n, c) => check(c));
  it.each(reductionCases().map((c) => [c.name, c] as const))("%s", (_n, c) => check(c));
  it.each(layoutCases().map((c) => [c.name, c] as const))("%s", (_n, c) => check(c));
  it.each(selectionCases().map((c) => [c.name, c] as const))("%s", (_n, c) => check(c));

  it("a composite network-like function", () => {
    const f = (w: Tensor, x: Tensor): Tensor => matmul(x, w).tanh().square().sum(-1);
    expect(gradgradcheck(f, [uniform([3, 2], -1, 1, 20), uniform([4, 3], -1, 1, 21)])).toBe(true);
  });
});
