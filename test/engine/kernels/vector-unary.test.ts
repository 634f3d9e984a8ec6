// The engine's tanh, sigmoid, exp, sin and cos ops on the WebAssembly SIMD kernels (kernels/vector-unary.ts):
// which kernel ran is recorded (kernelUsage), the values agree with Math.tanh / Math.exp /
// Math.sin / Math.cos and the logistic formula to a few units in the last place over the whole float64 range (the elements
// beyond the kernels' range are recomputed in JavaScript), and short arrays or disabled SIMD use
// the JavaScript kernel, recorded as such.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tensor, Rng, kernelUsage, resetKernelUsage } from "../../../src/index.js";
import { setWasmKernels, wasmKernelsActive } from "../../../src/engine/kernels/f64-heap.js";
import { setFusion } from "../../../src/engine/fusion.js";

// These are the ops one at a time (fusion off: with it on, tanh, σ, exp, sin and cos of large inputs are
// lazy and fused, test/engine/fusion-transcendental.test.ts, which checks them against these kernels).
beforeAll(() => setFusion(false));
afterAll(() => setFusion(true));

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
      // (tanh's kernel covers every input; the others' blocks are range-checked on the SIMD kernel too.)
      expect(kernelUsage()).toEqual(name === "tanh" ? { "tanh:wasm-simd": 1 } : { [`${name}:wasm-simd`]: 1, "range-check:wasm-simd": 1 });
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
    // (The SIMD product ran the kernel specialised for its strides: heap-gemm.ts.)
    expect(kernelUsage()).toEqual({ "matmul:js": 1, "matmul:wasm-simd": 1, "matmul:wasm-simd-specialised": 1 });
  });
});

