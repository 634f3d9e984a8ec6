// Misuses from plain JavaScript (no type checker) that used to be accepted or to fail with a
// misleading message (found by the library pass, /work/notes/s21/libqa-files/09_hostile.mjs).

import { describe, expect, it } from "vitest";
import { gradients, partial, sum, tensor } from "../../src/index.js";

describe("misuse from plain JavaScript", () => {
  it("backward() with a .grad that is not a Tensor of the leaf's shape says what .grad must be", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    (x as { grad: unknown }).grad = [1, 2];
    expect(() => x.square().sum().backward()).toThrow(/\.grad of a tensor of shape \[2\] must be null or a Tensor of that shape, got an array of length 2/);
    x.grad = tensor([1, 2, 3]);
    expect(() => x.square().sum().backward()).toThrow(/must be null or a Tensor of that shape, got a tensor of shape \[3\]/);
    // a held gradient of the right shape accumulates: 10 + d/dx Σx² = 10 + 2x
    x.grad = tensor([10, 10]);
    x.square().sum().backward();
    expect(Array.from(x.grad.data)).toEqual([12, 14]);
  });

  it("backward() and gradients() take an options object whose flags are booleans", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.square().sum();
    expect(() => y.backward(undefined, { createGraph: 1 as never })).toThrow(/backward\(\): createGraph must be true or false, got the number 1/);
    expect(() => y.backward(undefined, "yes" as never)).toThrow(/backward\(\): options must be an object/);
    expect(() => y.backward(undefined, { retainGraf: true } as never)).toThrow(/unknown option "retainGraf" \(the options are createGraph, retainGraph\)/);
    expect(() => y.backward(undefined, { retainGraph: "yes" } as never)).toThrow(/backward\(\): retainGraph must be true or false, got the string "yes"/);
    expect(() => gradients(y, x, { retainGraph: 0 as never })).toThrow(/gradients\(\): retainGraph must be true or false/);
    expect(() => gradients(y, x, { createGraph: "true" as never })).toThrow(/gradients\(\): createGraph must be true or false, got the string "true"/);
    expect(() => gradients(y, x, { allowUnused: 1 as never })).toThrow(/allowUnused must be true or false/);
    expect(() => gradients(y, x, null as never)).toThrow(/gradients\(\): options must be an object/);
    // valid: d/dx Σx² = 2x
    expect(Array.from(gradients(y, x, { createGraph: false })[0]!.data)).toEqual([2, 4]);
  });

  it("sum / mean with an axis listed twice are refused (NumPy and torch refuse them)", () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => sum(x, [0, 0])).toThrow(/sum: axis 0 appears twice in \[0, 0\]/);
    expect(() => x.mean([1, -1])).toThrow(/mean: axis -1 appears twice in \[1, -1\]/);
    // distinct axes: 1 + 2 + 3 + 4 = 10
    expect(sum(x, [0, 1]).item()).toBe(10);
  });

  it("partial() says its axes are column indices of X", () => {
    const X = tensor([[0.5, 1], [2, 3]], { requiresGrad: true });
    const u = X.column(0).square(); // u = x², u_x = 2x
    expect(() => partial(u, X, "x" as never)).toThrow(/partial: each axis is a column index of X \(0 for its first coordinate.*got the string "x"/);
    expect(() => partial(u, X, 2)).toThrow(/axis 2 is out of range for X of shape \[2, 2\] \(column indices 0 to 1\)/);
    expect(Array.from(partial(u, X, 0).data)).toEqual([1, 4]);
  });
});
