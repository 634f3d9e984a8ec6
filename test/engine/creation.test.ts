// Creating tensors and reading them back: tensor() from numbers, nested arrays and typed arrays,
// the constructors, toArray/item, reshape with −1, and the error messages.

import { describe, expect, it } from "vitest";
import {
  Tensor, add, arange, eye, full, linspace, matmul, ones, onesLike, rand, randn, tensor, tidy, toTensor, zeros, zerosLike,
} from "../../src/index.js";
import { inspect } from "node:util";

describe("tensor()", () => {
  it("from a number is 0-d", () => {
    const t = tensor(2.5);
    expect(t.shape).toEqual([]);
    expect(t.ndim).toBe(0);
    expect(t.size).toBe(1);
    expect(t.item()).toBe(2.5);
    expect(t.toArray()).toBe(2.5);
  });

  it("from nested arrays infers the shape and stores row-major", () => {
    const t = tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    expect(t.shape).toEqual([2, 3, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(t.toArray()).toEqual([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    expect(tensor([]).shape).toEqual([0]);
  });

  it("from a Float64Array with or without a shape, copying the data", () => {
    const src = Float64Array.of(1, 2, 3, 4, 5, 6);
    const t = tensor(src, { shape: [2, 3] });
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    src[0] = 100;
    expect(t.data[0]).toBe(1);
    expect(tensor(Float64Array.of(1, 2)).shape).toEqual([2]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it("rejects ragged arrays and sizes that do not fill the shape", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array \(expected length 2 at depth 1\)/);
    expect(() => tensor([1, [2, 3]] as never)).toThrow(/same depth/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/ragged/);
    expect(() => tensor(Float64Array.of(1, 2, 3), { shape: [2, 2] })).toThrow(/3 values do not fill shape \[2, 2\]/);
    expect(() => new Tensor(new Float64Array(3), [2, 2])).toThrow(/3 values but shape \[2, 2\] needs 4/);
    // A number with a shape: one-element shapes are honoured, larger ones were silently ignored (a 0-d result).
    expect(tensor(5, { shape: [1, 1] }).toArray()).toEqual([[5]]);
    expect(() => tensor(5, { shape: [2] })).toThrow("tensor(): 1 value does not fill shape [2] (full(shape, value) repeats a number)");
    expect(() => tensor(0, { shape: [3, 1] })).toThrow(/1 value does not fill shape \[3, 1\]/);
  });

  it("requiresGrad option and toTensor", () => {
    expect(tensor([1], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(tensor([1]).requiresGrad).toBe(false);
    const t = tensor([1, 2]);
    expect(toTensor(t)).toBe(t);
    expect(toTensor(3).shape).toEqual([]);
  });
});

describe("constructors", () => {
  it("zeros, ones, full, zerosLike, onesLike", () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(full([], 7).item()).toBe(7);
    expect(zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
    const t = tensor([[1, 2, 3]]);
    expect(zerosLike(t).shape).toEqual([1, 3]);
    expect(onesLike(t).toArray()).toEqual([[1, 1, 1]]);
  });

  it("eye, square and rectangular", () => {
    expect(eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    const A = tensor([[1, 2], [3, 4]]);
    expect(matmul(eye(2), A).toArray()).toEqual(A.toArray());
  });

  it("linspace includes both ends", () => {
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(-1, 1, 1).toArray()).toEqual([-1]);
    expect(linspace(0, 0.3, 4).data[3]).toBe(0.3);
  });

  it("arange excludes the end", () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 3).toArray()).toEqual([1, 2]);
    expect(arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(3, 1).shape).toEqual([0]);
  });
});

describe("arguments from plain JavaScript", () => {
  it("PyTorch-style sizes, non-finite ends, bad distribution parameters and a tensor given to tensor() say what to write", () => {
    expect(() => zeros(2 as never)).toThrow("zeros: invalid shape the number 2 (dimensions must be non-negative integers; the shape is one list: zeros([2, …]))");
    expect(() => ones([2, "3"] as never)).toThrow('ones: invalid shape [2, "3"] (dimensions must be non-negative integers)');
    // linspace(0, "1", 5) coerced the string; linspace(NaN, 1, 3) gave [NaN, NaN, 1].
    expect(() => linspace(0, "1" as never, 5)).toThrow('linspace: stop must be a finite number, got the string "1"');
    expect(() => linspace(NaN, 1, 3)).toThrow("linspace: start must be a finite number, got the number NaN");
    // rand with low > high and randn with a negative std drew numbers (PyTorch refuses both).
    expect(() => rand([2], { low: 1, high: 0 })).toThrow("rand: low must not exceed high, got low = 1, high = 0");
    expect(() => randn([2], { std: -1 })).toThrow("randn: std must be non-negative, got -1");
    expect(() => randn([2], { mean: Infinity })).toThrow("randn: mean must be a finite number, got the number Infinity");
    expect(rand([3], { low: 2, high: 2 }).toArray()).toEqual([2, 2, 2]); // U[2, 2) collapses to 2
    expect(randn([2], { std: 0, mean: 5 }).toArray()).toEqual([5, 5]);
    expect(() => tensor(tensor([1, 2]) as never)).toThrow("tensor(): got a tensor of shape [2]; x.clone() copies a tensor (differentiable), x.detach() makes a new leaf");
    expect(() => tensor([tensor(1), tensor(2)] as never)).toThrow(/elements must be numbers, got a tensor of shape \[\] \(x\.clone\(\) copies a tensor, stack\(\[a, b\]\) joins tensors\)/);
    expect(() => zeros([2, 3]).reshape([2, "3"] as never)).toThrow('reshape: invalid dimension "3" in [2, "3"] for a tensor of shape [2, 3] (6 elements)');
    // PyTorch's p.data = t: V8 said "Cannot set property data of [object Object] which has only a getter".
    const p = tensor([1, 2], { requiresGrad: true });
    expect(() => { p.data = Float64Array.of(3, 4); }).toThrow("x.data cannot be assigned (shape [2]); change the values of a tensor you made in place with x.data.set(values) (same length), or make a new tensor with tensor(values)");
    p.data.set([3, 4]);
    expect(p.toArray()).toEqual([3, 4]);
  });
});

describe("reading values and shapes", () => {
  it("item() needs exactly one element", () => {
    expect(tensor([[4]]).item()).toBe(4);
    expect(() => tensor([1, 2]).item()).toThrow(/item\(\) needs a tensor with one element, this one has shape \[2\]/);
  });

  it("reshape with −1 infers one dimension, and rejects impossible targets", () => {
    const t = arange(12);
    expect(t.reshape(3, -1).shape).toEqual([3, 4]);
    expect(t.reshape([-1, 2, 3]).shape).toEqual([2, 2, 3]);
    expect(t.reshape(-1).shape).toEqual([12]);
    expect(t.reshape(2, 6).toArray()).toEqual([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]);
    expect(tensor([5]).reshape([]).shape).toEqual([]);
    expect(() => t.reshape(5, -1)).toThrow(/reshape: cannot infer -1 in \[5, -1\] for a tensor of shape \[12\]/);
    expect(() => t.reshape(-1, -1)).toThrow(/only one dimension may be -1/);
    expect(() => t.reshape(5, 2)).toThrow(/reshape: cannot reshape a tensor of shape \[12\] \(12 elements\) into \[5, 2\]/);
  });

  it("broadcasting errors name both shapes", () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow("add: shapes [2, 3] and [4] cannot be broadcast together (sizes 3 and 4 at axis -1 from the end)");
    expect(() => add(zeros([3, 2]), zeros([2, 3]))).toThrow(/\[3, 2\] and \[2, 3\] cannot be broadcast/);
    expect(() => zeros([2, 3]).broadcastTo([3, 3])).toThrow(/\[2, 3\].*\[3, 3\]/);
    expect(() => zeros([3]).broadcastTo([3, 1])).toThrow(/broadcastTo: cannot broadcast a tensor of shape \[3\] to shape \[3, 1\]/);
  });

  it("matmul and mm shape errors", () => {
    expect(() => matmul(zeros([2, 3]), zeros([2, 3]))).toThrow(/matmul: shapes \[2, 3\] and \[2, 3\] cannot be multiplied/);
    expect(() => matmul(zeros([3]), zeros([4]))).toThrow(/matmul: shapes \[3\] and \[4\] cannot be multiplied/);
    expect(() => matmul(tensor(1), zeros([2]))).toThrow(/at least one axis/);
    expect(() => zeros([2, 2, 3]).sum(3)).toThrow(/sum: axis 3 is out of range for a tensor of rank 3/);
    expect(() => zeros([2, 3]).transpose([0, 0])).toThrow(/not a permutation/);
  });

  it("toString shows values, shape and requiresGrad", () => {
    expect(tensor([[1, 2]], { requiresGrad: true }).toString()).toBe("tensor([[1,2]], shape=[1, 2], requiresGrad)");
    // console.log shows the same (it showed the internal fields: buffer, gradFn, lazy, sealed, …).
    expect(inspect(tensor([1.5, -2]))).toBe("tensor([1.5,-2], shape=[2])");
    // Beyond 1000 values, the first and last three (arange(0, 2000) is 0 … 1999), as PyTorch summarises.
    expect(arange(0, 2000).reshape(2, 1000).toString()).toBe("tensor([0,1,2, …, 1997,1998,1999] (2000 values, row-major), shape=[2, 1000])");
    // A tensor released by tidy prints as such instead of throwing.
    let t: Tensor | null = null;
    tidy(() => { t = tensor([1, 2]).mul(2); t.data; return null; });
    expect(String(t)).toBe("tensor(<released by tidy()>, shape=[2])");
  });
});
