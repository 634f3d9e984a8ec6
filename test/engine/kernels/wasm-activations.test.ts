// The SIMD tanh and sigmoid against Math.tanh and the logistic formula evaluated in float64.

import { describe, expect, it } from "vitest";
import { F64Heap } from "../../../src/engine/kernels/f64-heap.js";
import { Rng } from "../../../src/engine/random.js";

function inputs(): Float64Array {
  const rng = new Rng(5);
  const special = [0, -0, 1e-300, -1e-300, 1e-12, -3e-9, 0.1, 0.3465, 0.3467, 0.7, 1, -1, 5, 19.99, 20, 20.01, -20, 36, 50, -50, 300, 699, 701, -701, 1e6, -1e6, Infinity, -Infinity];
  const random = Array.from({ length: 4001 }, () => (rng.uniform() - 0.5) * 10 ** (rng.uniform() * 8 - 5));
  return Float64Array.from([...special, ...random]);
}

function run(name: "tanh" | "sigmoid", x: Float64Array): Float64Array {
  const heap = new F64Heap(true);
  expect(heap.activations).not.toBeNull();
  const src = heap.copyIn(x);
  const dst = heap.alloc(x.length);
  heap.activations![name](8 * src, 8 * dst, x.length >> 1);
  const out = Float64Array.from(heap.view(dst, x.length));
  out[x.length - 1] = NaN; // odd tail is not computed by the vector kernel
  return out;
}

describe("SIMD activations", () => {
  it("tanh is within 4 units in the last place of Math.tanh (relative), with its sign and limits", () => {
    const x = inputs();
    const y = run("tanh", x);
    for (let i = 0; i < x.length - 1; i++) {
      const ref = Math.tanh(x[i]!);
      expect(Math.abs(y[i]! - ref), `tanh(${x[i]})`).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(ref));
      expect(Math.sign(y[i]!)).toBe(Math.sign(ref));
    }
    expect(Object.is(run("tanh", Float64Array.from([-0, 0, 1]))[0], -0)).toBe(true);
  });

  it("sigmoid is within 4 ulp of 1/(1 + e^−x) where that is a normal number, and tends to 0 and 1", () => {
    const x = inputs();
    const y = run("sigmoid", x);
    for (let i = 0; i < x.length - 1; i++) {
      const ref = 1 / (1 + Math.exp(-x[i]!));
      if (x[i]! < -700) expect(y[i]!).toBeLessThan(1e-300);
      else expect(Math.abs(y[i]! - ref), `sigmoid(${x[i]})`).toBeLessThanOrEqual(4 * Number.EPSILON * ref);
    }
  });

  it("an odd number of pairs (the loop's single-pair tail) is computed too", () => {
    const x = Float64Array.from([0.5, -1, 2, -3, 4, 0.25, 7]);
    const t = run("tanh", x);
    const s = run("sigmoid", x);
    for (let i = 0; i < 6; i++) {
      expect(Math.abs(t[i]! - Math.tanh(x[i]!))).toBeLessThanOrEqual(4 * Number.EPSILON);
      expect(Math.abs(s[i]! - 1 / (1 + Math.exp(-x[i]!)))).toBeLessThanOrEqual(4 * Number.EPSILON);
    }
  });

  it("propagates NaN", () => {
    expect(Number.isNaN(run("tanh", Float64Array.from([NaN, 1, 0]))[0])).toBe(true);
    expect(Number.isNaN(run("sigmoid", Float64Array.from([NaN, 1, 0]))[0])).toBe(true);
  });
});

describe("one emitter for every vector function", () => {
  it("the module's bytes are those of the separate activation and sincos emitters it replaced", async () => {
    // sha256 of activationModuleBytes(): this pins the module's bytes, so that any change to a kernel's
    // code is deliberate and recorded here with that change (the values are checked by the tests above
    // and vector-unary.test.ts, which also compares sincos with sin and cos value by value).
    // History: a7b393f, one loop emitter for the activations and sincos (the same bytes as the two
    // emitters before); then the clamps with f64x2.pmin/pmax instead of f64x2.min/max (NaN still propagates).
    const { createHash } = await import("node:crypto");
    const { activationModuleBytes } = await import("../../../src/engine/kernels/wasm-activations.js");
    expect(createHash("sha256").update(activationModuleBytes()).digest("hex")).toBe("353edd1d9edb1805de48f51e3d16ed1c1819d31ff2ed2884c5d97133f132b0fd");
  });
});
