// Engine edge cases checked against PyTorch's semantics (issue 8, item 12): subgradients at
// singular points, shape validation, and misuse from plain JavaScript. Every error names the op
// and the shapes involved, as PyTorch's do.
//
// Expected numbers are PyTorch's (float64) for the same calls, derived by hand from its backward
// formulas (tools/autograd/templates and derivatives.yaml) and written out in each comment.

import { describe, expect, it } from "vitest";
import {
  Tensor, add, arange, broadcastTo, concat, div, eye, full, grad, hessian, jacobian, jvp, linspace, matmul, mm, mul, norm,
  ones, pow, rand, randn, reshape, sin, slice, stack, sub, sum, sumTo, tensor, transpose, vjp, zeros, atan2, maximum, minimum, sign,
} from "../../src/index.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const bad = (v: unknown): any => v;

describe("norm takes no order or axis", () => {
  it("an argument is a TypeError (x.norm(1) returned the 2-norm of everything, 5 for [[3, 4], [0, 0]], silently)", () => {
    const x = tensor([[3, 4], [0, 0]]);
    expect(() => x.norm(...([1] as never[]))).toThrow(/^norm: takes no order or axis \(it is the 2-norm of all elements\), got the number 1; along an axis write/);
    expect(() => norm(x, 2)).toThrow(/^norm: takes no order or axis/);
    expect(x.norm().item()).toBe(5); // √(9 + 16)
  });
});

describe("norm at zero", () => {
  it("has gradient 0 (PyTorch's subgradient), not NaN", () => {
    // torch.linalg.vector_norm backward: self * (grad / norm).masked_fill_(norm == 0, 0) → 0 at x = 0.
    const x = zeros([3], { requiresGrad: true });
    norm(x).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0]);
  });

  it("has second derivative 0 at zero, and x/‖x‖ elsewhere", () => {
    // The double backward of the masked expression above is 0 at x = 0 (pinn's convention; PyTorch 1.13 gives NaN:
    // torch.autograd.functional.hessian(lambda x: x.norm(), torch.zeros(2, dtype=torch.float64)) → [[nan, nan], [nan, nan]]).
    const h = hessian((x) => norm(x))(zeros([2]));
    expect(Array.from(h.data)).toEqual([0, 0, 0, 0]);
    // ∇‖(3, 4)‖ = (3, 4)/5.
    const g = grad((x) => norm(x))(tensor([3, 4]));
    expect(g.data[0]).toBeCloseTo(0.6, 15);
    expect(g.data[1]).toBeCloseTo(0.8, 15);
  });

  it("forward mode gives the directional derivative 0 at zero", () => {
    const [y, t] = jvp((x) => norm(x), zeros([2]), tensor([1, 2]));
    expect(y.item()).toBe(0);
    expect(t.item()).toBe(0);
    // Away from zero: d‖x‖·v = x·v/‖x‖ = (3·1 + 4·2)/5 = 2.2.
    expect(jvp((x) => norm(x), tensor([3, 4]), tensor([1, 2]))[1].item()).toBeCloseTo(2.2, 15);
  });
});

describe("pow with a tensor exponent at base 0", () => {
  it("gives the gradients PyTorch gives (0 where the formula is 0·∞), like the number-exponent form", () => {
    // PyTorch pow_backward_self: where(exponent == 0, 0, grad·exponent·self^(exponent−1)):
    //   b = 2 → 2·0¹ = 0; b = 0 → 0; b = 3 → 3·0² = 0.
    // pow_backward_exponent: where(self == 0 & exponent >= 0, 0, grad·result·log(self)) → 0 for all three.
    const a = zeros([3], { requiresGrad: true });
    const b = tensor([2, 0, 3], { requiresGrad: true });
    sum(pow(a, b)).backward();
    expect(Array.from(a.grad!.data)).toEqual([0, 0, 0]);
    expect(Array.from(b.grad!.data)).toEqual([0, 0, 0]);
    // The number-exponent form at the same points.
    for (const c of [2, 0, 3]) expect(grad((x) => pow(x, c))(tensor(0)).item()).toBe(0);
  });

  it("is unchanged away from base 0 (and in forward mode)", () => {
    // a = 2, b = 3: ∂/∂a = 3·2² = 12, ∂/∂b = 2³·ln 2.
    const a = tensor(2, { requiresGrad: true });
    const b = tensor(3, { requiresGrad: true });
    pow(a, b).backward();
    expect(a.grad!.item()).toBeCloseTo(12, 13);
    expect(b.grad!.item()).toBeCloseTo(8 * Math.LN2, 13);
    // Forward mode at base 0 along (1, 1): 0 + 0 for b = 2.
    expect(jvp((x) => pow(x, tensor(2)), tensor(0), tensor(1))[1].item()).toBe(0);
    expect(jvp((e) => pow(tensor(0), e), tensor(2), tensor(1))[1].item()).toBe(0);
  });
});