describe("an input in the arena, its output not (the arena full: the pool hands out ordinary arrays)", () => {
  // The input is read in place in the arena and the values copied out to the ordinary array. References:
  // the JavaScript formulas (within 4 ulp, as above), and the same kernel run with the output in the
  // arena too (the same bits: only where the values are written differs).
  for (const name of ["tanh", "exp", "sigmoid", "sin", "cos"] as const) {
    it(`${name}`, async () => {
      const { tidy } = await import("../../../src/index.js");
      const { inArena, setArenaBuffers } = await import("../../../src/engine/pool.js");
      if (!wasmKernelsActive()) return;
      const xs = inputs();
      tidy(() => {
        const x = tensor(xs).mul(1);
        expect(inArena(x.data)).toBe(true);
        const both = x[name]();
        expect(inArena(both.data)).toBe(true);
        setArenaBuffers(false);
        try {
          resetKernelUsage();
          const y = x[name]();
          expect(inArena(y.data)).toBe(false);
          expect(kernelUsage()[`${name}:wasm-simd`]).toBe(1);
          xs.forEach((v, i) => withinUlps(y.data[i]!, REFERENCES[name](v), 4, `${name}(${v})`));
          y.data.forEach((v, i) => expect(Object.is(v, both.data[i]), `${name}(${xs[i]})`).toBe(true));
        } finally {
          setArenaBuffers(true);
        }
      });
    });
  }
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

describe("the SIMD range check", () => {
  it("gives the JavaScript loop's answer on blocks with values at and beyond the bounds, NaN, ±∞, −0, and odd lengths", async () => {
    const { F64Heap } = await import("../../../src/engine/kernels/f64-heap.js");
    const { allWithin } = await import("../../../src/engine/kernels/vector-unary.js");
    const heap = new F64Heap(true);
    expect(heap.within).not.toBeNull();
    const rng = new Rng(12);
    const bounds = heap.alloc(6);
    const ranges: [number, number][] = [[-708, 708], [-1e5, 1e5], [-700, Infinity]];
    const specials = [NaN, Infinity, -Infinity, -0, 708, -708, 708.0000000000001, 1e5, -100000.00000000001, -700, -700.0000000000001, 1e308];
    let checked = 0;
    for (const [lo, hi] of ranges) {
      for (let trial = 0; trial < 300; trial++) {
        const m = 1 + Math.floor(rng.uniform() * 40);
        const input = heap.alloc(m);
        const f = heap.f64;
        for (let i = 0; i < m; i++) f[input + i] = (rng.uniform() - 0.5) * 2 * Math.min(hi, 1e5);
        // Most blocks lie within; some get one special value at a random place (the odd last value included).
        if (trial % 3 !== 0) f[input + Math.floor(rng.uniform() * m)] = specials[trial % specials.length]!;
        const js = allWithin(heap.f64, input, input + m, lo, hi);
        // The SIMD check on the same values (the lane after an odd count set to 0, as vector-unary.ts does).
        if ((m & 1) !== 0) heap.f64[input + m] = 0;
        heap.f64.set([lo, lo, hi, hi], bounds);
        heap.within!(8 * input, (m + 1) >> 1, 8 * bounds);
        const simd = heap.f64[bounds + 4] === 1 && heap.f64[bounds + 5] === 1;
        expect(simd, `[${lo}, ${hi}], ${m} values`).toBe(js);
        heap.release(input, m);
        checked++;
      }
    }
    expect(checked).toBe(900);
  });

  it("the kernels' range-checked forms (one pass) give the plain forms' bits and the JavaScript loop's answer", async () => {
    const { F64Heap } = await import("../../../src/engine/kernels/f64-heap.js");
    const { allWithin } = await import("../../../src/engine/kernels/vector-unary.js");
    const heap = new F64Heap(true);
    const acts = heap.activations!;
    const rng = new Rng(13);
    const bounds = heap.alloc(6);
    // Each function's range as vector-unary.ts's FALLBACK table writes it (restated here).
    const cases = [["exp", -708, 708], ["sigmoid", -700, Infinity], ["sin", -1e5, 1e5], ["cos", -1e5, 1e5], ["sincos", -1e5, 1e5]] as const;
    const specials = [NaN, Infinity, -Infinity, -0, 708, -708, 708.0000000000001, 1e5, -100000.00000000001, -700, -700.0000000000001, 1e308];
    let checked = 0;
    for (const [name, lo, hi] of cases) {
      for (let trial = 0; trial < 120; trial++) {
        // Counts across the kernels' steps of four pairs and the pairs left over, odd counts included.
        const m = 1 + Math.floor(rng.uniform() * 40);
        const input = heap.alloc(m);
        const [a, b, c, d] = [heap.alloc(m), heap.alloc(m), heap.alloc(m), heap.alloc(m)];
        const f = heap.f64;
        for (let i = 0; i < m; i++) f[input + i] = (rng.uniform() - 0.5) * 2 * Math.min(hi, 1e5);
        if (trial % 3 !== 0) f[input + Math.floor(rng.uniform() * m)] = specials[trial % specials.length]!;
        if ((m & 1) !== 0) f[input + m] = 0;
        // The answer of the JavaScript loop, independent of the kernels.
        const js = allWithin(heap.f64, input, input + m, lo, hi);
        f.set([lo, lo, hi, hi, -1, -1], bounds);
        const pairs = (m + 1) >> 1;
        if (name === "sincos") {
          acts.sincos(8 * input, 8 * a, 8 * b, pairs);
          acts.checked.sincos(8 * input, 8 * c, 8 * d, pairs, 8 * bounds);
        } else {
          acts[name](8 * input, 8 * a, pairs);
          acts.checked[name](8 * input, 8 * c, pairs, 8 * bounds);
        }
        const g = heap.f64;
        expect(g[bounds + 4] === 1 && g[bounds + 5] === 1, `${name} on [${lo}, ${hi}], ${m} values`).toBe(js);
        for (let i = 0; i < m; i++) {
          expect(Object.is(g[c + i], g[a + i]), `${name}, element ${i} of ${m}`).toBe(true);
          if (name === "sincos") expect(Object.is(g[d + i], g[b + i]), `cos, element ${i} of ${m}`).toBe(true);
        }
        for (const o of [d, c, b, a, input]) heap.release(o, m);
        checked++;
      }
    }
    expect(checked).toBe(600);
  });
});
