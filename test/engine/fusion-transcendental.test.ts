// Fused functions (tanh, σ, exp, sin, cos: fusion.ts fusibleFunction): an expression mixing them with
// arithmetic is one WebAssembly kernel that computes each function by the activation kernels' own code
// (kernels/wasm-fused.ts, wasm-activations.ts activationBody), and a block where a function's argument
// lies outside its kernel's range (exp beyond ±708, sin/cos beyond ±1e5, NaN) is computed again op by
// op (fusion.ts stepwise). The reference everywhere is the same computation with fusion off
// (setFusion(false): the ops one at a time, each on its own SIMD kernel with the JavaScript formula
// outside the range): identical bits, forward, backward and double backward, in tidy and as written.

import { afterAll, describe, expect, it } from "vitest";
import { tensor, rand, tidy, Rng, gradients, kernelUsage, resetKernelUsage, poolStats, type Tensor } from "../../src/index.js";
import { SNAPSHOT_MAX, setFunctionFusion, setFusion } from "../../src/engine/fusion.js";
import { wasmKernelsActive } from "../../src/engine/kernels/f64-heap.js";
import { arenaIfMade } from "../../src/engine/kernels/arena.js";

const rng = new Rng(23);

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect(`${what} ${i}: ${a[i]}`).toBe(`${what} ${i}: ${b[i]}`);
}

/** `make()`'s values (copied out), with fusion on or off, in tidy or not, and the kernels that ran. */
function run(make: () => Float64Array[], fused: boolean, inTidy: boolean): { values: Float64Array[]; usage: Record<string, number> } {
  setFusion(fused);
  try {
    resetKernelUsage();
    const values = inTidy ? tidy(() => make()) : make();
    return { values, usage: kernelUsage() };
  } finally {
    setFusion(true);
  }
}

/** Inputs spanning the kernels' ranges: ordinary values, then exp's and sin/cos's limits, beyond them, NaN, ±∞, ±0. */
function inputs(n: number): Float64Array {
  const x = Float64Array.from({ length: n }, () => 6 * rng.uniform() - 3);
  const special = [800, -800, 708, -708, 709, 2e5, -2e5, 1e5, 100000.5, NaN, Infinity, -Infinity, -0, 0, 1e-300, 30, -30];
  // (in one block near the start, one in the last block, and one in a block of its own)
  special.forEach((v, k) => {
    x[17 + k] = v;
    x[n - 1 - k] = v;
  });
  x[4500] = 1e6;
  return x;
}