describe("shape checks", () => {
  it("sumTo from [4, 3] to [3, 4] fails instead of relabelling the data", () => {
    expect(() => sumTo(zeros([4, 3]), [3, 4])).toThrow("sumTo: cannot sum a tensor of shape [4, 3] to shape [3, 4]");
    expect(() => sumTo(zeros([4, 3]), [2, 1, 3])).toThrow(/sumTo: .*\[4, 3\].*\[2, 1, 3\]/);
    // Legal reductions still work: [4, 3] → [1, 3] sums the rows.
    expect(Array.from(sumTo(arange(12).reshape(4, 3), [1, 3]).data)).toEqual([18, 22, 26]);
  });

  it("creation rejects negative or fractional dimensions", () => {
    expect(() => zeros([-1, 2])).toThrow("zeros: invalid shape [-1, 2] (dimensions must be non-negative integers)");
    expect(() => ones([2.5])).toThrow(/^ones: invalid shape \[2\.5\]/);
    expect(() => full([NaN], 1)).toThrow(/^full: invalid shape \[NaN\]/);
    expect(() => rand([-3])).toThrow(/^rand: invalid shape/);
    expect(() => randn(bad(3))).toThrow(/^randn: invalid shape the number 3/);
    expect(() => tensor([1, 2], { shape: [-2] })).toThrow(/^tensor: invalid shape \[-2\]/);
    expect(() => eye(-1)).toThrow(/^eye: the number of rows must be a non-negative integer/);
    expect(() => linspace(0, 1, 2.5)).toThrow(/^linspace: count/);
    expect(() => arange(0, 1, 0)).toThrow(/^arange: .*step nonzero/);
    expect(zeros([0, 2]).shape).toEqual([0, 2]);
  });

  it("broadcast failures name the op and both shapes", () => {
    for (const [name, f] of [["add", add], ["sub", sub], ["mul", mul], ["div", div], ["pow", pow]] as const) {
      expect(() => f(zeros([2, 3]), ones([4]))).toThrow(`${name}: shapes [2, 3] and [4] cannot be broadcast together`);
    }
    expect(() => broadcastTo(zeros([2, 3]), [3, 3])).toThrow(/^broadcastTo: .*\[2, 3\].*\[3, 3\]/);
  });

  it("a batched matmul mismatch reports the full shapes; a 1-D operand is reported as given", () => {
    // PyTorch: "Expected size for first two dimensions of batch2 tensor to be: [5, 3] but got: [5, 4]."
    expect(() => matmul(zeros([5, 2, 3]), zeros([5, 4, 2]))).toThrow("matmul: shapes [5, 2, 3] and [5, 4, 2] cannot be multiplied");
    expect(() => matmul(zeros([2, 3]), zeros([2]))).toThrow("matmul: shapes [2, 3] and [2] cannot be multiplied");
    expect(() => matmul(zeros([2]), zeros([3, 4]))).toThrow("matmul: shapes [2] and [3, 4] cannot be multiplied");
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 2]))).toThrow(/^matmul: shapes \[2, 2, 3\] and \[3, 3, 2\] cannot be multiplied \(batch axes \[2\] and \[3\]/);
    expect(() => mm(zeros([2, 3]), zeros([2, 3, 4]))).toThrow(/^mm: operands \[2, 3\] and \[2, 3, 4\]/);
    // Was "matmul: inner dimensions differ (…)", naming matmul for a call of mm.
    expect(() => mm(zeros([1, 3]), zeros([3, 2]), false, true)).toThrow("mm: [1, 3] · [3, 2]ᵀ cannot be multiplied (3 columns against 2 rows; ᵀ: read transposed)");
    expect(() => zeros([2, 3]).mm(zeros([2, 3]))).toThrow("mm: [2, 3] · [2, 3] cannot be multiplied (3 columns against 2 rows)");
  });

  it("a non-integer slice bound is reported by slice, with the tensor's shape", () => {
    expect(() => slice(zeros([4, 3]), [[0.5, 2]])).toThrow(/^slice: the range for axis 0 of a tensor of shape \[4, 3\] must be .* integer bounds, got \[0\.5, 2\]/);
    expect(() => zeros([4, 3]).slice(null, 1.5)).toThrow(/^slice: index 1\.5 is not an integer for axis 1 of a tensor of shape \[4, 3\]/);
    expect(() => zeros([4, 3]).slice(bad([1]))).toThrow(/^slice: the range for axis 0/);
    // column("0") said "column(0) is out of range".
    expect(() => zeros([4, 3]).column(bad("0"))).toThrow('column: the index must be an integer, got the string "0"');
    expect(() => zeros([4, 3]).column(3)).toThrow("column(3) is out of range for a tensor of shape [4, 3]");
  });

  it("axis errors name the op", () => {
    expect(() => sum(zeros([2, 3]), 2)).toThrow(/^sum: axis 2 is out of range for a tensor of rank 2/);
    expect(() => transpose(zeros([2, 3]), [0, 2])).toThrow(/^transpose: axis 2/);
    expect(() => concat([zeros([2]), zeros([2])], 1)).toThrow(/^concat: axis 1/);
    expect(() => stack([zeros([2])], 3)).toThrow(/^stack: axis 3/);
    expect(() => reshape(zeros([2, 3]), [4, -1])).toThrow(/^reshape: cannot infer -1 in \[4, -1\] for a tensor of shape \[2, 3\]/);
    // A fractional axis was "out of range"; it is "not an integer" (range given).
    expect(() => zeros([2, 3]).mean(1.5)).toThrow("mean: axis 1.5 is not an integer (axes of a tensor of rank 2: -2 … 1)");
    expect(() => concat([zeros([2]), zeros([2])], 0.5)).toThrow(/^concat: axis 0\.5 is not an integer/);
  });

  it("keepdims must be a boolean (the string \"false\" kept the axes), and a null axis means all axes", () => {
    expect(() => zeros([2, 3]).sum(0, bad("false"))).toThrow('sum: keepdims must be true or false, got the string "false"');
    expect(() => zeros([2, 3]).mean(1, bad(1))).toThrow("mean: keepdims must be true or false, got the number 1");
    // Σ and mean of [[1, 2, 3], [4, 5, 6]] over all axes: 21 and 3.5, with keepdims of shape [1, 1].
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.sum(null).item()).toBe(21);
    expect(x.mean(null, true).toArray()).toEqual([[3.5]]);
  });
});

