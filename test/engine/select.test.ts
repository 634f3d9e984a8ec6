// where(cond, a, b) and clamp(x, min, max). The expected numbers were computed with PyTorch 1.13
// (float64; the script is in the comment of each case) and are checked by hand: where passes g to
// the chosen operand, clamp passes g where min ≤ x ≤ max, bounds included.

import { describe, expect, it } from "vitest";
import { arange, clamp, gradients, hessian, tensor, where } from "../../src/index.js";

describe("where", () => {
  it("selects with broadcasting; the gradient reaches the chosen operand only (as torch.where)", () => {
    // a = [[1,2,3]] (1×3), b = [[10],[20]] (2×1), c = [T,F,T]; w = where(c, a, b); (w·w).sum().backward()
    // torch: w = [[1,10,3],[1,20,3]], a.grad = [[4,0,12]] (2·a·2 rows where chosen), b.grad = [[20],[40]] (2·b where not)
    const a = tensor([[1, 2, 3]], { requiresGrad: true });
    const b = tensor([[10], [20]], { requiresGrad: true });
    const w = where([true, false, true], a, b);
    expect(w.toArray()).toEqual([[1, 10, 3], [1, 20, 3]]);
    w.mul(w).sum().backward();
    expect(a.grad!.toArray()).toEqual([[4, 0, 12]]);
    expect(b.grad!.toArray()).toEqual([[20], [40]]);
    // the same with a 0/1 tensor as the condition, and the method form a.where(cond, b)
    expect(a.where(tensor([1, 0, 1]), b).toArray()).toEqual([[1, 10, 3], [1, 20, 3]]);
  });

  it("numbers as operands; higher derivatives follow (d²/dx² of where(c, x³, x²) is 6x or 2)", () => {
    const x = tensor([1.5, -2]);
    const c = tensor([1, 0]);
    const f = (z: typeof x) => where(c, z.pow(3), z.square()).sum();
    // Hessian diagonal: 6·1.5 = 9 where x³ is chosen, 2 where x² is
    expect(hessian(f)(x).toArray()).toEqual([[9, 0], [0, 2]]);
    expect(where(c, x, 7).toArray()).toEqual([1.5, 7]);
  });

  it("a condition that is not 0/1 or booleans is refused", () => {
    const x = tensor([1, 2]);
    expect(() => where(tensor([1, 0.5]), x, 0)).toThrow(/where: cond \(shape \[2\]\) must hold only 0 and 1, value 1 is 0.5/);
    expect(() => where("yes" as never, x, 0)).toThrow(/cond must be a tensor of 0s and 1s or an array of booleans/);
    expect(() => where([true, false, true], x, 0)).toThrow(/cannot be broadcast/);
  });

  it("like torch.where, a branch not taken with an infinite derivative still gives NaN (mask the input instead)", () => {
    // torch: x = [0, 2]; where(x > 0, x.sqrt(), 0).sum().backward() → x.grad = [nan, 0.35355339059327373]
    const x = tensor([0, 2], { requiresGrad: true });
    const [g] = gradients(where([false, true], x.sqrt(), 0).sum(), x);
    expect(Number.isNaN(g!.data[0])).toBe(true);
    expect(g!.data[1]).toBeCloseTo(0.35355339059327373, 15); // 1/(2√2)
  });
});

describe("clamp", () => {
  it("values and PyTorch's gradient: 1 where min ≤ x ≤ max, bounds included", () => {
    // torch: x = [-2,-1,0,0.5,1,3]; y = clamp(x,-1,1); (y·[1..6]).sum().backward()
    // → y = [-1,-1,0,0.5,1,1], x.grad = [0,2,3,4,5,0]
    const x = tensor([-2, -1, 0, 0.5, 1, 3], { requiresGrad: true });
    const y = x.clamp(-1, 1);
    expect(Array.from(y.data)).toEqual([-1, -1, 0, 0.5, 1, 1]);
    y.mul(arange(1, 7)).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 2, 3, 4, 5, 0]);
  });

  it("one-sided bounds, NaN kept (gradient 0 there, as torch), bad bounds refused", () => {
    // torch: clamp([nan, 5], 0, 1) = [nan, 1], grad [0, 0]
    const x = tensor([NaN, 5], { requiresGrad: true });
    const y = clamp(x, 0, 1);
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(y.data[1]).toBe(1);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0]);
    expect(Array.from(clamp(tensor([-3, 3]), null, 1).data)).toEqual([-3, 1]);
    expect(Array.from(clamp(tensor([-3, 3]), 0).data)).toEqual([0, 3]);
    expect(() => clamp(tensor([1]), 2, 1)).toThrow(/min \(2\) is greater than max \(1\)/);
    expect(() => clamp(tensor([1]), "0" as never, 1)).toThrow(/clamp: min must be a number/);
    expect(() => clamp(tensor([1]))).toThrow(/give min, max or both/);
  });
});
