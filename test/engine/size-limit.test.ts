// A request for a huge tensor is a clear error before anything is allocated (it allocated 8 GB for
// zeros([1e9]) and failed inside V8 as "Invalid typed array length: 10000000000" for zeros([1e5, 1e5])):
// the limit, MAX_TENSOR_VALUES = 2^29 values (4 GiB), in creation functions and in every op's result.

import { describe, expect, it } from "vitest";
import { arange, eye, linspace, matmul, ones, randn, rand, tensor, tidy, zeros, full } from "../../src/index.js";
import { checkTensorSize, MAX_TENSOR_VALUES, TensorSizeError } from "../../src/engine/shape.js";

const LIMIT = "the limit is 536870912 values (4 GiB) per tensor — use fewer points or smaller batches";

describe("the tensor size limit", () => {
  it("is 2^29 values, checked at the boundary", () => {
    expect(MAX_TENSOR_VALUES).toBe(536870912);
    expect(() => checkTensorSize(2 ** 29)).not.toThrow();
    expect(() => checkTensorSize(2 ** 29 + 1)).toThrow(TensorSizeError);
    expect(() => checkTensorSize(NaN)).toThrow(TensorSizeError);
  });

  it("creation functions name themselves, the shape and the size (8 bytes a value: 1e9 values = 7.45 GiB)", () => {
    expect(() => zeros([1e9])).toThrow(`zeros: a tensor of 1000000000 values (shape [1000000000]) would take 7.5 GiB; ${LIMIT}`);
    expect(() => zeros([1e5, 1e5])).toThrow(/^zeros: a tensor of 10000000000 values \(shape \[100000, 100000\]\) would take 74\.5 GiB/);
    expect(() => ones([1e9])).toThrow(/^ones: .* 1000000000 values/);
    expect(() => full([1e9], 2)).toThrow(/^full: /);
    expect(() => randn([1e9])).toThrow(/^randn: /);
    expect(() => rand([3e4, 3e4])).toThrow(/^rand: /);
    expect(() => linspace(0, 1, 1e9)).toThrow(/^linspace: a tensor of 1000000000 values/);
    expect(() => arange(0, 1e10)).toThrow(/^arange: a tensor of 10000000000 values/);
    expect(() => eye(1e6)).toThrow(/^eye: a tensor of 1000000000000 values \(shape \[1000000, 1000000\]\) would take 7450\.6 GiB/);
    expect(() => zeros([1e200, 1e200])).toThrow(/^zeros: a tensor of Infinity values/);
    expect(() => zeros([1e15, 1e5])).toThrow(/would take 7\.5e\+11 GiB/);
  });

  it("an op whose result would be over the limit names the op and its inputs' shapes, inside tidy or not", () => {
    const col = zeros([100000, 1]), row = zeros([1, 100000]);
    const msg = /^matmul of \[100000, 1\] and \[1, 100000\]: a tensor of 10000000000 values would take 74\.5 GiB/;
    expect(() => matmul(col, row)).toThrow(msg);
    expect(() => tidy(() => matmul(col, row))).toThrow(msg);
    expect(() => tensor([[1], [2], [3]]).broadcastTo([3, 1e9])).toThrow(/^broadcastTo: a tensor of 3000000000 values \(shape \[3, 1000000000\]\)/);
    expect(() => tensor(1).broadcastTo([1e9])).toThrow(/1000000000 values/);
    // A fused (lazy) elementwise result is checked when it is made, before its values are computed.
    expect(() => col.add(row.mul(2))).toThrow(/^add of \[100000, 1\] and \[1, 100000\]: a tensor of 10000000000 values/);
  });
});

describe("toArray() of a huge tensor", () => {
  it("is an error pointing to .data, not a V8 abort (2^25 values at most)", async () => {
    const { TO_ARRAY_MAX } = await import("../../src/engine/tensor.js");
    expect(TO_ARRAY_MAX).toBe(2 ** 25);
    // A lazy broadcast has its shape without its values, so the check is tested without allocating.
    const big = tensor(1).broadcastTo([2 ** 13, 2 ** 12 + 1]);
    expect(() => big.toArray()).toThrow(
      "toArray(): a tensor of shape [8192, 4097] has 33562624 values, more than the 33554432 a nested JavaScript array may hold here (V8 would abort the process); read .data (a Float64Array, no copy) or slice() first",
    );
    expect(tensor(2).broadcastTo([3, 2]).toArray()).toEqual([[2, 2], [2, 2], [2, 2]]);
  });
});