describe("misuse from JavaScript gets a TypeError naming the op", () => {
  const x = tensor([1, 2]);
  it.each<[string, () => unknown, RegExp]>([
    ['x.add("a")', () => x.add(bad("a")), /^add: operand 2 must be a Tensor or a number, got the string "a"$/],
    ['add("a", x)', () => add(bad("a"), x), /^add: operand 1 must be a Tensor or a number, got the string "a"$/],
    ["x.mul(null)", () => x.mul(bad(null)), /^mul: operand 2 must be a Tensor or a number, got null$/],
    ["pow(x, [2])", () => pow(x, bad([2])), /^pow: operand 2 must be a Tensor or a number, got an array of length 1$/],
    ["matmul(2, x)", () => matmul(bad(2), x), /^matmul: operand 1 must be a Tensor, got the number 2/],
    ["matmul(x, undefined)", () => matmul(x, bad(undefined)), /^matmul: operand 2 must be a Tensor, got undefined$/],
    ['sin("a")', () => sin(bad("a")), /^sin: operand 1 must be a Tensor, got the string "a"$/],
    ["sum(3)", () => sum(bad(3)), /^sum: operand 1 must be a Tensor, got the number 3/],
    ["norm([1, 2])", () => norm(bad([1, 2])), /^norm: operand 1 must be a Tensor, got an array of length 2$/],
    ["reshape(x, 2)", () => reshape(x, bad(2)), /^reshape: the shape must be a list of numbers, got the number 2$/],
    ["concat(x)", () => concat(bad(x)), /^concat: expects a list of tensors, got a tensor of shape \[2\]$/],
    ["stack([x, 1])", () => stack(bad([x, 1])), /^stack: operand 2 must be a Tensor, got the number 1/],
    ['tensor("abc")', () => tensor(bad("abc")), /^tensor: expects a number, nested arrays of numbers or a typed array, got the string "abc"$/],
    ['tensor([1, "a"])', () => tensor(bad([1, "a"])), /^tensor\(\): elements must be numbers, got the string "a"$/],
  ])("%s", (_name, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });
});

