// The engine's tanh, sigmoid, exp, sin and cos ops on the WebAssembly SIMD kernels (kernels/vector-unary.ts):
// which kernel ran is recorded (kernelUsage), the values agree with Math.tanh / Math.exp /
// Math.sin / Math.cos and the logistic formula to a few units in the last place over the whole float64 range (the elements
// beyond the kernels' range are recomputed in JavaScript), and short arrays or disabled SIMD use
// the JavaScript kernel, recorded as such.

import { afterAll, describe, expect, it } from "vitest";
import { tensor, Rng, kernelUsage, resetKernelUsage } from "../../../src/index.js";
import { setWasmKernels, wasmKernelsActive } from "../../../src/engine/kernels/f64-heap.js";

function inputs(): number[] {
  const rng = new Rng(11);
  const special = [0, -0, 1e-300, -1e-300, 5e-324, 1e-12, 0.1, 0.3466, 1, -1, 19.99, 20.01, 36, -50, 699, 701, -701,
    707.9, 708, 708.1, 709.7, 709.8, 710, -707.9, -708.1, -740, -745.2, -746, -1000, 1e6, -1e6, Infinity, -Infinity, NaN,
    // near multiples of π/2 (sin and cos), and around the SIMD range of sin and cos (±1e5)
    Math.PI, -Math.PI, Math.PI / 2, 3 * Math.PI / 2, 2 * Math.PI, 10 * Math.PI, 355, 99999.9, 1e5, 100000.1, -100000.1, 2 ** 30];
  const random = Array.from({ length: 3001 }, () => (rng.uniform() - 0.5) * 10 ** (rng.uniform() * 7 - 4));
  return [...special, ...random];
}

/** |a − b| ≤ ulps·ε·|b| (subnormal results: ≤ ulps smallest steps); NaN and ±∞ must match exactly. */
function withinUlps(a: number, b: number, ulps: number, what: string): void {
  if (!Number.isFinite(b)) {
    expect(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), what).toBe(true);
    return;
  }
  expect(Math.abs(a - b), what).toBeLessThanOrEqual(Math.max(ulps * Number.EPSILON * Math.abs(b), ulps * 5e-324));
}

const REFERENCES = {
  tanh: Math.tanh,
  exp: Math.exp,
  sin: Math.sin,
  cos: Math.cos,
  // The JavaScript kernel's formula (ops/unary.ts), the reference for the SIMD one.
  sigmoid: (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
} as const;

describe("SIMD elementwise ops", () => {
  afterAll(() => setWasmKernels(true));

  for (const name of ["tanh", "exp", "sigmoid", "sin", "cos"] as const) {
    it(`${name}: SIMD kernel recorded, within 4 ulp of the JavaScript formula everywhere`, () => {
      setWasmKernels(true);
      expect(wasmKernelsActive()).toBe(true);
      const xs = inputs();
      resetKernelUsage();
      const y = tensor(xs)[name]();
      expect(kernelUsage()).toEqual({ [`${name}:wasm-simd`]: 1 });
      xs.forEach((x, i) => withinUlps(y.data[i]!, REFERENCES[name](x), 4, `${name}(${x})`));
    });

    it(`${name}: short arrays and disabled SIMD run the JavaScript kernel, recorded as "js"`, () => {
      setWasmKernels(true);
      resetKernelUsage();
      tensor([0.5, -2, 3])[name]();
      expect(kernelUsage()).toEqual({ [`${name}:js`]: 1 });
      setWasmKernels(false);
      resetKernelUsage();
      const xs = inputs();
      const y = tensor(xs)[name]();
      expect(kernelUsage()).toEqual({ [`${name}:js`]: 1 });
      xs.forEach((x, i) => expect(Object.is(y.data[i], REFERENCES[name](x)) || (Number.isNaN(y.data[i]!) && Number.isNaN(x))).toBe(true));
      setWasmKernels(true);
    });
  }

  it("matmul records its kernel: SIMD for a large product, JavaScript for a small one", () => {
    setWasmKernels(true);
    resetKernelUsage();
    const a = tensor(Array.from({ length: 64 * 32 }, (_, i) => Math.sin(i)), { shape: [64, 32] });
    a.matmul(a.T);
    tensor([[1, 2]]).matmul(tensor([[3], [4]]));
    expect(kernelUsage()).toEqual({ "matmul:js": 1, "matmul:wasm-simd": 1 });
  });
});

describe("sin with its derivative's cosines", () => {
  it("the sincos kernel gives the bits of the sin and cos kernels (and their JavaScript values beyond ±1e5, NaN, ±∞)", async () => {
    const { vectorSinCos, vectorUnary } = await import("../../../src/engine/kernels/vector-unary.js");
    if (!wasmKernelsActive()) return;
    const x = Float64Array.from(inputs());
    const [s, c, s1, c1] = [0, 0, 0, 0].map(() => new Float64Array(x.length));
    expect(vectorSinCos(x, s!, c!)).toBe(true);
    expect(vectorUnary("sin", x, s1!)).toBe(true);
    expect(vectorUnary("cos", x, c1!)).toBe(true);
    for (let i = 0; i < x.length; i++) {
      expect(Object.is(s![i], s1![i]), `sin ${x[i]}`).toBe(true);
      expect(Object.is(c![i], c1![i]), `cos ${x[i]}`).toBe(true);
    }
  });

  it("sin recorded for a gradient keeps cos x from its forward pass: the gradient is the cos kernel's values, and second derivatives still follow", async () => {
    const { gradients } = await import("../../../src/index.js");
    if (!wasmKernelsActive()) return;
    const x = tensor(inputs().slice(0, 1000).map((v) => (Number.isFinite(v) ? v : 0.5)), { requiresGrad: true });
    const old = Float64Array.from(x.data);
    resetKernelUsage();
    const y = x.sin().sum();
    // Changing x in place after the forward pass: the derivative is still that of the value computed (cos of old x).
    x.data.fill(3);
    const [g] = gradients(y, x);
    expect(kernelUsage()["cos:with-sin"]).toBe(1);
    const reference = tensor(Array.from(old)).cos().data;
    g!.data.forEach((v, i) => expect(Object.is(v, reference[i]), `element ${i}`).toBe(true));
    x.data.set(old);
    // d/dx Σ sin x = cos x, recorded; d/dx Σ cos x = −sin x.
    const [g1] = gradients(x.sin().sum(), x, { createGraph: true });
    const [g2] = gradients(g1!.sum(), x);
    const sines = tensor(Array.from(old)).sin().data;
    g2!.data.forEach((v, i) => expect(Object.is(v, -sines[i]!), `element ${i}`).toBe(true));
  });
});