describe.runIf(wasmKernelsActive())("fused tanh, σ, exp, sin, cos", () => {
  afterAll(() => setFusion(true));

  // Chains whose functions' arguments reach outside the ranges through arithmetic too (x·400 for exp).
  const chains: [string, (x: Tensor) => Tensor][] = [
    ["tanh(x)·sin(x) + exp(−x²)·0.5 − x (the bench chain)", (x) => x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sub(x)],
    ["exp(x·400)·cos(x) + sigmoid(x) / (1 + tanh(x)²)", (x) => x.mul(400).exp().mul(x.cos()).add(x.sigmoid().div(x.tanh().square().add(1)))],
    ["sin(cos(x)·3e5) − exp(sin(x)) ", (x) => x.cos().mul(3e5).sin().sub(x.sin().exp())],
  ];

  for (const inTidy of [false, true]) {
    const where = inTidy ? "in tidy" : "as written";
    for (const [name, f] of chains) {
      it(`${name}, ${where}: forward, gradient and second derivative with the bits of the unfused ops`, () => {
        const xs = inputs(9001);
        const make = (): Float64Array[] => {
          const x = tensor(xs, { requiresGrad: true });
          // (x·1 is an op's result, which a lazy value may read; x itself is read at once)
          const x1 = x.mul(1);
          const y = f(x1);
          const values = Float64Array.from(y.data);
          const [g] = gradients(f(x1).sum(), [x], { createGraph: true });
          const [gg] = gradients(g!.sum(), [x]);
          f(x1).sum().backward();
          return [values, Float64Array.from(g!.data), Float64Array.from(gg!.data), Float64Array.from(x.grad!.data)];
        };
        const fused = run(make, true, inTidy);
        const plain = run(make, false, inTidy);
        ["values", "gradient", "second derivative", ".grad"].forEach((what, k) => sameBits(fused.values[k]!, plain.values[k]!, what));
        // The out-of-range blocks were computed op by op; the functions ran fused.
        expect(fused.usage["elementwise:stepwise"]).toBeGreaterThan(0);
        expect(Object.keys(fused.usage).some((k) => k.endsWith(":fused") && k !== "elementwise:fused" && k !== "sum:fused")).toBe(true);
        expect(plain.usage["elementwise:stepwise"]).toBeUndefined();
      });
    }
  }

  it("in range, no block is computed again; each function is recorded as fused (tanh:fused, sin:fused, exp:fused)", () => {
    const x = rand([5000], { rng, requiresGrad: true }).mul(1);
    resetKernelUsage();
    const y = x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sum();
    const usage = kernelUsage();
    expect(usage["tanh:fused"]).toBe(1);
    expect(usage["sin:fused"]).toBe(1);
    expect(usage["exp:fused"]).toBe(1);
    expect(usage["sum:wasm-simd"]).toBe(1);
    expect(usage["elementwise:stepwise"]).toBeUndefined();
    // Reference: the sum of the unfused values (setFusion(false)), the same bits.
    setFusion(false);
    const plain = x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sum();
    setFusion(true);
    expect(Object.is(y.item(), plain.item())).toBe(true);
  });

  it("sin fused for a gradient writes its cosines too: the backward pass takes them (cos:with-sin), the bits of the unfused gradient", () => {
    const xs = inputs(3000);
    const make = (): Float64Array[] => {
      const x = tensor(xs, { requiresGrad: true });
      x.sin().mul(x.tanh()).sum().backward();
      return [Float64Array.from(x.grad!.data)];
    };
    const fused = run(make, true, false);
    expect(fused.usage["sin:fused"]).toBe(1);
    expect(fused.usage["cos:with-sin"]).toBe(1);
    expect(fused.usage["cos:fused"]).toBeUndefined();
    sameBits(fused.values[0]!, run(make, false, false).values[0]!, ".grad");
  });

  it("a fused sin read by a matrix product (evaluated on its own) writes its cosines too: the bits of the unfused gradient", () => {
    const xs = inputs(4000);
    const w = rand([8, 3], { rng });
    const make = (): Float64Array[] => {
      const x = tensor(xs, { requiresGrad: true });
      x.mul(2).sin().reshape([500, 8]).matmul(w).sum().backward();
      return [Float64Array.from(x.grad!.data)];
    };
    const fused = run(make, true, false);
    expect(fused.usage["sin:fused"]).toBe(1);
    expect(fused.usage["cos:with-sin"]).toBe(1);
    sameBits(fused.values[0]!, run(make, false, false).values[0]!, ".grad");
  });

  it("a function two lazy expressions read is computed once (written out by the first evaluation), with the unfused bits", () => {
    const xs = inputs(3000);
    const make = (): Float64Array[] => {
      const y = tensor(xs).tanh();
      const a = y.mul(2);
      const b = y.add(1);
      return [Float64Array.from(a.data), Float64Array.from(b.data)];
    };
    const fused = run(make, true, false);
    expect(fused.usage["tanh:fused"]).toBe(1);
    const plain = run(make, false, false);
    sameBits(fused.values[0]!, plain.values[0]!, "a");
    sameBits(fused.values[1]!, plain.values[1]!, "b");
  });

  it("a tensor the caller made is read from a snapshot: changed in place after the op, the lazy value keeps the values it had", () => {
    const x = tensor(inputs(1000));
    const before = Float64Array.from(x.data);
    const y = x.tanh().add(x.exp());
    expect(y.lazy).not.toBeNull();
    x.data.fill(0.25);
    // A later op sees the new values (the snapshot no longer matches, bit for bit): here −0 in place of +0 too.
    x.data[0] = -0;
    const z = x.tanh();
    setFusion(false);
    const expected = tensor(before).tanh().add(tensor(before).exp());
    const zExpected = x.tanh();
    setFusion(true);
    sameBits(y.data, expected.data, "y");
    sameBits(z.data, zExpected.data, "z");
    expect(Object.is(z.data[0], -0)).toBe(true);
  });

  it("a tensor the caller made of more than SNAPSHOT_MAX values is not snapshotted: the op computes at once", () => {
    const x = tensor(new Float64Array(SNAPSHOT_MAX + 2).fill(0.5));
    const y = x.tanh();
    expect(y.lazy).toBeNull();
    // tanh(0.5) = 0.46211715726000974 (Wolfram Alpha, 17 digits), within the kernels' few ulp of Math.tanh
    expect(Math.abs(y.data[SNAPSHOT_MAX + 1]! - 0.46211715726000974)).toBeLessThan(4e-16);
  });

  it("setFunctionFusion(false) leaves the functions to their own kernels (the arithmetic still fused), with the same bits", () => {
    const x = tensor(inputs(4096));
    const make = (): Float64Array[] => [Float64Array.from(x.tanh().mul(x.sin()).add(x.exp()).data)];
    const fused = run(make, true, false);
    setFunctionFusion(false);
    try {
      const apart = run(make, true, false);
      expect(apart.usage["tanh:fused"]).toBeUndefined();
      expect(apart.usage["tanh:wasm-simd"]).toBe(1);
      expect(fused.usage["tanh:fused"]).toBe(1);
      sameBits(apart.values[0]!, fused.values[0]!, "values");
    } finally {
      setFunctionFusion(true);
    }
  });

  it("values kept for a backward pass as written: the tensors read before, after and in a second pass have the unfused bits", () => {
    const xs = inputs(5000);
    const make = (): Float64Array[] => {
      const x = tensor(xs, { requiresGrad: true });
      const t = x.tanh();
      const e = x.exp();
      const s = x.sin();
      const before = Float64Array.from(e.data); // read before the pass: e has its own values from now on
      const y = t.mul(s).add(e.mul(0.5)).sum();
      y.backward(1, { retainGraph: true });
      const g1 = Float64Array.from(x.grad!.data);
      x.grad = null;
      // the same graph again (its kept values went back to the pool with the first pass: computed again)
      y.backward();
      const g2 = Float64Array.from(x.grad!.data);
      x.grad = null;
      // a new graph over the same tensors, then their values read after every pass
      t.square().sum().backward();
      return [before, g1, g2, Float64Array.from(x.grad!.data), Float64Array.from(t.data), Float64Array.from(s.data)];
    };
    const fused = run(make, true, false);
    expect(fused.usage["tanh:fused"]).toBeGreaterThan(0);
    const plain = run(make, false, false);
    for (let k = 0; k < plain.values.length; k++) sameBits(fused.values[k]!, plain.values[k]!, `value ${k}`);
  });

  it("a bias row of odd length (no WebAssembly kernel): op by op, the same bits", () => {
    const m = rand([300, 7], { rng }).mul(1);
    const b = rand([7], { rng }).mul(1);
    const make = (): Float64Array[] => [Float64Array.from(m.add(b).tanh().mul(m).exp().data)];
    const fused = run(make, true, false);
    expect(fused.usage["elementwise:stepwise"]).toBeGreaterThan(0);
    sameBits(fused.values[0]!, run(make, false, false).values[0]!, "values");
  });

  it("the bench chain's gradient (1e5 values): fresh buffers per call in steady state, as written and in tidy", () => {
    // bench/ops-child.ts's chain; the counts were measured (poolStats().fresh) and are bounds here.
    const x = rand([100_000], { rng, requiresGrad: true });
    const chain = (): void => {
      x.grad = null;
      x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sub(x).sum().backward();
    };
    for (let i = 0; i < 3; i++) chain();
    let f0 = poolStats().fresh;
    chain();
    const written = poolStats().fresh - f0;
    for (let i = 0; i < 3; i++) tidy(chain);
    f0 = poolStats().fresh;
    tidy(chain);
    const tidied = poolStats().fresh - f0;
    // As written: the values the forward kernel keeps for the backward pass (tanh, sin, its cosines,
    // exp) come from the pool and go back to it when the pass ends, so what is new is .grad (the only
    // one of 1e5 values) and one-value tensors such as the sum (measured 3; 6 when the values were
    // written into their tensors, 8 unfused); in tidy: .grad only (its buffer outlives the scope).
    expect(written).toBeLessThanOrEqual(3);
    expect(tidied).toBeLessThanOrEqual(1);
  });

  it.skipIf(!wasmKernelsActive())("as written, the kept values lie in the kernels' arena: the backward pass's expression reads them in place on the SIMD kernel; forward passes without backward hold at most 64 MiB of it", () => {
    const x = rand([100_000], { rng, requiresGrad: true });
    const chain = (): void => {
      x.grad = null;
      x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sub(x).sum().backward();
    };
    chain();
    resetKernelUsage();
    chain();
    const usage = kernelUsage();
    // the forward kernel (with the sum) and the backward pass's expression, both on the SIMD loop
    // (before, the backward expression's operands were ordinary arrays: a JavaScript loop, no "elementwise:wasm-simd")
    expect(usage["sum:wasm-simd"]).toBe(1);
    expect(usage["elementwise:wasm-simd"]).toBe(1);
    expect(usage["cos:with-sin"]).toBe(1);
    // 120 forward passes with grad on and no backward pass, in one synchronous loop (no garbage
    // collector callback runs): each keeps 4 × 800 kB (tanh, sin, its cosines, exp), 384 MB in all
    // if nothing bounded them; the arena grows by at most the bound (64 MiB) and the scratch blocks.
    const before = arenaIfMade()!.usedBytes;
    const ys: Tensor[] = [];
    for (let i = 0; i < 120; i++) ys.push(x.tanh().mul(x.sin()).add(x.exp()).sum());
    expect(arenaIfMade()!.usedBytes - before).toBeLessThanOrEqual(64 * 2 ** 20 + 2 ** 20);
    // and every result is still right: the last one against the unfused ops
    setFusion(false);
    try {
      const want = x.tanh().mul(x.sin()).add(x.exp()).sum().item();
      expect(Object.is(ys[119]!.item(), want)).toBe(true);
    } finally {
      setFusion(true);
    }
  });
});
