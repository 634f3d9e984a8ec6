// First derivatives of every op, reverse and forward mode, against central finite differences
// (gradcheck), plus the ops' forward values against direct loops and Math functions.

import { describe, expect, it } from "vitest";
import {
  Tensor, gradcheck, tensor, add, sub, mul, div, pow, matmul, mm, sum, mean, norm, transpose, concat, stack, broadcastTo, sumTo,
  exp, log, sqrt, sin, cos, tan, tanh, sigmoid, softplus, relu, abs, asin, acos, atan, sinh, cosh, erf, gelu, swish,
} from "../../src/index.js";
import { binaryCases, layoutCases, matmulCases, numberOperandCases, reductionCases, selectionCases, unaryCases, type OpCase } from "../helpers/op-cases.js";
import { expectClose, uniform } from "../helpers/tensors.js";

function check(c: OpCase): void {
  expect(gradcheck(c.f, c.inputs)).toBe(true);
}

describe("gradcheck (reverse and forward mode) of every op", () => {
  it.each(unaryCases().map((c) => [c.name, c] as const))("elementwise %s", (_n, c) => check(c));
  it.each(binaryCases().map((c) => [c.name, c] as const))("binary %s", (_n, c) => check(c));
  it.each(numberOperandCases().map((c) => [c.name, c] as const))("number operand %s", (_n, c) => check(c));
  it.each(matmulCases().map((c) => [c.name, c] as const))("%s", (_n, c) => check(c));
  it.each(reductionCases().map((c) => [c.name, c] as const))("%s", (_n, c) => check(c));
  it.each(layoutCases().map((c) => [c.name, c] as const))("%s", (_n, c) => check(c));
  it.each(selectionCases().map((c) => [c.name, c] as const))("%s", (_n, c) => check(c));

  it("a function of several ops with several outputs", () => {
    const f = (a: Tensor, b: Tensor): Tensor[] => [matmul(a, b).tanh().sum(0), a.mul(b.T).exp().mean()];
    expect(gradcheck(f, [uniform([2, 3], -1, 1, 5), uniform([3, 2], -1, 1, 6)])).toBe(true);
  });

  // Regression: the finite differences used to read f(x − εe) after x had been restored when the
  // output shared its data with the input, so identity-like views (reshape, x.slice()) failed.
  it("gradcheck handles outputs that share data with the input", () => {
    const x = uniform([2, 3], -1, 1, 7);
    expect(gradcheck((t) => t.reshape([6]), [x])).toBe(true);
    expect(gradcheck((t) => t.slice(), [x])).toBe(true);
    expect(gradcheck((t) => t, [x])).toBe(true);
  });
});