describe("function transforms reject what they cannot differentiate", () => {
  it("grad of a function returning a number", () => {
    expect(() => grad(bad(() => 3))(tensor(1))).toThrow(/^grad: the function must return a Tensor, it returned the number 3/);
    expect(() => grad(bad(() => 3))(tensor(1))).toThrow(TypeError);
  });

  it("jvp and vjp of a function returning a number", () => {
    expect(() => jvp(bad(() => 3), tensor(1), tensor(1))).toThrow(/^jvp: the function must return a Tensor, it returned the number 3/);
    expect(() => vjp(bad(() => "y"), tensor(1))).toThrow(/^vjp: the function must return a Tensor, it returned the string "y"/);
  });

  it("transforms of something that is not a function, or at something that is not a tensor", () => {
    expect(() => grad(bad(3))).toThrow(/^grad: expects a function of a tensor, got the number 3$/);
    expect(() => grad((t: Tensor) => t)(bad(2))).toThrow(/^grad: operand 1 must be a Tensor, got the number 2/);
    expect(() => jvp((t) => t, tensor([1, 2]), tensor([1]))).toThrow(/^jvp: tangent of shape \[1\] for an input of shape \[2\]/);
  });

  it('jacobian(f, "sideways") is rejected instead of silently using reverse mode', () => {
    expect(() => jacobian((t) => t, bad("sideways"))).toThrow(/^jacobian: mode must be "reverse" or "forward", got the string "sideways"$/);
    // The two real modes agree: J of x ↦ x² at (1, 2) is diag(2, 4).
    for (const mode of ["reverse", "forward"] as const) {
      expect(Array.from(jacobian((t) => t.square(), mode)(tensor([1, 2])).data)).toEqual([2, 0, 0, 4]);
    }
  });
});

describe("atan2, maximum, minimum, sign", () => {
  it("atan2 has Math.atan2's values in every quadrant and the gradient (x, −y)/(x² + y²)", () => {
    const y = tensor([1, 1, -1, -1, 0], { requiresGrad: true });
    const x = tensor([1, -1, -1, 1, 2], { requiresGrad: true });
    const t = atan2(y, x);
    // π/4, 3π/4, −3π/4, −π/4, 0
    expect(Array.from(t.data)).toEqual([Math.PI / 4, (3 * Math.PI) / 4, (-3 * Math.PI) / 4, -Math.PI / 4, 0]);
    sum(t).backward();
    // ∂/∂y = x/r², ∂/∂x = −y/r² with r² = 2, 2, 2, 2, 4.
    expect(Array.from(y.grad!.data)).toEqual([0.5, -0.5, -0.5, 0.5, 0.5]);
    expect(Array.from(x.grad!.data)).toEqual([-0.5, -0.5, 0.5, 0.5, -0]);
  });

  it("maximum and minimum split the gradient at a tie, as PyTorch does", () => {
    // torch.maximum backward: grad/2 to each operand where self == other.
    for (const f of [maximum, minimum]) {
      const a = tensor([1, 2, 3], { requiresGrad: true });
      const b = tensor([2, 2, 1], { requiresGrad: true });
      sum(f(a, b)).backward();
      const first = f === maximum ? [0, 0.5, 1] : [1, 0.5, 0];
      expect(Array.from(a.grad!.data)).toEqual(first);
      expect(Array.from(b.grad!.data)).toEqual(first.map((v) => 1 - v));
    }
    expect(Array.from(maximum(tensor([1, 5]), 3).data)).toEqual([3, 5]);
    expect(Array.from(minimum(2, tensor([1, 5])).data)).toEqual([1, 2]);
  });

  it("sign has derivative 0 (PyTorch: 0 everywhere, also at 0)", () => {
    expect(Array.from(sign(tensor([-2, 0, 3])).data)).toEqual([-1, 0, 1]);
    expect(Array.from(grad((x) => sum(sign(x)))(tensor([-2, 0, 3])).data)).toEqual([0, 0, 0]);
  });
});

describe("eye and full still behave", () => {
  it("eye(2, 3) and full([2], 7)", () => {
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(full([2], 7).toArray()).toEqual([7, 7]);
  });
});