describe("forward values", () => {
  const xs = [-2.5, -1, -0.3, 0.2, 0.7, 1.9];
  const x = tensor(xs);
  const unit = [-0.9, -0.4, 0, 0.3, 0.8];
  it.each([
    ["exp", exp, Math.exp, xs],
    ["sin", sin, Math.sin, xs],
    ["cos", cos, Math.cos, xs],
    ["tan", tan, Math.tan, xs],
    ["tanh", tanh, Math.tanh, xs],
    ["sinh", sinh, Math.sinh, xs],
    ["cosh", cosh, Math.cosh, xs],
    ["atan", atan, Math.atan, xs],
    ["abs", abs, Math.abs, xs],
    ["relu", relu, (v: number) => Math.max(v, 0), xs],
    ["sigmoid", sigmoid, (v: number) => 1 / (1 + Math.exp(-v)), xs],
    ["softplus", softplus, (v: number) => Math.log(1 + Math.exp(v)), xs],
    ["asin", asin, Math.asin, unit],
    ["acos", acos, Math.acos, unit],
    ["log", log, Math.log, [0.1, 1, 2.5, 10]],
    ["sqrt", sqrt, Math.sqrt, [0, 0.1, 1, 2.5, 10]],
  ] as const)("%s matches Math", (_n, op, ref, input) => {
    const t = tensor([...input]);
    expectClose(op(t), input.map(ref), { atol: 1e-15, rtol: 1e-14 });
  });

  it("erf matches reference values (Python's math.erf)", () => {
    // python3 -c "import math; print([math.erf(x) for x in (0.5, 1, 2, -3, 5, -0.2, 3.7)])"
    const input = tensor([0.5, 1, 2, -3, 5, -0.2, 3.7, 0]);
    const expected = [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9999779095030014, 0.9999999999984626, -0.22270258921047847, 0.9999998328489421, 0];
    expectClose(erf(input), expected, { atol: 1e-16, rtol: 1e-15 });
  });

  it("gelu(x) = x·Φ(x) and swish(x) = x·σ(x)", () => {
    // Φ(1) = (1 + erf(1/√2))/2 = 0.8413447460685429 (standard normal table / math.erf).
    expectClose(gelu(tensor([1, -1, 0])), [0.8413447460685429, -(1 - 0.8413447460685429), 0], { atol: 1e-15 });
    expectClose(swish(x), xs.map((v) => v / (1 + Math.exp(-v))), { atol: 1e-15 });
  });

  it("sigmoid and softplus do not overflow for large |x|", () => {
    const big = tensor([-800, 800]);
    expect(Array.from(sigmoid(big).data)).toEqual([0, 1]);
    expectClose(softplus(big), [0, 800], { atol: 1e-300 });
  });

  it("broadcast arithmetic follows NumPy: [3, 1] op [1, 4] → [3, 4]", () => {
    const a = tensor([[1], [2], [3]]);
    const b = tensor([[10, 20, 30, 40]]);
    const expected = (f: (p: number, q: number) => number): number[][] => [1, 2, 3].map((p) => [10, 20, 30, 40].map((q) => f(p, q)));
    expect(add(a, b).toArray()).toEqual(expected((p, q) => p + q));
    expect(sub(a, b).toArray()).toEqual(expected((p, q) => p - q));
    expect(mul(a, b).toArray()).toEqual(expected((p, q) => p * q));
    expect(div(a, b).toArray()).toEqual(expected((p, q) => p / q));
    expect(pow(a, tensor([[0.5, 1, 2, 3]])).toArray()).toEqual([1, 2, 3].map((p) => [0.5, 1, 2, 3].map((q) => Math.pow(p, q))));
  });

  it("broadcasts [2, 3] with [3], a scalar with a matrix, and [2, 1, 3] with [4, 1]", () => {
    expect(add(tensor([[1, 2, 3], [4, 5, 6]]), tensor([10, 20, 30])).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(sub(tensor(1), tensor([[1, 2], [3, 4]])).toArray()).toEqual([[0, -1], [-2, -3]]);
    const a = uniform([2, 1, 3], -1, 1, 8);
    const b = uniform([4, 1], -1, 1, 9);
    const c = mul(a, b);
    expect(c.shape).toEqual([2, 4, 3]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) {
      expect(c.data[i * 12 + j * 3 + k]).toBe(a.data[i * 3 + k]! * b.data[j]!);
    }
  });

  it("number operands on either side", () => {
    const t = tensor([1, 2, 4]);
    expect(t.add(2).toArray()).toEqual([3, 4, 6]);
    expect(sub(2, t).toArray()).toEqual([1, 0, -2]);
    expect(t.sub(2).toArray()).toEqual([-1, 0, 2]);
    expect(mul(3, t).toArray()).toEqual([3, 6, 12]);
    expect(div(1, t).toArray()).toEqual([1, 0.5, 0.25]);
    expect(t.div(4).toArray()).toEqual([0.25, 0.5, 1]);
    expect(pow(t, 3).toArray()).toEqual([1, 8, 64]);
    expect(pow(2, t).toArray()).toEqual([2, 4, 16]);
    expect(t.neg().toArray()).toEqual([-1, -2, -4]);
  });

  /** Naive product of row-major matrices. */
  function naive(a: number[][], b: number[][]): number[][] {
    return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, p) => s + v * b[p]![j]!, 0)));
  }
  const A = [[1, 2, 3], [4, 5, 6]];
  const B = [[1, -1, 2, 0], [0, 3, 1, 1], [2, 1, 0, -2]];
  const transposeOf = (m: number[][]): number[][] => m[0]!.map((_, j) => m.map((r) => r[j]!));

  it("matmul: 2-D×2-D, 1-D×2-D, 2-D×1-D, 1-D·1-D", () => {
    expect(matmul(tensor(A), tensor(B)).toArray()).toEqual(naive(A, B));
    expect(matmul(tensor([1, 0, 2]), tensor(B)).toArray()).toEqual(naive([[1, 0, 2]], B)[0]);
    expect(matmul(tensor(A), tensor([1, 0, -1])).toArray()).toEqual([-2, -2]);
    const dot = matmul(tensor([1, 2, 3]), tensor([4, 5, 6]));
    expect(dot.shape).toEqual([]);
    expect(dot.item()).toBe(32);
  });

  it("mm reads each operand transposed without a copy (all four flag combinations)", () => {
    const expected = naive(A, B);
    expect(mm(tensor(A), tensor(B)).toArray()).toEqual(expected);
    expect(mm(tensor(transposeOf(A)), tensor(B), true, false).toArray()).toEqual(expected);
    expect(mm(tensor(A), tensor(transposeOf(B)), false, true).toArray()).toEqual(expected);
    expect(mm(tensor(transposeOf(A)), tensor(transposeOf(B)), true, true).toArray()).toEqual(expected);
  });

  it("matmul of larger operands matches the naive product (blocked kernels, odd sizes)", () => {
    const a = uniform([7, 9], -1, 1, 10);
    const b = uniform([9, 5], -1, 1, 11);
    const rows = (t: Tensor): number[][] => t.toArray() as number[][];
    const expected = naive(rows(a), rows(b));
    expectClose(matmul(a, b), expected.flat(), { atol: 1e-14 });
    expectClose(mm(a.T, b, true, false), expected.flat(), { atol: 1e-14 });
    expectClose(mm(a, b.T, false, true), expected.flat(), { atol: 1e-14 });
    expectClose(mm(a.T, b.T, true, true), expected.flat(), { atol: 1e-14 });
  });

  it("batched matmul broadcasts the batch axis", () => {
    const a = uniform([2, 1, 2, 3], -1, 1, 12);
    const b = uniform([3, 3, 2], -1, 1, 13);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 2, 2]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let r = 0; r < 2; r++) for (let s = 0; s < 2; s++) {
      let v = 0;
      for (let p = 0; p < 3; p++) v += a.data[i * 6 + r * 3 + p]! * b.data[j * 6 + p * 2 + s]!;
      expect(c.data[((i * 3 + j) * 2 + r) * 2 + s]).toBeCloseTo(v, 14);
    }
  });

  it("sum and mean over all, one, negative and several axes, with keepdims", () => {
    const t = tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]); // [2, 3, 2]
    expect(sum(t).item()).toBe(78);
    expect(sum(t, 0).toArray()).toEqual([[8, 10], [12, 14], [16, 18]]);
    expect(sum(t, -1).toArray()).toEqual([[3, 7, 11], [15, 19, 23]]);
    expect(sum(t, [0, 2]).toArray()).toEqual([18, 26, 34]);
    expect(sum(t, 1, true).toArray()).toEqual([[[9, 12]], [[27, 30]]]);
    expect(sum(t, [0, 1, 2], true).shape).toEqual([1, 1, 1]);
    expect(mean(t).item()).toBe(6.5);
    expect(mean(t, 1).toArray()).toEqual([[3, 4], [9, 10]]);
    expect(mean(t, [-1, 0], true).toArray()).toEqual([[[4.5], [6.5], [8.5]]]);
    expect(norm(tensor([[3, 4], [0, 12]])).item()).toBe(13);
  });

  it("transpose of a 3-D tensor with a permutation follows NumPy", () => {
    const t = uniform([2, 3, 4], -1, 1, 14);
    const p = transpose(t, [2, 0, 1]); // p[k, i, j] = t[i, j, k]
    expect(p.shape).toEqual([4, 2, 3]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) {
      expect(p.data[k * 6 + i * 3 + j]).toBe(t.data[i * 12 + j * 4 + k]);
    }
    expect(tensor([[1, 2, 3], [4, 5, 6]]).T.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  it("slices rows, columns, single indices and negative ranges", () => {
    const t = tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]);
    expect(t.slice([1, 3]).toArray()).toEqual([[3, 4, 5], [6, 7, 8]]);
    expect(t.column(1).toArray()).toEqual([[1], [4], [7], [10]]);
    // Regression: column(-1) used to return an empty [4, 0] tensor and column(3) too.
    expect(t.column(-1).toArray()).toEqual([[2], [5], [8], [11]]);
    expect(() => t.column(3)).toThrow("column(3) is out of range for a tensor of shape [4, 3]");
    expect(() => t.column(-4)).toThrow(/out of range/);
    expect(() => tensor([1, 2]).column(0)).toThrow("column(0) needs a 2-D tensor, this one has shape [2]");
    expect(t.slice(2).toArray()).toEqual([6, 7, 8]);
    expect(t.slice(null, 1).toArray()).toEqual([1, 4, 7, 10]);
    expect(t.slice(-1).toArray()).toEqual([9, 10, 11]);
    expect(t.slice([-3, -1], [-2, 3]).toArray()).toEqual([[4, 5], [7, 8]]);
    expect(t.slice(1, 2).shape).toEqual([]);
    expect(t.slice(1, 2).item()).toBe(5);
    expect(() => t.slice(4)).toThrow(/out of range/);
    expect(() => t.slice(0, 0, 0)).toThrow(/slice: 3 ranges for a tensor of shape \[4, 3\]/);
  });

  it("concat, stack, broadcastTo and sumTo", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6]]);
    expect(concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([a, tensor([[7], [8]])], -1).toArray()).toEqual([[1, 2, 7], [3, 4, 8]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(stack([tensor(1), tensor(2)], -1).toArray()).toEqual([1, 2]);
    expect(broadcastTo(tensor([[1], [2]]), [3, 2, 2]).toArray()).toEqual([[[1, 1], [2, 2]], [[1, 1], [2, 2]], [[1, 1], [2, 2]]]);
    expect(sumTo(tensor([[1, 2, 3], [4, 5, 6]]), [3]).toArray()).toEqual([5, 7, 9]);
    expect(sumTo(tensor([[1, 2, 3], [4, 5, 6]]), [2, 1]).toArray()).toEqual([[6], [15]]);
    expect(sumTo(tensor([[1, 2, 3], [4, 5, 6]]), []).item()).toBe(21);
    expect(() => concat([a, tensor([[1, 2, 3]])])).toThrow(/differ outside axis/);
    expect(() => stack([a, b])).toThrow(/differ/);
  });
});
